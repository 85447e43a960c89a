"""OpenLineage run events with openlineage-python (needs `floec[observability]`).

`emit` only queues what the event says; the `BackgroundSender`'s thread builds it with the
client's own classes (so it carries their producer and schema URLs) and posts it with the
client's HTTP transport (a short timeout, no retries: the sender's breaker stops after the first
failure), or appends it as a JSON line when the platform names no lineage server. The client is
imported on that thread too: its import (about a second, it loads its async transport) never
delays an asset.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import attrs

from floec.runtime.telemetry_dbt import Dataset
from floec.runtime.telemetry_queue import BackgroundSender

PRODUCER = "https://github.com/floe-runtime/floec"
DEFAULT_PATH = "api/v1/lineage"


def available() -> bool:
    """Is openlineage-python installed (without importing it)?"""
    import importlib.util

    try:
        return importlib.util.find_spec("openlineage.client") is not None
    except ModuleNotFoundError:
        return False


def split_url(url: str) -> tuple[str, str]:
    """(base URL, path) for the client's transport: a URL with a path is taken as the full
    address of the lineage API, a bare server gets OpenLineage's /api/v1/lineage."""
    parts = urlsplit(url)
    base = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    path = parts.path.strip("/")
    if parts.query:
        path += "?" + parts.query
    return base, path or DEFAULT_PATH


@attrs.frozen
class Pending:
    """What one run event says, queued until the sender's thread builds it."""

    state: str
    job: str
    run_id: str
    time: datetime
    job_type: str
    integration: str
    inputs: tuple[Dataset, ...]
    outputs: tuple[Dataset, ...]
    parent: tuple[str, str] | None  # (job name, run id) of the Dagster run
    error: BaseException | None
    failure: str | None


class LineageBackend:
    def __init__(
        self,
        *,
        namespace: str,
        url: str | None,
        file: Path,
        timeout: float,
        on_failure: Callable[[str], None],
    ) -> None:
        if not available():
            raise ModuleNotFoundError("No module named 'openlineage'", name="openlineage")
        self.namespace = namespace
        self.file = None if url else file
        transport: list[Any] = []  # built on the sender's thread, on first use

        def post(batch: Sequence[Pending]) -> None:
            from openlineage.client.transport.http import HttpConfig, HttpTransport

            if not transport:
                assert url is not None
                base, path = split_url(url)
                # No retries (the breaker decides); the full retry dict, since the client builds
                # a urllib3 Retry from it.
                retry = {"total": 0, "read": 0, "connect": 0, "backoff_factor": 0, "status": 0}
                config = HttpConfig(url=base, endpoint=path, timeout=timeout, retry=retry)
                transport.append(HttpTransport(config))
            for pending in batch:
                transport[0].emit(build_event(pending, namespace))

        def write(batch: Sequence[Pending]) -> None:
            from openlineage.client.serde import Serde

            file.parent.mkdir(parents=True, exist_ok=True)
            lines = [Serde.to_json(build_event(p, namespace)) + "\n" for p in batch]
            with file.open("a", encoding="utf-8") as handle:
                handle.writelines(lines)

        def failed(error: BaseException) -> None:
            on_failure(f"{type(error).__name__}: {error}")

        def warmup() -> None:
            import openlineage.client.event_v2
            import openlineage.client.facet_v2
            import openlineage.client.serde
            import openlineage.client.transport.http  # noqa: F401

        self.sender: BackgroundSender[Pending] = BackgroundSender(
            "lineage", post if url else write, failed, warmup=warmup
        )

    def emit(
        self,
        state: str,
        *,
        job: str,
        run_id: str,
        time: datetime,
        job_type: str,
        integration: str,
        inputs: Sequence[Dataset] = (),
        outputs: Sequence[Dataset] = (),
        parent: tuple[str, str] | None = None,
        error: BaseException | None = None,
        failure: str | None = None,
    ) -> None:
        self.sender.put(
            Pending(
                state,
                job,
                run_id,
                time,
                job_type,
                integration,
                tuple(inputs),
                tuple(outputs),
                parent,
                error,
                failure,
            )
        )

    def flush(self, timeout: float) -> bool:
        return self.sender.flush(timeout)

    def settle(self, timeout: float) -> bool:
        return self.sender.settle(timeout)

    def close(self, timeout: float) -> int:
        return self.sender.close(timeout)


def build_event(pending: Pending, namespace: str) -> Any:
    """The client's RunEvent of a queued event."""
    from openlineage.client.event_v2 import InputDataset, Job, Run, RunEvent, RunState
    from openlineage.client.facet_v2 import error_message_run, job_type_job, parent_run

    run_facets: dict[str, Any] = {}
    if pending.parent is not None:
        run_facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=pending.parent[1]),
            job=parent_run.Job(namespace=namespace, name=pending.parent[0]),
        )
    if pending.error is not None:
        error = pending.error
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=f"{type(error).__name__}: {error}",
            programmingLanguage="python",
            stackTrace="".join(traceback.format_exception(type(error), error, error.__traceback__)),
        )
    elif pending.failure is not None:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=pending.failure, programmingLanguage="sql"
        )
    job_facets: dict[str, Any] = {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration=pending.integration, jobType=pending.job_type
        )
    }
    return RunEvent(
        eventType=getattr(RunState, pending.state),
        eventTime=pending.time.isoformat(),
        run=Run(runId=pending.run_id, facets=run_facets),
        job=Job(namespace=namespace, name=pending.job, facets=job_facets),
        inputs=[InputDataset(namespace=d.namespace, name=d.name) for d in pending.inputs],
        outputs=[_output(d, with_schema=pending.state != "START") for d in pending.outputs],
        producer=PRODUCER,
    )


def _output(dataset: Dataset, *, with_schema: bool) -> Any:
    from openlineage.client.event_v2 import OutputDataset
    from openlineage.client.facet_v2 import schema_dataset

    facets: dict[str, Any] = {}
    if with_schema and dataset.fields:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(
            fields=[
                schema_dataset.SchemaDatasetFacetFields(name=name, type=kind or None)
                for name, kind in dataset.fields
            ]
        )
    return OutputDataset(namespace=dataset.namespace, name=dataset.name, facets=facets)

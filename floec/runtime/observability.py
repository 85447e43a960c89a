"""Traces and lineage for every asset and dbt model, configured by the platform, never fatal.

`ObservabilityOrchestrator` is built from the compiled artifacts' `observability` section (the
platform's endpoints, sampling and resource attributes; the pipeline's flags and attributes).
The runtime wraps each unit of work in it; user code never does:

    observability = ObservabilityOrchestrator.for_artifacts("target/prod/compiled_artifacts.json")
    with observability.asset_run("raw_orders", outputs=["raw_orders"], layer="bronze",
                                 run_id=context.run_id) as run:
        ...                                   # the asset's own code
        run.output_schema("raw_orders", [("id", "long"), ("amount", "double")])

opens an OpenTelemetry span (pipeline, environment, asset, Dagster run id, partition, layer, the
pipeline's attributes; the error recorded on failure) and emits OpenLineage START, then COMPLETE
or FAIL (inputs and outputs named by their Iceberg namespace and table, a schema facet on
outputs, an error facet on failure, a parent run facet naming the Dagster run). `dbt_run(...)`
does the same for a dbt invocation: one span and lineage run per model from dbt's manifest and
run results (`orchestration.dbt.observability_level: per_model`), or one for the whole invocation
(`job_level`).

Where it goes: OTLP (HTTP or gRPC as `otlp_protocol` says) to `otlp_endpoint`, OpenLineage over
HTTP to `lineage_endpoint`; an endpoint given as a secret is resolved here, at run time. With no
endpoint (the embedded default) spans and events are appended as JSON lines to
`target/<env>/traces.jsonl` and `target/<env>/lineage.jsonl`.

Telemetry never fails or stalls a run: exports run on daemon threads with short timeouts and no
retries; the first failure stops sending to that endpoint and prints one warning naming it (a
secret endpoint by its secret's name, never its value); what telemetry may cost a run in waiting
is bounded (`budget`, under a second in total). Without OpenTelemetry or openlineage-python
installed the run goes on, with a warning naming the extra to install. This module imports
neither: the backends (floec.runtime.telemetry_traces, telemetry_lineage) are loaded on first use.

`python -m floec.runtime.observability target/<env>` prints where the local files are and how
many spans and events they hold.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from floec.runtime.secrets import SecretError, resolve_reference
from floec.runtime.telemetry_dbt import Dataset, NodeRun, node_runs, read_json

log = logging.getLogger("floec.observability")

TRACES_FILE = "traces.jsonl"
LINEAGE_FILE = "lineage.jsonl"
EXTRA = "pip install 'floec[observability]'"
# What telemetry may cost one run in waiting, in total, and the timeout of one export request.
BUDGET = 0.8
EXPORT_TIMEOUT = 0.5


@attrs.frozen
class Endpoint:
    url: str
    label: str  # what messages show: the URL, or the secret it came from
    secret: bool = False

    def scrub(self, reason: str) -> str:
        """A failure's reason as it may be shown: when the address is a secret, only the kind of
        error (client messages quote hosts, ports and paths)."""
        if not self.secret:
            return reason
        kind = reason.split(":", 1)[0].strip()
        kind = kind if kind.isidentifier() else "error"
        return f"{kind}; details hidden, the address is a secret"


@attrs.frozen
class Settings:
    """The artifacts' `observability` section, and what naming needs from the rest."""

    pipeline: str
    version: str | None
    environment: str
    traces: bool
    lineage: bool
    otlp_endpoint: Any  # None, a URL, or a lowered secret reference
    otlp_protocol: str
    lineage_endpoint: Any
    lineage_namespace: str
    sampling: Mapping[str, Any] | None
    resource_attributes: Mapping[str, Any]
    attributes: Mapping[str, Any]
    dbt_level: str
    layers: Mapping[str, Any]
    catalog: Mapping[str, Any]
    directory: Path  # target/<env>/: where the embedded default's files go

    @classmethod
    def from_document(cls, document: Mapping[str, Any], directory: Path | None) -> Settings:
        section: Mapping[str, Any] = document.get("observability") or {}
        pipeline: Mapping[str, Any] = document.get("pipeline") or {}
        environment = str((document.get("environment") or {}).get("name") or "default")
        dbt = ((document.get("orchestration") or {}).get("dbt")) or {}
        name = str(pipeline.get("name") or "pipeline")
        return cls(
            pipeline=name,
            version=None if pipeline.get("version") is None else str(pipeline["version"]),
            environment=environment,
            traces=bool(section.get("traces")),
            lineage=bool(section.get("lineage")),
            otlp_endpoint=section.get("otlp_endpoint"),
            otlp_protocol=str(section.get("otlp_protocol") or "grpc"),
            lineage_endpoint=section.get("lineage_endpoint"),
            lineage_namespace=str(section.get("lineage_namespace") or name),
            sampling=section.get("sampling"),
            resource_attributes=dict(section.get("resource_attributes") or {}),
            attributes=dict(section.get("attributes") or {}),
            dbt_level=str(dbt.get("observability_level") or "per_model"),
            layers=dict(document.get("layers") or {}),
            catalog=dict((document.get("profiles") or {}).get("catalog") or {}),
            directory=directory or Path("target") / environment,
        )

    def dataset(self, table: str, layer: str | None = None) -> Dataset:
        """An Iceberg table as a lineage dataset: the namespace is its catalog (its URI, or
        `iceberg://<profile>` when the URI is a secret), the name `<iceberg namespace>.<table>`
        (a name with a dot is already qualified)."""
        spec = self.layers.get(layer) if layer else None
        catalog: Mapping[str, Any] = (spec or {}).get("catalog") or self.catalog
        if "." in table:
            name = table
        else:
            namespace = (spec or {}).get("namespace") or catalog.get("namespace") or "default"
            name = f"{namespace}.{table}"
        uri = catalog.get("uri")
        where = uri if isinstance(uri, str) else f"iceberg://{catalog.get('name') or 'default'}"
        return Dataset(namespace=where, name=name, layer=layer)

    def dbt_dataset(self, node: Mapping[str, Any], kind: str) -> Dataset:
        """A dbt node or source as a lineage dataset: an Iceberg table when it lives in a layer
        (the source's `meta.layer` or `meta.iceberg_table`, the model's tag, `meta.layer`, or
        folder naming one), else its relation in the warehouse dbt writes to."""
        meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
        table = str(node.get("alias") or node.get("identifier") or node.get("name") or "")
        if kind == "source" and meta.get("iceberg_table"):
            return self.dataset(str(meta["iceberg_table"]), _str(meta.get("layer")))
        layer = _str(meta.get("layer"))
        if layer is None:
            candidates = [*(node.get("tags") or []), *(node.get("fqn") or [])[1:-1]]
            layer = next((str(c) for c in candidates if c in self.layers), None)
        if layer is not None and layer in self.layers:
            return self.dataset(table, layer)
        database = str(node.get("database") or "")
        schema = str(node.get("schema") or "")
        return Dataset(
            namespace=f"dbt://{self.environment}/{database}" if database else "dbt://default",
            name=f"{schema}.{table}" if schema else table,
        )


def _str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


@attrs.define
class AssetRun:
    """The handle `asset_run` yields: what the runtime learns while the asset runs."""

    name: str
    lineage_run_id: str
    inputs: list[Dataset]
    outputs: list[Dataset]
    layer: str | None
    attributes: dict[str, Any] = attrs.field(factory=dict)

    def output_schema(self, table: str, fields: Sequence[tuple[str, str]]) -> None:
        """The columns (name, type) of an output, for its lineage schema facet."""
        for index, dataset in enumerate(self.outputs):
            if dataset.name == table or dataset.name.rsplit(".", 1)[-1] == table:
                self.outputs[index] = attrs.evolve(dataset, fields=tuple(fields))

    def set_attribute(self, key: str, value: Any) -> None:
        """An extra span attribute (rows written, a snapshot id...)."""
        self.attributes[key] = value


@attrs.define
class DbtRun:
    """The handle `dbt_run` yields; `target_path` may be set once dbt's target is known."""

    name: str
    target_path: Path | None
    manifest: Path | Mapping[str, Any] | None
    nodes: list[NodeRun] = attrs.field(factory=list)


class ObservabilityOrchestrator:
    """See the module's documentation."""

    _shared: dict[Path, ObservabilityOrchestrator] = {}  # noqa: RUF012 (one per artifacts file)
    _shared_lock = threading.Lock()

    def __init__(
        self,
        settings: Settings,
        *,
        budget: float = BUDGET,
        export_timeout: float = EXPORT_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.budget = budget
        self.export_timeout = export_timeout
        self._traces: Any = None
        self._lineage: Any = None
        self._started = False
        self._lock = threading.Lock()
        self._spent: dict[str | None, float] = {}
        self._warned: set[str] = set()
        self._current_run: str | None = None
        self.endpoints: dict[str, Endpoint | None] = {}

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_artifacts(
        cls,
        document_or_path: Mapping[str, Any] | str | os.PathLike[str],
        *,
        directory: str | os.PathLike[str] | None = None,
        budget: float = BUDGET,
        export_timeout: float = EXPORT_TIMEOUT,
    ) -> ObservabilityOrchestrator:
        """From compiled_artifacts.json (its directory, target/<env>/, takes the local files) or
        its parsed document (then `directory`, default target/<env> under the working one)."""
        if isinstance(document_or_path, Mapping):
            document = document_or_path
            where = Path(directory) if directory is not None else None
        else:
            path = Path(document_or_path)
            document = json.loads(path.read_text(encoding="utf-8"))
            where = Path(directory) if directory is not None else path.resolve().parent
        return cls(
            Settings.from_document(document, where), budget=budget, export_timeout=export_timeout
        )

    @classmethod
    def for_artifacts(cls, path: str | os.PathLike[str]) -> ObservabilityOrchestrator:
        """The process's orchestrator of an artifacts file: assets of one run share exporters."""
        key = Path(path).resolve()
        with cls._shared_lock:
            if key not in cls._shared:
                try:
                    cls._shared[key] = cls.from_artifacts(key)
                except Exception as error:  # unreadable artifacts fail the run elsewhere, not here
                    log.warning("floec: telemetry is off: cannot read %s (%s)", key, error)
                    document = {"observability": {"traces": False, "lineage": False}}
                    cls._shared[key] = cls(Settings.from_document(document, key.parent))
            return cls._shared[key]

    @property
    def traces_file(self) -> Path | None:
        """The JSON-lines file spans go to (the embedded default), if they do."""
        self._start()
        return getattr(self._traces, "file", None)

    @property
    def lineage_file(self) -> Path | None:
        self._start()
        return getattr(self._lineage, "file", None)

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            settings = self.settings
            if settings.traces:
                self._traces = self._backend("traces", settings.otlp_endpoint, self._trace_backend)
            if settings.lineage:
                self._lineage = self._backend(
                    "lineage", settings.lineage_endpoint, self._lineage_backend
                )
            if self._traces is not None or self._lineage is not None:
                atexit.register(self.close)

    def _backend(self, signal: str, raw: Any, build: Any) -> Any:
        try:
            endpoint = self._endpoint(signal, raw)
        except SecretError as error:
            self._warn(f"{signal} are off for this run: {error}")
            return None
        except Exception as error:  # a malformed section: never fatal, never quoted
            self._warn(f"{signal} are off for this run: unusable endpoint ({type(error).__name__})")
            return None
        self.endpoints[signal] = endpoint
        try:
            return build(endpoint)
        except ImportError as error:
            library = "OpenTelemetry" if signal == "traces" else "openlineage-python"
            self._warn(
                f"{signal} are on for this pipeline but {library} is not installed "
                f"({error.name or error}); the run goes on without {signal}: {EXTRA}"
            )
        except Exception as error:
            label = endpoint.label if endpoint else "the local file"
            reason = endpoint.scrub(str(error)) if endpoint else str(error)
            self._warn(f"{signal} are off for this run: cannot set up {label}: {reason}")
        return None

    def _endpoint(self, signal: str, raw: Any) -> Endpoint | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, Mapping) and "secret" in raw:
            inner = raw["secret"]
            label = str(inner["name"]) + (f"/{inner['key']}" if inner.get("key") else "")
            value = resolve_reference(raw).reveal().strip()
            return Endpoint(value, f"the {signal} endpoint in secret {label!r}", secret=True)
        return Endpoint(str(raw), str(raw))

    def _trace_backend(self, endpoint: Endpoint | None) -> Any:
        from floec.runtime.telemetry_traces import TraceBackend

        s = self.settings
        resource = {
            "service.namespace": "floe",
            "deployment.environment": s.environment,
            **({"service.version": s.version} if s.version else {}),
            **s.resource_attributes,
        }
        return TraceBackend(
            service=s.pipeline,
            resource=resource,
            sampling=s.sampling,
            url=endpoint.url if endpoint else None,
            protocol=s.otlp_protocol,
            file=s.directory / TRACES_FILE,
            timeout=self.export_timeout,
            on_failure=lambda reason: self._failed("traces", reason),
        )

    def _lineage_backend(self, endpoint: Endpoint | None) -> Any:
        from floec.runtime.telemetry_lineage import LineageBackend

        s = self.settings
        return LineageBackend(
            namespace=s.lineage_namespace,
            url=endpoint.url if endpoint else None,
            file=s.directory / LINEAGE_FILE,
            timeout=self.export_timeout,
            on_failure=lambda reason: self._failed("lineage", reason),
        )

    # -- warnings -------------------------------------------------------------------------

    def _warn(self, message: str) -> None:
        key = f"{self._current_run}:{message}"
        if key in self._warned:
            return
        self._warned.add(key)
        log.warning("floec: %s", message)

    def _failed(self, signal: str, reason: str, *, shown: bool = False) -> None:
        """The one warning of a run about a signal (`shown`: the reason quotes no address)."""
        endpoint = self.endpoints.get(signal)
        where = endpoint.label if endpoint else f"the local file under {self.settings.directory}"
        reason = endpoint.scrub(reason) if endpoint and not shown else reason
        with self._lock:
            key = f"{self._current_run}:{signal}:failed"
            if key in self._warned:
                return
            self._warned.add(key)
        after = "" if shown else f"; this process sends no more {signal} there for a minute"
        log.warning(
            "floec: could not send %s to %s (%s); the run goes on%s", signal, where, reason, after
        )

    def _safely(self, what: str, action: Any, *args: Any, **kwargs: Any) -> Any:
        """Telemetry code that fails is reported once and ignored: the run always goes on."""
        try:
            return action(*args, **kwargs)
        except Exception as error:
            self._warn(f"telemetry error while {what} (ignored): {type(error).__name__}: {error}")
            return None

    # -- units of work --------------------------------------------------------------------

    def _span_attributes(
        self,
        name: str,
        run_id: str | None,
        partition: str | None,
        layer: str | None,
        extra: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        s = self.settings
        return {
            **s.attributes,
            "floe.pipeline": s.pipeline,
            "floe.environment": s.environment,
            "floe.asset": name,
            "floe.layer": layer,
            "dagster.run_id": run_id,
            "floe.partition": partition,
            **(extra or {}),
        }

    def _parent(self, job: str | None, run_id: str | None) -> tuple[str, str] | None:
        if not run_id:
            return None
        return (job or self.settings.pipeline, _uuid(run_id))

    @contextmanager
    def asset_run(
        self,
        name: str,
        *,
        inputs: Sequence[str] = (),
        outputs: Sequence[str] = (),
        run_id: str | None = None,
        partition: str | None = None,
        layer: str | None = None,
        job: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> Iterator[AssetRun]:
        """One asset's materialisation: a span, and lineage START then COMPLETE or FAIL.

        `inputs`/`outputs` are Iceberg tables (`table` in `layer`, or `namespace.table`); `job`
        is the Dagster job (the parent run's job name; the pipeline's name by default).
        """
        begun = self._safely(
            "starting an asset run",
            self._begin_asset,
            name,
            inputs,
            outputs,
            run_id,
            partition,
            layer,
            job,
            attributes,
        )
        if begun is None:  # telemetry could not start: the asset runs untraced
            yield AssetRun(name=name, lineage_run_id="", inputs=[], outputs=[], layer=layer)
            return
        run, span, lineage = begun
        try:
            yield run
        except BaseException as error:
            if span is not None:
                self._safely(
                    "closing a span", self._traces.end, span, error=error, attributes=run.attributes
                )
            self._emit("FAIL", lineage, outputs=run.outputs, error=error)
            self._settle(run_id)
            raise
        if span is not None:
            self._safely("closing a span", self._traces.end, span, attributes=run.attributes)
        self._emit("COMPLETE", lineage, outputs=run.outputs)
        self._settle(run_id)

    def _begin_asset(
        self,
        name: str,
        inputs: Sequence[str],
        outputs: Sequence[str],
        run_id: str | None,
        partition: str | None,
        layer: str | None,
        job: str | None,
        attributes: Mapping[str, Any] | None,
    ) -> tuple[AssetRun, Any, dict[str, Any]]:
        self._start()
        self._current_run = run_id
        s = self.settings
        run = AssetRun(
            name=name,
            lineage_run_id=str(_new_uuid()),
            inputs=[s.dataset(t, layer) for t in inputs],
            outputs=[s.dataset(t, layer) for t in outputs],
            layer=layer,
        )
        span_attributes = self._span_attributes(name, run_id, partition, layer, attributes)
        span_attributes["floe.inputs"] = [d.name for d in run.inputs]
        span_attributes["floe.outputs"] = [d.name for d in run.outputs]
        span = None
        if self._traces is not None:
            span = self._safely(
                "opening a span", self._traces.start, f"asset {name}", span_attributes, run_id
            )
        lineage: dict[str, Any] = dict(
            job=f"{s.pipeline}.{name}",
            run_id=run.lineage_run_id,
            job_type="ASSET",
            integration="FLOEC",
            inputs=run.inputs,
            parent=self._parent(job, run_id),
        )
        self._emit("START", lineage, outputs=run.outputs)
        return run, span, lineage

    def _emit(self, state: str, lineage: Mapping[str, Any], **more: Any) -> None:
        if self._lineage is None:
            return
        self._safely(
            "emitting a lineage event",
            self._lineage.emit,
            state,
            time=more.pop("time", None) or _now(),
            **{**lineage, **more},
        )

    @contextmanager
    def dbt_run(
        self,
        name: str,
        *,
        target_path: str | os.PathLike[str] | None = None,
        manifest: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        run_id: str | None = None,
        partition: str | None = None,
        job: str | None = None,
        level: str | None = None,
    ) -> Iterator[DbtRun]:
        """One dbt invocation (`name`: the Dagster asset of the dbt project). dbt writes
        run_results.json (and manifest.json) into `target_path`; `manifest` overrides where the
        manifest is read from. `level` defaults to `orchestration.dbt.observability_level`:
        per_model gives each executed model, seed and snapshot a child span and its own lineage
        run; job_level one lineage run for the invocation, its inputs the sources and its
        outputs every model."""
        self._start()
        self._current_run = run_id
        level = level or self.settings.dbt_level
        where = None if target_path is None else Path(target_path)
        read_from = (
            manifest if isinstance(manifest, Mapping) or manifest is None else Path(manifest)
        )
        handle = DbtRun(name, where, read_from)
        attributes = self._span_attributes(name, run_id, partition, None, {"dbt.level": level})
        span = None
        if self._traces is not None:
            span = self._safely(
                "opening a span", self._traces.start, f"dbt {name}", attributes, run_id
            )
        started = _now()
        failure: BaseException | None = None
        try:
            yield handle
        except BaseException as error:
            failure = error
            raise
        finally:
            self._safely(
                "reporting dbt",
                self._dbt_finish,
                handle,
                span,
                level,
                run_id,
                job,
                started,
                failure,
            )
            self._settle(run_id)

    def _dbt_finish(
        self,
        handle: DbtRun,
        span: Any,
        level: str,
        run_id: str | None,
        job: str | None,
        started: datetime,
        failure: BaseException | None,
    ) -> None:
        s = self.settings
        results = read_json(handle.target_path / "run_results.json") if handle.target_path else None
        manifest: Mapping[str, Any] | None
        if isinstance(handle.manifest, Mapping):
            manifest = handle.manifest
        else:
            manifest = read_json(handle.manifest) if handle.manifest is not None else None
            if manifest is None and handle.target_path is not None:
                manifest = read_json(handle.target_path / "manifest.json")
        nodes = node_runs(manifest or {}, results or {}, s.dbt_dataset) if results else []
        handle.nodes = nodes
        parent = self._parent(job, run_id)
        failed = [n.name for n in nodes if n.failed]
        counts = {
            "dbt.nodes": len(nodes),
            "dbt.failed": failed,
            "dbt.tests": sum(1 for n in nodes if n.resource_type == "test"),
        }
        data_nodes = [n for n in nodes if n.output is not None and n.status != "skipped"]
        if level == "per_model":
            for node in data_nodes:
                self._dbt_node(node, span, run_id, parent)
        elif self._lineage is not None:
            outputs = {n.output.name: n.output for n in data_nodes if n.output}
            inputs = {d.name: d for n in data_nodes for d in n.inputs if d.name not in outputs}
            lineage = dict(
                job=f"{s.pipeline}.{handle.name}",
                run_id=str(_new_uuid()),
                job_type="JOB",
                integration="DBT",
                inputs=list(inputs.values()),
                parent=parent,
            )
            self._emit("START", lineage, outputs=list(outputs.values()), time=started)
            state = "FAIL" if failure is not None or failed else "COMPLETE"
            message = f"dbt failed: {', '.join(failed)}" if failed else None
            self._emit(
                state, lineage, outputs=list(outputs.values()), error=failure, failure=message
            )
        if span is not None:
            message = f"dbt failed: {', '.join(failed)}" if failed and failure is None else None
            self._traces.end(span, error=failure, failure=message, attributes=counts)

    def _dbt_node(
        self, node: NodeRun, span: Any, run_id: str | None, parent: tuple[str, str] | None
    ) -> None:
        s = self.settings
        begun = node.started or _now()
        ended = node.completed or begun
        failure = (node.message or node.status) if node.failed else None
        if self._traces is not None and span is not None:
            attributes = self._span_attributes(
                node.name,
                run_id,
                None,
                node.layer,
                {
                    "dbt.unique_id": node.unique_id,
                    "dbt.resource_type": node.resource_type,
                    "dbt.status": node.status,
                    "dbt.rows_affected": node.rows_affected,
                    "floe.inputs": [d.name for d in node.inputs],
                    "floe.outputs": [node.output.name] if node.output else [],
                },
            )
            child = self._traces.start(
                f"{node.resource_type} {node.name}",
                attributes,
                run_id,
                parent=span,
                start=begun,
                current=False,
            )
            self._traces.end(child, failure=failure, end=ended)
        lineage = dict(
            job=f"{s.pipeline}.{node.name}",
            run_id=str(_new_uuid(begun)),
            job_type=node.resource_type.upper(),
            integration="DBT",
            inputs=list(node.inputs),
            parent=parent,
        )
        outputs = [node.output] if node.output else []
        self._emit("START", lineage, outputs=outputs, time=begun)
        state = "FAIL" if failure is not None else "COMPLETE"
        self._emit(state, lineage, outputs=outputs, time=ended, failure=failure)

    # -- delivery -------------------------------------------------------------------------

    def _settle(self, run_id: str | None) -> None:
        """Wait for what this unit of work sent, within what is left of the run's budget."""
        spent = self._spent.get(run_id, 0.0)
        left = self.budget - spent
        if left <= 0:
            return
        begun = time.monotonic()
        deadline = begun + left
        for backend in (self._traces, self._lineage):
            if backend is not None:
                self._safely("flushing", backend.settle, max(deadline - time.monotonic(), 0.0))
        self._spent[run_id] = spent + (time.monotonic() - begun)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait (at most `timeout`, default the budget) for everything queued to be sent."""
        deadline = time.monotonic() + (self.budget if timeout is None else timeout)
        drained = True
        for backend in (self._traces, self._lineage):
            if backend is not None:
                drained = bool(backend.flush(max(deadline - time.monotonic(), 0.0))) and drained
        return drained

    def close(self, timeout: float | None = None) -> None:
        """Flush and stop the senders; called at exit too. It waits at most `timeout`, by default
        what is left of the last run's budget."""
        if timeout is None:
            timeout = self.budget - self._spent.get(self._current_run, 0.0)
        deadline = time.monotonic() + max(timeout, 0.0)
        for signal, backend in (("traces", self._traces), ("lineage", self._lineage)):
            if backend is None:
                continue
            left = self._safely("closing", backend.close, max(deadline - time.monotonic(), 0.0))
            if left and not backend.sender.failures:
                self._failed(
                    signal,
                    f"{left} item(s) still unsent at the end, after the "
                    f"{self.budget:.1f} s that telemetry may cost a run",
                    shown=True,
                )
        self._traces = self._lineage = None

    def stats(self) -> dict[str, dict[str, int]]:
        """Sent, dropped and failed batches per signal (for tests and the demo)."""
        out = {}
        for signal, backend in (("traces", self._traces), ("lineage", self._lineage)):
            if backend is not None:
                sender = backend.sender
                out[signal] = {
                    "sent": sender.sent,
                    "dropped": sender.dropped,
                    "failures": sender.failures,
                }
        return out


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _new_uuid(moment: datetime | None = None) -> uuid.UUID:
    """A time-ordered UUID (v7), as OpenLineage recommends for run ids."""
    millis = int((moment.timestamp() if moment else time.time()) * 1000)
    value = (millis & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def _uuid(run_id: str) -> str:
    """A Dagster run id is a UUID; anything else is mapped to a stable one."""
    try:
        return str(uuid.UUID(run_id))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"floec:run:{run_id}"))


def describe(directory: str | os.PathLike[str]) -> str:
    """Where the embedded default's telemetry files are and how much they hold."""
    where = Path(directory)
    lines = []
    traces = where / TRACES_FILE
    if traces.is_file():
        spans = [
            json.loads(line) for line in traces.read_text(encoding="utf-8").splitlines() if line
        ]
        runs = len({s.get("trace_id") for s in spans})
        lines.append(f"  traces:  {traces}  ({len(spans)} spans in {runs} traces)")
    else:
        lines.append(f"  traces:  none in {where} (traces off, or sent to a collector)")
    lineage = where / LINEAGE_FILE
    if lineage.is_file():
        events = [
            json.loads(line) for line in lineage.read_text(encoding="utf-8").splitlines() if line
        ]
        kinds: dict[str, int] = {}
        for event in events:
            kinds[str(event.get("eventType"))] = kinds.get(str(event.get("eventType")), 0) + 1
        detail = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        lines.append(f"  lineage: {lineage}  ({len(events)} OpenLineage events: {detail})")
    else:
        lines.append(f"  lineage: none in {where} (lineage off, or sent to a server)")
    return "\n".join(lines)


if __name__ == "__main__":
    directory = sys.argv[1] if len(sys.argv) > 1 else "target/local"
    print("== traces and lineage of the run (JSON lines; a platform with endpoints sends them)")
    print(describe(directory))

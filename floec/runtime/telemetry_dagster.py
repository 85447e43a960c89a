"""The observability orchestrator seen from a Dagster asset: what the runtime's assets call.

`@floe_asset`'s compute function and the dbt assets wrap their work in these, so every asset
and dbt model of a run is traced and has lineage, with the Dagster run id, job and partition
taken from the execution context. Imports neither Dagster nor the telemetry libraries (the
context is used through its attributes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from floec.runtime.observability import AssetRun, DbtRun, ObservabilityOrchestrator


def run_facts(context: Any) -> dict[str, Any]:
    """The Dagster run id, job name and partition key of an execution context (each may be
    missing: a direct invocation in a unit test has no run)."""
    facts: dict[str, Any] = {"run_id": None, "job": None, "partition": None}
    with suppress(Exception):
        facts["run_id"] = str(context.run.run_id)
    with suppress(Exception):
        facts["job"] = str(context.job_def.name)
    with suppress(Exception):
        if context.has_partition_key:
            facts["partition"] = str(context.partition_key)
    return facts


@contextmanager
def observed_asset(
    artifacts: str | os.PathLike[str],
    context: Any,
    name: str,
    *,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    layer: str | None = None,
) -> Iterator[AssetRun]:
    """A Python asset's run: a span and its lineage run (see ObservabilityOrchestrator)."""
    observability = ObservabilityOrchestrator.for_artifacts(artifacts)
    with observability.asset_run(
        name, inputs=inputs, outputs=outputs, layer=layer, **run_facts(context)
    ) as run:
        yield run


@contextmanager
def observed_dbt(
    artifacts: str | os.PathLike[str],
    context: Any,
    name: str,
    target_path: str | os.PathLike[str],
) -> Iterator[DbtRun]:
    """A dbt invocation writing its results into `target_path`: per model or for the job, as
    floe.yaml's `orchestration.dbt.observability_level` says."""
    observability = ObservabilityOrchestrator.for_artifacts(artifacts)
    facts = run_facts(context)
    with observability.dbt_run(
        name,
        target_path=Path(target_path),
        run_id=facts["run_id"],
        partition=facts["partition"],
        job=facts["job"],
    ) as run:
        yield run


def record_schemas(run: AssetRun, tables: Any, outputs: Sequence[str], layer: str | None) -> None:
    """The columns of each output table (a `Catalog`-like object with `table(name, layer)`
    returning a pyiceberg table) for the lineage schema facets; a table not written is skipped."""
    for name in outputs:
        try:
            schema = tables.table(name, layer).schema()
        except Exception:
            continue
        run.output_schema(name, [(f.name, str(f.field_type)) for f in schema.fields])

"""What one dbt invocation did, per node, from its manifest and run results (core only).

dbt writes `run_results.json` (status and timing of each node it ran) and `manifest.json` (each
node's dependencies, configuration and documented columns) into its target path, even when a
model fails. The observability orchestrator turns each executed model, seed or snapshot into a
span and an OpenLineage run (per_model), or the whole invocation into one (job_level); tests
(dbt's data tests) are counted, not traced.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

# Node kinds that read and write relations: these become lineage runs.
DATA_NODES = ("model", "seed", "snapshot")
FAILED = ("error", "fail", "runtime error")


@attrs.frozen
class Dataset:
    namespace: str
    name: str
    layer: str | None = None
    fields: tuple[tuple[str, str], ...] | None = None  # (column, type): the schema facet


@attrs.frozen
class NodeRun:
    unique_id: str
    name: str
    resource_type: str
    status: str  # dbt's: success, error, skipped, pass, fail, warn...
    started: datetime | None
    completed: datetime | None
    message: str | None
    layer: str | None
    inputs: tuple[Dataset, ...]
    output: Dataset | None
    rows_affected: int | None

    @property
    def failed(self) -> bool:
        return self.status in FAILED


DatasetOf = Callable[[Mapping[str, Any], str], Dataset]  # (node or source, its kind) -> dataset


def read_json(path: str | Path | None) -> Mapping[str, Any] | None:
    """A JSON file as a mapping, None when it is missing or unreadable (dbt may have crashed)."""
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, Mapping) else None


def node_runs(
    manifest: Mapping[str, Any], run_results: Mapping[str, Any], dataset_of: DatasetOf
) -> list[NodeRun]:
    """The nodes the invocation ran, in run-results order."""
    nodes: Mapping[str, Any] = manifest.get("nodes") or {}
    sources: Mapping[str, Any] = manifest.get("sources") or {}
    out = []
    for result in run_results.get("results") or []:
        unique_id = str(result.get("unique_id", ""))
        node = nodes.get(unique_id) or {}
        kind = str(node.get("resource_type") or unique_id.split(".", 1)[0])
        started, completed = _timing(result.get("timing") or [])
        inputs = []
        for parent in (node.get("depends_on") or {}).get("nodes") or []:
            if parent in sources:
                inputs.append(dataset_of(sources[parent], "source"))
            elif parent in nodes and nodes[parent].get("resource_type") in DATA_NODES:
                inputs.append(dataset_of(nodes[parent], "node"))
        output = dataset_of(node, "node") if kind in DATA_NODES and node else None
        if output is not None:
            output = attrs.evolve(output, fields=_columns(node))
        response = result.get("adapter_response") or {}
        rows = response.get("rows_affected")
        out.append(
            NodeRun(
                unique_id=unique_id,
                name=str(node.get("name") or unique_id.rsplit(".", 1)[-1]),
                resource_type=kind,
                status=str(result.get("status") or "unknown"),
                started=started,
                completed=completed,
                message=None if result.get("message") is None else str(result["message"]),
                layer=output.layer if output else None,
                inputs=tuple(inputs),
                output=output,
                rows_affected=rows if isinstance(rows, int) else None,
            )
        )
    return out


def _columns(node: Mapping[str, Any]) -> tuple[tuple[str, str], ...] | None:
    columns: Mapping[str, Any] = node.get("columns") or {}
    if not columns:
        return None
    return tuple(
        (str(c.get("name") or key), str(c.get("data_type") or "")) for key, c in columns.items()
    )


def _timing(entries: list[Mapping[str, Any]]) -> tuple[datetime | None, datetime | None]:
    """The first start and the last end over dbt's phases (compile, execute)."""
    starts = [_parse(e.get("started_at")) for e in entries]
    ends = [_parse(e.get("completed_at")) for e in entries]
    valid_starts = [s for s in starts if s is not None]
    valid_ends = [e for e in ends if e is not None]
    return (min(valid_starts) if valid_starts else None, max(valid_ends) if valid_ends else None)


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

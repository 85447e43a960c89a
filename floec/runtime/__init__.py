"""The runtime: what runs a pipeline that `floec build` compiled (DESIGN §5, §6).

- `floec.runtime.secrets`: the secret resolver (the environment variable, then the file under
  $FLOE_SECRETS_DIR) and `SecretValue`, which never shows its value. Core dependencies only.
- `floec.runtime.dagster`: `FloeDefinitions.from_compiled_artifacts(path)`, the Dagster
  `Definitions` of a compiled pipeline; `floe_asset` and `Catalog`, what a data engineer's asset
  code imports (all three need `floec[runtime]`).
- `floec.runtime.iceberg`: the pipeline's Iceberg tables through pyiceberg;
  `floec.runtime.dbt_iceberg`: the dbt-duckdb plugin that reads and writes them.
- `floec.runtime.observability`: `ObservabilityOrchestrator`, the trace spans and OpenLineage
  runs of every asset and dbt model (`floe_asset` and the dbt assets use it; OpenTelemetry and
  openlineage-python, `floec[observability]`, are loaded on first use, and missing is no error).

Importing this package imports neither Dagster nor dbt nor pyiceberg: the names that need them
are loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from floec.runtime.secrets import SecretError, SecretNotFoundError, SecretValue, resolve_secret

if TYPE_CHECKING:
    from floec.runtime.assets import floe_asset
    from floec.runtime.dagster import FloeDefinitions
    from floec.runtime.resources import Catalog

__all__ = [
    "Catalog",
    "FloeDefinitions",
    "SecretError",
    "SecretNotFoundError",
    "SecretValue",
    "floe_asset",
    "resolve_secret",
]
_LAZY = {
    "FloeDefinitions": "floec.runtime.dagster",
    "floe_asset": "floec.runtime.assets",
    "Catalog": "floec.runtime.resources",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The runtime: what runs a pipeline that `floec build` compiled (DESIGN §5, §6).

- `floec.runtime.secrets`: the secret resolver (the environment variable, then the file under
  $FLOE_SECRETS_DIR) and `SecretValue`, which never shows its value. Core dependencies only.
- `floec.runtime.dagster`: `FloeDefinitions.from_compiled_artifacts(path)`, the Dagster
  `Definitions` of a compiled pipeline (needs `floec[dagster,dbt]`).

Importing this package imports neither Dagster nor dbt: `FloeDefinitions` is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from floec.runtime.secrets import SecretError, SecretNotFoundError, SecretValue, resolve_secret

if TYPE_CHECKING:
    from floec.runtime.dagster import FloeDefinitions

__all__ = ["FloeDefinitions", "SecretError", "SecretNotFoundError", "SecretValue", "resolve_secret"]


def __getattr__(name: str) -> Any:
    if name == "FloeDefinitions":
        from floec.runtime.dagster import FloeDefinitions

        return FloeDefinitions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

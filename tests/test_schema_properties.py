"""Documents generated from the schemas: what the schema accepts, floec accepts, and the AST
round-trips (elaborated, written back as YAML and read again, it is the same)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from floec.ast.nodes import FloeSpec, PlatformSpec
from floec.contracts import load_schema
from floec.frontend import check_source
from floec.passes.codegen_artifacts import plain
from floec.source import SourceFile
from tests.schema_strategies import from_schema

FLOE = load_schema("floe")
PLATFORM = load_schema("platform")
_VALIDATORS = {"floe": Draft202012Validator(FLOE), "platform": Draft202012Validator(PLATFORM)}


def _pipelines() -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(FLOE)


def _platforms() -> st.SearchStrategy[dict[str, Any]]:
    """Platform documents: the profile maps have conditional branches per type that random
    generation rarely satisfies, so they come from the other blocks (layers, observability and
    the deployment blocks), each block from its own schema."""
    properties: dict[str, Any] = PLATFORM["properties"]  # type: ignore[assignment]
    blocks = ("version", "layers", "observability", "infrastructure", "security", "governance")
    return st.fixed_dictionaries(
        {}, optional={name: from_schema(PLATFORM, properties[name]) for name in blocks}
    )


def _front_end(kind: str, document: dict[str, Any]) -> Any:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return check_source(SourceFile(f"{kind}.yaml", text), kind)  # type: ignore[arg-type]


def _schema_findings(result: Any) -> list[str]:
    return [d.code for d in result.diagnostics if d.code.startswith(("FLC0", "FLC1", "FLC9"))]


def _written(value: Any) -> Any:
    """The AST's data as a user would write it: no nulls, no empty maps or lists."""
    if isinstance(value, dict):
        out = {k: _written(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [_written(v) for v in value]
    return value


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@pytest.mark.parametrize("kind", ["floe", "platform"])
def test_generated_documents_the_schema_accepts_check_clean_and_round_trip(kind: str) -> None:
    strategy = _pipelines() if kind == "floe" else _platforms()

    @SETTINGS
    @given(strategy)
    def run(document: dict[str, Any]) -> None:
        assume(not list(_VALIDATORS[kind].iter_errors(document)))
        first = _front_end(kind, document)
        assert _schema_findings(first) == [], [d.message for d in first.diagnostics]
        assert isinstance(first.spec, FloeSpec if kind == "floe" else PlatformSpec)
        again = _front_end(kind, _written(plain(first.spec)))
        assert _schema_findings(again) == [], [d.message for d in again.diagnostics]
        assert _written(plain(again.spec)) == _written(plain(first.spec))

    run()

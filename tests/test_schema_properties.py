"""Documents generated from the schemas: what the schema accepts, floec accepts, and the AST
round-trips (elaborated, written back as YAML and read again, it is the same)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from floec.ast.nodes import Block, FloeSpec, PlatformSpec, SecretRef
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
    """Reading and schema findings; FLC020 (a malformed `${...}`) is floec's own check beyond
    the schema, which a random string may well trip."""
    return [
        d.code
        for d in result.diagnostics
        if d.code.startswith(("FLC0", "FLC1", "FLC9")) and d.code != "FLC020"
    ]


def _written(value: Any) -> Any:
    """An AST value as a user would write it: a field left out where it is None or an empty
    default, an explicit null where null is not the default."""
    if isinstance(value, SecretRef):
        return {"secret_ref": value.name} | ({} if value.key is None else {"key": value.key})
    if isinstance(value, Block):
        return _written(value.data)
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            if field.name in ("span", "field_spans"):
                continue
            item = getattr(value, field.name)
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if item is None and default is not None and default is not attrs.NOTHING:
                out[field.name] = None
            elif item is not None and not (item in ({}, ()) and default in ({}, ())):
                out[field.name] = _written(item)
        return out
    if isinstance(value, Mapping):
        return {k: _written(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_written(v) for v in value]
    return plain(value)


def _spelled(document: dict[str, Any]) -> dict[str, Any]:
    """The platform's observability back in the schema's spelling: the AST keeps floe-runtime's
    two spellings of tracing and lineage as one set of fields."""
    observability = document.get("observability")
    if not isinstance(observability, dict):
        return document
    out = dict(observability)
    tracing = {
        name: out.pop(field)
        for field, name in (
            ("otlp_protocol", "protocol"),
            ("sampling", "sampling"),
            ("trace_exporters", "exporters"),
        )
        if field in out
    }
    if tracing:
        out["tracing"] = tracing
    if "lineage_namespace" in out:
        out["lineage"] = {
            "enabled": out.get("lineage", False),
            "namespace": out.pop("lineage_namespace"),
        }
    return {**document, "observability": out}


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
        again = _front_end(kind, _spelled(_written(first.spec)))
        assert _schema_findings(again) == [], [d.message for d in again.diagnostics]
        assert plain(again.spec) == plain(first.spec)

    run()

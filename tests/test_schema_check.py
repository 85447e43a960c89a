"""The compiled schema check says "valid" exactly when jsonschema finds no error: on every YAML
file of the repository, on documents generated from the schemas, and on those documents with one
value replaced by anything. (When it says "invalid", `validate` asks jsonschema for the errors,
so agreement here is what keeps the diagnostics identical.)"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from floec.contracts import SchemaKind, load_schema, validation_schema
from floec.schema_check import compile_schema, equal
from floec.source import SourceFile, read_source
from floec.syntax.load import load_config
from floec.validate import to_plain
from tests.conftest import ROOT
from tests.schema_strategies import from_schema

KINDS: tuple[SchemaKind, ...] = ("floe", "platform")
_CHECKS = {kind: compile_schema(load_schema(kind)) for kind in KINDS}  # as `validate` does
_VALIDATORS = {kind: Draft202012Validator(validation_schema(kind)) for kind in KINDS}


def agree(kind: SchemaKind, document: Any) -> None:
    valid = not any(True for _ in _VALIDATORS[kind].iter_errors(document))
    assert _CHECKS[kind](document) is valid


def repository_documents() -> list[tuple[str, Any]]:
    found = []
    for path in sorted(ROOT.glob("**/*.y*ml")):
        if any(part.startswith(".") or part in ("target", "build") for part in path.parts):
            continue
        source = read_source(str(path))
        if not isinstance(source, SourceFile):
            continue
        tree, _ = load_config(source)
        if tree is not None:
            found.append((str(path.relative_to(ROOT)), to_plain(tree.root)))
    return found


def test_agrees_with_jsonschema_on_every_yaml_file_of_the_repository() -> None:
    documents = repository_documents()
    assert len(documents) > 50
    valid = 0
    for kind in KINDS:
        for _name, document in documents:
            agree(kind, document)
            valid += _CHECKS[kind](document)
    assert valid >= 5, "the example's files are valid: the fast path is taken"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 70000) | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mutate(document: Any, data: st.DataObject) -> Any:
    """The document with one value somewhere replaced by arbitrary JSON (or a key added)."""
    if isinstance(document, dict) and document:
        key = data.draw(st.sampled_from(sorted(document)))
        if data.draw(st.booleans()):
            return {**document, key: _mutate(document[key], data)}
        return {**document, data.draw(st.text(max_size=8)): data.draw(_JSON)}
    if isinstance(document, list) and document:
        index = data.draw(st.integers(0, len(document) - 1))
        return [*document[:index], _mutate(document[index], data), *document[index + 1 :]]
    return data.draw(_JSON)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_agrees_with_jsonschema_on_generated_documents(
    kind: SchemaKind, data: st.DataObject
) -> None:
    document = data.draw(from_schema(load_schema(kind)))
    agree(kind, document)
    agree(kind, _mutate(document, data))


def test_the_inlined_schema_compiles_to_the_same_answers() -> None:
    inlined = {kind: compile_schema(validation_schema(kind)) for kind in KINDS}
    for kind in KINDS:
        for _name, document in repository_documents():
            assert inlined[kind](document) is _CHECKS[kind](document)


def test_references_resolve_once_and_may_recurse() -> None:
    tree = {
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
        "$ref": "#/$defs/node",
    }
    check = compile_schema(tree)
    assert check({"next": {"next": {}}}) and not check({"next": {"next": 3}})
    assert not compile_schema({"$ref": "#/$defs/missing"})({})


def test_equality_is_json_equality() -> None:
    assert not equal(True, 1) and not equal(0, False) and equal(1, 1.0)
    assert equal({"a": [1, "x"]}, {"a": [1.0, "x"]}) and not equal([1], [True])
    assert not equal("1", 1) and not equal(None, False) and not equal([], {})


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The compiled artifacts of the example, for every environment."""
    import json

    from tests.conftest import run_floec

    target = tmp_path_factory.mktemp("target")
    run = run_floec(
        "build", "examples/customer-analytics", "--all-envs", "--target-dir", str(target)
    )
    assert run.code == 0, run.stderr
    found = [json.loads(p.read_text()) for p in sorted(target.glob("*/compiled_artifacts.json"))]
    assert len(found) == 4
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_agrees_with_jsonschema_on_compiled_artifacts(
    artifacts: list[Any], data: st.DataObject
) -> None:
    schema = load_schema("artifacts")
    check, validator = compile_schema(schema), Draft202012Validator(schema)
    document = data.draw(st.sampled_from(artifacts))
    for candidate in (document, _mutate(document, data)):
        valid = not any(True for _ in validator.iter_errors(candidate))
        assert check(candidate) is valid
    assert check(document)


_SHAPES: list[Any] = [
    # an `if` on one property's constant: required or not, string or not, with an `else` or not
    {"if": {"properties": {"type": {"const": "s3"}}}, "then": {"required": ["bucket"]}},
    {
        "if": {"properties": {"type": {"const": "s3"}}, "required": ["type"]},
        "then": {"required": ["bucket"]},
        "else": {"required": ["path"]},
    },
    {"if": {"properties": {"n": {"const": 1}}, "required": ["n"]}, "then": {"required": ["m"]}},
    {"if": {"properties": {"n": {"const": None}}}, "then": False},
    {"if": {"properties": {"type": {"const": "s3"}}, "required": ["other"]}, "then": False},
    # string enums and constants; objects with few, many or patterned properties
    {"enum": ["a", "b"]},
    {"enum": ["a", 1, None]},
    {"const": "a"},
    {"properties": {"a": {"type": "string"}}},
    {"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
    {"properties": {"a": True, "b": True, "c": {"minLength": 2}}},
    {"patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": False},
    {"allOf": [], "anyOf": [{"type": ["string", "null"]}, {"minimum": 3}]},
    {"anyOf": []},
    # `allOf` of such `if`s: by one property's string constants (twice the same one, required
    # or not); on two properties; on a non-string constant; with an `else`
    {
        "allOf": [
            {"if": {"properties": {"type": {"const": "s3"}}}, "then": {"required": ["bucket"]}},
            {
                "if": {"properties": {"type": {"const": "gcs"}}, "required": ["type"]},
                "then": {"required": ["path"]},
            },
            {
                "if": {"properties": {"type": {"const": "s3"}}, "required": ["type"]},
                "then": {"not": {"required": ["path"]}},
            },
        ]
    },
    {
        "allOf": [
            {"if": {"properties": {"type": {"const": "s3"}}}, "then": {"required": ["bucket"]}},
            {"if": {"properties": {"n": {"const": "1"}}}, "then": {"required": ["m"]}},
        ]
    },
    {
        "allOf": [
            {"if": {"properties": {"n": {"const": 1}}}, "then": {"required": ["m"]}},
            {"if": {"properties": {"n": {"const": "1"}}}, "then": {"required": ["m"]}},
        ]
    },
    {
        "allOf": [
            {"if": {"properties": {"type": {"const": "s3"}}}, "then": {"required": ["bucket"]}},
            {
                "if": {"properties": {"type": {"const": "gcs"}}},
                "then": {"required": ["path"]},
                "else": {"required": ["bucket"]},
            },
        ]
    },
]
_INSTANCES: list[Any] = [
    None, True, 1, 1.0, 3, "a", "b", "s3", "ab", [], ["a"], {},
    {"type": "s3"}, {"type": "s3", "bucket": "b"}, {"type": "gcs"}, {"type": "gcs", "path": "p"},
    {"type": 1}, {"type": ["s3"]}, {"bucket": "b"}, {"path": "p"}, {"n": 1}, {"n": True},
    {"n": 1.0, "m": 0}, {"n": None}, {"a": "x"}, {"a": 1}, {"a": "x", "z": 1}, {"a": "x", "z": "y"},
    {"c": "x"}, {"c": "xy", "d": 1}, {"x-1": 1}, {"x-1": "1"}, {"y": 1}, {"other": 1, "type": "s3"},
]  # fmt: skip


@pytest.mark.parametrize("schema", _SHAPES)
def test_agrees_with_jsonschema_on_each_specialised_shape(schema: Any) -> None:
    check = compile_schema(schema)
    validator = Draft202012Validator(schema)
    for instance in _INSTANCES:
        assert check(instance) is validator.is_valid(instance), instance

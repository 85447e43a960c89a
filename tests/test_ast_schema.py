"""The JSON Schemas and the AST classes agree field for field, so neither drifts."""

from __future__ import annotations

import attrs
import pytest

from floec.ast import nodes
from floec.contracts import SchemaKind, load_schema

# AST class -> (schema, JSON pointer of the object it mirrors)
MIRRORS: dict[type, tuple[SchemaKind, str]] = {
    nodes.FloeSpec: ("floe", ""),
    nodes.TransformConfig: ("floe", "/$defs/transform"),
    nodes.GovernanceConfig: ("floe", "/$defs/governance"),
    nodes.PipelineObservability: ("floe", "/$defs/observability"),
    nodes.PlatformSource: ("floe", "/$defs/platform_source"),
    nodes.PlatformSpec: ("platform", ""),
    nodes.StorageProfile: ("platform", "/$defs/storage_profile"),
    nodes.CatalogProfile: ("platform", "/$defs/catalog_profile"),
    nodes.ComputeProfile: ("platform", "/$defs/compute_profile"),
    nodes.CredentialConfig: ("platform", "/$defs/credentials"),
    nodes.ObservabilityConfig: ("platform", "/$defs/observability"),
}
BOOKKEEPING = {"span", "field_spans"}


def _object(kind: SchemaKind, pointer: str) -> dict[str, object]:
    target: object = load_schema(kind)
    for part in pointer.split("/")[1:]:
        assert isinstance(target, dict)
        target = target[part]
    assert isinstance(target, dict)
    return target


@pytest.mark.parametrize("cls", list(MIRRORS), ids=lambda c: c.__name__)
def test_fields_match(cls: type) -> None:
    kind, pointer = MIRRORS[cls]
    schema = _object(kind, pointer)
    properties = schema["properties"]
    assert isinstance(properties, dict)
    fields = {f.name for f in attrs.fields(cls)} - BOOKKEEPING
    assert fields == set(properties)
    required_list = schema.get("required", [])
    assert isinstance(required_list, list)
    required = {str(name) for name in required_list}
    mandatory = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING} - BOOKKEEPING
    assert mandatory <= required | {"type"}, "a field without default must be required"


def test_secret_reference_mirrors_its_schema() -> None:
    properties = _object("platform", "/$defs/secret_ref")["properties"]
    assert isinstance(properties, dict)
    assert set(properties) == {"secret_ref", "key"}
    assert {f.name for f in attrs.fields(nodes.SecretRef)} == {"name", "key", "span"}


def test_every_ast_class_is_frozen() -> None:
    for value in vars(nodes).values():
        if isinstance(value, type) and attrs.has(value):
            assert value.__setattr__ is not object.__setattr__, value


def test_example_specs_elaborate_with_spans() -> None:
    from floec.frontend import check_file

    platform = check_file("platform/prod/platform.yaml")
    assert platform.diagnostics == ()
    spec = platform.spec
    assert isinstance(spec, nodes.PlatformSpec)
    catalog = spec.catalogs["default"]
    assert catalog.credentials is not None
    secret = catalog.credentials.client_secret
    assert isinstance(secret, nodes.SecretRef)
    assert secret.span.file == "platform/prod/platform.yaml"
    assert "production" in spec.catalogs

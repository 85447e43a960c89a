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
    nodes.GovernanceConfig: ("floe", "/$defs/GovernanceConfig"),
    nodes.PipelineObservability: ("floe", "/$defs/ObservabilityConfig"),
    nodes.PlatformSource: ("floe", "/$defs/platform_source"),
    nodes.OrchestrationConfig: ("floe", "/$defs/OrchestrationConfig"),
    nodes.DbtOrchestration: ("floe", "/$defs/DbtConfig"),
    nodes.AssetConfig: ("floe", "/$defs/AssetConfig"),
    nodes.BatchJob: ("floe", "/$defs/BatchJob"),
    nodes.OpsJob: ("floe", "/$defs/OpsJob"),
    nodes.ScheduleDefinition: ("floe", "/$defs/ScheduleDefinition"),
    nodes.FileWatcherSensor: ("floe", "/$defs/FileWatcherSensor"),
    nodes.AssetSensor: ("floe", "/$defs/AssetSensor"),
    nodes.RunStatusSensor: ("floe", "/$defs/RunStatusSensor"),
    nodes.CustomSensor: ("floe", "/$defs/CustomSensor"),
    nodes.TimeWindowPartition: ("floe", "/$defs/TimeWindowPartition"),
    nodes.StaticPartition: ("floe", "/$defs/StaticPartition"),
    nodes.MultiPartition: ("floe", "/$defs/MultiPartition"),
    nodes.DynamicPartition: ("floe", "/$defs/DynamicPartition"),
    nodes.PartitionRange: ("floe", "/$defs/PartitionRange"),
    nodes.BackfillDefinition: ("floe", "/$defs/BackfillDefinition"),
    nodes.LayerConfig: ("platform", "/$defs/LayerConfig"),
    nodes.ComputeLogsConfig: ("platform", "/$defs/ComputeLogsConfig"),
    nodes.PlatformSpec: ("platform", ""),
    nodes.StorageProfile: ("platform", "/$defs/storage_profile"),
    nodes.CatalogProfile: ("platform", "/$defs/catalog_profile"),
    nodes.ComputeProfile: ("platform", "/$defs/compute_profile"),
    nodes.CredentialConfig: ("platform", "/$defs/credentials"),
}
# The platform's observability elaborates floe-runtime's two spellings of tracing and lineage
# to one set of fields (test_observability_spellings_agree), so it mirrors no single object.
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


def _platform_observability(text: str) -> nodes.ObservabilityConfig:
    from floec.frontend import check_source
    from floec.source import SourceFile

    result = check_source(SourceFile("platform.yaml", "version: 1.2.0\nobservability:\n" + text))
    assert result.diagnostics == ()
    assert isinstance(result.spec, nodes.PlatformSpec)
    observability = result.spec.observability
    assert observability is not None
    return observability


def _settings(observability: nodes.ObservabilityConfig) -> dict[str, object]:
    names = ("traces", "lineage", "otlp_endpoint", "otlp_protocol", "lineage_endpoint")
    return {name: getattr(observability, name) for name in (*names, "lineage_namespace")}


def test_observability_spellings_agree() -> None:
    """floe-runtime's flag spelling and its object spelling elaborate to the same fields."""
    flags = _platform_observability(
        "  traces: true\n  lineage: true\n"
        "  otlp_endpoint: http://otel:4318\n  lineage_endpoint: http://marquez:5000\n"
    )
    objects = _platform_observability(
        "  tracing: {enabled: true, endpoint: 'http://otel:4318', protocol: http}\n"
        "  lineage: {enabled: true, endpoint: 'http://marquez:5000', namespace: acme}\n"
    )
    expected = {**_settings(objects), "otlp_protocol": None, "lineage_namespace": None}
    assert _settings(flags) == expected
    assert objects.otlp_protocol == "http"
    assert objects.lineage_namespace == "acme"
    off = _platform_observability("  lineage: {endpoint: 'http://marquez:5000'}\n")
    assert off.lineage is False  # the object's `enabled` defaults to false

"""The typed AST of floe.yaml and platform.yaml (DESIGN §3): frozen attrs classes.

Every class has `span` (the mapping it came from) and most have `field_spans` (each present
field's value span), so passes can point at the exact value they talk about. Field names match
the JSON Schemas one for one; tests/test_ast_schema.py fails when they drift apart.

No `from __future__ import annotations` here: elaboration reads these annotations at run time.
"""

from collections.abc import Mapping
from typing import Union

import attrs

from floec.frozen import frozen
from floec.interpolation import Interpolation
from floec.span import Span

FieldSpans = Mapping[str, Span]


@frozen
class SecretRef:
    """`{secret_ref: NAME}` or `{secret_ref: NAME, key: KEY}`: where a secret will be found at
    run time. Never the secret itself."""

    name: str
    key: str | None
    span: Span


@frozen
class Interpolated:
    """A string with `${...}` references, kept structured to be resolved at run time."""

    raw: str
    value: Interpolation
    span: Span


# A value the platform engineer may hide behind a secret reference (endpoints, identifiers).
StringOrSecret = Union[str, SecretRef]
# A free-text value that may hold `${...}` references.
Text = Union[str, Interpolated]
Endpoint = Union[str, Interpolated, SecretRef]
# A compute property: plain YAML data, with secret references where the adapter needs secrets.
PropertyValue = Union[
    None, bool, int, float, str, SecretRef, tuple[object, ...], Mapping[str, object]
]


@frozen
class Block:
    """A block floec checks by schema only and carries to the artifacts as it is (the deployment
    blocks, the semantic layer, tracing and metrics details): plain data, secret references typed.
    """

    data: Mapping[str, PropertyValue]
    span: Span


@frozen
class CredentialConfig:
    span: Span
    field_spans: FieldSpans
    mode: str = "static"
    secret_ref: str | None = None
    client_id: StringOrSecret | None = None
    client_secret: SecretRef | None = None
    scope: str | None = None
    token_uri: Endpoint | None = None
    role_arn: str | None = None
    external_id: StringOrSecret | None = None
    session_name: str | None = None
    service_account: str | None = None
    key: SecretRef | None = None


@frozen
class StorageProfile:
    span: Span
    field_spans: FieldSpans
    type: str = "s3"
    endpoint: Endpoint | None = None
    region: str | None = None
    bucket: str | None = None
    path: str | None = None
    path_style_access: bool | None = None
    credentials: CredentialConfig | None = None


@frozen
class CatalogProfile:
    span: Span
    field_spans: FieldSpans
    type: str = "polaris"
    uri: Endpoint | None = None
    warehouse: str | None = None
    namespace: str | None = None
    credentials: CredentialConfig | None = None
    access_delegation: str | None = None
    token_refresh_enabled: bool = True
    properties: Mapping[str, Text] = attrs.field(factory=dict)


@frozen
class ComputeProfile:
    span: Span
    field_spans: FieldSpans
    type: str = "duckdb"
    properties: Mapping[str, PropertyValue] = attrs.field(factory=dict)
    credentials: CredentialConfig | None = None


@frozen
class ComputeLogsConfig:
    """Where Dagster keeps the stdout/stderr of runs."""

    span: Span
    field_spans: FieldSpans
    enabled: bool = True
    manager_type: str = "s3"
    storage_ref: str | None = "default"
    bucket: str | None = None
    prefix: str = "dagster-compute-logs/"
    retention_days: int = 30
    local_dir: str = "/tmp/dagster-compute-logs"
    upload_interval: int = 30


@frozen
class ObservabilityConfig:
    """The platform's observability: endpoints and defaults for every pipeline.

    floe-runtime spells tracing and lineage two ways: flags with `otlp_endpoint` and
    `lineage_endpoint`, or objects `tracing: {enabled, endpoint, protocol}` and
    `lineage: {enabled, endpoint, namespace}`. Both elaborate to these fields; where a file says
    both, the object wins (it is the more specific).
    """

    span: Span
    field_spans: FieldSpans
    traces: bool | None = None
    metrics: bool | None = None
    lineage: bool | None = None
    otlp_endpoint: Endpoint | None = None
    otlp_protocol: str | None = None
    lineage_endpoint: Endpoint | None = None
    lineage_namespace: str | None = None
    attributes: Mapping[str, Text] = attrs.field(factory=dict)
    sampling: Block | None = None
    trace_exporters: Block | None = None
    metrics_config: Block | None = None
    logging: Block | None = None
    compute_logs: ComputeLogsConfig | None = None


@frozen
class LayerConfig:
    """A medallion layer: its tables' storage and catalog profiles and Iceberg namespace."""

    name: str
    storage_ref: str
    namespace: str
    span: Span
    field_spans: FieldSpans
    description: str = ""
    catalog_ref: str = "default"
    retention_days: int | None = None
    properties: Mapping[str, Text] = attrs.field(factory=dict)


@frozen
class PlatformSpec:
    span: Span
    field_spans: FieldSpans
    version: str = "1.2.0"
    layers: Mapping[str, LayerConfig] = attrs.field(factory=dict)
    infrastructure: Block | None = None
    security: Block | None = None
    governance: Block | None = None
    storage: Mapping[str, StorageProfile] = attrs.field(factory=dict)
    catalogs: Mapping[str, CatalogProfile] = attrs.field(factory=dict)
    compute: Mapping[str, ComputeProfile] = attrs.field(factory=dict)
    observability: ObservabilityConfig | None = None


@frozen
class TransformConfig:
    type: str
    path: str
    span: Span
    field_spans: FieldSpans
    target: str | None = None
    selector: str | None = None


@frozen
class GovernanceConfig:
    span: Span
    field_spans: FieldSpans
    classification_source: str = "dbt_meta"
    policies: Mapping[str, PropertyValue] = attrs.field(factory=dict)
    emit_lineage: bool = True
    pii_detection: bool = False


@frozen
class PipelineObservability:
    """A pipeline's observability flags and attributes. The schema accepts floe-runtime's
    endpoint fields here too; the credential lint reports any endpoint in floe.yaml (they belong
    to the platform), so a pipeline that builds has none."""

    span: Span
    field_spans: FieldSpans
    traces: bool | None = None
    metrics: bool | None = None
    lineage: bool | None = None
    otlp_endpoint: str | None = None
    lineage_endpoint: str | None = None
    attributes: Mapping[str, Text] = attrs.field(factory=dict)
    tracing: Block | None = None
    metrics_config: Block | None = None
    logging: Block | None = None
    compute_logs: Block | None = None


# -- orchestration ---------------------------------------------------------------------------


@frozen
class DbtOrchestration:
    manifest_path: str
    span: Span
    field_spans: FieldSpans
    observability_level: str = "per_model"
    project_dir: str | None = None
    profiles_dir: str | None = None
    target: str | None = None


@frozen
class AssetConfig:
    span: Span
    field_spans: FieldSpans
    partitions: str | None = None
    automation_condition: str | None = None
    backfill_policy: str | None = None
    compute_kind: str | None = None
    group_name: str | None = None


@frozen
class BatchJob:
    type: str
    selection: tuple[str, ...]
    span: Span
    field_spans: FieldSpans
    description: str | None = None
    tags: Mapping[str, str | None] | None = None


@frozen
class OpsJob:
    type: str
    target_function: str
    span: Span
    field_spans: FieldSpans
    args: Mapping[str, PropertyValue] | None = None
    description: str | None = None
    tags: Mapping[str, str | None] | None = None


@frozen
class ScheduleDefinition:
    job: str
    cron_schedule: str
    span: Span
    field_spans: FieldSpans
    timezone: str = "UTC"
    enabled: bool = True
    partition_selector: str | None = None
    description: str | None = None


@frozen
class FileWatcherSensor:
    type: str
    job: str
    path: str
    span: Span
    field_spans: FieldSpans
    pattern: str | None = None
    poll_interval_seconds: int = 30
    description: str | None = None


@frozen
class AssetSensor:
    type: str
    job: str
    watched_assets: tuple[str, ...]
    span: Span
    field_spans: FieldSpans
    poll_interval_seconds: int = 30
    description: str | None = None


@frozen
class RunStatusSensor:
    type: str
    job: str
    watched_jobs: tuple[str, ...]
    status: str
    span: Span
    field_spans: FieldSpans
    poll_interval_seconds: int = 30
    description: str | None = None


@frozen
class CustomSensor:
    type: str
    job: str
    target_function: str
    span: Span
    field_spans: FieldSpans
    args: Mapping[str, PropertyValue] | None = None
    poll_interval_seconds: int = 30
    description: str | None = None


@frozen
class TimeWindowPartition:
    type: str
    start: str
    cron_schedule: str
    span: Span
    field_spans: FieldSpans
    timezone: str = "UTC"
    end: str | None = None
    fmt: str | None = None


@frozen
class StaticPartition:
    type: str
    partition_keys: tuple[str, ...]
    span: Span
    field_spans: FieldSpans


@frozen
class DynamicPartition:
    type: str
    span: Span
    field_spans: FieldSpans
    fn: str | None = None


PartitionDimension = Union[TimeWindowPartition, StaticPartition, DynamicPartition]


@frozen
class MultiPartition:
    type: str
    partitions: Mapping[str, PartitionDimension]
    span: Span
    field_spans: FieldSpans


@frozen
class PartitionRange:
    start: str
    end: str
    span: Span
    field_spans: FieldSpans


@frozen
class BackfillDefinition:
    job: str
    partition_range: PartitionRange
    span: Span
    field_spans: FieldSpans
    batch_size: int = 10
    description: str | None = None
    tags: Mapping[str, str | None] | None = None


Job = Union[BatchJob, OpsJob]
Sensor = Union[FileWatcherSensor, AssetSensor, RunStatusSensor, CustomSensor]
Partition = Union[TimeWindowPartition, StaticPartition, MultiPartition, DynamicPartition]
# The class of each `type:` of a discriminated union, for elaboration.
TYPED_UNIONS: dict[object, dict[str, type]] = {
    Job: {"batch": BatchJob, "ops": OpsJob},
    Sensor: {
        "file_watcher": FileWatcherSensor,
        "asset_sensor": AssetSensor,
        "run_status": RunStatusSensor,
        "custom": CustomSensor,
    },
    Partition: {
        "time_window": TimeWindowPartition,
        "static": StaticPartition,
        "multi": MultiPartition,
        "dynamic": DynamicPartition,
    },
    PartitionDimension: {
        "time_window": TimeWindowPartition,
        "static": StaticPartition,
        "dynamic": DynamicPartition,
    },
}


@frozen
class OrchestrationConfig:
    span: Span
    field_spans: FieldSpans
    asset_modules: tuple[str, ...] = ()
    dbt: DbtOrchestration | None = None
    partitions: Mapping[str, Partition] = attrs.field(factory=dict)
    assets: Mapping[str, AssetConfig] = attrs.field(factory=dict)
    jobs: Mapping[str, Job] = attrs.field(factory=dict)
    schedules: Mapping[str, ScheduleDefinition] = attrs.field(factory=dict)
    sensors: Mapping[str, Sensor] = attrs.field(factory=dict)
    backfills: Mapping[str, BackfillDefinition] = attrs.field(factory=dict)


@frozen
class PlatformSource:
    span: Span
    field_spans: FieldSpans
    path: str | None = None
    env: str | None = None
    # A registry of platforms (docs/platform-registry.md): environment E is the repository
    # `<registry>/E`, at the version range `versions[E]`, else `version`.
    registry: str | None = None
    version: str | None = None
    environments: tuple[str, ...] = ()
    versions: Mapping[str, str] = attrs.field(factory=dict)


@frozen
class FloeSpec:
    name: str
    version: str
    span: Span
    field_spans: FieldSpans
    catalog: str = "default"
    storage: str = "default"
    compute: str = "default"
    transforms: tuple[TransformConfig, ...] = ()
    consumption: Block | None = None
    governance: GovernanceConfig | None = None
    observability: PipelineObservability | None = None
    orchestration: OrchestrationConfig | None = None
    service_account: str | None = None
    principal_role: str | None = None
    platform: PlatformSource | None = None

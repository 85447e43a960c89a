"""The typed AST of floe.yaml and platform.yaml (DESIGN §3): frozen attrs classes.

Every class has `span` (the mapping it came from) and most have `field_spans` (each present
field's value span), so passes can point at the exact value they talk about. Field names match
the JSON Schemas one for one; tests/test_ast_schema.py fails when they drift apart.

No `from __future__ import annotations` here: cattrs reads these annotations at run time.
"""

from collections.abc import Mapping
from typing import Union

import attrs

from floec.interpolation import Interpolation
from floec.span import Span

FieldSpans = Mapping[str, Span]


@attrs.frozen
class SecretRef:
    """`{secret_ref: NAME}` or `{secret_ref: NAME, key: KEY}`: where a secret will be found at
    run time. Never the secret itself."""

    name: str
    key: str | None
    span: Span


@attrs.frozen
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


@attrs.frozen
class CredentialConfig:
    mode: str
    span: Span
    field_spans: FieldSpans
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


@attrs.frozen
class StorageProfile:
    type: str
    span: Span
    field_spans: FieldSpans
    endpoint: Endpoint | None = None
    region: str | None = None
    bucket: str | None = None
    path: str | None = None
    path_style_access: bool | None = None
    credentials: CredentialConfig | None = None


@attrs.frozen
class CatalogProfile:
    type: str
    span: Span
    field_spans: FieldSpans
    uri: Endpoint | None = None
    warehouse: str | None = None
    namespace: str | None = None
    credentials: CredentialConfig | None = None
    access_delegation: str | None = None
    properties: Mapping[str, Text] = attrs.field(factory=dict)


@attrs.frozen
class ComputeProfile:
    type: str
    span: Span
    field_spans: FieldSpans
    properties: Mapping[str, PropertyValue] = attrs.field(factory=dict)
    credentials: CredentialConfig | None = None


@attrs.frozen
class ObservabilityConfig:
    """The platform's observability: endpoints and defaults for every pipeline."""

    span: Span
    field_spans: FieldSpans
    traces: bool | None = None
    metrics: bool | None = None
    lineage: bool | None = None
    otlp_endpoint: Endpoint | None = None
    lineage_endpoint: Endpoint | None = None
    attributes: Mapping[str, Text] = attrs.field(factory=dict)


@attrs.frozen
class PlatformSpec:
    version: str
    span: Span
    field_spans: FieldSpans
    storage: Mapping[str, StorageProfile] = attrs.field(factory=dict)
    catalogs: Mapping[str, CatalogProfile] = attrs.field(factory=dict)
    compute: Mapping[str, ComputeProfile] = attrs.field(factory=dict)
    observability: ObservabilityConfig | None = None


@attrs.frozen
class TransformConfig:
    type: str
    path: str
    span: Span
    field_spans: FieldSpans
    target: str | None = None


@attrs.frozen
class GovernanceConfig:
    span: Span
    field_spans: FieldSpans
    classification: str | None = None
    owner: str | None = None
    pii: bool | None = None
    retention_days: int | None = None


@attrs.frozen
class PipelineObservability:
    """A pipeline's observability flags and attributes; endpoints belong to the platform."""

    span: Span
    field_spans: FieldSpans
    traces: bool | None = None
    metrics: bool | None = None
    lineage: bool | None = None
    attributes: Mapping[str, Text] = attrs.field(factory=dict)


@attrs.frozen
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


@attrs.frozen
class FloeSpec:
    name: str
    version: str
    span: Span
    field_spans: FieldSpans
    catalog: str = "default"
    storage: str = "default"
    compute: str = "default"
    transforms: tuple[TransformConfig, ...] = ()
    governance: GovernanceConfig | None = None
    observability: PipelineObservability | None = None
    platform: PlatformSource | None = None

"""The typed AST of floe.yaml and platform.yaml (DESIGN §3): frozen attrs classes.

Every class has `span` (the mapping it came from) and most have `field_spans` (each present
field's value span), so passes can point at the exact value they talk about. Field names match
the JSON Schemas one for one; tests/test_ast_schema.py fails when they drift apart.

No `from __future__ import annotations` here: cattrs reads these annotations at run time.
"""

from collections.abc import Mapping
from typing import Optional, Union

import attrs

from floec.interpolation import Interpolation
from floec.span import Span

FieldSpans = Mapping[str, Span]


@attrs.frozen
class SecretRef:
    """`{secret_ref: NAME}` or `{secret_ref: NAME, key: KEY}`: where a secret will be found at
    run time. Never the secret itself."""

    name: str
    key: Optional[str]
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
PropertyValue = Union[None, bool, int, float, str, SecretRef, tuple[object, ...], Mapping[str, object]]


@attrs.frozen
class CredentialConfig:
    mode: str
    span: Span
    field_spans: FieldSpans
    secret_ref: Optional[str] = None
    client_id: Optional[StringOrSecret] = None
    client_secret: Optional[SecretRef] = None
    scope: Optional[str] = None
    token_uri: Optional[Endpoint] = None
    role_arn: Optional[str] = None
    external_id: Optional[StringOrSecret] = None
    session_name: Optional[str] = None
    service_account: Optional[str] = None
    key: Optional[SecretRef] = None


@attrs.frozen
class StorageProfile:
    type: str
    span: Span
    field_spans: FieldSpans
    endpoint: Optional[Endpoint] = None
    region: Optional[str] = None
    bucket: Optional[str] = None
    path: Optional[str] = None
    path_style_access: Optional[bool] = None
    credentials: Optional[CredentialConfig] = None


@attrs.frozen
class CatalogProfile:
    type: str
    span: Span
    field_spans: FieldSpans
    uri: Optional[Endpoint] = None
    warehouse: Optional[str] = None
    namespace: Optional[str] = None
    credentials: Optional[CredentialConfig] = None
    access_delegation: Optional[str] = None
    properties: Mapping[str, Text] = attrs.field(factory=dict)


@attrs.frozen
class ComputeProfile:
    type: str
    span: Span
    field_spans: FieldSpans
    properties: Mapping[str, PropertyValue] = attrs.field(factory=dict)
    credentials: Optional[CredentialConfig] = None


@attrs.frozen
class ObservabilityConfig:
    """The platform's observability: endpoints and defaults for every pipeline."""

    span: Span
    field_spans: FieldSpans
    traces: Optional[bool] = None
    metrics: Optional[bool] = None
    lineage: Optional[bool] = None
    otlp_endpoint: Optional[Endpoint] = None
    lineage_endpoint: Optional[Endpoint] = None
    attributes: Mapping[str, Text] = attrs.field(factory=dict)


@attrs.frozen
class PlatformSpec:
    version: str
    span: Span
    field_spans: FieldSpans
    storage: Mapping[str, StorageProfile] = attrs.field(factory=dict)
    catalogs: Mapping[str, CatalogProfile] = attrs.field(factory=dict)
    compute: Mapping[str, ComputeProfile] = attrs.field(factory=dict)
    observability: Optional[ObservabilityConfig] = None


@attrs.frozen
class TransformConfig:
    type: str
    path: str
    span: Span
    field_spans: FieldSpans
    target: Optional[str] = None


@attrs.frozen
class GovernanceConfig:
    span: Span
    field_spans: FieldSpans
    classification: Optional[str] = None
    owner: Optional[str] = None
    pii: Optional[bool] = None
    retention_days: Optional[int] = None


@attrs.frozen
class PipelineObservability:
    """A pipeline's observability flags and attributes; endpoints belong to the platform."""

    span: Span
    field_spans: FieldSpans
    traces: Optional[bool] = None
    metrics: Optional[bool] = None
    lineage: Optional[bool] = None
    attributes: Mapping[str, Text] = attrs.field(factory=dict)


@attrs.frozen
class PlatformSource:
    span: Span
    field_spans: FieldSpans
    path: Optional[str] = None
    env: Optional[str] = None


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
    governance: Optional[GovernanceConfig] = None
    observability: Optional[PipelineObservability] = None
    platform: Optional[PlatformSource] = None

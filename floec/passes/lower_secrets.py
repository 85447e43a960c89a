"""Pass `lower-secrets`: every secret reference in the forms the runtime and the targets read."""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from floec.ast.nodes import CredentialConfig, Interpolated, SecretRef
from floec.diagnostics.model import Diagnostic, make
from floec.frozen import frozen
from floec.interpolation import Reference
from floec.ir import (
    BoundPipeline,
    BoundProfile,
    LoweredPipeline,
    LoweredSecret,
    PassResult,
    ProfileKind,
    SecretUse,
)
from floec.span import Span

# The slots a static credential's one secret fills, by (profile kind, type); each slot is read
# from the key of the same name (DESIGN §5). A slot the profile already sets in its
# `properties` (a database `user`, say) is left to the property.
STATIC_SLOTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("storage", "s3"): ("access_key_id", "secret_access_key"),
    ("storage", "gcs"): ("access_key_id", "secret_access_key"),
    ("storage", "azure"): ("account_key",),
    ("catalogs", "polaris"): ("token",),
    ("catalogs", "rest"): ("token",),
    ("catalogs", "nessie"): ("token",),
    ("catalogs", "glue"): ("access_key_id", "secret_access_key"),
    ("catalogs", "hive"): ("user", "password"),
    ("compute", "duckdb"): ("token",),
    ("compute", "postgres"): ("user", "password"),
    ("compute", "redshift"): ("user", "password"),
    ("compute", "snowflake"): ("user", "password"),
    ("compute", "trino"): ("user", "password"),
    ("compute", "databricks"): ("token",),
    ("compute", "spark"): ("token",),
}

_RFC1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def env_var(name: str, key: str | None) -> str:
    """The environment variable of a secret: NAME_KEY in upper snake case.

    >>> env_var("polaris-oauth", None), env_var("polaris-oauth", "client_secret")
    ('POLARIS_OAUTH', 'POLARIS_OAUTH_CLIENT_SECRET')
    >>> env_var("bigquery-sa", "key.json")
    'BIGQUERY_SA_KEY_JSON'
    """
    joined = name if key is None else f"{name}_{key}"
    return re.sub(r"[^0-9A-Za-z]+", "_", joined).strip("_").upper()


def lower(name: str, key: str | None) -> LoweredSecret:
    """All forms of one reference; `file` is relative to $FLOE_SECRETS_DIR."""
    variable = env_var(name, key)
    return LoweredSecret(
        name=name,
        key=key,
        env_var=variable,
        file=name if key is None else f"{name}/{key}",
        dbt=f"{{{{ env_var('{variable}') }}}}",
        dagster=f'EnvVar("{variable}")',
    )


def is_kubernetes_name(name: str) -> bool:
    return len(name) <= 253 and bool(_RFC1123.match(name))


@frozen
class LowerContext:
    bound: BoundPipeline


class _Collector:
    def __init__(self) -> None:
        self.uses: dict[tuple[str, str | None], list[str]] = {}
        self.spans: dict[tuple[str, str | None], Span | None] = {}

    def secret(self, name: str, key: str | None, path: str, span: Span | None) -> object:
        lowered = lower(name, key)
        self.uses.setdefault((name, key), []).append(path)
        self.spans.setdefault((name, key), span)
        return {"secret": to_data(lowered)}

    def value(self, value: object, path: str) -> object:
        if isinstance(value, SecretRef):
            return self.secret(value.name, value.key, path, value.span)
        if isinstance(value, Interpolated):
            return interpolation(value)
        if isinstance(value, Mapping):
            return {str(k): self.value(v, f"{path}.{k}") for k, v in sorted(value.items())}
        if isinstance(value, (tuple, list)):
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value


def to_data(secret: LoweredSecret) -> dict[str, object]:
    return {
        "name": secret.name,
        "key": secret.key,
        "env_var": secret.env_var,
        "file": secret.file,
        "dbt": secret.dbt,
        "dagster": secret.dagster,
    }


def interpolation(value: Interpolated) -> dict[str, object]:
    """`${...}` kept structured, for the runtime to resolve."""
    parts: list[object] = [
        {"ref": p.name, "default": p.default} if isinstance(p, Reference) else p
        for p in value.value.parts
    ]
    return {"interpolation": {"raw": value.raw, "parts": parts}}


def lower_secrets(ctx: LowerContext) -> PassResult:
    """Lower every secret reference of the bound profiles and the observability endpoints.

    Reads: the bound profiles (their endpoints, `credentials` and `properties`), the platform's
    observability and the pipeline's observability flags.
    Writes: a `LoweredPipeline`: each profile as plain data whose secret references are
    `{"secret": {name, key, env_var, file, dbt, dagster}}` (DESIGN §5: the variable NAME_KEY in
    upper snake case, the file NAME[/KEY] under $FLOE_SECRETS_DIR, dbt's
    `{{ env_var('X') }}`, Dagster's `EnvVar("X")`); a static credential's one `secret_ref`
    becomes one reference per slot of its mode (S3: access_key_id, secret_access_key; databases:
    user, password); and the secrets manifest, one entry per (name, key) with the fields that
    use it, sorted.
    Reports: FLC406 (warning) for a secret name that is not a lowercase RFC 1123 name (it can
    then come only from the environment, not a Kubernetes secret); FLC407 when two different
    references lower to the same environment variable.

    >>> lower("polaris-oauth", "client_secret").file
    'polaris-oauth/client_secret'
    """
    bound = ctx.bound
    collect = _Collector()
    profiles: dict[str, dict[str, object]] = {}
    for item in bound.profiles:
        profiles[item.field] = _profile(item, collect)
    observability = _observability(bound, collect)
    layers = _layers(bound, collect)
    platform = bound.environment.platform
    deployment = {
        name: None if block is None else collect.value(block.data, name)
        for name, block in (
            ("infrastructure", platform.infrastructure),
            ("security", platform.security),
            ("governance", platform.governance),
        )
    }
    diagnostics: list[Diagnostic] = []
    uses = []
    by_variable: dict[str, tuple[str, str | None]] = {}
    warned: set[str] = set()
    for (name, key), paths in sorted(collect.uses.items(), key=lambda i: (i[0][0], i[0][1] or "")):
        span = collect.spans[(name, key)]
        lowered = lower(name, key)
        uses.append(SecretUse(lowered, tuple(sorted(set(paths))), span))
        if not is_kubernetes_name(name) and name not in warned:
            warned.add(name)
            diagnostics.append(
                make(
                    "FLC406",
                    f"secret name '{name}' is not a valid Kubernetes secret name (lowercase "
                    "RFC 1123: a-z, 0-9, '-' and '.'); it can only be provided through "
                    f"environment variables such as {lowered.env_var}, not a mounted secret",
                    span,
                    file=bound.environment.source.name,
                    help=f"rename the secret to '{_k8s_name(name)}' to allow a mounted file",
                )
            )
        other = by_variable.setdefault(lowered.env_var, (name, key))
        if other != (name, key):
            first = other[0] if other[1] is None else f"{other[0]}/{other[1]}"
            this = name if key is None else f"{name}/{key}"
            diagnostics.append(
                make(
                    "FLC407",
                    f"secrets '{first}' and '{this}' both lower to the environment variable "
                    f"{lowered.env_var}",
                    span,
                    file=bound.environment.source.name,
                    help="rename one of the secrets so that their variables differ",
                )
            )
    lowered_pipeline = LoweredPipeline(
        bound, profiles, observability, tuple(uses), layers, deployment
    )
    return PassResult(lowered_pipeline, tuple(diagnostics))


def _k8s_name(name: str) -> str:
    return re.sub(r"[^a-z0-9.-]+", "-", name.lower()).strip("-.") or "secret"


def _layers(bound: BoundPipeline, collect: _Collector) -> dict[str, dict[str, object]]:
    """Each platform layer with its storage and catalog profiles resolved and lowered (a
    reference to a missing profile is reported by check-references and left null here)."""
    platform = bound.environment.platform
    out: dict[str, dict[str, object]] = {}
    for name, layer in sorted(platform.layers.items()):
        data: dict[str, object] = {
            "name": layer.name,
            "description": layer.description,
            "namespace": layer.namespace,
            "retention_days": layer.retention_days,
            "properties": collect.value(layer.properties, f"layers.{name}.properties"),
        }
        refs: tuple[tuple[str, ProfileKind, str], ...] = (
            ("storage", "storage", layer.storage_ref),
            ("catalog", "catalogs", layer.catalog_ref),
        )
        for field, kind, ref in refs:
            profile = getattr(platform, kind).get(ref)
            data[field] = (
                None
                if profile is None
                else _profile(BoundProfile(f"layers.{name}.{field}", kind, ref, profile), collect)
            )
        out[name] = data
    return out


def _profile(item: BoundProfile, collect: _Collector) -> dict[str, object]:
    profile = item.profile
    path = item.field
    data: dict[str, object] = {"name": item.name}
    for field in attrs.fields(type(profile)):
        if field.name in ("span", "field_spans", "credentials"):
            continue
        value = getattr(profile, field.name)
        if value is None or (field.name == "properties" and not value):
            continue
        data[field.name] = collect.value(value, f"{path}.{field.name}")
    credentials = profile.credentials
    data["credentials"] = None
    if credentials is not None:
        properties = getattr(profile, "properties", {})
        data["credentials"] = _credentials(item, credentials, properties, collect)
    return data


def _credentials(
    item: BoundProfile,
    credentials: CredentialConfig,
    properties: Mapping[str, object],
    collect: _Collector,
) -> dict[str, object]:
    path = f"{item.field}.credentials"
    out: dict[str, object] = {"mode": credentials.mode}
    for field in attrs.fields(CredentialConfig):
        if field.name in ("mode", "span", "field_spans", "secret_ref"):
            continue
        value = getattr(credentials, field.name)
        if value is not None:
            out[field.name] = collect.value(value, f"{path}.{field.name}")
    if credentials.mode == "static" and credentials.secret_ref is not None:
        span = credentials.field_spans.get("secret_ref", credentials.span)
        slots = STATIC_SLOTS.get((item.kind, item.profile.type), ("secret",))
        out["slots"] = {
            slot: collect.secret(credentials.secret_ref, slot, f"{path}.{slot}", span)
            for slot in slots
            if slot not in properties
        }
    return out


def _observability(bound: BoundPipeline, collect: _Collector) -> dict[str, object]:
    platform = bound.environment.platform.observability
    pipeline = bound.pipeline.observability
    out: dict[str, object] = {}
    for flag in ("traces", "metrics", "lineage"):
        offered = bool(getattr(platform, flag, None))
        wanted = getattr(pipeline, flag, None)
        out[flag] = offered and (wanted is None or bool(wanted))
    for endpoint in ("otlp_endpoint", "lineage_endpoint"):
        value = getattr(platform, endpoint, None)
        out[endpoint] = None if value is None else collect.value(value, f"observability.{endpoint}")
    platform_attributes = platform.attributes if platform is not None else {}
    pipeline_attributes = pipeline.attributes if pipeline is not None else {}
    out["resource_attributes"] = collect.value(platform_attributes, "observability.attributes")
    out["attributes"] = collect.value(pipeline_attributes, "observability.attributes")
    out["otlp_protocol"] = getattr(platform, "otlp_protocol", None) or "grpc"
    out["lineage_namespace"] = getattr(platform, "lineage_namespace", None)
    for name in ("sampling", "trace_exporters", "metrics_config", "logging"):
        block = getattr(platform, name, None)
        out[name] = None if block is None else collect.value(block.data, f"observability.{name}")
    logs = getattr(platform, "compute_logs", None)
    out["compute_logs"] = None
    if logs is not None:
        out["compute_logs"] = {
            f.name: getattr(logs, f.name)
            for f in attrs.fields(type(logs))
            if f.name not in ("span", "field_spans")
        }
    return out

"""The intermediate representations the passes hand to each other, and their JSON dumps.

    FloeSpec + Environment --bind-profiles--> BoundPipeline --check-credentials--> BoundPipeline
        --lower-secrets--> LoweredPipeline --codegen-*--> GeneratedFile...

Every class is frozen; a pass builds a new value instead of changing its input. `dump` turns any
of them (and the AST) into plain, deterministic JSON for `floec build --emit STAGE`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal

import attrs

from floec.ast.nodes import (
    CatalogProfile,
    ComputeProfile,
    FloeSpec,
    Interpolated,
    PlatformSpec,
    SecretRef,
    StorageProfile,
)
from floec.diagnostics.model import Diagnostic
from floec.frozen import frozen
from floec.source import SourceFile
from floec.span import Span
from floec.syntax.tree import MappingNode, SyntaxTree

ProfileKind = Literal["catalogs", "storage", "compute"]
# floe.yaml field -> platform.yaml map, in the order everything is listed.
PROFILE_FIELDS: tuple[tuple[str, ProfileKind], ...] = (
    ("catalog", "catalogs"),
    ("storage", "storage"),
    ("compute", "compute"),
)
Profile = CatalogProfile | StorageProfile | ComputeProfile

DEFAULT_SECRETS_DIR = "/var/run/secrets"
SECRETS_DIR_VARIABLE = "FLOE_SECRETS_DIR"


@frozen
class Environment:
    """One environment's platform configuration and where it came from.

    `origin` says how it was chosen (`--env`, `--platform`, `FLOE_PLATFORM_FILE`,
    `FLOE_PLATFORM_ENV`, `floe.yaml platform.path`, `floe.yaml platform.env`, `FLOE_* variables`).
    """

    name: str
    platform: PlatformSpec
    source: SourceFile
    path: str  # the file as given (absolute or relative to the working directory)
    origin: str
    sha256: str
    tree: SyntaxTree | None = attrs.field(default=None, eq=False, repr=False)

    def span_at(self, *keys: str) -> Span | None:
        """The span of the value at `keys` in platform.yaml, when the syntax tree has it."""
        node = self.tree.root if self.tree is not None else None
        for key in keys:
            entry = node.get(key) if isinstance(node, MappingNode) else None
            if entry is None:
                return None
            node = entry.value
        return node.span if node is not None else None

    def key_span(self, key: str) -> Span | None:
        """The span of a top-level key of platform.yaml (`catalogs:`), when the tree has it."""
        root = self.tree.root if self.tree is not None else None
        entry = root.get(key) if isinstance(root, MappingNode) else None
        return entry.key.span if entry is not None else None


@frozen
class BoundProfile:
    """A profile reference resolved against an environment: `catalog: default` -> its profile."""

    field: str  # catalog, storage, compute: the floe.yaml field ("" for a profile not referenced)
    kind: ProfileKind
    name: str
    profile: Profile


@frozen
class BoundPipeline:
    """A pipeline with its profile names resolved. `profiles` holds only what resolved."""

    pipeline: FloeSpec
    environment: Environment
    profiles: tuple[BoundProfile, ...]

    def profile(self, field: str) -> BoundProfile | None:
        return next((p for p in self.profiles if p.field == field), None)


@frozen
class LoweredSecret:
    """DESIGN §5: where one `{secret_ref: NAME, key: KEY}` is found at run time, in every form."""

    name: str
    key: str | None
    env_var: str
    file: str  # relative to $FLOE_SECRETS_DIR
    dbt: str
    dagster: str


@frozen
class SecretUse:
    """A secret the deployment needs and the fields (dotted paths) that use it."""

    secret: LoweredSecret
    used_by: tuple[str, ...]
    span: Span | None


@frozen
class LoweredPipeline:
    """Profiles as plain JSON data, every secret reference replaced by its lowered form."""

    bound: BoundPipeline
    profiles: Mapping[str, Mapping[str, object]]  # floe.yaml field -> profile data
    observability: Mapping[str, object]
    secrets: tuple[SecretUse, ...]
    # layer name -> {name, description, namespace, retention_days, properties, storage, catalog}
    layers: Mapping[str, Mapping[str, object]] = attrs.field(factory=dict)
    # the platform's Kubernetes deployment blocks: infrastructure, security, governance
    deployment: Mapping[str, object] = attrs.field(factory=dict)


@frozen
class GeneratedFile:
    """One output file, relative to `target/<env>/`, and its exact bytes."""

    path: str
    data: bytes


@frozen
class PassResult:
    """What a pass returns: its IR (None when it could not produce one) and its findings."""

    value: object
    diagnostics: tuple[Diagnostic, ...] = ()


# -- dumps ----------------------------------------------------------------------------------------


def span_text(span: Span) -> str:
    return (
        f"{span.file}:{span.start.line + 1}:{span.start.column + 1}"
        f"-{span.end.line + 1}:{span.end.column + 1}"
    )


def to_plain(value: object, *, spans: bool = True) -> object:
    """Plain JSON data of an AST or IR value: classes as objects with a `node` field, spans as
    `file:line:col-line:col`, `field_spans` dropped, mappings with sorted keys."""
    if isinstance(value, Span):
        return span_text(value) if spans else None
    if isinstance(value, SecretRef):
        return {"secret_ref": value.name, "key": value.key}
    if isinstance(value, Interpolated):
        return {"interpolated": value.raw}
    if isinstance(value, SourceFile):
        return value.name
    if isinstance(value, Environment):
        return {
            "node": "Environment",
            "name": value.name,
            "origin": value.origin,
            "path": value.path,
            "platform_version": value.platform.version,
            "sha256": value.sha256,
        }
    if isinstance(value, Diagnostic):
        return f"{value.code}: {value.message}"
    if attrs.has(type(value)):
        out: dict[str, object] = {"node": type(value).__name__}
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            if field.name == "field_spans" or (field.name == "span" and not spans):
                continue
            out[field.name] = to_plain(getattr(value, field.name), spans=spans)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, spans=spans) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, spans=spans) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def dump(value: object) -> str:
    """Deterministic, readable JSON: sorted keys, two-space indent, a final newline."""
    return json.dumps(to_plain(value), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

"""Stage `elaborate`: checked plain data -> the typed AST.

Reads: the `SyntaxTree` (for spans) and the schema-typed data `validate` produced (mappings are
`SpannedDict`s that know their node). Writes: `FloeSpec` or `PlatformSpec`, every node with its
span; `{secret_ref: ...}` mappings become `SecretRef`s and strings holding `${...}` become
`Interpolated`. Reports: FLC020 for a malformed interpolation, pointing inside the scalar where
the offset can be mapped exactly (plain and single-line quoted scalars without escapes), else at
the whole scalar.

It runs only on data that passed the schema, so a structuring failure here is a bug (FLC901).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from floec.ast.nodes import (
    TYPED_UNIONS,
    Block,
    FloeSpec,
    Interpolated,
    ObservabilityConfig,
    PlatformSpec,
    PropertyValue,
    SecretRef,
)
from floec.diagnostics.model import Diagnostic, make
from floec.discover import ConfigKind
from floec.interpolation import InterpolationError, parse
from floec.span import Span
from floec.syntax.tree import ScalarNode, SyntaxTree, walk
from floec.validate import Plain, SpannedDict, SpannedList

_CLASSES: dict[str, type[FloeSpec] | type[PlatformSpec]] = {
    "floe": FloeSpec,
    "platform": PlatformSpec,
}


def elaborate(
    tree: SyntaxTree, data: Plain, kind: ConfigKind
) -> tuple[FloeSpec | PlatformSpec, list[Diagnostic]]:
    """The AST of a document that passed `validate`, and the interpolation diagnostics."""
    spec = _structure(data, _CLASSES[kind])
    return spec, check_interpolations(tree)


def check_interpolations(tree: SyntaxTree) -> list[Diagnostic]:
    """FLC020 for every malformed `${...}`; runs even when the schema check failed."""
    text = tree.source.text
    if "$" not in text and "\\" not in text:  # no scalar can hold a '$', not even escaped
        return []
    out = []
    for node in walk(tree.root):
        if not isinstance(node, ScalarNode) or "$" not in node.value:
            continue
        result = parse(node.value)
        if isinstance(result, InterpolationError):
            out.append(
                make(
                    "FLC020",
                    result.message,
                    _offset_span(node, result.offset),
                    help="write ${NAME}, ${env:NAME} or ${NAME:-default}; $$ is a literal '$'",
                )
            )
    return out


def _offset_span(node: ScalarNode, offset: int) -> Span:
    """The span of one character inside a scalar, when source columns map 1:1 onto the value."""
    span = node.span
    exact = span.is_single_line and (
        node.style == ""
        or (node.style == "'" and "''" not in node.value)
        or (node.style == '"' and span.end.column - span.start.column == len(node.value) + 2)
    )
    if not exact:
        return span
    column = span.start.column + offset + (0 if node.style == "" else 1)
    return Span.of(span.file, span.start.line, column, span.start.line, column + 1)


# -- structuring -------------------------------------------------------------------------------
#
# Each AST class gets a plan, made on first use from its attrs fields and their annotations: one
# small function per field. Nothing is compiled: building the plans costs less than importing a
# structuring library, and these are the only types the AST has.

Convert = Callable[[Any, "SpannedDict", str], Any]


def _text(value: Any, data: SpannedDict, name: str) -> Any:
    """`value`, or an `Interpolated` when it is a string with `${...}` references (its span is
    the value's, looked up only then)."""
    if isinstance(value, str) and "$" in value:
        parsed = parse(value)
        if parsed is not None and not isinstance(parsed, InterpolationError) and parsed.references:
            return Interpolated(value, parsed, _value_span(data, name))
    return value


def _secret(value: SpannedDict) -> SecretRef:
    key = value.get("key")
    return SecretRef(
        str(value["secret_ref"]), str(key) if key is not None else None, value.node.span
    )


def _is_secret(value: object) -> bool:
    return isinstance(value, dict) and "secret_ref" in value


def _property(value: Plain) -> object:
    """A compute property value: plain data with secret references made typed."""
    if isinstance(value, SpannedDict):
        if _is_secret(value):
            return _secret(value)
        return {k: _property(v) for k, v in value.items()}
    if isinstance(value, SpannedList):
        return tuple(_property(v) for v in value)
    return value


def _observability_spellings(data: dict[str, Any]) -> dict[str, Any]:
    """floe-runtime's two spellings of platform tracing and lineage, as one set of fields:
    `tracing: {enabled, endpoint, protocol, sampling, exporters}` and
    `lineage: {enabled, endpoint, namespace}` beside the flags `traces`/`lineage` and the
    `otlp_endpoint`/`lineage_endpoint` fields. The object wins where both say something."""
    out = dict(data)
    tracing = out.pop("tracing", None)
    if isinstance(tracing, dict):
        if "enabled" in tracing:
            out["traces"] = tracing["enabled"]
        if "endpoint" in tracing:
            out["otlp_endpoint"] = tracing["endpoint"]
        if "protocol" in tracing:
            out["otlp_protocol"] = tracing["protocol"]
        for name, field in (("sampling", "sampling"), ("exporters", "trace_exporters")):
            if name in tracing:
                out[field] = tracing[name]
    lineage = out.get("lineage")
    if isinstance(lineage, dict):
        out["lineage"] = lineage.get("enabled", False)
        if "endpoint" in lineage:
            out["lineage_endpoint"] = lineage["endpoint"]
        if "namespace" in lineage:
            out["lineage_namespace"] = lineage["namespace"]
    return out


def _value_span(data: SpannedDict, name: str) -> Span:
    entry = data.node.get(name)
    return entry.value.span if entry is not None else data.node.span


def _structure(value: Any, cls: type) -> Any:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan(cls)
    return plan(value)


_PLANS: dict[type, Callable[[Any], Any]] = {}
_SCALARS: dict[object, Callable[[Any], Any]] = {str: str, int: int, float: float, bool: bool}


def _plan(cls: type) -> Callable[[Any], Any]:
    """How to build `cls` from a checked mapping of the document."""
    if cls is SecretRef:
        return _secret
    if cls is Block:
        return lambda value: Block(_property(value), value.node.span)  # type: ignore[arg-type]
    fields = attrs.fields(cls)
    names = frozenset(field.name for field in fields)
    wants_span = "span" in names
    wants_field_spans = "field_spans" in names
    converts = {
        field.name: _converter(field.type)
        for field in fields
        if field.name not in ("span", "field_spans")
    }
    spellings = cls is ObservabilityConfig

    def structure(value: SpannedDict) -> Any:
        data: Mapping[str, Any] = _observability_spellings(value) if spellings else value
        kwargs = {}
        for name, raw in data.items():
            convert = converts.get(name)
            if convert is None:
                raise ValueError(f"{cls.__name__} has no field {name!r}")
            kwargs[name] = convert(raw, value, name)
        node = value.node
        if wants_span:
            kwargs["span"] = node.span
        if wants_field_spans:
            kwargs["field_spans"] = {
                entry.key.value: entry.value.span
                for entry in node.entries
                if isinstance(entry.key, ScalarNode)
            }
        return cls(**kwargs)

    return structure


def _converter(annotation: Any) -> Convert:
    """How to structure one field's value, from its annotation (`data`, `name`: the mapping it
    is in and its key, for the span of an interpolated string)."""
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        # the schema typed it already: only a subclass (a YAML bool for an int...) is converted
        return lambda value, _data, _name: value if type(value) is scalar else scalar(value)
    if annotation in TYPED_UNIONS:
        classes = TYPED_UNIONS[annotation]
        return lambda value, _data, _name: _structure(value, classes[str(value["type"])])
    if attrs.has(annotation):
        return lambda value, _data, _name: _structure(value, annotation)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is tuple:
        item = _converter(arguments[0])
        return lambda value, data, name: tuple(item(v, data, name) for v in value)
    if origin in _MAPPING_ORIGINS:
        return _mapping_converter(arguments[1])
    if arguments and type(None) in arguments:
        members = set(arguments) - {type(None)}
        if members & {SecretRef, Interpolated} and str in members:
            return _value_union(members)
        (inner,) = members if len(members) == 1 else (typing.Union[tuple(members)],)
        convert = _converter(inner)
        return lambda value, data, name: None if value is None else convert(value, data, name)
    if arguments and {SecretRef, Interpolated} & set(arguments) and str in arguments:
        return _value_union(set(arguments))
    raise TypeError(f"no structuring for the AST annotation {annotation!r}")


def _value_union(members: set[object]) -> Convert:
    """`str` or a secret reference and/or an interpolated string (`Endpoint`, `Text`, ...)."""
    secret = SecretRef in members
    interpolated = Interpolated in members

    def convert(value: Any, data: SpannedDict, name: str) -> Any:
        if value is None:
            return None
        if secret and isinstance(value, dict):
            return _secret(value)  # type: ignore[arg-type]
        if interpolated:
            return _text(value, data, name)
        return value

    return convert


def _mapping_converter(value_type: Any) -> Convert:
    if value_type == PropertyValue:
        return lambda value, _data, _name: {k: _property(v) for k, v in value.items()}
    if attrs.has(value_type):
        return lambda value, _data, _name: {k: _structure(v, value_type) for k, v in value.items()}
    if value_type in TYPED_UNIONS:
        classes = TYPED_UNIONS[value_type]
        return lambda value, _data, _name: {
            k: _structure(v, classes[str(v["type"])]) for k, v in value.items()
        }
    # plain strings: labels, tags, properties, which may hold ${...}
    return lambda value, _data, _name: {k: _text(v, value, k) for k, v in value.items()}


_MAPPING_ORIGINS: tuple[object, ...] = (Mapping, dict)

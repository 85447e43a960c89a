"""Stage `elaborate`: checked plain data -> the typed AST.

Reads: the `SyntaxTree` (for spans) and the schema-typed data `validate` produced (mappings are
`SpannedDict`s that know their node). Writes: `FloeSpec` or `PlatformSpec`, built with cattrs,
every node with its span; `{secret_ref: ...}` mappings become `SecretRef`s and strings holding
`${...}` become `Interpolated`. Reports: FLC020 for a malformed interpolation, pointing inside
the scalar where the offset can be mapped exactly (plain and single-line quoted scalars without
escapes), else at the whole scalar.

It runs only on data that passed the schema, so a structuring failure here is a bug (FLC901).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

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
    spec = _converter().structure(data, _CLASSES[kind])
    return spec, check_interpolations(tree)


def check_interpolations(tree: SyntaxTree) -> list[Diagnostic]:
    """FLC020 for every malformed `${...}`; runs even when the schema check failed."""
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


def _text(value: Any, node: ScalarNode | None, span: Span) -> Any:
    if isinstance(value, str) and "$" in value:
        parsed = parse(value)
        if parsed is not None and not isinstance(parsed, InterpolationError) and parsed.references:
            return Interpolated(value, parsed, span)
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


_MAPPING_ORIGINS: tuple[object, ...] = (Mapping, dict)


def _may_be_interpolated(annotation: object) -> bool:
    """`Text`/`Endpoint` fields, also inside `Optional[...]`."""
    members = typing.get_args(annotation)
    return Interpolated in members or any(Interpolated in typing.get_args(m) for m in members)


@functools.cache
def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(Span, lambda value, _: value)

    def union_hook(tp: Any) -> Callable[[Any, Any], Any]:
        members = set(typing.get_args(tp))

        def structure(value: Any, _: Any) -> Any:
            if value is None and type(None) in members:
                return None
            if isinstance(value, dict) and SecretRef in members:
                return _secret(value)  # type: ignore[arg-type]
            if isinstance(value, str) and Interpolated in members:
                return value  # replaced by the enclosing class hook, which knows the span
            return value

        return structure

    def is_value_union(tp: Any) -> bool:
        args = set(typing.get_args(tp))
        return bool(args & {SecretRef, Interpolated}) and str in args

    converter.register_structure_hook_factory(is_value_union, union_hook)

    def typed_union_hook(tp: Any) -> Callable[[Any, Any], Any]:
        classes = TYPED_UNIONS[tp]
        return lambda value, _: converter.structure(value, classes[str(value["type"])])

    converter.register_structure_hook_factory(lambda tp: tp in TYPED_UNIONS, typed_union_hook)
    converter.register_structure_hook(
        Block,
        lambda value, _: Block(_property(value), value.node.span),  # type: ignore[arg-type]
    )

    def mapping_hook(tp: Any) -> Callable[[Any, Any], Any]:
        _key, value_type = typing.get_args(tp)
        if value_type is Span:  # field_spans, made by the class hook
            return lambda value, _: value
        if value_type == PropertyValue:
            return lambda value, _: {k: _property(v) for k, v in value.items()}
        if attrs.has(value_type) or value_type in TYPED_UNIONS:
            return lambda value, _: {
                k: converter.structure(v, value_type) for k, v in value.items()
            }
        return lambda value, _: {k: _text(v, None, _value_span(value, k)) for k, v in value.items()}

    converter.register_structure_hook_factory(
        lambda tp: typing.get_origin(tp) in _MAPPING_ORIGINS,
        mapping_hook,
    )

    def class_hook(cls: type) -> Callable[[Any, Any], Any]:
        names = {field.name for field in attrs.fields(cls)}
        if cls is SecretRef:
            return lambda value, _: _secret(value)
        base: Callable[[Any, Any], Any] = make_dict_structure_fn(
            cls, converter, _cattrs_forbid_extra_keys=True
        )
        hints = typing.get_type_hints(cls)
        text_fields = {name for name in names if _may_be_interpolated(hints[name])}

        def structure(value: Any, _: Any) -> Any:
            data = dict(value)
            node = value.node
            if "span" in names:
                data["span"] = node.span
            if "field_spans" in names:
                data["field_spans"] = {
                    entry.key.value: entry.value.span
                    for entry in node.entries
                    if isinstance(entry.key, ScalarNode)
                }
            if cls is ObservabilityConfig:
                data = _observability_spellings(data)
            result = base(data, cls)
            for name in text_fields & set(value):
                current = getattr(result, name)
                if isinstance(current, str):
                    replaced = _text(current, None, _value_span(value, name))
                    if replaced is not current:
                        result = attrs.evolve(result, **{name: replaced})
            return result

        return structure

    converter.register_structure_hook_factory(attrs.has, class_hook)
    return converter

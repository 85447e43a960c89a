"""The spanned syntax tree: YAML's structure with a span on every node, no Python objects built.

Nodes compare by identity: an alias makes two places share one node, and a shared node must not be
confused with an equal-looking twin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Union

import attrs

from floec.frozen import frozen
from floec.source import SourceFile
from floec.span import Span

# Scalar styles as libyaml reports them: "" plain, "'" single-quoted, '"' double-quoted,
# "|" literal block, ">" folded block.
PLAIN = ""


@frozen(eq=False)
class ScalarNode:
    value: str
    style: str
    tag: str | None
    span: Span

    @property
    def is_plain(self) -> bool:
        return self.style == PLAIN and self.tag is None


@frozen(eq=False)
class SequenceNode:
    items: tuple[Node, ...]
    tag: str | None
    span: Span
    flow: bool


@frozen(eq=False)
class Entry:
    """One `key: value` pair. `merged` is True when it came in through a `<<` merge key."""

    key: Node
    value: Node
    merged: bool = False


@frozen(eq=False)
class MappingNode:
    entries: tuple[Entry, ...]
    tag: str | None
    span: Span
    flow: bool

    def get(self, key: str) -> Entry | None:
        """The entry whose scalar key is `key` (the last one, as YAML loaders do)."""
        found = None
        for entry in self.entries:
            if isinstance(entry.key, ScalarNode) and entry.key.value == key:
                found = entry
        return found

    def keys(self) -> Iterator[str]:
        for entry in self.entries:
            if isinstance(entry.key, ScalarNode):
                yield entry.key.value


Node = Union[ScalarNode, SequenceNode, MappingNode]


def _setters(cls: type, *names: str) -> tuple[Callable[[object, object], None], ...]:
    """The slots' own setters, in field order: what a frozen class's `__init__` goes around
    `__setattr__` to reach."""
    fields = tuple(field.name for field in attrs.fields(cls))
    if fields != names:  # the constructors below set every field, in this order
        raise TypeError(f"{cls.__name__} has fields {fields}, not {names}")
    return tuple(getattr(cls, name).__set__ for name in names)


_new = object.__new__
_SCALAR = _setters(ScalarNode, "value", "style", "tag", "span")
_ENTRY = _setters(Entry, "key", "value", "merged")
_MAPPING = _setters(MappingNode, "entries", "tag", "span", "flow")


def new_scalar(value: str, style: str, tag: str | None, span: Span) -> ScalarNode:
    """`ScalarNode(value, style, tag, span)`, at two thirds of the cost: the loader makes one
    per scalar of a file, and attrs' frozen `__init__` calls `object.__setattr__` per field."""
    node: ScalarNode = _new(ScalarNode)
    set_value, set_style, set_tag, set_span = _SCALAR
    set_value(node, value)
    set_style(node, style)
    set_tag(node, tag)
    set_span(node, span)
    return node


def new_mapping(entries: tuple[Entry, ...], tag: str | None, span: Span, flow: bool) -> MappingNode:
    """`MappingNode(entries, tag, span, flow)`, as `new_scalar` makes a scalar."""
    node: MappingNode = _new(MappingNode)
    set_entries, set_tag, set_span, set_flow = _MAPPING
    set_entries(node, entries)
    set_tag(node, tag)
    set_span(node, span)
    set_flow(node, flow)
    return node


def new_entry(key: Node, value: Node) -> Entry:
    """`Entry(key, value)` (not merged), as `new_scalar` makes a scalar."""
    entry: Entry = _new(Entry)
    set_key, set_value, set_merged = _ENTRY
    set_key(entry, key)
    set_value(entry, value)
    set_merged(entry, False)
    return entry


@frozen
class SyntaxTree:
    """One YAML document of one source file."""

    source: SourceFile
    root: Node


def walk(node: Node) -> Iterator[Node]:
    """Every node under `node`, each shared node once, in document order."""
    # Nodes hash by identity (eq=False), so the set holds them directly; this runs once per
    # node of a large file, hence the local names.
    seen: set[Node] = set()
    mark = seen.add
    stack: list[Node] = [node]
    pop = stack.pop
    push = stack.append
    while stack:
        current = pop()
        if current in seen:
            continue
        mark(current)
        yield current
        kind = type(current)
        if kind is MappingNode:
            for entry in reversed(current.entries):  # type: ignore[union-attr]
                push(entry.value)
                push(entry.key)
        elif kind is SequenceNode:
            stack.extend(reversed(current.items))  # type: ignore[union-attr]

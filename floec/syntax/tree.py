"""The spanned syntax tree: YAML's structure with a span on every node, no Python objects built.

Nodes compare by identity: an alias makes two places share one node, and a shared node must not be
confused with an equal-looking twin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Union

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


@frozen
class SyntaxTree:
    """One YAML document of one source file."""

    source: SourceFile
    root: Node


def walk(node: Node) -> Iterator[Node]:
    """Every node under `node`, each shared node once, in document order."""
    seen: set[int] = set()
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, SequenceNode):
            stack.extend(reversed(current.items))
        elif isinstance(current, MappingNode):
            for entry in reversed(current.entries):
                stack.append(entry.value)
                stack.append(entry.key)

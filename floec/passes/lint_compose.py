"""A lean composer for `floec lint`: the same syntax tree as `floec.syntax.load`, built from
libyaml's events in one loop, for the files where the general composer's extra work cannot matter.

The general composer also resolves aliases and merge keys, guards against alias bombs and deep
nesting, and reports duplicate keys and tags; the lint needs none of that for an ordinary file.
So this composer handles plain documents only and gives up at the first alias, merge key,
excessive depth, or syntax error: the caller then uses the general composer, whose tree and
diagnostics are the reference. Where it does not give up, its tree is the one the general
composer builds (same nodes, styles, tags and spans).

A whole tree costs about 30 bytes per byte of YAML, so `iter_pieces` hands a large root
collection over a few thousand nodes at a time (a run of its entries or items), and the lint lets
each piece go before the next is built: memory follows the largest piece, not the file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import yaml

from floec.source import SourceFile
from floec.span import Position, Span
from floec.syntax.load import _YAML11_BREAKS, MAX_DEPTH
from floec.syntax.tree import Entry, MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree

# A document's root collection is handed over in pieces of about this many nodes, so that the
# lint holds one piece of a large file at a time instead of its whole tree.
CHUNK_NODES = 2_000


class GiveUp(Exception):
    """The general composer must decide (an alias, a merge key, excessive depth, a syntax error)."""


try:
    _Parser: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader

_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_MAPPING_END = yaml.MappingEndEvent
_SEQUENCE_END = yaml.SequenceEndEvent
_STREAM_END = yaml.StreamEndEvent
_ALIAS = yaml.AliasEvent
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _tag(tag: str | None, implicit: bool) -> str | None:
    return None if tag is None or tag == "!" or implicit else tag


def compose_plain(source: SourceFile) -> tuple[SyntaxTree, ...] | None:
    """Every document of `source`, or None when the general composer must decide."""
    try:
        return tuple(SyntaxTree(source, piece.node) for piece in iter_pieces(source, chunk=0))
    except GiveUp:
        return None


@attrs.frozen
class Piece:
    """A document's root (`partial` False), or a run of consecutive entries or items of a root
    block collection (`partial` True): then `node` holds only those, its span runs from the first
    to the last of them, and `root_line` is the root's first line."""

    node: Node
    root_line: int
    partial: bool
    document: int  # its index in the file


def iter_pieces(source: SourceFile, *, chunk: int | None = None) -> Iterator[Piece]:
    """The documents of `source` in document order, a root block collection cut into pieces of
    about `chunk` nodes (0: never cut). Raises GiveUp where the general composer must decide,
    possibly after some pieces have been handed over (the caller then starts again)."""
    if chunk is None:
        chunk = CHUNK_NODES
    name = source.name
    if any(c in source.text for c in _YAML11_BREAKS):
        raise GiveUp  # the general composer keeps YAML 1.2's (and the LSP's) line numbers
    parser = _Parser(source.text)
    roots: list[Node] = []
    out: list[Node] = roots
    # (is_mapping, tag, start position, flow, children)
    stack: list[tuple[bool, str | None, Position, bool, list[Node]]] = []
    nodes = 0  # in the root collection's current piece
    cut = False  # the current root collection has been handed over in part already
    document = 0
    try:
        while True:
            event = parser.get_event()
            kind = event.__class__
            if kind is _SCALAR:
                start, end = event.start_mark, event.end_mark
                out.append(
                    ScalarNode(
                        event.value,
                        event.style or "",
                        _tag(event.tag, event.implicit[0]),
                        Span(
                            name,
                            Position(start.line, start.column),
                            Position(end.line, end.column),
                        ),
                    )
                )
                nodes += 1
                if not stack:
                    yield Piece(roots.pop(), start.line, False, document)
                    document += 1
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if len(stack) >= MAX_DEPTH:
                    raise GiveUp
                start = event.start_mark
                out = []
                stack.append(
                    (
                        kind is _MAPPING_START,
                        _tag(event.tag, event.implicit),
                        Position(start.line, start.column),
                        bool(event.flow_style),
                        out,
                    )
                )
                nodes += 1
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                is_mapping, tag, begin, flow, children = stack.pop()
                out = stack[-1][4] if stack else roots
                if is_mapping:
                    _check_keys(children)
                if not stack and cut:
                    if children:
                        yield _part(name, is_mapping, tag, begin, children, document)
                    cut = False
                    nodes = 0
                    document += 1
                    continue
                if not flow and children:
                    # as the general composer: a block collection ends where its last child does
                    span = Span(name, begin, children[-1].span.end)
                else:
                    end = event.end_mark
                    span = Span(name, begin, Position(end.line, end.column))
                if is_mapping:
                    entries = tuple(map(Entry, children[0::2], children[1::2]))
                    out.append(MappingNode(entries, tag, span, flow))
                else:
                    out.append(SequenceNode(tuple(children), tag, span, flow))
                if not stack:
                    yield Piece(roots.pop(), begin.line, False, document)
                    nodes = 0
                    document += 1
            elif kind is _STREAM_END:
                break
            elif kind is _ALIAS:
                raise GiveUp
            if chunk and len(stack) == 1 and nodes >= chunk:
                is_mapping, tag, begin, flow, children = stack[0]
                if not flow and _can_cut(is_mapping, children):
                    if is_mapping:
                        _check_keys(children)
                    yield _part(name, is_mapping, tag, begin, children, document)
                    children.clear()
                    cut = True
                    nodes = 0
    except yaml.YAMLError as error:
        raise GiveUp from error
    finally:
        parser.dispose()


def _check_keys(children: list[Node]) -> None:
    for key in children[0::2]:
        if isinstance(key, ScalarNode) and (
            (key.value == "<<" and key.style == "" and key.tag is None) or key.tag == _MERGE_TAG
        ):
            raise GiveUp


def _can_cut(is_mapping: bool, children: list[Node]) -> bool:
    """After a whole entry, and not after a `--flag` item (the lint reads the next as its value)."""
    if not children:
        return False
    if is_mapping:
        return len(children) % 2 == 0
    last = children[-1]
    return not (isinstance(last, ScalarNode) and last.value.startswith("-"))


def _part(
    name: str,
    is_mapping: bool,
    tag: str | None,
    begin: Position,
    children: list[Node],
    document: int,
) -> Piece:
    span = Span(name, children[0].span.start, children[-1].span.end)
    node: Node
    if is_mapping:
        node = MappingNode(tuple(map(Entry, children[0::2], children[1::2])), tag, span, False)
    else:
        node = SequenceNode(tuple(children), tag, span, False)
    return Piece(node, begin.line, True, document)

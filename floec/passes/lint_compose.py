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

from collections.abc import Callable, Iterator

import yaml

from floec.frozen import frozen
from floec.source import SourceFile
from floec.span import Position, Span
from floec.syntax.load import (  # the front end's parser and event classes, for the same events
    _ALIAS,
    _MAPPING_END,
    _MAPPING_START,
    _MERGE_TAG,
    _SCALAR,
    _SEQUENCE_END,
    _SEQUENCE_START,
    _STREAM_END,
    _YAML11_BREAKS,
    MAX_DEPTH,
    _Parser,
)
from floec.syntax.tree import Entry, MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree

# A document's root collection is handed over in pieces of about this many nodes, so that the
# lint holds one piece of a large file at a time instead of its whole tree.
CHUNK_NODES = 2_000


# (children of the innermost collection; nodes read, in chunks, past which any place will do)
_MANY = 16
_FORCE = 8


class GiveUp(Exception):
    """The general composer must decide (an alias, a merge key, excessive depth, a syntax error)."""


# `Span` and `Position` made without their generated `__new__` (a Python call each): a file has
# as many scalars as lines.
new_tuple = tuple.__new__


def _tag(tag: str | None, implicit: bool) -> str | None:
    return None if tag is None or tag == "!" or implicit else tag


def compose_plain(source: SourceFile) -> tuple[SyntaxTree, ...] | None:
    """Every document of `source`, or None when the general composer must decide."""
    try:
        return tuple(SyntaxTree(source, piece.node) for piece in iter_pieces(source, chunk=0))
    except GiveUp:
        return None


@frozen
class Piece:
    """Part of a document: its root (`partial` False), or (`partial` True) the root cut down to
    what was read since the last piece. A cut collection holds only some of its children; an
    enclosing one holds its children read since the last piece and the open entry (its key again,
    in a mapping) or item leading down to the cut one. A cut collection's span runs from its
    first to its last child here. `root_line` is the root's first line."""

    node: Node
    root_line: int
    partial: bool
    document: int  # its index in the file


class Uncut(Exception):
    """A cut mapping has keys that change how its other entries are read: read it whole."""


class _Frame:
    __slots__ = ("begin", "children", "cut", "flow", "is_mapping", "keys", "tag")

    def __init__(self, is_mapping: bool, tag: str | None, begin: Position, flow: bool) -> None:
        self.is_mapping = is_mapping
        self.tag = tag
        self.begin = begin
        self.flow = flow
        self.children: list[Node] = []
        self.cut = False  # handed over in part already
        self.keys: set[str] = set()  # its watched keys, once cut


def iter_pieces(
    source: SourceFile,
    *,
    chunk: int | None = None,
    watch: frozenset[str] = frozenset(),
    whole: Callable[[set[str]], bool] = lambda keys: False,
) -> Iterator[Piece]:
    """The documents of `source` in document order, each cut into pieces of about `chunk` nodes
    (0: never cut) where block collections allow it. Raises GiveUp where the general composer
    must decide, and Uncut when `whole` holds for the `watch` keys of a mapping that has been cut,
    possibly after some pieces have been handed over (the caller then starts again)."""
    if chunk is None:
        chunk = CHUNK_NODES
    name = source.name
    if any(c in source.text for c in _YAML11_BREAKS):
        raise GiveUp  # the general composer keeps YAML 1.2's (and the LSP's) line numbers
    parser = _Parser(source.text)
    roots: list[Node] = []
    out: list[Node] = roots
    stack: list[_Frame] = []
    nodes = 0  # read since the last piece
    document = 0

    def note_keys(frame: _Frame) -> None:
        if frame.is_mapping:
            for key in frame.children[0::2]:
                if isinstance(key, ScalarNode) and key.value in watch:
                    frame.keys.add(key.value)
            if frame.keys and whole(frame.keys):
                raise Uncut

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
                        new_tuple(
                            Span,
                            (
                                name,
                                new_tuple(Position, (start.line, start.column)),
                                new_tuple(Position, (end.line, end.column)),
                            ),
                        ),
                    )
                )
                nodes += 1
                if not stack:
                    yield Piece(roots.pop(), start.line, False, document)
                    document += 1
                    nodes = 0
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if len(stack) >= MAX_DEPTH:
                    raise GiveUp
                start = event.start_mark
                frame = _Frame(
                    kind is _MAPPING_START,
                    _tag(event.tag, event.implicit),
                    Position(start.line, start.column),
                    bool(event.flow_style),
                )
                stack.append(frame)
                out = frame.children
                nodes += 1
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                frame = stack.pop()
                out = stack[-1].children if stack else roots
                children = frame.children
                if frame.is_mapping:
                    _check_keys(children)
                node: Node | None
                if frame.cut:
                    note_keys(frame)
                    node = _part(name, frame, children) if children else None
                else:
                    if not frame.flow and children:
                        # as the general composer: a block collection ends where its last child
                        # does
                        span = Span(name, frame.begin, children[-1].span.end)
                    else:
                        end = event.end_mark
                        span = Span(name, frame.begin, Position(end.line, end.column))
                    if frame.is_mapping:
                        entries = tuple(map(Entry, children[0::2], children[1::2]))
                        node = MappingNode(entries, frame.tag, span, frame.flow)
                    else:
                        node = SequenceNode(tuple(children), frame.tag, span, frame.flow)
                if not stack:
                    if node is not None:
                        yield Piece(node, frame.begin.line, frame.cut, document)
                    document += 1
                    nodes = 0
                elif node is not None:
                    out.append(node)
                elif stack[-1].is_mapping:
                    out.pop()  # nothing of the cut value is left: its key was handed over too
            elif kind is _STREAM_END:
                break
            elif kind is _ALIAS:
                raise GiveUp
            # Cut in a collection with many children: one cut inside a small mapping (a
            # Kubernetes `env` item) could part `name` from `value` (`whole`), and then the
            # document is read whole.
            if (
                chunk
                and nodes >= chunk
                and stack
                and (len(stack[-1].children) >= _MANY or nodes >= _FORCE * chunk)
                and _can_cut(stack)
            ):
                yield Piece(_cut(name, stack, note_keys), stack[0].begin.line, True, document)
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


def _is_flag(node: Node) -> bool:
    """An item the lint may read as the flag naming the next item (`--password`, then its value)."""
    return isinstance(node, ScalarNode) and node.value.startswith("-")


def _can_cut(stack: list[_Frame]) -> bool:
    """Every open collection is a block one, the innermost after a whole entry or item (not after
    a flag), and every enclosing mapping is reading a value (not a complex key)."""
    inner = stack[-1]
    children = inner.children
    if not children or (len(children) % 2 if inner.is_mapping else _is_flag(children[-1])):
        return False
    for frame in stack:
        if frame.flow:
            return False
        if frame is not inner and frame.is_mapping and len(frame.children) % 2 == 0:
            return False
    return True


def _cut(name: str, stack: list[_Frame], note_keys: Callable[[_Frame], None]) -> Node:
    """The root, holding what was read since the last piece; every open collection keeps only
    what the next piece needs again (the open entry's key, a flag before the open item)."""
    inner: Node | None = None
    for frame in reversed(stack):
        children = frame.children
        if frame.is_mapping:
            _check_keys(children)
        note_keys(frame)
        frame.cut = True
        node = _part(name, frame, children if inner is None else [*children, inner])
        if inner is None:
            children.clear()
        elif frame.is_mapping:
            del children[:-1]  # the open entry's key
        else:
            del children[: -1 if children and _is_flag(children[-1]) else len(children)]
        inner = node
    assert inner is not None
    return inner


def _part(name: str, frame: _Frame, children: list[Node]) -> Node:
    span = Span(name, children[0].span.start, children[-1].span.end)
    if frame.is_mapping:
        entries = tuple(map(Entry, children[0::2], children[1::2]))
        return MappingNode(entries, frame.tag, span, False)
    return SequenceNode(tuple(children), frame.tag, span, False)

"""A lean composer for `floec lint`: the same syntax tree as `floec.syntax.load`, built from
libyaml's events in one loop, for the files where the general composer's extra work cannot matter.

The general composer also resolves aliases and merge keys, guards against alias bombs and deep
nesting, and reports duplicate keys and tags; the lint needs none of that for an ordinary file.
So this composer handles plain documents only and gives up (returns None) at the first alias,
merge key, excessive depth or size, or syntax error: the caller then uses the general composer,
whose tree and diagnostics are the reference. Where it does not give up, its tree is the one the
general composer builds (same nodes, styles, tags and spans).
"""

from __future__ import annotations

from typing import Any

import yaml

from floec.source import SourceFile
from floec.span import Position, Span
from floec.syntax.load import MAX_DEPTH, MAX_NODES
from floec.syntax.tree import Entry, MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree

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
    name = source.name
    parser = _Parser(source.text)
    roots: list[Node] = []
    out: list[Node] = roots
    # (is_mapping, tag, start position, flow, children)
    stack: list[tuple[bool, str | None, Position, bool, list[Node]]] = []
    nodes = 0
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
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                if len(stack) >= MAX_DEPTH:
                    return None
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
                if not flow and children:
                    # as the general composer: a block collection ends where its last child does
                    span = Span(name, begin, children[-1].span.end)
                else:
                    end = event.end_mark
                    span = Span(name, begin, Position(end.line, end.column))
                if is_mapping:
                    keys = children[0::2]
                    for key in keys:
                        if isinstance(key, ScalarNode) and (
                            (key.value == "<<" and key.style == "" and key.tag is None)
                            or key.tag == _MERGE_TAG
                        ):
                            return None
                    entries = tuple(map(Entry, keys, children[1::2]))
                    out.append(MappingNode(entries, tag, span, flow))
                else:
                    out.append(SequenceNode(tuple(children), tag, span, flow))
            elif kind is _STREAM_END:
                break
            elif kind is _ALIAS:
                return None
            if nodes > MAX_NODES:
                return None
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()
    return tuple(SyntaxTree(source, root) for root in roots)

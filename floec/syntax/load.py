"""Stage `load`: source text -> spanned syntax tree.

Reads: a decoded `SourceFile`. Writes: `SyntaxTree` documents whose every node has a span.
Reports: FLC004 syntax errors (where, and what YAML expected), FLC005 duplicate keys (at the
second, related to the first), FLC006 several documents, FLC007 alias bombs, FLC008 over-deep
nesting, FLC009 tabs in indentation, FLC010 empty files, FLC011 a root that is not a mapping,
FLC012 custom tags, FLC013 bad merge keys.

The tree is built from the parser's event stream with an explicit stack (never recursion), so a
hostile file can cost neither the Python stack nor more than `MAX_ALIAS_NODES` nodes added by
aliases: aliases are shared, not copied, and what each stands for is counted every time it is
used. A plain large file is bounded by the file size limit, not by this budget.

U+0085, U+2028 and U+2029 are line breaks to YAML 1.1 (libyaml) but not to YAML 1.2 or an editor:
the parser is given stand-ins, so lines are counted as the LSP counts them (\\n, \\r\\n, \\r).
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from floec.diagnostics.model import Diagnostic, Related, make
from floec.frozen import frozen
from floec.source import SourceFile
from floec.span import Position, Span
from floec.syntax.tree import (
    Entry,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    SyntaxTree,
    new_entry,
    new_mapping,
    new_scalar,
)

try:  # libyaml's C parser when present; the pure-Python one gives the same events.
    _Parser: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader

_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_MAPPING_END = yaml.MappingEndEvent
_SEQUENCE_END = yaml.SequenceEndEvent
_ALIAS = yaml.AliasEvent
_DOCUMENT_START = yaml.DocumentStartEvent
_STREAM_END = yaml.StreamEndEvent
_new_tuple = tuple.__new__

MAX_DEPTH = 64
# How many nodes aliases may add by expansion (what `*ref` stands for, counted each time it is
# used); the document's own nodes are bounded by the file size limit instead. Configurable with
# FLOEC_MAX_ALIAS_NODES (docs/security.md).
MAX_ALIAS_NODES = 100_000

# Line breaks to YAML 1.1 (libyaml) but not to YAML 1.2, an editor or the LSP: the parser sees a
# stand-in character, so a comment holding one stays a comment and line numbers stay the user's.
_YAML11_BREAKS = "\x85\u2028\u2029"


def max_alias_nodes() -> int:
    value = os.environ.get("FLOEC_MAX_ALIAS_NODES", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else MAX_ALIAS_NODES


_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "binary")
)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Fatal(Exception):
    """Stops composing; carries the diagnostic that explains why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Frame:
    """A collection being composed. Plain classes here: attrs would generate code at import."""

    __slots__ = ("anchor", "children", "extra", "flow", "is_mapping", "start", "tag")

    def __init__(
        self, is_mapping: bool, start: Any, tag: str | None, anchor: str | None, flow: bool
    ) -> None:
        self.is_mapping = is_mapping
        self.start = start  # the start event's mark
        self.tag = tag
        self.anchor = anchor
        self.flow = flow
        self.children: list[Node] = []
        # Its size (for the alias budget) is 1 + len(children) + extra: each child counts one
        # node, and a collection or alias child adds what it holds beyond that.
        self.extra = 0


class _Composer:
    def __init__(self, source: SourceFile, allow_custom_tags: bool) -> None:
        self.source = source
        self.allow_custom_tags = allow_custom_tags
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}
        self.stack: list[_Frame] = []
        self.documents: list[Node] = []
        self.document_starts: list[Span] = []
        self.expanded = 0
        self.alias_budget = max_alias_nodes()
        self.restore: dict[int, int] = {}

    def span(self, start: Any, end: Any) -> Span:
        return Span.of(self.source.name, start.line, start.column, end.line, end.column)

    def parser_text(self) -> str:
        text = self.source.text
        breaks = [c for c in _YAML11_BREAKS if c in text]
        if not breaks:
            return text
        stand_ins = (chr(c) for c in range(0xE000, 0xF8FF) if chr(c) not in text)
        mapping = {ord(b): ord(next(stand_ins)) for b in breaks}
        self.restore = {v: k for k, v in mapping.items()}
        return text.translate(mapping)

    def run(self) -> None:
        """Every event in one loop, a large file's hundred thousand of them: scalars, most of
        its nodes, are made inline (spans built as tuples directly)."""
        parser = _Parser(self.parser_text())
        name = self.source.name
        restore = self.restore
        stack = self.stack
        anchors = self.anchors
        sizes = self.sizes
        documents = self.documents
        get_event = parser.get_event
        new = _new_tuple
        children: list[Node] | None = None  # those of the innermost open collection
        try:
            while True:
                event = get_event()
                kind = type(event)
                if kind is _SCALAR:
                    start = event.start_mark
                    end = event.end_mark
                    span = new(
                        Span,
                        (
                            name,
                            new(Position, (start.line, start.column)),
                            new(Position, (end.line, end.column)),
                        ),
                    )
                    tag = event.tag
                    if tag is not None:
                        tag = self.check_tag(tag, event, implicit=event.implicit[0])
                    value = event.value
                    if restore:
                        value = value.translate(restore)
                    node: Node = new_scalar(value, event.style or "", tag, span)
                    anchor = event.anchor
                    if anchor is not None:
                        anchors[anchor] = node
                        sizes[id(node)] = 1
                    if children is None:
                        documents.append(node)
                    else:
                        children.append(node)
                elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                    frame = stack.pop()
                    node = self.close(frame, event)
                    size = 1 + len(frame.children) + frame.extra
                    if frame.anchor is not None:
                        anchors[frame.anchor] = node
                        sizes[id(node)] = size
                    if stack:
                        parent = stack[-1]
                        children = parent.children
                        children.append(node)
                        parent.extra += size - 1
                    else:
                        children = None
                        documents.append(node)
                elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                    children = self.open(event, kind is _MAPPING_START)
                elif kind is _ALIAS:
                    self.alias(event)
                elif kind is _DOCUMENT_START:
                    self.document_starts.append(self.span(event.start_mark, event.end_mark))
                elif event is None or kind is _STREAM_END:
                    break
        finally:
            parser.dispose()

    def open(self, event: Any, is_mapping: bool) -> list[Node]:
        """A collection starts: its (empty) list of children."""
        if len(self.stack) >= MAX_DEPTH:
            raise _Fatal(
                make(
                    "FLC008",
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    self.span(event.start_mark, event.end_mark),
                    help="configuration this deep is almost certainly generated by mistake",
                )
            )
        tag = event.tag
        if tag is not None:
            tag = self.check_tag(tag, event, implicit=event.implicit)
        frame = _Frame(is_mapping, event.start_mark, tag, event.anchor, bool(event.flow_style))
        self.stack.append(frame)
        return frame.children

    def close(self, frame: _Frame, event: Any) -> Node:
        """The node of a collection that ends with `event`."""
        children = frame.children
        start = frame.start
        if not frame.flow and children:
            # A block collection's end event sits at the next token, often lines below;
            # the last child's end is where the user's collection visibly ends.
            end = children[-1].span.end
        else:
            mark = event.end_mark
            end = _new_tuple(Position, (mark.line, mark.column))
        span = _new_tuple(
            Span, (self.source.name, _new_tuple(Position, (start.line, start.column)), end)
        )
        if frame.is_mapping:
            return new_mapping(self.entries(children), frame.tag, span, frame.flow)
        return SequenceNode(tuple(children), frame.tag, span, frame.flow)

    def check_tag(self, tag: str | None, event: Any, *, implicit: bool) -> str | None:
        if tag is None or tag == "!" or implicit:
            return None
        if tag not in _STANDARD_TAGS and not self.allow_custom_tags:
            self.diagnostics.append(
                make(
                    "FLC012",
                    f"the YAML tag {tag} is not supported here; floec never constructs custom tags",
                    self.span(event.start_mark, event.start_mark),
                    help="remove the tag; write the value as plain YAML",
                )
            )
        return tag

    def alias(self, event: Any) -> None:
        span = self.span(event.start_mark, event.end_mark)
        if any(frame.anchor == event.anchor for frame in self.stack):
            raise _Fatal(
                make("FLC007", f"the alias *{event.anchor} refers to a node that contains it", span)
            )
        target = self.anchors.get(event.anchor)
        if target is None:
            raise _Fatal(
                make(
                    "FLC004",
                    f"YAML syntax error: the alias *{event.anchor} refers to no anchor "
                    f"&{event.anchor} defined before it",
                    span,
                    help="define the anchor before the first alias that uses it",
                )
            )
        size = self.sizes[id(target)]
        self.expanded += size
        if self.expanded > self.alias_budget:
            raise _Fatal(
                make(
                    "FLC007",
                    f"aliases expand this document by more than {self.alias_budget:,} nodes",
                    span,
                    help="a configuration file never needs this much repetition; this looks like "
                    "an alias bomb ('billion laughs'). The budget is FLOEC_MAX_ALIAS_NODES "
                    "(docs/security.md)",
                )
            )
        self.add(target, size, None)

    def add(self, node: Node, size: int, anchor: str | None) -> None:
        if anchor is not None:  # only what an alias can refer to needs its size kept
            self.anchors[anchor] = node
            self.sizes[id(node)] = size
        if not self.stack:
            self.documents.append(node)
            return
        frame = self.stack[-1]
        frame.children.append(node)
        frame.extra += size - 1

    def entries(self, children: list[Node]) -> tuple[Entry, ...]:
        own: list[Entry] = []
        merged: list[Entry] = []
        first_seen: dict[str, ScalarNode] = {}
        for index in range(0, len(children), 2):
            key = children[index]
            value = children[index + 1]
            if type(key) is ScalarNode:
                text = key.value
                tag = key.tag
                if (text == "<<" and key.style == "" and tag is None) or tag == _MERGE_TAG:
                    merged.extend(self.merge_sources(key, value))
                    continue
                earlier = first_seen.setdefault(text, key)
                if earlier is not key:
                    self.diagnostics.append(
                        make(
                            "FLC005",
                            f"duplicate key '{text}': the later value would silently replace "
                            "the earlier one",
                            key.span,
                            related=(Related(earlier.span, "first defined here"),),
                            help="remove one of the two, or rename it",
                        )
                    )
            own.append(new_entry(key, value))
        if merged:
            taken = set(first_seen)
            for entry in merged:  # explicit keys override merged ones; earlier merges win
                if isinstance(entry.key, ScalarNode):
                    if entry.key.value in taken:
                        continue
                    taken.add(entry.key.value)
                own.append(Entry(entry.key, entry.value, merged=True))
        return tuple(own)

    def merge_sources(self, key: ScalarNode, value: Node) -> list[Entry]:
        sources = value.items if isinstance(value, SequenceNode) else (value,)
        if not all(isinstance(source, MappingNode) for source in sources):
            self.diagnostics.append(
                make(
                    "FLC013",
                    "a '<<' merge key takes a mapping or a list of mappings",
                    value.span,
                    related=(Related(key.span, "merge key"),),
                )
            )
            return []
        return [
            entry
            for source in sources
            if isinstance(source, MappingNode)
            for entry in source.entries
        ]


def _syntax_error(source: SourceFile, error: yaml.YAMLError) -> Diagnostic:
    name = source.name
    if isinstance(error, yaml.reader.ReaderError):
        position = int(error.position)
        before = source.text[:position]
        line = before.count("\n")
        column = position - (before.rfind("\n") + 1)
        char = source.text[position] if position < len(source.text) else ""
        return make(
            "FLC004",
            f"YAML syntax error: the character U+{ord(char):04X} is not allowed in YAML text"
            if char
            else f"YAML syntax error: {error.reason}",
            Span.of(name, line, column, line, column + 1),
            help="remove the control character (it is often pasted in by accident)",
        )
    problem = getattr(error, "problem", None) or str(error)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line if mark is not None else 0
    column = mark.column if mark is not None else 0
    text_line = source.line(line)
    indent = text_line[: len(text_line) - len(text_line.lstrip(" \t"))]
    if "\t" in indent and column <= len(indent):
        tab = indent.index("\t")
        return make(
            "FLC009",
            "a tab is used for indentation; YAML allows only spaces there",
            Span.of(name, line, tab, line, tab + 1),
            help="replace the tab with spaces (most editors: 'convert indentation to spaces')",
        )
    if "maximum nesting depth" in problem:  # libyaml's own limit, met while scanning ahead
        return make(
            "FLC008",
            f"the document nests deeper than {MAX_DEPTH} levels",
            Span.of(name, line, column, line, column + 1),
            help="configuration this deep is almost certainly generated by mistake",
        )
    message = f"YAML syntax error: {problem}"
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    notes: tuple[str, ...] = ()
    if context and context_mark is not None:
        notes = (
            f"{context} that starts at line {context_mark.line + 1}, column "
            f"{context_mark.column + 1}",
        )
    end = column + 1 if column < len(text_line) else column
    return make(
        "FLC004",
        message,
        Span.of(name, line, column, line, end),
        help=_syntax_help(problem, text_line, column),
        notes=notes,
    )


def _syntax_help(problem: str, line: str, column: int) -> str | None:
    if "mapping values are not allowed" in problem:
        return "a value that contains ': ' must be quoted, e.g. key: \"a: b\""
    if "cannot start any token" in problem:
        char = line[column : column + 1]
        return f"a value starting with '{char}' must be quoted" if char else None
    if "could not find expected ':'" in problem:
        return "every key in a mapping needs a ':' after it"
    if "did not find expected key" in problem:
        return "check the indentation of this line against the lines above it"
    if "expected ',' or ']'" in problem:
        return "a flow sequence '[' needs its closing ']'"
    if "expected ',' or '}'" in problem:
        return "a flow mapping '{' needs its closing '}'"
    if "found unexpected end of stream" in problem:
        return "a quoted string is not closed"
    return None


@frozen
class Documents:
    """All documents of a stream, and the spans where each document starts."""

    trees: tuple[SyntaxTree, ...]
    starts: tuple[Span, ...]


def compose_documents(
    source: SourceFile, *, allow_custom_tags: bool = True
) -> tuple[Documents, list[Diagnostic]]:
    """Every document of a YAML stream (for `floec lint`, which accepts any YAML)."""
    composer = _Composer(source, allow_custom_tags)
    try:
        composer.run()
    except _Fatal as fatal:
        return Documents((), ()), [*composer.diagnostics, fatal.diagnostic]
    except yaml.YAMLError as error:
        return Documents((), ()), [*composer.diagnostics, _syntax_error(source, error)]
    trees = tuple(SyntaxTree(source, root) for root in composer.documents)
    return Documents(trees, tuple(composer.document_starts)), composer.diagnostics


def load_config(source: SourceFile) -> tuple[SyntaxTree | None, list[Diagnostic]]:
    """Exactly one document whose root is a mapping: what floe.yaml and platform.yaml must be."""
    documents, diagnostics = compose_documents(source, allow_custom_tags=False)
    if any(d.code in _FATAL_CODES for d in diagnostics):
        return None, diagnostics
    trees = documents.trees
    if len(trees) > 1:
        diagnostics.append(
            make(
                "FLC006",
                f"the file holds {len(trees)} YAML documents; a configuration file holds one",
                documents.starts[1],
                help="remove the '---' line and everything after it, or move it to its own file",
            )
        )
        return None, diagnostics
    root = trees[0].root if trees else None
    if root is None or (isinstance(root, ScalarNode) and root.is_plain and root.value == ""):
        diagnostics.append(
            make(
                "FLC010",
                "the file is empty",
                Span.whole_file(source.name),
                help="a configuration file is a YAML mapping, e.g. 'version: 1.0.0'",
            )
        )
        return None, diagnostics
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        span = root.span
        lines = span.end.line - span.start.line + 1
        if lines > 1:  # described, not quoted: this may be any file (an .env, a key)
            kind += f" of {lines} lines"
            first = source.line(span.start.line)
            span = Span.of(
                source.name, span.start.line, span.start.column, span.start.line, len(first)
            )
        diagnostics.append(
            make(
                "FLC011",
                f"the document is {kind}; it must be a mapping of keys to values",
                span,
                help="write 'key: value' lines at the top level",
            )
        )
        return None, diagnostics
    return trees[0], diagnostics


_FATAL_CODES = frozenset({"FLC004", "FLC007", "FLC008", "FLC009"})

"""Where the cursor is in a YAML document, from the text alone.

While a user types, the document is often not valid YAML (`catal` on a line of its own), so
completion cannot wait for the syntax tree: the key path is read from the indentation of the lines
above, as a person reads it. Each level of the path keeps the scalar values of its mapping (its
siblings), so a union chosen by `type` or `mode` can be resolved at any depth.

A path is a tuple of keys, with `[]` standing for "an item of this sequence".

>>> c = cursor_at("compute:\\n  default:\\n    type: duckdb\\n    pro", 3, 7)
>>> c.path, c.on_key, c.prefix, c.frames[-1]["type"]
(('compute', 'default'), True, 'pro', 'duckdb')
"""

from __future__ import annotations

import re

import attrs

from floec.span import Position
from floec.syntax.tree import MappingNode, Node, ScalarNode, SequenceNode

ITEM = "[]"
_LINE = re.compile(r"^( *)((?:-(?: +|$))*)(.*)$")
_KEY = re.compile(
    r"""^("[^"]*"|'[^']*'|[^\s#:{}\[\],'"-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+|$)(.*)$"""
)
_WORD = re.compile(r"[\w.\-]*$")


@attrs.frozen
class Line:
    indent: int
    dashes: tuple[int, ...]  # columns of the `- ` markers before the content
    content_col: int
    key: str | None
    value: str  # after `key:`, comment dropped; the content itself when there is no key
    blank: bool


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _strip_comment(text: str) -> str:
    found = re.search(r"(^|\s)#", text)
    return text[: found.start()].rstrip() if found else text.rstrip()


def parse_line(text: str) -> Line:
    match = _LINE.match(text)
    assert match is not None
    indent = len(match.group(1))
    dash_text = match.group(2)
    dashes = tuple(indent + i for i, ch in enumerate(dash_text) if ch == "-")
    content = match.group(3)
    blank = not content.strip() or content.lstrip().startswith("#")
    key_match = _KEY.match(content)
    if key_match:
        key = _unquote(key_match.group(1).strip())
        value = _strip_comment(key_match.group(2))
    else:
        key, value = None, _strip_comment(content)
    return Line(indent, dashes, indent + len(dash_text), key, value, blank and not dashes)


def _siblings(lines: list[Line], at: int, col: int) -> dict[str, str]:
    """The `key: scalar` pairs of the mapping whose keys sit at `col` and that holds line `at`."""
    found: dict[str, str] = {}

    def take(line: Line) -> None:
        if line.key is not None and line.content_col == col:
            found.setdefault(line.key, _unquote(line.value.strip()))

    take(lines[at])
    # upwards until the line that starts this mapping (a `- ` at col - 2) or a shallower one
    for index in range(at - 1, -1, -1):
        line = lines[index]
        if line.blank:
            continue
        if line.content_col < col and not (line.dashes and line.content_col == col):
            break
        take(line)
        if line.dashes and line.content_col == col:
            break
    for index in range(at + 1, len(lines)):
        line = lines[index]
        if line.blank:
            continue
        if line.content_col < col or (line.dashes and line.dashes[-1] < col):
            break
        take(line)
    return found


@attrs.frozen
class Cursor:
    """The cursor's place: the path of the mapping it is in, and whether it is on a key (a field
    name goes there) or on the value of `key`."""

    path: tuple[str, ...]
    on_key: bool
    key: str | None
    prefix: str  # what is typed so far of the word under the cursor
    frames: tuple[dict[str, str], ...]  # per level of `path` (and the cursor's own mapping last)
    in_flow: bool = False

    @property
    def value_path(self) -> tuple[str, ...]:
        """The path of the value under the cursor (on a key: its mapping)."""
        return (*self.path, self.key) if self.key is not None and not self.on_key else self.path


def cursor_at(text: str, line_no: int, column: int) -> Cursor:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while len(raw) <= line_no:
        raw.append("")
    current = raw[line_no]
    before = current[:column]
    lines = [parse_line(t) for t in raw]
    here = parse_line(before)
    prefix = _WORD.search(before)
    word = prefix.group(0) if prefix else ""
    # what the cursor is on
    flow_path: tuple[str, ...] = ()
    in_flow = False
    if here.key is not None:
        col = here.content_col
        key: str | None = here.key
        value = here.value
        if "{" in value:  # a flow mapping on this line: `catalog: {secret_ref: na`
            inner = value[value.rindex("{") + 1 :].split(",")[-1]
            flow_path, in_flow = (here.key,), True
            if ":" in inner:
                key = inner.split(":", 1)[0].strip()
                on_key = False
            else:
                key, on_key = None, True
        elif "[" in value:  # a flow sequence: `watched_jobs: [a, b`
            flow_path, in_flow, key, on_key = (here.key, ITEM), True, None, False
        else:
            on_key = False
        if not on_key:
            typed = re.search(r"[^\s\[\]{},'\":]*$", value.split(":")[-1] if in_flow else value)
            word = typed.group(0) if typed else ""
    else:
        col = here.content_col
        key, on_key = None, True
        if here.dashes and not before[here.content_col :].strip():
            col = here.content_col
    if not before.strip() and not here.dashes:
        col = column
    frames: list[dict[str, str]] = []
    path: list[str] = []
    # The cursor's own mapping
    own = _siblings([*lines[:line_no], here, *lines[line_no + 1 :]], line_no, col)
    seq_dash = here.dashes[-1] if here.dashes and here.dashes[-1] + 2 <= col else None
    frames.append(own)
    index = line_no
    while index > 0:
        index -= 1
        line = lines[index]
        if line.blank:
            continue
        if seq_dash is not None:
            if line.dashes and seq_dash in line.dashes:
                continue  # an earlier item of the same sequence
            if line.content_col > seq_dash:
                continue  # inside an earlier item
            if line.key is not None and line.content_col <= seq_dash:
                path[:0] = [line.key, ITEM]
                col = line.content_col
                frames.insert(0, {})
                frames.insert(0, _siblings(lines, index, col))
                seq_dash = line.dashes[-1] if line.dashes else None
                continue
            break
        if line.content_col == col and line.dashes and line.key is not None:
            seq_dash = line.dashes[-1]  # the mapping at col is an item of a sequence
            continue
        if line.content_col >= col:
            continue
        if line.key is not None and not line.value:
            path.insert(0, line.key)
            col = line.content_col
            frames.insert(0, _siblings(lines, index, col))
            if line.dashes:
                seq_dash = line.dashes[-1]
            continue
        break
    # frames[i] is the mapping holding path[i]; the last one is the cursor's own mapping.
    full = (*path, *flow_path)
    frames_out = list(frames)
    for _ in flow_path:
        frames_out.append({})
    return Cursor(full, on_key, key, word, tuple(frames_out), in_flow)


# -- over a parsed tree -----------------------------------------------------------------------


@attrs.frozen
class Found:
    """The node under a position: its path, and whether the position is on a key."""

    path: tuple[str | int, ...]
    node: Node
    on_key: bool
    parent: MappingNode | None  # the mapping holding the entry, when any


def _inside(node: Node, position: Position) -> bool:
    span = node.span
    return span.start <= position <= span.end


def node_at(root: Node, position: Position) -> Found | None:
    """The innermost scalar (key or value) at `position`, or the innermost collection."""
    path: list[str | int] = []
    node = root
    parent: MappingNode | None = None
    while True:
        if isinstance(node, MappingNode):
            for entry in node.entries:
                key_text = entry.key.value if isinstance(entry.key, ScalarNode) else "?"
                if _inside(entry.key, position):
                    return Found((*path, key_text), entry.key, True, node)
                if _inside(entry.value, position) and not entry.merged:
                    path.append(key_text)
                    parent = node
                    node = entry.value
                    break
            else:
                return Found(tuple(path), node, False, parent)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.items):
                if _inside(item, position):
                    path.append(index)
                    node = item
                    break
            else:
                return Found(tuple(path), node, False, parent)
        else:
            return Found(tuple(path), node, False, parent)


def lookup(root: Node, path: tuple[str | int, ...]) -> Node | None:
    node: Node | None = root
    for part in path:
        if isinstance(node, MappingNode) and isinstance(part, str):
            entry = node.get(part)
            node = entry.value if entry is not None else None
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            node = node.items[part] if 0 <= part < len(node.items) else None
        else:
            return None
    return node


def key_node(root: Node, path: tuple[str | int, ...]) -> ScalarNode | None:
    """The key scalar of the entry at `path` (a mapping entry)."""
    if not path or not isinstance(path[-1], str):
        return None
    parent = lookup(root, path[:-1])
    if not isinstance(parent, MappingNode):
        return None
    entry = parent.get(path[-1])
    return entry.key if entry is not None and isinstance(entry.key, ScalarNode) else None


def matches(path: tuple[str | int, ...], pattern: tuple[str, ...]) -> bool:
    """`pattern` over a path: `*` any key, `[]` any sequence index."""
    if len(path) != len(pattern):
        return False
    for part, want in zip(path, pattern, strict=True):
        if want == ITEM:
            if not isinstance(part, int) and part != ITEM:
                return False
        elif want != "*" and part != want:
            return False
    return True

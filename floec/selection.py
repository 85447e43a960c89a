"""Asset selections (items of `orchestration.jobs.*.selection`), parsed with grammar/selection.lark.

An item is one selector in Dagster's string syntax, and everything accepted here is accepted by
Dagster's `AssetSelection.from_string` with the same meaning, except floec's `asset:NAME` (an exact
asset key; Dagster spells it `key:`). The two syntaxes Dagster tries in turn differ on depths, and
so does this module:

- a plain name (Dagster's older syntax, tried when the newer one fails): `orders`, `raw/orders`;
  `+orders` is one layer upstream, `++orders` two, `*orders` every layer; the same after the name
  for downstream (`orders+`, `orders*`); no numbers (`2+orders` is an error: write `++orders`);
- an attribute (the newer syntax): `key:orders` (with `*` wildcards: `key:stg_*`), `asset:orders`,
  `group:bronze`, `tag:silver`, `tag:team=data`, `kind:dbt`, values optionally in double quotes;
  `+group:bronze` is *every* layer upstream and `2+group:bronze` two; `group:bronze+` and
  `group:bronze+2` likewise downstream; `++group:bronze` and `*group:bronze` are errors;
- `*`, every asset.

Dagster's `and`/`or`/`not`, parentheses, functions and other attributes (`owner:`, `status:`, ...)
are refused with a message: the items of a job's selection are already combined with `or`.
`Selection.dagster` is the same selection written so that Dagster's newer syntax reads it (quoted,
with explicit depths); generated code should pass that rather than the text as written.

Offsets are code points into the string. The commonest shapes are recognised with a regular
expression that produces what the grammar would, so lark is imported only for the others.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Literal, NoReturn, cast

from floec import grammars
from floec.frozen import frozen

if TYPE_CHECKING:
    from lark import Lark, Token, Tree

Kind = Literal["all", "asset", "group", "tag", "kind"]

ATTRIBUTES = ("key", "asset", "group", "tag", "kind")
# Attributes Dagster knows that a floe.yaml selection does not take.
_DAGSTER_ONLY = (
    "owner",
    "is",
    "code_location",
    "status",
    "column",
    "table_name",
    "column_tag",
    "changed_in_branch",
    "partitions",
    "automation_type",
    "sensor",
    "schedule",
    "job",
    "not_materialized_in_hours",
)
# Words Dagster's newer syntax reads as keywords, never as an unquoted value; sensor, schedule
# and job are values everywhere but in key:.
_KEY_ONLY_KEYWORDS = frozenset(("sensor", "schedule", "job"))
_KEYWORDS = frozenset(
    ("key", "group", "tag", "kind", "sinks", "roots", "and", "or", "not", "AND", "OR", "NOT")
) | (frozenset(_DAGSTER_ONLY) - _KEY_ONLY_KEYWORDS)

_UNQUOTED = re.compile(r"[A-Za-z_][A-Za-z0-9_/]*")  # Dagster's unquoted value
_UNQUOTED_WILDCARD = re.compile(r"[A-Za-z_*][A-Za-z0-9_*/]*")  # ... in key:
_LEGACY_NAME = re.compile(r"[\w./\[\]?-]+")  # Dagster's older syntax: an asset key
_TAG_LEGACY = re.compile(r'[^\s"\\+*:=(),]+')  # tag:k=v on its own: Dagster splits at '='

HELP = (
    "a selection item is one of: * (every asset); an asset key such as orders or raw/orders, "
    "with +orders / ++orders / *orders for 1, 2 or every layer upstream and orders+ / orders++ / "
    "orders* downstream; key:orders (key:stg_* with wildcards) or asset:orders; group:bronze; "
    "tag:silver or tag:team=data; kind:dbt; an attribute takes 2+group:bronze / group:bronze+2 "
    "for two layers and +group:bronze / group:bronze+ for every layer; quote a value that is not "
    'a plain name, as in key:"my-asset"; list several items to select their union'
)


@frozen
class Selection:
    """One selector.

    `name` is the asset key path (`raw/orders`; it may contain `*` wildcards when `pattern`),
    the group, the tag key or the kind, `*` for everything; `value` is the tag value of
    `tag:key=value`. `upstream` / `downstream` are the layers selected on either side: 0 for
    none, None for every layer. `start`/`end` span the name (and value) in the text."""

    kind: Kind
    name: str
    value: str | None = None
    upstream: int | None = 0
    downstream: int | None = 0
    pattern: bool = False
    start: int = 0
    end: int = 0

    @property
    def key_path(self) -> tuple[str, ...]:
        """The parts of an asset key (`raw/orders` -> ("raw", "orders")); () for other kinds."""
        return tuple(self.name.split("/")) if self.kind == "asset" else ()

    @property
    def dagster(self) -> str:
        """The selection in Dagster's newer string syntax, with explicit depths."""
        if self.kind == "all":
            return "*"
        attribute = "key" if self.kind == "asset" else self.kind
        body = f'{attribute}:"{self.name}"'
        if self.value is not None:
            body += f'="{self.value}"'
        up = "" if self.upstream == 0 else "+" if self.upstream is None else f"{self.upstream}+"
        down = (
            ""
            if self.downstream == 0
            else "+"
            if self.downstream is None
            else f"+{self.downstream}"
        )
        return up + body + down


@frozen
class SelectionError:
    """Where (code points [start, end) into the string) and what is wrong, and how to write it."""

    start: int
    end: int
    message: str
    help: str = HELP


# --- what the grammar and the fast path both produce ---------------------------------------------


@frozen
class _Piece:
    text: str  # without quotes
    start: int  # of what was written, quotes included
    end: int
    quoted: bool = False


@frozen
class _Parsed:
    style: Literal["all", "legacy", "attribute"]
    up: _Piece | None = None
    attribute: _Piece | None = None  # without the colon; span without it too
    name: _Piece | None = None
    value: _Piece | None = None
    down: _Piece | None = None


class _Invalid(Exception):
    def __init__(self, error: SelectionError) -> None:
        self.error = error


@functools.lru_cache(maxsize=1024)  # results are immutable; editors re-check the same strings
def parse_selection(text: str) -> Selection | SelectionError:
    """The selector, or the first thing wrong with it."""
    return _parse(text, fast=True)


def _parse(text: str, fast: bool) -> Selection | SelectionError:
    parsed = _fast(text) if fast else None
    if parsed is None:
        slow = _slow(text)
        if isinstance(slow, SelectionError):
            return slow
        parsed = slow
    try:
        return _check(parsed)
    except _Invalid as invalid:
        return invalid.error


# --- the fast path ------------------------------------------------------------------------------

_FAST = re.compile(
    r"\s*(?:(?P<all>\*)"
    r"|(?P<up>\+*)(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)(?P<down>\+*)"
    r"|(?P<attribute>[a-z]+):(?P<value>[A-Za-z_][A-Za-z0-9_]*))\s*"
)


def _fast(text: str) -> _Parsed | None:
    match = _FAST.fullmatch(text)
    if match is None:
        return None

    def piece(group: str) -> _Piece | None:
        if not match.group(group):
            return None
        return _Piece(match.group(group), match.start(group), match.end(group))

    if match.group("all"):
        return _Parsed("all")
    if match.group("name"):
        return _Parsed("legacy", up=piece("up"), name=piece("name"), down=piece("down"))
    return _Parsed("attribute", attribute=piece("attribute"), name=piece("value"))


# --- the grammar --------------------------------------------------------------------------------


def _parser(strict: bool = False) -> Lark:
    return grammars.parser("selection.lark", strict)


def _slow(text: str) -> _Parsed | SelectionError:
    from lark import Token, Tree

    stripped = text.rstrip()  # offsets stay the same: only the end goes
    tree = grammars.parse("selection.lark", stripped)
    if isinstance(tree, int):
        return _syntax_error(stripped, tree)

    (selection,) = tree.children
    assert isinstance(selection, Tree)
    if selection.data == "everything":
        return _Parsed("all")
    parts: dict[str, _Piece] = {}
    for child in selection.children:
        if isinstance(child, Token):  # the WORD of a plain name
            parts["name"] = _token_piece(child)
        elif child.data == "attribute":
            attribute, *values = child.children
            assert isinstance(attribute, Token)
            piece = _token_piece(attribute)
            parts["attribute"] = _Piece(piece.text[:-1], piece.start, piece.end - 1)
            trees = [v for v in values if isinstance(v, Tree)]
            parts["name"] = _value_piece(trees[0])
            if len(trees) > 1:
                parts["value"] = _value_piece(trees[1])
        else:
            side = "up" if child.data in ("legacy_up", "attribute_up") else "down"
            parts[side] = _Piece(
                "".join(str(t) for t in child.children), child.meta.start_pos, child.meta.end_pos
            )
    style: Literal["legacy", "attribute"] = "legacy" if selection.data == "clause" else "attribute"
    return _Parsed(style, **parts)


def _token_piece(token: Token) -> _Piece:
    assert token.start_pos is not None and token.end_pos is not None
    return _Piece(str(token), token.start_pos, token.end_pos)


def _value_piece(tree: Tree[Token]) -> _Piece:
    from lark import Token

    tokens = [t for t in tree.children if isinstance(t, Token)]
    first, last = _token_piece(tokens[0]), _token_piece(tokens[-1])
    if tokens[0].type == "QUOTED":
        return _Piece(first.text[1:-1], first.start, first.end, quoted=True)
    return _Piece("".join(str(t) for t in tokens), first.start, last.end)


def _syntax_error(text: str, position: int) -> SelectionError:
    def error(message: str, end: int | None = None) -> SelectionError:
        return SelectionError(position, position + 1 if end is None else end, message)

    body = text.strip()
    if not body:
        return SelectionError(0, len(text), "the selection is empty: write *, a name or group:NAME")
    before = text[:position].rstrip()
    if position >= len(text):
        if before.endswith("="):
            return SelectionError(position, position, "a tag value must follow '='")
        if before.endswith(":"):
            attribute = re.search(r"[A-Za-z_][A-Za-z0-9_]*:$", before)
            shown = attribute.group() if attribute else ":"
            return SelectionError(position, position, f"a name must follow '{shown}'")
        return SelectionError(
            position, position, f"the selection ends after '{before[-1:]}': a name must follow"
        )
    character = text[position]
    if character.isspace():
        word = re.match(r"\s*(\w+)", text[position:])
        if word and word.group(1).lower() in ("and", "or", "not"):
            return error(
                f"Dagster's '{word.group(1)}' is not supported in a floe.yaml selection: give "
                "one selector per item; the items of a job's selection are combined with 'or'",
                position + len(word.group()),
            )
        return error("a selector has no spaces outside double quotes", position + 1)
    if character == ",":
        return error("one selector per item: list each as its own item of the selection")
    if character in "()":
        return error(
            "parentheses and Dagster's functions (sinks(...), roots(...)) are not supported in a "
            "floe.yaml selection"
        )
    lead = len(text) - len(text.lstrip())

    def prefix(match: re.Match[str], message: str) -> SelectionError:
        return SelectionError(lead + match.start(1), lead + match.end(1), message)

    numbered_up = re.match(r"(\d+\+)[^\s:]*$", body)  # 2+orders
    if numbered_up:
        return prefix(
            numbered_up,
            "a numbered depth such as '2+' goes with an attribute, as in 2+key:orders; "
            "for a plain name, repeat the '+': ++orders",
        )
    numbered_down = re.match(r"[^\s+*:]+(\+\d+)$", body)  # orders+2
    if numbered_down:
        return prefix(
            numbered_down,
            "a numbered depth such as '+2' goes with an attribute, as in key:orders+2; "
            "for a plain name, repeat the '+': orders++",
        )
    legacy_up = re.match(r"(\*\+*|\+\++)[A-Za-z_][A-Za-z0-9_]*:", body)  # *group:x, ++group:x
    if legacy_up:
        return prefix(
            legacy_up,
            "with an attribute, write the depth as a number: 2+group:bronze for two layers "
            "upstream, +group:bronze for every layer ('*' and '++' go with plain names)",
        )
    legacy_down = re.search(r":[^+]*?(\+[+*]+)$", body)  # group:x++, group:x+*
    if legacy_down:
        return prefix(
            legacy_down,
            "with an attribute, write the depth as a number: group:bronze+2 for two layers "
            "downstream, group:bronze+ for every layer ('*' and '++' go with plain names)",
        )
    if character == "=":
        return error("'=' belongs in tag:key=value, once")
    if character == '"':
        return error(
            'double quotes enclose a whole attribute value, as in key:"my-asset", and are not '
            "closed here"
            if text.count('"', position) % 2
            else 'double quotes enclose a whole attribute value, as in key:"my-asset"'
        )
    return error(f"unexpected '{character}' in the selection")


# --- the checks ----------------------------------------------------------------------------------


def _fail(
    piece: _Piece | None, message: str, offset: int = 0, length: int | None = None
) -> NoReturn:
    assert piece is not None
    start = piece.start + offset
    end = piece.end if length is None else start + length
    raise _Invalid(SelectionError(start, end, message))


def _check(parsed: _Parsed) -> Selection:
    if parsed.style == "all":
        return Selection("all", "*", upstream=0, downstream=0)
    name = parsed.name
    assert name is not None
    if parsed.style == "legacy":
        _check_key(name, wildcards=False)
        return Selection(
            "asset",
            name.text,
            upstream=_legacy_depth(parsed.up),
            downstream=_legacy_depth(parsed.down),
            start=name.start,
            end=name.end,
        )
    attribute = parsed.attribute
    assert attribute is not None
    kind = attribute.text
    if kind not in ATTRIBUTES:
        if kind in _DAGSTER_ONLY:
            _fail(
                attribute,
                f"'{kind}:' is not supported in a floe.yaml selection: use key:, asset:, group:, "
                "tag: or kind:",
            )
        import difflib  # only to suggest a name: not on every start

        close = difflib.get_close_matches(kind.lower(), ATTRIBUTES, n=1)
        hint = (
            f": did you mean '{close[0]}:'?"
            if close
            else ": use key:, asset:, group:, tag: or kind:"
        )
        _fail(attribute, f"unknown selector '{kind}:'{hint}")
    traversal = parsed.up is not None or parsed.down is not None
    quoted = name.quoted or (parsed.value is not None and parsed.value.quoted)
    if parsed.value is not None and kind != "tag":
        _fail(parsed.value, f"only tag: takes a value after '=': {kind}:NAME has none")
    if kind == "asset":
        _check_key(name, wildcards=False)
    elif kind == "tag" and not traversal and not quoted:
        # Dagster's older syntax takes tag:KEY=VALUE with any characters when it stands alone.
        for piece in (name, parsed.value):
            if piece is not None and not _TAG_LEGACY.fullmatch(piece.text):
                bad = re.search(r"[*\\]", piece.text)
                assert bad is not None
                message = (
                    "'*' (a wildcard) works only in key:"
                    if bad.group() == "*"
                    else "a tag cannot contain '\\'"
                )
                _fail(piece, message, bad.start(), 1)
    else:
        for piece in (name, parsed.value):
            if piece is not None:
                _check_value(kind, piece)
    return Selection(
        cast(Kind, "asset" if kind == "key" else kind),
        name.text,
        value=parsed.value.text if parsed.value is not None else None,
        upstream=_attribute_depth(parsed.up),
        downstream=_attribute_depth(parsed.down),
        pattern=kind == "key" and "*" in name.text,
        start=name.start,
        end=(parsed.value or name).end,
    )


def _check_key(piece: _Piece, wildcards: bool) -> None:
    inside = 1 if piece.quoted else 0
    if not piece.text:
        _fail(piece, "an asset key cannot be empty")
    if not wildcards and "*" in piece.text:
        _fail(
            piece,
            "'*' (a wildcard) works only in key:, as in key:stg_*",
            inside + piece.text.index("*"),
            1,
        )
    if not piece.quoted:
        bad = re.search(r"[^\w./\[\]?*-]" if wildcards else r"[^\w./\[\]?-]", piece.text)
        if bad:
            _fail(
                piece,
                f"'{bad.group()}' cannot appear in an asset key written as a plain name: "
                'quote the key, as in key:"..."',
                bad.start(),
                1,
            )
    for empty in re.finditer(r"(?:^|(?<=/))(?=/|$)", piece.text):
        _fail(
            piece,
            "an asset key path has an empty part: write its parts separated by single '/', "
            "as in raw/orders",
            inside + max(empty.start() - 1, 0),
            1,
        )


def _check_value(kind: str, piece: _Piece) -> None:
    if piece.quoted:
        if not piece.text:
            _fail(piece, f"{kind}: needs a name between the quotes")
        if kind == "key":
            _check_key(piece, wildcards=True)
        return
    if kind == "key":
        if not _UNQUOTED_WILDCARD.fullmatch(piece.text):
            _fail(
                piece,
                f"'{piece.text}' needs double quotes: an unquoted key has letters, digits, '_', "
                f"'/' and '*' and does not start with a digit; write key:\"{piece.text}\"",
            )
        _check_key(piece, wildcards=True)
        if piece.text in _KEYWORDS or piece.text in _KEY_ONLY_KEYWORDS:
            _keyword(kind, piece)
        return
    if "*" in piece.text:
        _fail(piece, "'*' (a wildcard) works only in key:", piece.text.index("*"), 1)
    if not _UNQUOTED.fullmatch(piece.text):
        _fail(
            piece,
            f"'{piece.text}' needs double quotes: an unquoted value has letters, digits, '_' and "
            f"'/' and does not start with a digit; write {kind}:\"{piece.text}\"",
        )
    if piece.text in _KEYWORDS:
        _keyword(kind, piece)


def _keyword(kind: str, piece: _Piece) -> NoReturn:
    _fail(
        piece,
        f"'{piece.text}' is a keyword of Dagster's selection syntax: quote it, as in "
        f'{kind}:"{piece.text}"',
    )


def _legacy_depth(piece: _Piece | None) -> int | None:
    if piece is None:
        return 0
    return None if "*" in piece.text else len(piece.text)


def _attribute_depth(piece: _Piece | None) -> int | None:
    if piece is None:
        return 0
    digits = piece.text.strip("+")
    if not digits:
        return None
    depth = int(digits) if len(digits) <= 9 else 10**9  # int() refuses very long digit strings
    if depth < 1:
        _fail(piece, "a depth is 1 or more layers; leave out the '+' to select none")
    return depth

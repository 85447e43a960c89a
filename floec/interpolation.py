"""`${...}` interpolation inside strings, parsed with grammar/interpolation.lark.

Strings without a `$` never reach the parser, and lark is imported only for those that have one.
The parser is LALR and cached, so building it costs next to nothing after the first run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from floec.frozen import frozen

if TYPE_CHECKING:
    from lark import Lark


@frozen
class Reference:
    """`${NAME}` / `${env:NAME}` / `${NAME:-default}`; offsets are code points into the string."""

    name: str
    default: str | None
    start: int
    end: int


Part = Union[str, Reference]


@frozen
class Interpolation:
    """A string with references: literal parts and references in order."""

    parts: tuple[Part, ...]

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(p for p in self.parts if isinstance(p, Reference))


@frozen
class InterpolationError:
    """Where (code-point offset) and what went wrong."""

    offset: int
    message: str


def _parser(strict: bool = False) -> Lark:
    from floec import grammars

    return grammars.parser("interpolation.lark", strict)


def parse(text: str) -> Interpolation | InterpolationError | None:
    """None when `text` has no `$` at all (the common case, decided without lark); otherwise
    its parts, with `$$` already turned into `$`, or where and why it is malformed."""
    if "$" not in text:
        return None
    from lark import Token, Tree

    from floec import grammars

    tree = grammars.parse("interpolation.lark", text)
    if isinstance(tree, int):
        return _error(text, tree)
    parts: list[Part] = []
    for child in tree.children:
        assert isinstance(child, Tree)
        if child.data == "interpolation":
            reference = child.children[0]
            assert isinstance(reference, Tree)
            name, default = "", None
            for item in reference.children:
                if isinstance(item, Token) and item.type == "NAME":
                    name = str(item)
                elif isinstance(item, Tree) and item.data == "default":
                    default = "".join(str(t) for t in item.children)
            parts.append(Reference(name, default, child.meta.start_pos, child.meta.end_pos))
        else:
            token = child.children[0]
            literal = "$" if child.data == "dollar" else str(token)
            if parts and isinstance(parts[-1], str):
                parts[-1] += literal
            else:
                parts.append(literal)
    return Interpolation(tuple(parts))


def _error(text: str, offset: int) -> InterpolationError:
    opening = text.rfind("${", 0, offset + 1)
    if opening != -1 and "}" not in text[opening:]:
        return InterpolationError(opening, "an interpolation '${' is not closed with '}'")
    if offset >= 2 and text.startswith("${", offset - 2):
        return InterpolationError(
            offset,
            "an interpolation needs a variable name: ${NAME}, ${env:NAME} or ${NAME:-default}",
        )
    return InterpolationError(
        offset,
        f"malformed interpolation at '{text[offset : offset + 10]}': write ${{NAME}}, "
        "${env:NAME} or ${NAME:-default}, and $$ for a literal dollar",
    )

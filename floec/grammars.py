"""The lark grammars of `grammar/` (interpolation, cron, selection): each loaded once, LALR, from
the package (so a wheel finds them too), and parsed into a tree or the offset where the string
stops parsing, which each small language turns into its own diagnostic. lark is imported only
here, and only when a string needs the grammar.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark, Token, Tree


@functools.cache
def parser(grammar: str, strict: bool = False) -> Lark:
    """The LALR parser of `grammar/<grammar>`; `strict` makes lark refuse terminal collisions
    and conflicts (the tests build each grammar that way; a strict parser is not cached on disk)."""
    from lark import Lark

    return Lark.open_from_package(
        "floec.grammar",
        grammar,
        parser="lalr",
        cache=not strict,
        strict=strict,
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse(grammar: str, text: str) -> Tree[Token] | int:
    """The tree of `text`, or the offset at which it stops being valid (its end when it stops
    early)."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        tree: Tree[Token] = parser(grammar).parse(text)
    except UnexpectedCharacters as error:
        return error.pos_in_stream if error.pos_in_stream is not None else len(text)
    except UnexpectedToken as error:
        start: int | None = error.token.start_pos
        return len(text) if error.token.type == "$END" or start is None else start
    except UnexpectedEOF:
        return len(text)
    return tree

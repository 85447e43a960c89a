"""`# floec: ignore[FLC201, high-entropy-string] -- reason`: a small language with its own checks.

Both codes and names are accepted (names read better in review); a code that names no rule and a
suppression that suppresses nothing are reported, so stale ignores do not pile up silently.
"""

from __future__ import annotations

import re

from floec.diagnostics.codes import CODES, NAMES
from floec.frozen import frozen

_DIRECTIVE = re.compile(r"floec\s*:\s*ignore\b", re.IGNORECASE)
_WELL_FORMED = re.compile(
    r"floec\s*:\s*ignore\[(?P<codes>[^\]]*)\](?:\s*--\s*(?P<reason>.*))?", re.IGNORECASE
)
_ITEM = re.compile(r"[^,\s][^,]*")


@frozen
class SuppressedCode:
    """One entry of the brackets: `code` is the canonical code, or None when unknown."""

    text: str
    code: str | None
    start: int  # offsets in the comment text
    end: int


@frozen
class Suppression:
    codes: tuple[SuppressedCode, ...]
    reason: str | None
    start: int
    end: int
    malformed: bool = False


def parse_suppression(comment: str) -> Suppression | None:
    """The suppression in a comment's text (after the `#`), or None when there is none."""
    directive = _DIRECTIVE.search(comment)
    if directive is None:
        return None
    match = _WELL_FORMED.match(comment, directive.start())
    if match is None:
        return Suppression((), None, directive.start(), len(comment.rstrip()), malformed=True)
    codes = []
    offset = match.start("codes")
    for item in _ITEM.finditer(match.group("codes")):
        text = item.group().strip()
        entry = CODES.get(text.upper()) or NAMES.get(text.lower())
        codes.append(
            SuppressedCode(
                text,
                entry.code if entry else None,
                offset + item.start(),
                offset + item.start() + len(text),
            )
        )
    reason = match.group("reason")
    if not codes:
        return Suppression((), reason, directive.start(), match.end(), malformed=True)
    return Suppression(tuple(codes), reason.strip() if reason else None, match.start(), match.end())

"""Masking: the one place that decides how much of a secret may be shown.

At most the first two and last two characters and the length; short values not even that.
"""

from __future__ import annotations

from collections.abc import Iterable

from floec.span import Span

_MASK = "*"
_MIN_REVEAL = 12  # below this, showing four characters would reveal too much of the value


def mask_value(value: str) -> str:
    """`'hu…42' (23 characters)` style summary of a secret, for messages."""
    if len(value) >= _MIN_REVEAL:
        return f"'{value[:2]}…{value[-2:]}' ({len(value)} characters)"
    return f"a value of {len(value)} characters"


def _masked_text(text: str) -> str:
    if len(text) >= _MIN_REVEAL:
        return text[:2] + _MASK * (len(text) - 4) + text[-2:]
    return _MASK * len(text)


def mask_line(line: str, line_index: int, spans: Iterable[Span]) -> str:
    """`line` (line number `line_index` of its file) with every masked range starred out."""
    chars = list(line)
    for span in spans:
        if not span.start.line <= line_index <= span.end.line:
            continue
        start = span.start.column if span.start.line == line_index else 0
        end = span.end.column if span.end.line == line_index else len(chars)
        start, end = max(0, start), min(len(chars), end)
        if start >= end:
            continue
        if span.is_single_line:
            chars[start:end] = _masked_text("".join(chars[start:end]))
        else:  # a multi-line secret (a PEM body): revealing two characters a line is too many
            chars[start:end] = _MASK * (end - start)
    return "".join(chars)

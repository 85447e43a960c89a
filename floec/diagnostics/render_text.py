"""The `text` format: a compiler-style header, the source with carets, then help and notes.

    platform/prod/platform.yaml:4:7: error[FLC301]: message
      |
    4 |   catalog: analytics
      |            ^^^^^^^^^
      = help: ...

Lines and columns are 1-based here. Tabs are expanded and wide characters counted twice, so the
carets sit under the right characters. Colour is added only when asked (a TTY without NO_COLOR);
the text is built plain first, so snapshots never depend on the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from floec.diagnostics.masking import mask_line
from floec.diagnostics.model import Diagnostic, Severity
from floec.diagnostics.redact import escape_char, escape_text, prepare, unsafe
from floec.source import SourceFile
from floec.span import Span

TAB_WIDTH = 4
MAX_SNIPPET_LINES = 4
# A longer source line is shown as a window of this many columns around the span.
MAX_LINE_COLUMNS = 240

_COLOURS = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFO: "\x1b[1;36m",
    Severity.HINT: "\x1b[1;32m",
}
_BOLD, _BLUE, _RESET = "\x1b[1m", "\x1b[1;34m", "\x1b[0m"


def _width(char: str) -> int:
    if char == "\t":
        return TAB_WIDTH
    if unsafe(char):
        return len(escape_char(char))
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _display(text: str) -> str:
    return escape_text(text.replace("\t", " " * TAB_WIDTH))


def _columns(text: str, start: int, end: int) -> tuple[int, int]:
    """Display columns of the code-point range [start, end) of `text`."""
    if text.isascii() and text.isprintable():  # the common case: one column a character
        return start, max(start, min(end, len(text)))
    left = sum(_width(c) for c in text[:start])
    return left, left + sum(_width(c) for c in text[start:end])


class _Painter:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.colour and text else text


def _snippet(
    span: Span,
    source: SourceFile,
    marker: str,
    masked: list[Span],
    gutter: int,
    paint: _Painter,
    style: str,
) -> list[str]:
    bar = paint(" " * gutter + " |", _BLUE)
    lines = [bar]
    indices = list(range(span.start.line, span.end.line + 1))
    if span.end.line > span.start.line and span.end.column == 0:
        indices.pop()  # a span ending at column 0 does not really touch its last line
    if len(indices) > MAX_SNIPPET_LINES:
        indices = [*indices[: MAX_SNIPPET_LINES - 1], -1, indices[-1]]
    for index in indices:
        if index == -1:
            lines.append(paint(" " * gutter + "...", _BLUE))
            continue
        raw = source.line(index)
        text = mask_line(raw, index, masked)
        start = span.start.column if index == span.start.line else 0
        end = span.end.column if index == span.end.line else len(raw)
        text, start, end = _window(text, start, end)
        number = paint(f"{index + 1:>{gutter}} |", _BLUE)
        lines.append(f"{number} {_display(text)}".rstrip())
        left, right = _columns(text, start, end)
        if right <= left:
            right = left + 1
        lines.append(f"{bar} {' ' * left}{paint(marker * (right - left), style)}")
    return lines


def _window(text: str, start: int, end: int) -> tuple[str, int, int]:
    """At most MAX_LINE_COLUMNS characters of a long line, from a little before the span, with
    `…` where text was cut; the span's columns moved to match."""
    if len(text) <= MAX_LINE_COLUMNS:
        return text, start, end
    begin = max(0, min(start - 40, len(text) - MAX_LINE_COLUMNS))
    finish = begin + MAX_LINE_COLUMNS
    head = "…" if begin > 0 else ""
    tail = "…" if finish < len(text) else ""
    shift = len(head) - begin
    window = head + text[begin:finish] + tail
    return window, start + shift, min(end, finish) + shift


def render_one(
    diagnostic: Diagnostic,
    sources: Mapping[str, SourceFile],
    masked: Mapping[str, list[Span]],
    *,
    colour: bool = False,
) -> str:
    paint = _Painter(colour)
    style = _COLOURS[diagnostic.severity]
    span = diagnostic.span
    where = diagnostic.path or "floec"
    if span is not None:
        where = f"{where}:{span.start.line + 1}:{span.start.column + 1}"
    label = paint(f"{diagnostic.severity.value}[{diagnostic.code}]", style)
    message = escape_text(diagnostic.message)
    out = [f"{paint(escape_text(where), _BOLD)}: {label}: {paint(message, _BOLD)}"]
    spans = [span] if span is not None else []
    spans += [related.span for related in diagnostic.related]
    gutter = max((len(str(s.end.line + 1)) for s in spans), default=1)
    source = sources.get(span.file) if span is not None else None
    if span is not None and source is not None:
        out += _snippet(span, source, "^", masked.get(span.file, []), gutter, paint, style)
    for related in diagnostic.related:
        rs = related.span
        head = escape_text(f"{rs.file}:{rs.start.line + 1}:{rs.start.column + 1}")
        message = escape_text(related.message)
        out.append(f"{paint(' ' * gutter + ':::', _BLUE)} {head}: {message}")
        related_source = sources.get(rs.file)
        if related_source is not None:
            out += _snippet(rs, related_source, "-", masked.get(rs.file, []), gutter, paint, _BLUE)
    for note in diagnostic.notes:
        out.append(f"{' ' * gutter} = {paint('note', _BOLD)}: {escape_text(note)}")
    if diagnostic.help:
        out.append(f"{' ' * gutter} = {paint('help', _BOLD)}: {escape_text(diagnostic.help)}")
    return "\n".join(out)


def masked_spans(diagnostics: list[Diagnostic]) -> dict[str, list[Span]]:
    """Every masked range of the run, by file: a secret found by one diagnostic stays hidden in
    the snippet of any other that happens to show the same line."""
    by_file: dict[str, list[Span]] = {}
    for diagnostic in diagnostics:
        for span in diagnostic.masked:
            by_file.setdefault(span.file, []).append(span)
    return by_file


def render(
    diagnostics: list[Diagnostic],
    sources: Mapping[str, SourceFile],
    *,
    colour: bool = False,
) -> str:
    diagnostics = prepare(diagnostics, sources)
    masked = masked_spans(diagnostics)
    blocks = [render_one(d, sources, masked, colour=colour) for d in diagnostics]
    return "".join(block + "\n\n" for block in blocks)


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    counts = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    parts = [plural(counts[Severity.ERROR], "error"), plural(counts[Severity.WARNING], "warning")]
    if counts[Severity.INFO]:
        parts.append(plural(counts[Severity.INFO], "note"))
    return f"floec: {', '.join(parts)} in {plural(files, 'file')}"

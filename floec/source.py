"""Decoded source text: the only place where bytes become text.

Every later stage reads text through a `SourceFile` and refers back to it only through spans.
"""

from __future__ import annotations

import codecs
import os

import attrs

from floec.diagnostics.model import Diagnostic, make
from floec.span import Span

# Larger files are certainly not configuration; refusing them keeps memory bounded.
MAX_FILE_BYTES = 8 * 1024 * 1024


@attrs.frozen
class SourceFile:
    """A file's display name (relative to the working directory when under it) and its text."""

    name: str
    text: str
    lines: tuple[str, ...] = attrs.field(init=False)

    @lines.default
    def _split(self) -> tuple[str, ...]:
        # Keep exactly the user's lines: splitlines() would also split on \x0c, \x1c... which
        # YAML does not treat as line breaks, and that would shift every later line number.
        return tuple(self.text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""


def display_name(path: str) -> str:
    """`path` relative to the working directory when it is under it, else as given."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


def decode(data: bytes, name: str) -> SourceFile | Diagnostic:
    """UTF-8 (a BOM is accepted and dropped) or an FLC003 diagnostic at the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return make(
            "FLC003",
            "the file is UTF-16 encoded; floec reads UTF-8 only",
            Span.whole_file(name),
            help="re-save the file as UTF-8",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n")
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace"))
        return make(
            "FLC003",
            f"the file is not valid UTF-8: byte 0x{data[error.start]:02x} at line {line + 1}, "
            f"column {column + 1} (byte offset {error.start}) cannot start or continue a character",
            Span.of(name, line, column, line, column + 1),
            help="re-save the file as UTF-8",
        )
    return SourceFile(name, text)


def read_source(path: str) -> SourceFile | Diagnostic:
    """Read and decode a file; a missing or unreadable file is a diagnostic, not an exception."""
    name = display_name(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return make("FLC001", f"file not found: {name}", None, file=name)
    except IsADirectoryError:
        return make("FLC002", f"{name} is a directory, not a file", None, file=name)
    except OSError as error:
        return make("FLC002", f"cannot read {name}: {error.strerror}", None, file=name)
    if len(data) > MAX_FILE_BYTES:
        return make(
            "FLC002",
            f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; "
            "it is not a configuration file",
            None,
            file=name,
        )
    return decode(data, name)

"""Decoded source text: the only place where bytes become text.

Every later stage reads text through a `SourceFile` and refers back to it only through spans.
"""

from __future__ import annotations

import codecs
import os
import stat

import attrs

from floec.diagnostics.model import Diagnostic, make
from floec.frozen import frozen
from floec.span import Span

# Larger files are certainly not configuration (10,000 profiles are about 1 MiB); refusing them
# keeps time and memory bounded (a syntax tree costs ~30 bytes per byte of YAML). Every
# command reads through `read_bytes`, so the limit is the same everywhere (docs/security.md).
MAX_FILE_BYTES = 2 * 1024 * 1024


@frozen
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


def max_file_bytes() -> int:
    """The size limit of every input file: `FLOEC_MAX_FILE_BYTES`, else 2 MiB."""
    value = os.environ.get("FLOEC_MAX_FILE_BYTES", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else MAX_FILE_BYTES


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(name: str, mode: int) -> Diagnostic:
    kind = next((word for test, word in _KINDS if test(mode)), "not an ordinary file")
    return make(
        "FLC015",
        f"{name} is {kind}, not a regular file; floec reads only regular files",
        None,
        file=name,
        help="pass the configuration file itself, not a pipe or a device",
    )


def too_large(name: str, size: int, limit: int) -> Diagnostic:
    return make(
        "FLC016",
        f"{name} is {_mib(size)}, over the limit of {_mib(limit)} for an input file",
        None,
        file=name,
        help="a configuration file is a few kilobytes; if this one really is configuration, "
        "raise the limit with FLOEC_MAX_FILE_BYTES (docs/security.md)",
    )


def read_bytes(path: str) -> bytes | Diagnostic:
    """The one reader of input files, for every command: a regular file of at most
    `max_file_bytes()`, or the diagnostic that says why not. A pipe or a device is refused
    before anything is read from it, so nothing can make floec wait or read forever."""
    name = display_name(path)
    limit = max_file_bytes()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return make("FLC001", f"file not found: {name}", None, file=name)
    except IsADirectoryError:
        return make("FLC002", f"{name} is a directory, not a file", None, file=name)
    except OSError as error:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            return _not_regular(name, mode)
        return make("FLC002", f"cannot read {name}: {error.strerror}", None, file=name)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return make("FLC002", f"{name} is a directory, not a file", None, file=name)
        if not stat.S_ISREG(info.st_mode):
            return _not_regular(name, info.st_mode)
        if info.st_size > limit:
            return too_large(name, info.st_size, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return make("FLC002", f"cannot read {name}: {error.strerror}", None, file=name)
    finally:
        os.close(fd)
    if size > limit:  # the file grew while it was read
        return too_large(name, size, limit)
    return b"".join(chunks)


def read_source(path: str) -> SourceFile | Diagnostic:
    """Read and decode a file; a missing or unreadable file is a diagnostic, not an exception."""
    data = read_bytes(path)
    if isinstance(data, Diagnostic):
        return data
    return decode(data, display_name(path))

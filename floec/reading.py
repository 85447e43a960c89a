"""A file's text, read cheaply: what a run answered from the result cache needs to hash a file.

`floec.source` is the reader of record: it turns a file that cannot be read into a diagnostic,
and it costs attrs and the diagnostic model to import. This module answers only the plain case
(a regular, small, UTF-8 file) without either, and says None for anything else, so the caller
asks `floec.source` and gets exactly its answer. It must decode as `floec.source.decode` does
(tests/test_result_cache.py holds the two to the same text).
"""

from __future__ import annotations

import codecs
import os
import stat

# Above this, leave the file to `floec.source`, which knows the real limit and its diagnostic.
PLAIN_FILE_BYTES = 1024 * 1024


def display_name(path: str) -> str:
    """`path` relative to the working directory when it is under it, else as given (the same
    rule as `floec.source.display_name`)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel


def decoded(data: bytes) -> str | None:
    """UTF-8 text (a BOM dropped), or None for text floec does not read (UTF-16, bad bytes)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_text(path: str) -> str | None:
    """The text of a regular file of at most `PLAIN_FILE_BYTES`, or None for anything else (a
    missing file, a pipe or a device, a large file, bytes that are not UTF-8). Opened without
    blocking, so a pipe never makes this wait."""
    limit = PLAIN_FILE_BYTES
    chosen = os.environ.get("FLOEC_MAX_FILE_BYTES", "").strip()
    if chosen.isdigit() and int(chosen) > 0:  # never more than the reader of record allows
        limit = min(limit, int(chosen))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return decoded(data) if len(data) <= limit else None

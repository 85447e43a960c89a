"""A file's text as floec decodes it, without building anything else.

`floec.source` turns a file that cannot be read or decoded into a diagnostic; this module only
answers the common case cheaply (no attrs, no diagnostic model), which is all a run answered
from the result cache needs before it can hash a file.
"""

from __future__ import annotations

import codecs
import os

# Larger files are certainly not configuration; refusing them keeps memory bounded.
MAX_FILE_BYTES = 8 * 1024 * 1024


def display_name(path: str) -> str:
    """`path` relative to the working directory when it is under it, else as given."""
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
    """The file's text, or None when it cannot be read or decoded (`floec.source` says why)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return decoded(data) if len(data) <= MAX_FILE_BYTES else None

"""Writing diagnostics in the chosen format; the choice of colour."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:  # `floec check` answered from its cache imports none of these
    from typing import TextIO

    from floec.diagnostics.model import Diagnostic
    from floec.source import SourceFile

FORMATS = ("text", "json", "sarif", "github")


def wants_colour(stream: TextIO, choice: str = "auto") -> bool:
    """Colour only on a terminal, never with NO_COLOR set (https://no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def emit(
    diagnostics: list[Diagnostic],
    sources: Mapping[str, SourceFile],
    fmt: str,
    stream: TextIO,
    *,
    colour: str = "auto",
) -> None:
    if fmt == "text":
        from floec.diagnostics import render_text

        stream.write(render_text.render(diagnostics, sources, colour=wants_colour(stream, colour)))
        return
    renderer = importlib.import_module(f"floec.diagnostics.render_{fmt}")
    stream.write(renderer.render(diagnostics, sources))

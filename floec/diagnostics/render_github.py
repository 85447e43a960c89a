"""The `github` format: workflow commands that GitHub Actions shows as annotations.

    ::error file=platform/prod/platform.yaml,line=4,endLine=4,col=7,endColumn=20,title=...::msg

Lines and columns are 1-based. `col`/`endColumn` are given only for single-line spans (GitHub
draws a multi-line span with columns wrongly). Values are escaped as the runner's toolkit does:
`%`, CR and LF everywhere, and `:` and `,` inside properties; other control characters are
written as escapes. Messages pass through `redact.prepare` and no source text is printed, so a
secret cannot leak through an annotation.
"""

from __future__ import annotations

from collections.abc import Mapping

from floec.diagnostics.model import Diagnostic, Severity
from floec.source import SourceFile

_COMMAND = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def escape_data(text: str) -> str:
    from floec.diagnostics.redact import escape_text

    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_text(text)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_one(diagnostic: Diagnostic) -> str:
    properties: list[tuple[str, str]] = []
    path = diagnostic.path
    if path is not None:
        properties.append(("file", path.replace("\\", "/")))
    span = diagnostic.span
    if span is not None:
        properties.append(("line", str(span.start.line + 1)))
        properties.append(("endLine", str(span.end.line + 1)))
        if span.is_single_line:
            properties.append(("col", str(span.start.column + 1)))
            properties.append(("endColumn", str(max(span.end.column, span.start.column + 1))))
    properties.append(("title", f"floec {diagnostic.code} ({diagnostic.name})"))
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMAND[diagnostic.severity]} {rendered}::{escape_data(message)}"


def render(diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    from floec.diagnostics.redact import prepare

    return "".join(render_one(d) + "\n" for d in prepare(diagnostics, sources))

"""The one diagnostic model: every renderer, `explain` and the editor view are projections of it."""

from __future__ import annotations

import enum

from floec.diagnostics.codes import lookup
from floec.frozen import frozen
from floec.span import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.HINT: 3}


@frozen
class Related:
    """A secondary place that contributed, e.g. the first of two duplicate keys."""

    span: Span
    message: str


@frozen
class Diagnostic:
    """A finding. `span` is None only for file-level problems (missing file, internal error).

    `masked` lists ranges that hold a secret value: no renderer prints the text inside them.
    """

    code: str
    severity: Severity
    message: str
    span: Span | None
    file: str | None = None
    help: str | None = None
    notes: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    masked: tuple[Span, ...] = ()

    @property
    def name(self) -> str:
        return lookup(self.code).name

    @property
    def path(self) -> str | None:
        return self.span.file if self.span is not None else self.file

    def sort_key(self) -> tuple[str, int, int, int, int, str, str]:
        span = self.span
        return (
            self.path or "",
            span.start.line if span else -1,
            span.start.column if span else -1,
            span.end.line if span else -1,
            span.end.column if span else -1,
            self.code,
            self.message,
        )


def make(
    code: str,
    message: str,
    span: Span | None,
    *,
    file: str | None = None,
    help: str | None = None,
    notes: tuple[str, ...] = (),
    related: tuple[Related, ...] = (),
    masked: tuple[Span, ...] = (),
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic with the registered default severity of its code."""
    return Diagnostic(
        code=code,
        severity=severity or Severity(lookup(code).severity),
        message=message,
        span=span,
        file=file if file is not None else (span.file if span else None),
        help=help,
        notes=notes,
        related=related,
        masked=masked,
    )


def normalise(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sorted by position and de-duplicated: the same input always prints the same output."""
    seen: set[tuple[str, int, int, int, int, str, str]] = set()
    out = []
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        key = diagnostic.sort_key()
        if key not in seen:
            seen.add(key)
            out.append(diagnostic)
    return out


def has_errors(diagnostics: list[Diagnostic], *, strict: bool = False) -> bool:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)

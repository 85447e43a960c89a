"""Pass `check-outputs`: no generated file holds a value that a credential rule flags.

Reads: the generated files and both input files' text. Writes: nothing.
Reports: FLC222 at each flagged value of an input (suppressed or not, any severity) whose text
appears in a generated file, naming the file: the guarantee behind the lint, which a suppression
comment or a warning-level finding could otherwise let through into `compiled_artifacts.json`,
`profiles.yml` or the Dagster files. The message never quotes the value.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from floec.diagnostics.model import Diagnostic, make
from floec.frozen import frozen
from floec.ir import GeneratedFile, PassResult
from floec.source import SourceFile
from floec.span import Span

# Shorter flagged values ("abc") would match by chance in any file; a real credential is longer.
_MIN_LENGTH = 6


@frozen
class OutputsContext:
    sources: tuple[SourceFile, ...]
    outputs: tuple[GeneratedFile, ...]


def _text(source: SourceFile, span: Span) -> str:
    if span.is_single_line:
        return source.line(span.start.line)[span.start.column : span.end.column]
    lines = [source.line(span.start.line)[span.start.column :]]
    lines += [source.line(i) for i in range(span.start.line + 1, span.end.line)]
    lines.append(source.line(span.end.line)[: span.end.column])
    return "\n".join(lines)


def _forms(value: str) -> set[str]:
    """The ways a value can be spelled in an output: as it is, and escaped for JSON."""
    forms = {value, json.dumps(value)[1:-1]}
    forms.update(line.strip() for line in value.split("\n"))
    return {form for form in forms if len(form) >= _MIN_LENGTH}


def check_outputs(context: OutputsContext) -> PassResult:
    """FLC222 for every flagged input value found in a generated file.

    Reads: both input files' text and the generated files. Writes: nothing.
    Reports: FLC222 at the flagged value, naming the files it would be written to.

    >>> from floec.ir import GeneratedFile
    >>> text = "a:\\n  password: Tr0ub4dor&3xyz  # floec: ignore[FLC201]\\n"
    >>> source = SourceFile("platform.yaml", text)
    >>> out = GeneratedFile("compiled_artifacts.json", b'{"password": "Tr0ub4dor&3xyz"}')
    >>> [d.code for d in check_outputs(OutputsContext((source,), (out,))).diagnostics]
    ['FLC222']
    """
    from floec.passes.lint_credentials import secret_ranges

    texts = [(item.path, item.data.decode("utf-8", errors="replace")) for item in context.outputs]
    found: list[Diagnostic] = []
    for source in context.sources:
        for span in secret_ranges(source):
            forms = _forms(_text(source, span))
            files = sorted({path for path, data in texts if any(f in data for f in forms)})
            if files:
                found.append(_diagnostic(span, files))
    return PassResult(None, tuple(found))


def _diagnostic(span: Span, files: Sequence[str]) -> Diagnostic:
    return make(
        "FLC222",
        "this value is flagged as a credential and would be written in clear to "
        f"{', '.join(files)}; floec never writes a flagged value, even a suppressed one",
        span,
        masked=(span,),
        help="give it as a secret reference (`{secret_ref: NAME}`), so that only the "
        "reference is written and the value is read at run time",
    )

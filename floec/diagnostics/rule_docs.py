"""Each code's long documentation, `floec/rules_docs/<CODE>.md`: one text read by `floec explain`,
SARIF's rule metadata and the docs, so they cannot disagree.

Sections are fixed (`## What it does`, `## Why is this bad?`, `## Example`, `## Use instead`,
optionally `## References`); a test fails when one is missing.
"""

from __future__ import annotations

import functools
from importlib import resources

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
OPTIONAL_SECTIONS = ("References",)


@functools.cache
def rule_doc(code: str) -> str | None:
    """The Markdown documentation of `code`, or None when it has none."""
    path = resources.files("floec").joinpath("rules_docs").joinpath(f"{code}.md")
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None


def sections(text: str) -> dict[str, str]:
    """`## Heading` -> the text under it (stripped)."""
    out: dict[str, str] = {}
    heading: str | None = None
    lines: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if heading is not None:
                out[heading] = "\n".join(lines).strip()
            heading, lines = line[3:].strip(), []
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        out[heading] = "\n".join(lines).strip()
    return out

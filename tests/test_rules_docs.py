"""Every rule documents itself: `floec/rules_docs/<CODE>.md`, in fixed sections.

The text is what `floec explain`, `floec rules` and SARIF rule metadata show, so a missing or
malformed file is a bug. It is read through importlib.resources, as the installed package reads
it (pyproject.toml ships `rules_docs/*.md` as package data).

The FLC2xx (security) family is left out here: its docs are written and tested by the lint
engineer, alongside the credential rules.
"""

from __future__ import annotations

from importlib import resources

import pytest

from floec.diagnostics.codes import CODES

SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
OPTIONAL = ("References",)  # may follow the four, as in floec.diagnostics.rule_docs


def _ours(code: str) -> bool:
    return not code.startswith("FLC2")  # FLC2xx: see the module docstring


DOCUMENTED = sorted(code for code in CODES if _ours(code))


def _read(code: str) -> str:
    # joinpath one part at a time: Traversable.joinpath takes a single part before Python 3.11.
    doc = resources.files("floec").joinpath("rules_docs").joinpath(f"{code}.md")
    assert doc.is_file(), f"floec/rules_docs/{code}.md is missing"
    return doc.read_text(encoding="utf-8")


def _sections(text: str) -> list[tuple[str, str]]:
    """The `## ` headings in order, each with its body; a `## ` inside a code block is not one."""
    sections: list[tuple[str, list[str]]] = []
    fenced = False
    for line in text.splitlines()[1:]:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
    return [(title, "\n".join(body).strip()) for title, body in sections]


@pytest.mark.parametrize("code", DOCUMENTED)
def test_title_and_summary(code: str) -> None:
    entry = CODES[code]
    lines = _read(code).splitlines()
    assert lines[0] == f"# {code} {entry.name}"
    summary = next((line for line in lines[1:] if line.strip()), "")
    assert summary == entry.summary, "the line after the title is the registry's summary"


@pytest.mark.parametrize("code", DOCUMENTED)
def test_sections(code: str) -> None:
    sections = _sections(_read(code))
    titles = [title for title, _ in sections]
    assert titles[: len(SECTIONS)] == list(SECTIONS)
    assert all(title in OPTIONAL for title in titles[len(SECTIONS) :])
    for title, body in sections:
        assert body, f"{code}: section '{title}' is empty"
    bodies = dict(sections)
    for title in ("Example", "Use instead"):
        assert "```" in bodies[title], f"{code}: section '{title}' has no code block"


def test_no_docs_for_unknown_codes() -> None:
    folder = resources.files("floec").joinpath("rules_docs")
    documented = [item.name.removesuffix(".md") for item in folder.iterdir()]
    assert sorted(code for code in documented if _ours(code) and code not in CODES) == []

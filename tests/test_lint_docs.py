"""The FLC2xx (security) rules document themselves, like every other code (test_rules_docs.py
covers the rest): title, the registry's summary, the four fixed sections, a YAML example."""

from __future__ import annotations

import pytest

from floec.diagnostics.codes import CODES
from floec.diagnostics.rule_docs import OPTIONAL_SECTIONS, REQUIRED_SECTIONS, rule_doc, sections

SECURITY = sorted(code for code in CODES if code.startswith("FLC2"))


@pytest.mark.parametrize("code", SECURITY)
def test_sections(code: str) -> None:
    text = rule_doc(code)
    assert text is not None, f"floec/rules_docs/{code}.md is missing"
    entry = CODES[code]
    lines = text.splitlines()
    assert lines[0] == f"# {code} {entry.name}"
    assert next(line for line in lines[1:] if line.strip()) == entry.summary
    found = sections(text)
    assert list(found)[: len(REQUIRED_SECTIONS)] == list(REQUIRED_SECTIONS)
    assert set(found) <= set(REQUIRED_SECTIONS) | set(OPTIONAL_SECTIONS)
    assert all(found[name] for name in REQUIRED_SECTIONS)
    assert "```" in found["Example"]

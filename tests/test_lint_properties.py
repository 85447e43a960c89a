"""Property test: `floec lint` answers any text with diagnostics in every format, never a crash."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floec.diagnostics import render_github, render_json, render_sarif, render_text
from floec.passes.lint_credentials import lint_credentials
from floec.source import SourceFile

# YAML punctuation, words the detectors react to, and characters that move columns.
ALPHABET = " \t\n-:[]{}#&*!|>'\"%@`,?=/+\\$abcpasswordtokenAKIA0123456789é🦀\r"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet=ALPHABET, max_size=300),
    st.sampled_from(["floe.yaml", "platform.yaml", "values.yml"]),
)
def test_any_text_lints_and_renders(text: str, name: str) -> None:
    source = SourceFile(name, text)
    diagnostics = lint_credentials(source)
    sources = {name: source}
    render_text.render(diagnostics, sources)
    render_github.render(diagnostics, sources)
    json.loads(render_json.render(diagnostics, sources))
    json.loads(render_sarif.render(diagnostics, sources))
    for diagnostic in diagnostics:
        assert diagnostic.span is None or diagnostic.span.start <= diagnostic.span.end

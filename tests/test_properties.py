"""Property tests: whatever the input, the front end answers with diagnostics, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floec.diagnostics import render_json, render_text
from floec.diagnostics.model import Diagnostic
from floec.frontend import Checked, check_source
from floec.source import SourceFile, decode
from tests.conftest import ROOT

EXAMPLES = [
    ROOT / "examples/customer-analytics/floe.yaml",
    *sorted((ROOT / "platform").glob("*/platform.yaml")),
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run_front_end(data: bytes, name: str) -> Checked | Diagnostic:
    """Everything `floec check` does with one file, renderers included."""
    source = decode(data, name)
    if isinstance(source, Diagnostic):
        return source
    checked = check_source(source)
    diagnostics = list(checked.diagnostics)
    sources = {source.name: source}
    render_text.render(diagnostics, sources)
    json.loads(render_json.render(diagnostics, sources))
    for diagnostic in diagnostics:
        assert diagnostic.span is None or diagnostic.span.start <= diagnostic.span.end
    return checked


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["floe.yaml", "platform.yaml", "x.yaml"]))
def test_arbitrary_bytes(data: bytes, name: str) -> None:
    run_front_end(data, name)


@SETTINGS
@given(st.text(alphabet=" \t\n-:[]{}#&*!|>'\"%@`,?abc01é🦀\r\\", max_size=200))
def test_arbitrary_yaml_punctuation(text: str) -> None:
    run_front_end(text.encode(), "platform.yaml")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)
top_level_keys = st.sampled_from(
    ["name", "version", "catalog", "transforms", "governance", "observability", "platform",
     "storage", "catalogs", "compute", "credentials", "type", "mode", "secret_ref"]
)  # fmt: skip


@SETTINGS
@given(st.dictionaries(top_level_keys, json_values, max_size=6), st.booleans())
def test_arbitrary_documents(document: dict[str, object], flow: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True)
    result = run_front_end(text.encode(), "floe.yaml")
    run_front_end(text.encode(), "platform.yaml")
    assert isinstance(result, Checked)


@st.composite
def mutated_example(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(EXAMPLES))
    lines = path.read_text().splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "indent", "dedent", "scalar", "swap"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "indent":
            lines[index] = "  " + line
        elif action == "dedent":
            lines[index] = line[2:] if line.startswith("  ") else line
        elif action == "scalar" and ":" in line:
            key = line.split(":", 1)[0]
            value = draw(
                st.sampled_from(["yes", "1.10", "''", "~", "[1, 2]", "{a: b}", "${X", "-1", "é"])
            )
            lines[index] = f"{key}: {value}\n"
        elif action == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
    return path.name, "".join(lines).encode()


@SETTINGS
@given(mutated_example())
def test_mutated_examples(case: tuple[str, bytes]) -> None:
    name, data = case
    run_front_end(data, name)


def test_examples_are_clean() -> None:
    for path in EXAMPLES:
        result = run_front_end(path.read_bytes(), str(path.relative_to(ROOT)))
        assert isinstance(result, Checked) and result.diagnostics == (), path


def test_source_file_survives_any_line_index() -> None:
    source = SourceFile(str(Path("f.yaml")), "a\n")
    assert source.line(-1) == source.line(99) == ""

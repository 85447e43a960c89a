"""`floec lint` computes what the output's masking needs once per file, where the file is linted,
and writes JSON without `json`'s pure-Python indenting encoder: the output must be the one the
plain path gives, byte for byte."""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floec.commands import lint
from floec.commands.output import FORMATS, emit
from floec.credential_rules.entropy import looks_random
from floec.diagnostics import redact
from floec.diagnostics.model import Diagnostic, normalise
from floec.diagnostics.render_json import indented
from floec.source import SourceFile

from .corpus_eval import CORPORA

TREES = [corpus / "files" for corpus in CORPORA.values()] + [Path(__file__).parent / "lint_rules"]


def _render_all(diagnostics: list[Diagnostic], sources: dict[str, SourceFile]) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        stream = io.StringIO()
        emit(diagnostics, sources, fmt, stream, colour="never")
        out[fmt] = stream.getvalue()
    return out


@pytest.mark.parametrize("tree", TREES, ids=["corpus1", "corpus2", "rules"])
def test_masks_from_the_lint_give_the_output_of_a_fresh_scan(tree: Path) -> None:
    diagnostics, sources, _count = lint.lint_paths([str(tree)])
    diagnostics = normalise(diagnostics)
    assert any(d.masked for d in diagnostics)
    reused = _render_all(diagnostics, sources)
    redact.forget()  # the renderers now scan every file again, as before the lint kept its masks
    fresh = _render_all(diagnostics, sources)
    assert reused == fresh


def test_masks_are_reused_only_for_the_very_source_they_were_computed_from(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("db:\n  password: Hunter2-Hunter2\n")
    diagnostics, sources, _count = lint.lint_paths([str(path)])
    (name,) = sources
    # Another text under the same name (an editor buffer, a second run): its own scan decides,
    # and it flags the comment that the first text did not have.
    other = SourceFile(
        name, "db:\n  note: xxxxxxxxxxxxxxx  # the password is Sw0rdfishSw0rdfish99\n"
    )
    stream = io.StringIO()
    emit(normalise(diagnostics), {name: other}, "text", stream, colour="never")
    assert "note: " in stream.getvalue()
    assert "Sw0rdfishSw0rdfish99" not in stream.getvalue()


def test_the_pool_and_one_process_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("the worker pool forks")
    tree = CORPORA["corpus 2"] / "files"
    monkeypatch.setattr(lint, "PARALLEL_MIN_FILES", 1)
    pooled, pooled_sources, _count = lint.lint_paths([str(tree)])
    pooled_out = _render_all(normalise(pooled), pooled_sources)
    monkeypatch.setattr(lint, "PARALLEL_MIN_FILES", 10**9)
    single, single_sources, _count = lint.lint_paths([str(tree)])
    assert _render_all(normalise(single), single_sources) == pooled_out


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec="utf-8")),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=2)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_indented_json_is_what_json_writes(document: object) -> None:
    assert indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def _looks_random_per_character(token: str) -> bool:
    """`looks_random` as first written, one Python call per character: the reference."""

    def kind(char: str) -> int:
        if char.islower():
            return 0
        if char.isupper():
            return 1
        if char.isdigit():
            return 2
        return 3

    length = len(token)
    if length < 20 or length > 1024 or not re.match(r"^[A-Za-z0-9+/=_.~-]+$", token):
        return False
    if re.match(
        r"^(?:0x)?[0-9a-fA-F]+$|^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", token
    ):
        return False
    from floec.credential_rules import entropy

    if entropy._BENIGN.match(token):
        return False
    if token.count(".") >= 2 and not any(c in token for c in "+/="):
        return False
    if "/" in token and token.count("/") >= 3 and entropy._WORDY.search(token):
        return False
    classes = {kind(c) for c in token}
    if not {0, 1, 2} <= classes and not (len(classes) >= 2 and length >= 32 and 3 in classes):
        return False
    if token.count("-") + token.count("_") > length // 6:
        return False
    changes = sum(1 for a, b in itertools.pairwise(token) if kind(a) != kind(b))
    if changes < length // 4:
        return False
    if sum(len(w) for w in entropy._WORDY.findall(token)) > length // 2:
        return False
    counts = Counter(token).values()
    bits = -sum(n / length * math.log2(n / length) for n in counts)
    return bits >= min(4.5, math.log2(length) * 0.82)


@settings(max_examples=1000, deadline=None)
@given(
    st.text(
        alphabet="abcdefXYZ0123456789+/=_.~-AbCdEfGhIjKlMnOpQrStUvWxYz\né",
        min_size=18,
        max_size=80,
    )
)
def test_looks_random_classifies_characters_as_before(token: str) -> None:
    assert looks_random(token) == _looks_random_per_character(token)

"""Precision and recall of the credential lint on the labelled corpora.

tests/lint_corpus holds realistic configuration (floec platforms and pipelines, dbt profiles,
docker-compose, Kubernetes manifests, Helm values, CI configs, observability configs,
multi-document files) with planted fake secrets, and look-alike negatives written first.
tests/lint_corpus2 was written later in another style (Kubernetes Secrets and registry
credentials, JVM `-D` options, compose `command:` strings, Spring and Kafka properties, vendor keys
under innocuous names, passwords in prose, placeholders and algorithm names under password keys),
with its labels fixed before the lint was run on it. Labels live in labels.json, not in the YAML,
since comments are scanned too. Scoring is at the (file, line) level; each corpus must reach the
floor on its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from floec.diagnostics.model import Diagnostic
from floec.passes.lint_credentials import lint_credentials
from floec.source import read_source
from tests.corpus_eval import CORPORA, load_labels, negative_count, score

PRECISION = 0.97
RECALL = 0.97


def findings(corpus: Path) -> list[tuple[str, int, str]]:
    files = corpus / "files"
    out = []
    for path in sorted(files.rglob("*")):
        if not path.is_file():
            continue
        source = read_source(str(path))
        assert not isinstance(source, Diagnostic), source.message
        for diagnostic in lint_credentials(source):
            code = diagnostic.code
            if diagnostic.span is not None and "FLC201" <= code < "FLC230":
                rel = path.relative_to(files).as_posix()
                out.append((rel, diagnostic.span.start.line + 1, code))
    return out


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_corpus_is_big_enough(name: str) -> None:
    labels = load_labels(CORPORA[name])
    positives = sum(len(v) for v in labels.values())
    assert len(labels) >= 20
    assert positives >= 90
    assert negative_count(CORPORA[name]) >= positives
    if name == "corpus 1":
        kinds = {code for labels_of in labels.values() for lb in labels_of for code in lb.codes}
        assert {f"FLC2{n:02d}" for n in range(1, 22)} <= kinds


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_precision_and_recall(name: str) -> None:
    result = score(findings(CORPORA[name]), CORPORA[name])
    report = (
        f"{name}: {result.summary()}; false positives {list(result.false_positive_lines)}; "
        f"missed {list(result.missed)}; wrong code {list(result.wrong_code_lines)}"
    )
    print(report)
    assert result.precision >= PRECISION, report
    assert result.recall >= RECALL, report
    assert result.wrong_code == 0, report

"""Precision and recall of the credential lint on the labelled corpus (tests/lint_corpus).

The corpus holds realistic configuration (floec platforms and pipelines, dbt profiles,
docker-compose, Kubernetes manifests, Helm values, CI configs, observability configs,
multi-document files) with planted fake secrets, and look-alike negatives written first. Labels
live in labels.json, not in the YAML, since comments are scanned too. Scoring is at the
(file, line) level. The thresholds are the figures reached; a drop fails the build.
"""

from __future__ import annotations

from floec.diagnostics.model import Diagnostic
from floec.passes.lint_credentials import lint_credentials
from floec.source import read_source
from tests.corpus_eval import FILES, load_labels, negative_count, score

PRECISION = 0.97
RECALL = 0.97


def findings() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(FILES.rglob("*")):
        if not path.is_file():
            continue
        source = read_source(str(path))
        assert not isinstance(source, Diagnostic), source.message
        for diagnostic in lint_credentials(source):
            code = diagnostic.code
            if diagnostic.span is not None and "FLC201" <= code < "FLC230":
                rel = path.relative_to(FILES).as_posix()
                out.append((rel, diagnostic.span.start.line + 1, code))
    return out


def test_corpus_is_big_enough() -> None:
    labels = load_labels()
    positives = sum(len(v) for v in labels.values())
    assert len(labels) >= 30
    assert positives >= 100
    assert negative_count() >= positives
    kinds = {label.code for labels_of in labels.values() for label in labels_of}
    assert {f"FLC2{n:02d}" for n in range(1, 22)} <= kinds


def test_precision_and_recall() -> None:
    result = score(findings())
    report = (
        f"precision {result.precision:.3f}, recall {result.recall:.3f}; "
        f"false positives {list(result.false_positive_lines)}; missed {list(result.missed)}"
    )
    assert result.precision >= PRECISION, report
    assert result.recall >= RECALL, report
    assert result.wrong_code == 0, report

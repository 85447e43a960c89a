"""Scoring the lint against the labelled corpora (shared by the test and bench/lint_bench.py,
which scores detect-secrets the same way).

`tests/lint_corpus` was the first corpus; `tests/lint_corpus2` was written later, in another style
(Kubernetes Secrets, JVM options, compose `command:` strings, Helm values, CI configs, vendor keys
under innocuous names, prose), with its labels written before the lint was run on it, to measure
how the rules generalise. A label's code may list alternatives (`FLC218|FLC202`) where two rules
explain a secret equally well.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import attrs

HERE = Path(__file__).parent
CORPUS = HERE / "lint_corpus"
FILES = CORPUS / "files"
CORPORA = {"corpus 1": CORPUS, "corpus 2": HERE / "lint_corpus2"}


@attrs.frozen
class Label:
    line: int
    end_line: int
    code: str

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.code.split("|"))


@attrs.frozen
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int
    wrong_code: int
    false_positive_lines: tuple[tuple[str, int], ...]
    missed: tuple[tuple[str, int, str], ...]
    wrong_code_lines: tuple[tuple[str, int, str], ...] = ()

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0

    def summary(self) -> str:
        return (
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"(TP {self.true_positives}, FP {self.false_positives}, FN {self.false_negatives})"
        )


def _data(corpus: Path) -> dict[str, dict[str, list[object]]]:
    data: dict[str, dict[str, list[object]]] = json.loads(
        (corpus / "labels.json").read_text(encoding="utf-8")
    )["files"]
    return data


def load_labels(corpus: Path = CORPUS) -> dict[str, list[Label]]:
    return {
        name: [Label(p["line"], p["end_line"], p["code"]) for p in entry["positives"]]  # type: ignore[index]
        for name, entry in _data(corpus).items()
    }


def negative_count(corpus: Path = CORPUS) -> int:
    return sum(len(entry["negatives"]) for entry in _data(corpus).values())


def score(findings: Iterable[tuple[str, int, str]], corpus: Path = CORPUS) -> Score:
    """`findings` are (file relative to the corpus's files/ with '/', 1-based line, code). Scored
    at the (file, line) level: a finding is right when it falls in a labelled range, and a label
    is found when any finding falls in its range; several findings on one line count once."""
    labels = load_labels(corpus)
    by_place: dict[tuple[str, int], set[str]] = {}
    for file, line, code in findings:
        by_place.setdefault((file, line), set()).add(code)
    tp = fp = 0
    false_lines = []
    wrong = []
    for (file, line), codes in sorted(by_place.items()):
        hits = [label for label in labels.get(file, []) if label.line <= line <= label.end_line]
        if hits:
            tp += 1
            if not any(code in codes for label in hits for code in label.codes):
                wrong.append((file, line, ",".join(sorted(codes))))
        else:
            fp += 1
            false_lines.append((file, line))
    missed = []
    for file, file_labels in labels.items():
        for label in file_labels:
            if not any((file, line) in by_place for line in range(label.line, label.end_line + 1)):
                missed.append((file, label.line, label.code))
    # Recall counts labels; precision counts flagged lines. A label found by several lines
    # counts once in recall.
    found_labels = sum(len(v) for v in labels.values()) - len(missed)
    return Score(
        found_labels, fp, len(missed), len(wrong), tuple(false_lines), tuple(missed), tuple(wrong)
    )

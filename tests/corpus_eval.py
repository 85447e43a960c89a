"""Scoring the lint against the labelled corpus in tests/lint_corpus (shared by the test and
bench/lint_bench.py, which scores detect-secrets the same way)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import attrs

CORPUS = Path(__file__).parent / "lint_corpus"
FILES = CORPUS / "files"


@attrs.frozen
class Label:
    line: int
    end_line: int
    code: str


@attrs.frozen
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int
    wrong_code: int
    false_positive_lines: tuple[tuple[str, int], ...]
    missed: tuple[tuple[str, int, str], ...]

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


def load_labels() -> dict[str, list[Label]]:
    data = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    return {
        name: [Label(p["line"], p["end_line"], p["code"]) for p in entry["positives"]]
        for name, entry in data["files"].items()
    }


def negative_count() -> int:
    data = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    return sum(len(entry["negatives"]) for entry in data["files"].values())


def score(findings: Iterable[tuple[str, int, str]]) -> Score:
    """`findings` are (file relative to FILES with '/', 1-based line, code). Scored at the
    (file, line) level: a finding is right when it falls in a labelled range, and a label is
    found when any finding falls in its range; several findings on one line count once."""
    labels = load_labels()
    by_place: dict[tuple[str, int], set[str]] = {}
    for file, line, code in findings:
        by_place.setdefault((file, line), set()).add(code)
    tp = fp = wrong = 0
    false_lines = []
    for (file, line), codes in sorted(by_place.items()):
        hits = [label for label in labels.get(file, []) if label.line <= line <= label.end_line]
        if hits:
            tp += 1
            if not any(label.code in codes for label in hits):
                wrong += 1
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
    return Score(found_labels, fp, len(missed), wrong, tuple(false_lines), tuple(missed))

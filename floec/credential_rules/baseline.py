"""Baselines: adopt the lint in a repository that already has findings, without hiding new ones.

A fingerprint is sha256 over the rule, the file (relative to the baseline's folder, `/`-separated)
and the secret's text. It never holds the value in clear, and leaves the line number out so a
finding survives edits above it. A baseline is a multiset: two identical findings in one file need
two entries, so a copy of a baselined secret is still reported.

A sha256 of a short password can be brute-forced: a baseline is not a place to publish, only a way
to say "these are known and being rotated".
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from floec.diagnostics.model import Diagnostic
from floec.source import SourceFile
from floec.span import Span

VERSION = 1


def span_text(source: SourceFile, span: Span) -> str:
    """The text a span covers (lines joined with `\\n`)."""
    if span.start.line == span.end.line:
        return source.line(span.start.line)[span.start.column : span.end.column]
    parts = [source.line(span.start.line)[span.start.column :]]
    parts += [source.line(i) for i in range(span.start.line + 1, span.end.line)]
    parts.append(source.line(span.end.line)[: span.end.column])
    return "\n".join(parts)


def relative_file(file: str, root: str) -> str:
    path = os.path.relpath(os.path.abspath(file), os.path.abspath(root))
    return path.replace(os.sep, "/")


def fingerprint(diagnostic: Diagnostic, source: SourceFile | None, root: str) -> str | None:
    """The baseline fingerprint of a finding, or None for one without a place in a file."""
    span = diagnostic.masked[0] if diagnostic.masked else diagnostic.span
    if span is None or source is None:
        return None
    value = span_text(source, span)
    digest = hashlib.sha256()
    for part in (diagnostic.code, relative_file(span.file, root), value):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def read_baseline(path: str) -> Counter[str]:
    """The fingerprints recorded in `path`; ValueError with a readable reason when malformed."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not JSON: {error.msg} at line {error.lineno}") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f"{path} is not a floec baseline (version {VERSION})")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise ValueError(f"{path}: 'findings' must be a list")
    counter: Counter[str] = Counter()
    for entry in findings:
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
            counter[entry["fingerprint"]] += 1
    return counter


def write_baseline(
    path: str, diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile]
) -> int:
    """Record every finding with a fingerprint; returns how many were written."""
    root = os.path.dirname(os.path.abspath(path))
    entries = []
    for diagnostic in diagnostics:
        source = sources.get(diagnostic.path or "")
        value = fingerprint(diagnostic, source, root)
        if value is not None and diagnostic.path is not None:
            entries.append(
                {
                    "code": diagnostic.code,
                    "file": relative_file(diagnostic.path, root),
                    "fingerprint": value,
                }
            )
    entries.sort(key=lambda e: (e["file"], e["code"], e["fingerprint"]))
    document = {"version": VERSION, "tool": "floec", "findings": entries}
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)
    return len(entries)


def apply_baseline(
    diagnostics: list[Diagnostic],
    sources: Mapping[str, SourceFile],
    baseline: Counter[str],
    baseline_path: str,
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(kept, known): findings not in the baseline, and those it accounts for."""
    root = os.path.dirname(os.path.abspath(baseline_path))
    remaining = Counter(baseline)
    kept: list[Diagnostic] = []
    known: list[Diagnostic] = []
    for diagnostic in diagnostics:
        value = fingerprint(diagnostic, sources.get(diagnostic.path or ""), root)
        if value is not None and remaining[value] > 0:
            remaining[value] -= 1
            known.append(diagnostic)
        else:
            kept.append(diagnostic)
    return carry_masks(kept, known), known


def carry_masks(shown: list[Diagnostic], hidden: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Give every shown diagnostic the masked ranges of hidden findings on the lines it shows,
    so a suppressed or baselined secret cannot appear in another finding's snippet."""
    by_file: dict[str, list[Span]] = {}
    for hidden_one in hidden:
        for masked_span in hidden_one.masked:
            by_file.setdefault(masked_span.file, []).append(masked_span)
    if not by_file:
        return shown
    out = []
    for diagnostic in shown:
        span = diagnostic.span
        if span is None:
            out.append(diagnostic)
            continue
        extra = tuple(
            masked
            for masked in by_file.get(span.file, [])
            if masked.start.line <= span.end.line
            and span.start.line <= masked.end.line
            and masked not in diagnostic.masked
        )
        out.append(
            attrs.evolve(diagnostic, masked=diagnostic.masked + extra) if extra else diagnostic
        )
    return out

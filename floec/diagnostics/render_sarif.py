"""The `sarif` format: SARIF 2.1.0 for code-scanning uploads (GitHub, GitLab, Azure DevOps).

Rule metadata (`tool.driver.rules`) comes from the one registry and each code's documentation
file, so `floec explain`, the docs and a code-scanning alert say the same thing. Lines and
columns are 1-based, columns in Unicode code points (declared with `columnKind`). Results carry
a `partialFingerprints` entry that hashes the rule, the file and the flagged text (the baseline's
fingerprint), never the line: an alert survives edits above it. No source text is embedded
(no `snippet`), so a masked secret cannot leak through the log.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

from floec import __version__
from floec.diagnostics.codes import CODES, Code
from floec.diagnostics.model import Diagnostic, Severity
from floec.source import SourceFile

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}

JsonObject = dict[str, object]


@functools.cache
def _rule(entry: Code) -> JsonObject:
    from floec.diagnostics.rule_docs import rule_doc, sections

    rule: JsonObject = {
        "id": entry.code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "defaultConfiguration": {"level": _LEVEL[Severity(entry.severity)]},
    }
    doc = rule_doc(entry.code)
    if doc is not None:
        what = sections(doc).get("What it does")
        if what:
            rule["fullDescription"] = {"text": " ".join(what.split())}
        rule["help"] = {"text": doc, "markdown": doc}
    tags = ["security"] if entry.code.startswith("FLC2") else ["correctness"]
    properties: JsonObject = {"tags": tags}
    if entry.code.startswith("FLC2") and entry.severity == "error":
        properties["security-severity"] = "8.0"
    rule["properties"] = properties
    return rule


def _uri(path: str) -> str:
    return path.replace(os.sep, "/")


def _result(
    diagnostic: Diagnostic, index: dict[str, int], sources: Mapping[str, SourceFile]
) -> JsonObject:
    from floec.credential_rules.baseline import fingerprint

    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    result: JsonObject = {
        "ruleId": diagnostic.code,
        "level": _LEVEL[diagnostic.severity],
        "message": {"text": message},
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    path = diagnostic.path
    if path is not None:
        physical: JsonObject = {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}}
        span = diagnostic.span
        if span is not None:
            physical["region"] = {
                "startLine": span.start.line + 1,
                "startColumn": span.start.column + 1,
                "endLine": span.end.line + 1,
                "endColumn": span.end.column + 1,
            }
        result["locations"] = [{"physicalLocation": physical}]
        value = fingerprint(diagnostic, sources.get(path), os.getcwd())
        if value is not None:
            result["partialFingerprints"] = {"floecFingerprint/v1": value}
    return result


def to_sarif(diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile]) -> JsonObject:
    from floec.diagnostics.redact import prepare

    diagnostics = prepare(diagnostics, sources)
    entries = list(CODES.values())
    index = {entry.code: i for i, entry in enumerate(entries)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "floec",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(entry) for entry in entries],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _uri(os.getcwd()).rstrip("/") + "/"}},
                "results": [_result(d, index, sources) for d in diagnostics],
            }
        ],
    }


def render(diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    from floec.diagnostics.redact import escape_json
    from floec.diagnostics.render_json import indented

    return escape_json(indented(to_sarif(diagnostics, sources))) + "\n"

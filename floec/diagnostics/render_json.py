"""The `json` format: one object per diagnostic, in the Language Server Protocol's shape.

Lines and characters are 0-based and characters are counted in UTF-16 code units, as LSP
clients expect by default, so an editor can use the ranges as they are. The source snippet is
never included; messages pass through `redact.prepare`, so a flagged value cannot leak.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from floec.diagnostics.model import Diagnostic
from floec.source import SourceFile
from floec.span import Position, Span

JsonObject = dict[str, object]
_string = json.encoder.encode_basestring  # the C encoder's, as `ensure_ascii=False` uses


def _utf16(position: Position, source: SourceFile | None) -> dict[str, int]:
    character = position.column
    if source is not None:
        prefix = source.line(position.line)[: position.column]
        if not prefix.isascii():
            character = len(prefix.encode("utf-16-le")) // 2
    return {"line": position.line, "character": character}


def lsp_range(span: Span | None, sources: Mapping[str, SourceFile]) -> JsonObject:
    if span is None:
        zero = {"line": 0, "character": 0}
        return {"start": zero, "end": zero}
    source = sources.get(span.file)
    return {"start": _utf16(span.start, source), "end": _utf16(span.end, source)}


def to_object(diagnostic: Diagnostic, sources: Mapping[str, SourceFile]) -> JsonObject:
    obj: JsonObject = {
        "file": diagnostic.path,
        "range": lsp_range(diagnostic.span, sources),
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "source": "floec",
    }
    if diagnostic.help:
        obj["help"] = diagnostic.help
    if diagnostic.notes:
        obj["notes"] = list(diagnostic.notes)
    if diagnostic.related:
        obj["related"] = [
            {"file": r.span.file, "range": lsp_range(r.span, sources), "message": r.message}
            for r in diagnostic.related
        ]
    return obj


def to_objects(
    diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile]
) -> list[JsonObject]:
    """Every diagnostic as an object, after the last guard against secrets (`redact.prepare`)."""
    from floec.diagnostics.redact import prepare

    return [to_object(d, sources) for d in prepare(diagnostics, sources)]


def dumps(document: object) -> str:
    """JSON with every control and bidirectional character escaped."""
    from floec.diagnostics.redact import escape_json

    return escape_json(indented(document))


def indented(document: object) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)`, byte for byte, in a fraction of
    its time: with an indent, `json` encodes in pure Python one generator per value, which
    thousands of findings make the largest cost of the format. Strings and numbers are still
    encoded by `json` itself (its C encoder)."""
    out: list[str] = []
    _write(document, "\n", out)
    return "".join(out)


def _write(value: object, newline: str, out: list[str]) -> None:
    if isinstance(value, dict) and value and all(type(key) is str for key in value):
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            kind = type(item)
            if kind is str:  # the leaves are written here: a call less for most values
                out.append(f"{separator}{_string(key)}: {_string(item)}")
            elif kind is int:
                out.append(f"{separator}{_string(key)}: {int.__repr__(item)}")
            else:
                out.append(f"{separator}{_string(key)}: ")
                _write(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list) and value:
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    elif type(value) is str:
        out.append(_string(value))
    elif type(value) is int:
        out.append(int.__repr__(value))
    else:  # floats, booleans, null, empty collections, anything unusual: as json writes them
        out.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))


def render(diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    return dumps(to_objects(diagnostics, sources)) + "\n"

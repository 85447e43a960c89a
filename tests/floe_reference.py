"""floe-runtime's configuration format, read from its field-by-field reference.

The reference is `shared/floe-format/REFERENCE.md` (generated from floe-runtime's own JSON
Schemas), read from beside the checkout when it is there, so that a field added to it without a
schema change fails a test; `tests/data/floe-format-reference.md` is a copy of it for a clone
without shared/. This module parses its tables so that tests can walk every field of every block
against floec's schemas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs

SHARED = Path(__file__).resolve().parents[2] / "shared" / "floe-format" / "REFERENCE.md"
COPY = Path(__file__).parent / "data" / "floe-format-reference.md"
PATH = SHARED if SHARED.exists() else COPY

# Section number -> (the file it describes, whether it is the current format).
SECTIONS = {1: "floe", 2: "platform", 3: "floe", 4: "platform"}


@attrs.frozen
class Field:
    name: str
    type: str  # the reference's type expression, e.g. "list of `BatchJob`"
    required: bool
    default: object  # the parsed JSON default, or MISSING
    constraints: dict[str, object]


@attrs.frozen
class Block:
    section: int
    name: str  # "" for the top level
    fields: tuple[Field, ...] = ()
    values: tuple[str, ...] = ()  # an enumeration's values

    @property
    def is_enum(self) -> bool:
        return bool(self.values)


MISSING = object()
_HEADING = re.compile(r"^## (\d)\. ")
_BLOCK = re.compile(r"^### `([A-Za-z0-9_]+)`")
_ROW = re.compile(r"^\| `([^`]+)` \| (.*?) \| (yes)? *\| (.*?) \| (.*?) \|$")


def parse(text: str | None = None) -> list[Block]:
    """Every block of every section, in the reference's order."""
    text = PATH.read_text(encoding="utf-8") if text is None else text
    blocks: list[Block] = []
    section = 0
    name: str | None = None
    fields: list[Field] = []
    values: tuple[str, ...] = ()

    def close() -> None:
        if name is not None:
            blocks.append(Block(section, name, tuple(fields), values))

    for line in text.splitlines():
        if heading := _HEADING.match(line):
            close()
            section, name, fields, values = int(heading.group(1)), None, [], ()
        elif line.startswith("Top level:"):
            close()
            name, fields, values = "", [], ()
        elif block := _BLOCK.match(line):
            close()
            name, fields, values = block.group(1), [], ()
        elif line.startswith("values: "):
            values = tuple(re.findall(r"`([^`]*)`", line))
        elif row := _ROW.match(line):
            field, type_, required, default, constraints = row.groups()
            fields.append(
                Field(
                    field,
                    type_.strip(),
                    required == "yes",
                    json.loads(default) if default.strip() else MISSING,
                    _constraints(constraints),
                )
            )
    close()
    return blocks


def _constraints(text: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, value = part.partition(" ")
        if key == "pattern":
            out[key] = value.strip("`")
        else:
            number = float(value)
            out[key] = int(number) if number.is_integer() and "." not in value else number
    return out

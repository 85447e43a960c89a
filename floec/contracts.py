"""The published JSON Schemas (the `schemas/` directory, shipped in the wheel as floec.schemas).

Loaded through importlib.resources so the installed wheel and an editable install behave alike.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Literal

SchemaKind = Literal["floe", "platform", "artifacts"]

_FILES: dict[str, str] = {
    "floe": "floe.schema.json",
    "platform": "platform.schema.json",
    "artifacts": "compiled-artifacts.schema.json",
}

JsonSchema = dict[str, object]


def schema_text(kind: SchemaKind) -> str:
    return resources.files("floec.schemas").joinpath(_FILES[kind]).read_text(encoding="utf-8")


@functools.cache
def load_schema(kind: SchemaKind) -> JsonSchema:
    loaded: JsonSchema = json.loads(schema_text(kind))
    return loaded

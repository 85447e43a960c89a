"""The published JSON Schemas (the `schemas/` directory, shipped in the wheel as floec.schemas).

Read from the package's directory, found through the import system so that the installed wheel
and an editable install (where `schemas/` stays at the top of the checkout) behave alike;
importlib.resources would do the same and cost every start 8 ms of imports.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Literal

SchemaKind = Literal["floe", "platform", "artifacts"]

_FILES: dict[str, str] = {
    "floe": "floe.schema.json",
    "platform": "platform.schema.json",
    "artifacts": "compiled-artifacts.schema.json",
}

JsonSchema = dict[str, object]


def schema_text(kind: SchemaKind) -> str:
    with open(os.path.join(_directory(), _FILES[kind]), encoding="utf-8") as file:
        return file.read()


@functools.cache
def _directory() -> str:
    beside = os.path.join(os.path.dirname(__file__), "schemas")
    if os.path.isfile(os.path.join(beside, _FILES["floe"])):
        return beside
    import importlib.util

    spec = importlib.util.find_spec("floec.schemas")
    assert spec is not None and spec.submodule_search_locations, "floec.schemas is not installed"
    return next(iter(spec.submodule_search_locations))


@functools.cache
def load_schema(kind: SchemaKind) -> JsonSchema:
    loaded: JsonSchema = json.loads(schema_text(kind))
    return loaded


_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment"})


@functools.cache
def validation_schema(kind: SchemaKind) -> JsonSchema:
    """The schema with every local `$ref` inlined, for validating.

    jsonschema resolves a `$ref` through its registry on every visit, which made validation
    about four times slower on our schemas. A reference whose siblings are only annotations is
    merged into them; any other becomes `allOf: [target]`, which means the same in Draft 2020-12.
    The published schema (`load_schema`) keeps its `$defs` for editors.
    """
    root = load_schema(kind)

    def resolve(ref: str) -> object:
        target: object = root
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict), ref
            target = target[part]
        return target

    def inline(node: object, depth: int) -> object:
        if depth > 400:  # our schemas are not recursive; never loop if one becomes so
            raise ValueError(f"the {kind} schema nests references too deeply")
        if isinstance(node, list):
            return [inline(item, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: inline(value, depth + 1) for key, value in node.items() if key != "$ref"}
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return out
        target = inline(resolve(ref), depth + 1)
        assert isinstance(target, dict), ref
        if all(key in _ANNOTATIONS or key.startswith("x-") for key in out):
            return {**target, **out}
        earlier = out.get("allOf")
        out["allOf"] = [*(earlier if isinstance(earlier, list) else []), target]
        return out

    inlined = inline({k: v for k, v in root.items() if k != "$defs"}, 0)
    assert isinstance(inlined, dict)
    return inlined

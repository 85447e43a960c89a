"""Walking a JSON Schema along a key path, for completion and hover.

Nothing here knows floec's fields: it follows `$ref` (into `$defs`), `properties`,
`patternProperties`, `additionalProperties`, `items`, `allOf`, `anyOf`/`oneOf` (a union chosen
by `type`, `mode` or any `const` discriminator when the document says which), and `if`/`then`/
`else` (evaluated on the scalar values the document has), so it works on whatever the schemas
describe.

>>> root = {"$defs": {"p": {"type": "object", "properties": {"type": {"enum": ["a", "b"]}}}},
...         "type": "object", "properties": {"x": {"type": "object",
...         "additionalProperties": {"$ref": "#/$defs/p"}}}}
>>> [sorted(fields(root, s)) for s in at_path(root, ("x", "any"), ())]
[['type']]
>>> values(root, at_path(root, ("x", "any", "type"), ()))
['a', 'b']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from floec.lsp.cursor import ITEM

Schema = Mapping[str, Any]
_MAX_DEPTH = 32


def resolve(root: Schema, schema: object, depth: int = 0) -> Schema:
    """`schema` with a local `$ref` followed (its own keywords kept beside the target's)."""
    if not isinstance(schema, Mapping):
        return {}
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/") or depth > _MAX_DEPTH:
        return schema
    target: object = root
    for part in ref[2:].split("/"):
        target = target.get(part) if isinstance(target, Mapping) else None
    merged = dict(resolve(root, target, depth + 1))
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return merged


def _if_holds(root: Schema, condition: object, instance: Mapping[str, str]) -> bool:
    """A schema `if` evaluated on the scalar values of a mapping (all floec needs: consts,
    enums and required keys)."""
    condition = resolve(root, condition)
    for name in condition.get("required", ()):
        if name not in instance:
            return False
    for name, sub in (condition.get("properties") or {}).items():
        if name not in instance:
            continue
        sub = resolve(root, sub)
        if "const" in sub and str(sub["const"]) != instance[name]:
            return False
        if "enum" in sub and instance[name] not in {str(v) for v in sub["enum"]}:
            return False
    return True


def _discriminated(root: Schema, branch: object, instance: Mapping[str, str]) -> bool:
    """Whether a union branch fits the document's discriminator values (unknown: it fits)."""
    branch = resolve(root, branch)
    for name, sub in (branch.get("properties") or {}).items():
        sub = resolve(root, sub)
        given = instance.get(name)
        if given is None or not given:
            continue
        if "const" in sub and str(sub["const"]) != given:
            return False
        if "enum" in sub and given not in {str(v) for v in sub["enum"]} and len(sub["enum"]) == 1:
            return False
    return True


def expand(
    root: Schema, schema: object, instance: Mapping[str, str], depth: int = 0
) -> list[Schema]:
    """`schema` and every subschema that applies to the same value (allOf, the union branches
    that fit, the `then` or `else` that holds)."""
    schema = resolve(root, schema)
    if not schema or depth > _MAX_DEPTH:
        return [schema] if schema else []
    out = [schema]
    for sub in schema.get("allOf", ()):
        out += expand(root, sub, instance, depth + 1)
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword, ())
        fitting = [b for b in branches if _discriminated(root, b, instance)]
        for sub in fitting or branches:
            out += expand(root, sub, instance, depth + 1)
    if "if" in schema:
        chosen = schema.get("then") if _if_holds(root, schema["if"], instance) else None
        if chosen is None and not _if_holds(root, schema["if"], instance):
            chosen = schema.get("else")
        if chosen is not None:
            out += expand(root, chosen, instance, depth + 1)
    return out


def _children(root: Schema, schema: Schema, key: str) -> Iterator[object]:
    if key == ITEM:
        if "items" in schema:
            yield schema["items"]
        return
    properties = schema.get("properties") or {}
    if key in properties:
        yield properties[key]
        return
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        if re.search(pattern, key):
            yield sub
            return
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        yield extra


def at_path(root: Schema, path: Sequence[str], frames: Sequence[Mapping[str, str]]) -> list[Schema]:
    """Every schema that applies to the value at `path`; `frames[i]` holds the scalar values of
    the mapping at depth i (to choose union branches), when known."""

    def frame(depth: int) -> Mapping[str, str]:
        return frames[depth] if depth < len(frames) else {}

    current = expand(root, root, frame(0))
    for depth, key in enumerate(path):
        following: list[Schema] = []
        for schema in current:
            for child in _children(root, schema, key):
                following += expand(root, child, frame(depth + 1))
        current = following
        if not current:
            break
    return current


def fields(root: Schema, schema: Schema) -> dict[str, Schema]:
    """The named fields of an object schema (first description wins)."""
    out: dict[str, Schema] = {}
    for name, sub in (schema.get("properties") or {}).items():
        out.setdefault(name, resolve(root, sub))
    return out


def all_fields(root: Schema, schemas: Sequence[Schema]) -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for schema in schemas:
        for name, sub in fields(root, schema).items():
            known = out.get(name)
            if known is None or (not known.get("description") and sub.get("description")):
                out[name] = sub
    return out


def values(root: Schema, schemas: Sequence[Schema]) -> list[str]:
    """The values an enum, const or boolean allows, in the schema's order. Where `then` narrows
    an enum (credential modes per compute type), the narrowest list wins."""
    lists: list[list[str]] = []
    for schema in schemas:
        for sub in expand(root, schema, {}):
            if "enum" in sub:
                lists.append([_text(v) for v in sub["enum"] if v is not None])
            elif "const" in sub:
                lists.append([_text(sub["const"])])
            elif sub.get("type") == "boolean":
                lists.append(["true", "false"])
    if not lists:
        return []
    narrowest = min(lists, key=len)
    return [v for v in dict.fromkeys(v for values_ in lists for v in values_) if v in narrowest]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def description(schemas: Sequence[Schema]) -> str | None:
    for schema in schemas:
        text = schema.get("description")
        if isinstance(text, str) and text:
            return text
    return None


def type_summary(root: Schema, schemas: Sequence[Schema]) -> str:
    """A short type for hover and completion details: `string`, `one of: a, b`, `object`..."""
    allowed = values(root, schemas)
    if allowed and len(allowed) <= 12:
        return "one of: " + ", ".join(allowed)
    kinds: list[str] = []
    for schema in schemas:
        for sub in expand(root, schema, {}):
            kind = sub.get("type")
            if isinstance(kind, str):
                kinds.append(kind)
            elif isinstance(kind, list):
                kinds += [k for k in kind if isinstance(k, str)]
            if "required" in sub and "secret_ref" in sub.get("required", ()):
                kinds.append("secret reference")
    unique = list(dict.fromkeys(kinds))
    return " or ".join(unique) if unique else "any"


def flag(schemas: Sequence[Schema], name: str) -> object:
    """An `x-floec-*` annotation of the value, when a schema on the path has it."""
    for schema in schemas:
        if name in schema:
            return schema[name]
    return None

"""Hypothesis strategies that build documents from floec's JSON Schemas.

The strategy follows the schema's structure (objects with their properties and required fields,
enums and consts, string patterns, number bounds, arrays, maps, `anyOf`, local `$ref`s) and
ignores the conditional branches (`if`/`then`, `not`); callers keep only documents that the
schema accepts (jsonschema decides), so a conditional never makes a test wrong, only slower.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Schema = dict[str, Any]

_NAME = st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z")
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


def from_schema(root: Schema, node: Schema | None = None, depth: int = 0) -> st.SearchStrategy[Any]:
    """Documents shaped like `node` (default: the whole schema) of the schema `root`."""
    node = root if node is None else node
    if "$ref" in node:
        target = _resolve(root, node["$ref"])
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return from_schema(root, merged, depth)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from([v for v in node["enum"] if v is not None] or [None])
    if "anyOf" in node or "oneOf" in node:
        options = node.get("anyOf") or node["oneOf"]
        return st.one_of([from_schema(root, {**o}, depth) for o in options])
    kind = node.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema(root, {**node, "type": k}, depth) for k in kind])
    if kind == "object" or "properties" in node:
        return _object(root, node, depth)
    if kind == "array":
        items = node.get("items", {"type": "string"})
        low = node.get("minItems", 0)
        return st.lists(from_schema(root, items, depth + 1), min_size=low, max_size=max(low, 2))
    if kind == "string":
        return _string(node)
    if kind == "integer":
        return st.integers(node.get("minimum", -5), node.get("maximum", 400))
    if kind == "number":
        return st.floats(
            node.get("minimum", -5.0), node.get("maximum", 400.0), allow_nan=False
        ).map(lambda x: round(x, 3))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return st.one_of(st.booleans(), st.integers(0, 9), _NAME)


def _object(root: Schema, node: Schema, depth: int) -> st.SearchStrategy[Any]:
    properties: dict[str, Schema] = node.get("properties", {})
    required = set(node.get("required", []))
    extra = node.get("additionalProperties")
    if not properties and isinstance(extra, dict):
        values = from_schema(root, extra, depth + 1)
        keys = _NAME
        if "propertyNames" in node:
            keys = _string(_deref(root, node["propertyNames"]))
        return st.dictionaries(keys, values, min_size=node.get("minProperties", 0), max_size=2)
    if not properties:
        return st.dictionaries(_NAME, st.one_of(_NAME, st.integers(0, 9)), max_size=2)
    fixed = {name: from_schema(root, properties[name], depth + 1) for name in sorted(required)}
    # deeper objects get fewer optional fields, so that documents stay small
    optional_names = sorted(set(properties) - required)
    budget = max(0, 4 - depth)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        out = {name: draw(strategy) for name, strategy in fixed.items()}
        chosen = draw(
            st.lists(st.sampled_from(optional_names), unique=True, max_size=budget)
            if optional_names
            else st.just([])
        )
        for name in chosen:
            out[name] = draw(from_schema(root, properties[name], depth + 1))
        return out

    return build()


def _string(node: Schema) -> st.SearchStrategy[str]:
    pattern = node.get("pattern")
    low, high = node.get("minLength", 0), node.get("maxLength", 40)
    strategy = st.from_regex(_anchor(pattern), fullmatch=True) if pattern is not None else _TEXT
    return strategy.filter(lambda s: low <= len(s) <= high)


def _anchor(pattern: str) -> str:
    core = pattern.removeprefix("^").removesuffix("$")
    return rf"\A(?:{core})\Z"


def _resolve(root: Schema, ref: str) -> Schema:
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return dict(target)


def _deref(root: Schema, node: Schema) -> Schema:
    while "$ref" in node:
        node = {**_resolve(root, node["$ref"]), **{k: v for k, v in node.items() if k != "$ref"}}
    return node

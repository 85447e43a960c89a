"""A JSON Schema compiled into closures that answer one question: is this document valid?

jsonschema explains errors well but costs ten Python start-ups to import and walks the schema
generically on every node. Most documents are valid, so `validate` asks this first and calls
jsonschema only to explain a document found invalid: the diagnostics are jsonschema's, always.

The closures implement Draft 2020-12 as jsonschema does for the keywords our schemas use (no
format assertion, as `validate` asks for none). A keyword not implemented here compiles to "not
valid": the worst a gap can cost is the slow path, never a wrong "valid".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]


# Keywords that assert nothing (annotations); x-* are floec's own annotations.
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
        "contentEncoding",
        "contentMediaType",
    }
)


def _never(_: Any) -> bool:
    return False


def _always(_: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}


def equal(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema has it: true and 1 differ, containers compare by content."""
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return bool(a == b)


def compile_schema(schema: Any, root: Any = None) -> Check:
    """A function telling whether an instance is valid against `schema`. Local references
    (`$ref: "#/$defs/..."`) are resolved in `root` (default: the schema itself), each compiled
    once however many places use it."""
    return _Compiler(schema if root is None else root).compile(schema)


class _Compiler:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.references: dict[str, Check] = {}

    def reference(self, ref: str) -> Check:
        known = self.references.get(ref)
        if known is not None:
            return known
        if not ref.startswith("#/"):
            return _never
        target = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return _never
            target = target[part]
        compiled: list[Check] = []
        # Registered before compiling, so a schema that refers to itself terminates.
        self.references[ref] = lambda v: compiled[0](v)
        compiled.append(self.compile(target))
        self.references[ref] = compiled[0]
        return compiled[0]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _always
        if schema is False or not isinstance(schema, dict):
            return _never
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue
            if keyword in ("then", "else"):
                continue  # compiled with `if`
            if keyword == "$ref":
                checks.append(self.reference(value) if isinstance(value, str) else _never)
                continue
            if keyword in ("properties", "patternProperties", "additionalProperties"):
                if keyword == "properties" or "properties" not in schema:
                    checks.append(_object(schema, self))
                continue
            build = _KEYWORDS.get(keyword)
            checks.append(build(value, schema, self) if build is not None else _never)
        return _every(checks)


def _every(checks: list[Check]) -> Check:
    """All of `checks` (a loop, not `all()` over a generator: this runs once per node)."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    every = tuple(checks)

    def check(v: Any) -> bool:
        for test in every:  # noqa: SIM110 - a loop, not a generator per call
            if not test(v):
                return False
        return True

    return check


def _some(checks: list[Check]) -> Check:
    """Any of `checks`."""
    if len(checks) == 1:
        return checks[0]
    some = tuple(checks)

    def check(v: Any) -> bool:
        for test in some:  # noqa: SIM110 - a loop, not a generator per call
            if test(v):
                return True
        return False

    return check


def _search(pattern: str) -> Callable[[str], object]:
    """`re.search` with `pattern`, compiled on first use (a schema has hundreds of patterns, a
    document meets a few) and not looked up in `re`'s cache on every call after."""
    compiled: list[Callable[[str], object]] = []

    def search(text: str) -> object:
        if not compiled:
            compiled.append(re.compile(pattern).search)
        return compiled[0](text)

    return search


def _type(value: Any, _: Any, c: _Compiler) -> Check:
    names = value if isinstance(value, list) else [value]
    if any(name not in _TYPES for name in names):
        return _never
    return _some([_TYPES[name] for name in names])


def _object(schema: dict[str, Any], c: _Compiler) -> Check:
    # A property's schema is compiled the first time a document has that property: a schema
    # describes every kind of profile, a document uses a few.
    declared: dict[str, Any] = schema.get("properties", {})
    compiled: dict[str, Check] = {}
    patterns = [(_search(p), c.compile(s)) for p, s in schema.get("patternProperties", {}).items()]
    additional = schema.get("additionalProperties", True)
    extra = c.compile(additional) if additional is not True else None

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for key, item in v.items():
            known = compiled.get(key)
            if known is None and key in declared:
                known = compiled[key] = c.compile(declared[key])
            if known is not None:
                if not known(item):
                    return False
                matched = True
            else:
                matched = False
            for search, test in patterns:
                if search(key):
                    matched = True
                    if not test(item):
                        return False
            if not matched and extra is not None and not extra(item):
                return False
        return True

    if not patterns and extra is None and len(declared) <= 2:
        # Only a few properties constrained, the rest free (an `if` testing `type`, say):
        # looking those up costs less than going through every key of the mapping.
        names = tuple(declared)

        def check_few(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key in names:
                if key in v:
                    known = compiled.get(key)
                    if known is None:
                        known = compiled[key] = c.compile(declared[key])
                    if not known(v[key]):
                        return False
            return True

        return check_few
    if not patterns:  # the usual object: declared properties, perhaps a schema for the rest

        def check_declared(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, item in v.items():
                known = compiled.get(key)
                if known is None:
                    if key in declared:
                        known = compiled[key] = c.compile(declared[key])
                    elif extra is None:
                        continue
                    else:
                        known = extra
                if not known(item):
                    return False
            return True

        return check_declared
    return check


def _required(value: Any, _: Any, c: _Compiler) -> Check:
    names = tuple(value)
    if len(names) == 1:
        (name,) = names
        return lambda v: not isinstance(v, dict) or name in v
    return lambda v: not isinstance(v, dict) or all(name in v for name in names)


def _enum(value: Any, _: Any, c: _Compiler) -> Check:
    options = tuple(value)
    if options and all(isinstance(option, str) for option in options):
        # Only a string equals a string (see `equal`): a set lookup answers the same.
        strings = frozenset(options)
        return lambda v: isinstance(v, str) and v in strings
    return lambda v: any(equal(v, option) for option in options)


def _const(value: Any, _: Any, c: _Compiler) -> Check:
    if isinstance(value, str):
        return lambda v: isinstance(v, str) and v == value
    return lambda v: equal(v, value)


def _pattern(value: Any, _: Any, c: _Compiler) -> Check:
    search = _search(value)
    return lambda v: not isinstance(v, str) or search(v) is not None


def _min_length(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not isinstance(v, str) or len(v) >= value


def _max_length(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not isinstance(v, str) or len(v) <= value


def _minimum(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not _is_number(v) or v >= value


def _maximum(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not _is_number(v) or v <= value


def _exclusive_minimum(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not _is_number(v) or v > value


def _exclusive_maximum(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not _is_number(v) or v < value


def _not(value: Any, _: Any, c: _Compiler) -> Check:
    inner = c.compile(value)
    return lambda v: not inner(v)


def _all_of(value: Any, _: Any, c: _Compiler) -> Check:
    return _cases(value, c) or _every([c.compile(s) for s in value])


def _cases(value: Any, c: _Compiler) -> Check | None:
    """`allOf` of `if name is <string> then ...` (no `else`), as a profile's schema has one per
    type: the `then`s of the document's own value are found by a lookup, not by testing every
    `if`. None for any other `allOf`."""
    if not isinstance(value, list) or len(value) < 2:
        return None
    name: str | None = None
    cases: list[tuple[str, bool, Check]] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"if", "then"}:
            return None
        chosen = _discriminator(item["if"])
        if chosen is None or not isinstance(chosen[1], str) or name not in (None, chosen[0]):
            return None
        name = chosen[0]
        cases.append((chosen[1], chosen[2], c.compile(item["then"])))
    grouped: dict[str, list[Check]] = {}
    for constant, _, then in cases:
        grouped.setdefault(constant, []).append(then)
    by_value = {constant: _every(thens) for constant, thens in grouped.items()}
    # Without the property, an `if` that does not require it holds; of anything but an
    # object, every `if` holds.
    when_missing = _every([then for _, required, then in cases if not required])
    when_not_object = _every([then for _, _, then in cases])

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return when_not_object(v)
        if name in v:
            found = v[name]
            test = by_value.get(found) if isinstance(found, str) else None
            return True if test is None else test(v)
        return when_missing(v)

    return check


def _any_of(value: Any, _: Any, c: _Compiler) -> Check:
    return _some([c.compile(s) for s in value]) if value else _never


def _one_of(value: Any, _: Any, c: _Compiler) -> Check:
    parts = tuple(c.compile(s) for s in value)
    return lambda v: sum(1 for part in parts if part(v)) == 1


def _if(value: Any, schema: Any, c: _Compiler) -> Check:
    then = c.compile(schema.get("then", True))
    otherwise = c.compile(schema.get("else", True))
    chosen = _discriminator(value)
    if chosen is not None:
        # `if` one property holds one constant: the condition is a lookup and a comparison, not
        # an object check (a profile's schema has one such `if` per type it may have).
        name, constant, required = chosen
        same = _const(constant, None, c)
        if isinstance(constant, str) and otherwise is _always:

            def check_string(v: Any) -> bool:
                if isinstance(v, dict):  # else `properties` and `required` hold
                    if name in v:
                        found = v[name]
                        if not (isinstance(found, str) and found == constant):
                            return True
                    elif required:
                        return True
                return then(v)

            return check_string

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                holds = True  # `properties` and `required` hold of anything but an object
            elif name in v:
                holds = same(v[name])
            else:
                holds = not required
            return then(v) if holds else otherwise(v)

        return check
    condition = c.compile(value)
    return lambda v: then(v) if condition(v) else otherwise(v)


def _discriminator(schema: Any) -> tuple[str, Any, bool] | None:
    """(name, constant, whether required) of a schema that is exactly
    `{properties: {name: {const: constant}}}`, with `required: [name]` or not."""
    if not isinstance(schema, dict) or set(schema) - {"properties", "required"}:
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict) or len(properties) != 1:
        return None
    ((name, rule),) = properties.items()
    if not isinstance(rule, dict) or set(rule) != {"const"}:
        return None
    required = schema.get("required")
    if required is not None and required != [name]:
        return None
    return name, rule["const"], required is not None


def _items(value: Any, schema: Any, c: _Compiler) -> Check:
    if "prefixItems" in schema:
        return _never
    item = c.compile(value)
    return lambda v: not isinstance(v, list) or all(item(x) for x in v)


def _min_items(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not isinstance(v, list) or len(v) >= value


def _max_items(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not isinstance(v, list) or len(v) <= value


def _unique_items(value: Any, _: Any, c: _Compiler) -> Check:
    if not value:
        return _always

    def check(v: Any) -> bool:
        if not isinstance(v, list):
            return True
        return not any(equal(v[i], v[j]) for i in range(len(v)) for j in range(i + 1, len(v)))

    return check


def _property_names(value: Any, _: Any, c: _Compiler) -> Check:
    name = c.compile(value)
    return lambda v: not isinstance(v, dict) or all(name(key) for key in v)


def _min_properties(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not isinstance(v, dict) or len(v) >= value


def _max_properties(value: Any, _: Any, c: _Compiler) -> Check:
    return lambda v: not isinstance(v, dict) or len(v) <= value


def _dependent_required(value: Any, _: Any, c: _Compiler) -> Check:
    rules = tuple((key, tuple(names)) for key, names in value.items())
    return lambda v: (
        not isinstance(v, dict)
        or all(key not in v or all(name in v for name in names) for key, names in rules)
    )


def _dependent_schemas(value: Any, _: Any, c: _Compiler) -> Check:
    rules = tuple((key, c.compile(s)) for key, s in value.items())
    return lambda v: not isinstance(v, dict) or all(key not in v or test(v) for key, test in rules)


_KEYWORDS: dict[str, Callable[[Any, Any, _Compiler], Check]] = {
    "type": _type,
    "required": _required,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "if": _if,
    "items": _items,
    "minItems": _min_items,
    "maxItems": _max_items,
    "uniqueItems": _unique_items,
    "propertyNames": _property_names,
    "minProperties": _min_properties,
    "maxProperties": _max_properties,
    "dependentRequired": _dependent_required,
    "dependentSchemas": _dependent_schemas,
}

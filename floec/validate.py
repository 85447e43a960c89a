"""Stage `validate`: syntax tree -> typed plain data, checked against the JSON Schema.

Reads: a `SyntaxTree` and the schema of its kind. Writes: the document as plain data whose
scalars are typed by the schema, not by YAML 1.1 guessing (a plain `no`, `on`, `1.10` or
`2024-01-01` where a string is expected stays the string the user wrote; only `true`/`false` are
booleans). Reports: FLC101-FLC108 on the node each error concerns, and FLC202 when a sensitive
field holds a plain value (whose text is never echoed).

Every mapping in the data is a `SpannedDict` that remembers its syntax node, so `elaborate` can
give every AST node its span without looking back at the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

from floec.contracts import JsonSchema, SchemaKind, validation_schema
from floec.diagnostics.masking import mask_value
from floec.diagnostics.model import Diagnostic, make
from floec.span import Span
from floec.syntax.tree import MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

Plain = Union[None, bool, int, float, str, "SpannedDict", "SpannedList"]
PathItem = Union[str, int]


class SpannedDict(dict[str, Plain]):
    """A mapping of the document; `node` is the YAML node it came from."""

    __slots__ = ("node",)

    def __init__(self, node: MappingNode) -> None:
        super().__init__()
        self.node = node


class SpannedList(list[Plain]):
    __slots__ = ("node",)

    def __init__(self, node: SequenceNode) -> None:
        super().__init__()
        self.node = node


# YAML 1.2 core schema resolution for plain scalars.
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_YAML11_BOOLEANS = {
    "yes": "true", "Yes": "true", "YES": "true", "on": "true", "On": "true", "ON": "true",
    "y": "true", "Y": "true", "no": "false", "No": "false", "NO": "false", "off": "false",
    "Off": "false", "OFF": "false", "n": "false", "N": "false",
}  # fmt: skip
_STR_TAG = "tag:yaml.org,2002:str"


# Every number YAML 1.2 reads (int, octal, hex, float, infinity, NaN) starts with one of these.
_NUMBER_START = frozenset("-+.0123456789")


def scalar_value(node: ScalarNode) -> Plain:
    """The YAML 1.2 core-schema value of a scalar (quoted and block scalars are strings)."""
    text = node.value
    tag = node.tag
    if tag == _STR_TAG or node.style != "":
        return text
    if tag is None or tag.startswith("tag:yaml.org,2002:"):
        if text in _NULL and tag in (None, "tag:yaml.org,2002:null"):
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if not text or text[0] not in _NUMBER_START:
            return text
        if _INT.match(text):
            return int(text)
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
        if _FLOAT.match(text):
            return float(text)
        if _INF.match(text):
            return float("-inf") if text.startswith("-") else float("inf")
        if _NAN.match(text):
            return float("nan")
    return text


def to_plain(node: Node) -> Plain:
    """The document as plain data (aliases give equal copies; the size was bounded at load)."""
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        items = SpannedList(node)
        items.extend([to_plain(item) for item in node.items])
        return items
    # Built without calling `__init__`: this runs once per mapping of the document.
    mapping: SpannedDict = _new_dict(SpannedDict)
    mapping.node = node
    for entry in node.entries:
        key = entry.key
        value = entry.value
        name = key.value if type(key) is ScalarNode else "<complex key>"
        mapping[name] = scalar_value(value) if type(value) is ScalarNode else to_plain(value)
    return mapping


_new_dict = dict.__new__


# -- locating nodes ----------------------------------------------------------------------------


def node_at(root: Node, path: Sequence[PathItem]) -> tuple[Node, Node | None]:
    """The node at `path`, and the key node of the last mapping step (None at the root or when
    the last step is a list index)."""
    node, key_node = root, None
    for step in path:
        if isinstance(node, MappingNode) and isinstance(step, str):
            entry = node.get(step)
            if entry is None:
                break
            node, key_node = entry.value, entry.key
        elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.items):
            node, key_node = node.items[step], None
        else:
            break
    return node, key_node


def _dotted(path: Sequence[PathItem]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the top level"


# -- describing values without leaking them ----------------------------------------------------

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "a mapping",
    "array": "a list",
    "null": "an empty value",
}


def describe(value: object, *, sensitive: bool = False, key: str | None = None) -> str:
    """How a message names a value the schema rejected; a string that is sensitive or that a
    credential rule flags (under its key, or by its shape) is never quoted."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        if sensitive:
            return f"a plain string ({mask_value(value)})"
        if _flagged(value, key):
            return f"a string that looks like a credential ({mask_value(value)})"
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the string "{shown}"'
    if isinstance(value, dict):
        return "a mapping"
    return "a list"


def _flagged(value: str, key: str | None) -> bool:
    from floec.credential_rules import scan_value

    return bool(scan_value(value, key)) or ("://" in value and "@" in value)


def _rule_words(keyword: str) -> str:
    """Our own words for a schema rule that has no message of its own (jsonschema's sentence
    quotes the value and the schema's internals, so it never reaches the user)."""
    return _RULE_WORDS.get(keyword, "the value does not have the form this field needs")


_RULE_WORDS = {
    "not": "this combination of fields or this value is not allowed here",
    "dependentRequired": "a field this one needs is missing",
    "dependentSchemas": "a field this one needs is missing or has the wrong form",
    "if": "the value does not fit the type chosen for this entry",
    "then": "the value does not fit the type chosen for this entry",
    "else": "the value does not fit the type chosen for this entry",
    "allOf": "the value does not meet every rule for this field",
    "format": "the value does not have the required format",
    "uniqueItems": "the list holds the same item twice",
    "contains": "the list lacks an item it needs",
    "propertyNames": "a key of this mapping has the wrong form",
    "multipleOf": "the number is not a multiple of the step this field needs",
}


def _quoted_name(name: object) -> str:
    text = str(name)
    return "(a name that looks like a credential)" if _flagged(text, None) else f"'{text}'"


def _key_of(path: Sequence[PathItem]) -> str | None:
    return str(path[-1]) if path and isinstance(path[-1], str) else None


def _expected(types: object) -> str:
    names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
    words = [_TYPE_WORDS.get(str(n), str(n)) for n in names]
    return " or ".join(words) or "another type"


# -- schema traversal --------------------------------------------------------------------------


def _schemas_along(root: JsonSchema, schema_path: Sequence[PathItem]) -> Iterator[JsonSchema]:
    """Every schema object passed through on `schema_path`, following local `$ref`s (which
    jsonschema leaves out of the path it reports)."""
    current: object = root
    for step in schema_path:
        while isinstance(current, dict) and step not in current and "$ref" in current:
            yield current
            current = _resolve(root, str(current["$ref"]))
        if isinstance(current, dict):
            yield current
            current = current.get(step) if isinstance(step, str) else None
        elif isinstance(current, list) and isinstance(step, int) and step < len(current):
            current = current[step]
        else:
            return
    if isinstance(current, dict):
        yield current


def _resolve(root: JsonSchema, ref: str) -> object:
    target: object = root
    for part in ref.removeprefix("#/").split("/") if ref.startswith("#/") else []:
        target = target.get(part) if isinstance(target, dict) else None
    return target


def _is_sensitive(root: JsonSchema, error: ValidationError) -> bool:
    path = list(error.absolute_schema_path)
    return any(s.get("x-floec-sensitive") is True for s in _schemas_along(root, path))


# -- validation --------------------------------------------------------------------------------


@functools.cache
def _validator(kind: SchemaKind) -> Validator:
    from jsonschema import Draft202012Validator

    validator: Validator = Draft202012Validator(validation_schema(kind))
    return validator


@functools.cache
def _is_valid(kind: SchemaKind) -> Callable[[Any], bool]:
    from floec.contracts import load_schema
    from floec.schema_check import compile_schema

    # The published schema, references and all: each `$defs` entry is compiled once, and the
    # inlining `validation_schema` does for jsonschema is not needed for a valid document.
    return compile_schema(load_schema(kind))


def _set(data: Plain, path: Sequence[PathItem], value: Plain) -> None:
    target = data
    for step in path[:-1]:
        target = target[step]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]


def _get(data: Plain, path: Sequence[PathItem]) -> Plain:
    for step in path:
        data = data[step]  # type: ignore[index]
    return data


def validate(tree: SyntaxTree, kind: SchemaKind) -> tuple[Plain, list[Diagnostic]]:
    """Check `tree` against the schema of `kind`; return the typed data and the diagnostics."""
    data = to_plain(tree.root)
    if _is_valid(kind)(data):  # jsonschema is imported only to explain an invalid document
        return data, []
    validator = _validator(kind)
    # A plain scalar that YAML typed as a number or boolean, where the schema wants a string, is
    # the string the user wrote. Coerce and revalidate; each round fixes every such scalar that
    # the previous round could see (one inside a failed `if` may appear only in the next).
    errors = list(validator.iter_errors(data))
    for _ in range(4):
        coerced = False
        for error in _with_branches(errors):
            if error.validator != "type" or not _wants_string(error.validator_value):
                continue
            node, _key = node_at(tree.root, list(error.absolute_path))
            if (
                isinstance(node, ScalarNode)
                and node.style == ""
                and isinstance(error.instance, (bool, int, float))
            ):
                _set(data, list(error.absolute_path), node.value)
                coerced = True
        if not coerced:
            break
        errors = list(validator.iter_errors(data))
    mapper = _ErrorMapper(tree, validation_schema(kind))
    diagnostics = [diagnostic for error in errors for diagnostic in mapper.map(error)]
    return data, diagnostics


def _with_branches(errors: list[ValidationError]) -> Iterator[ValidationError]:
    """The errors and, inside `anyOf`/`oneOf`, each branch's own errors: a scalar under a
    secret reference or a nullable object is seen only there. Coercing in a branch is safe:
    had another branch accepted the scalar as it is, there would be no error at all."""
    stack = list(errors)
    while stack:
        error = stack.pop()
        yield error
        stack.extend(error.context or ())


def _wants_string(types: object) -> bool:
    return types == "string" or (isinstance(types, list) and "string" in types)


class _ErrorMapper:
    def __init__(self, tree: SyntaxTree, schema: JsonSchema) -> None:
        self.tree = tree
        self.schema = schema
        self.file = tree.source.name

    def span_of(self, path: Sequence[PathItem], *, key: bool = False) -> Span:
        node, key_node = node_at(self.tree.root, path)
        if key and key_node is not None:
            return key_node.span
        return node.span

    def mapping_span(self, path: Sequence[PathItem]) -> Span:
        """Where to point for 'this mapping lacks X': its key in the parent, else its first key."""
        node, key_node = node_at(self.tree.root, path)
        if key_node is not None:
            return key_node.span
        if isinstance(node, MappingNode) and node.entries:
            return node.entries[0].key.span
        return node.span

    def map(self, error: ValidationError) -> list[Diagnostic]:
        path = list(error.absolute_path)
        where = _dotted(path)
        keyword = str(error.validator)
        value: Any = error.validator_value
        instance: Any = error.instance
        sensitive = _is_sensitive(self.schema, error)

        if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(
            instance, dict
        ):
            return self.unknown_fields(error, path)
        if keyword == "required" and isinstance(instance, dict) and isinstance(value, list):
            return [
                make(
                    "FLC103",
                    f"missing required field '{name}' in {where}",
                    self.mapping_span(path),
                    help=self.field_help(error, str(name)),
                )
                for name in value
                if name not in instance
            ]
        if keyword in ("anyOf", "oneOf"):
            return self.alternatives(error, path, sensitive)
        if keyword == "type":
            return [self.wrong_type(error, path, sensitive)]
        if keyword in ("enum", "const"):
            import difflib

            allowed = [str(v) for v in (value if keyword == "enum" else [value])]
            found = describe(instance, sensitive=sensitive, key=_key_of(path))
            nearest = difflib.get_close_matches(str(instance), allowed, n=len(allowed), cutoff=0)
            return [
                make(
                    "FLC104",
                    f"invalid value for {where}: expected one of {', '.join(nearest)}; "
                    f"found {found}",
                    self.span_of(path),
                    help=f"did you mean '{nearest[0]}'?"
                    if nearest
                    and not sensitive
                    and not _flagged(str(instance), _key_of(path))
                    and _close(str(instance), nearest[0])
                    else None,
                )
            ]
        if keyword == "pattern":
            hint = (
                error.schema.get("x-floec-pattern-hint") if isinstance(error.schema, dict) else None
            )
            if "propertyNames" in error.absolute_schema_path:  # the key is wrong, not a value
                return [
                    make(
                        "FLC105",
                        f"invalid name {_quoted_name(instance)} in {where}: expected "
                        f"{hint or f'a name matching {value}'}",
                        self.span_of([*path, str(instance)], key=True),
                    )
                ]
            return [
                make(
                    "FLC105",
                    f"invalid value for {where}: expected {hint or f'text matching {value}'}; "
                    f"found {describe(instance, sensitive=sensitive, key=_key_of(path))}",
                    self.span_of(path),
                )
            ]
        if keyword in ("not", "None", "false", "False"):
            return self.forbidden(error, path)
        if keyword in _RANGE_WORDS:
            return [
                make(
                    "FLC106",
                    f"invalid value for {where}: {_range_words(keyword, value)}; "
                    f"found {describe(instance, sensitive=sensitive, key=_key_of(path))}",
                    self.span_of(path),
                )
            ]
        message = _rule_words(keyword)
        return [make("FLC108", f"invalid value for {where}: {message}", self.span_of(path))]

    def field_help(self, error: ValidationError, name: str) -> str | None:
        properties = error.schema.get("properties") if isinstance(error.schema, dict) else None
        if not isinstance(properties, dict):
            return None
        # The property may be described in the base schema while `required` sits in a branch.
        field = properties.get(name)
        description = field.get("description") if isinstance(field, dict) else None
        return f"{name}: {description}" if isinstance(description, str) else None

    def known_fields(self, error: ValidationError) -> list[str]:
        schema = error.schema if isinstance(error.schema, dict) else {}
        properties = schema.get("properties")
        return sorted(properties) if isinstance(properties, dict) else []

    def unknown_fields(self, error: ValidationError, path: list[PathItem]) -> list[Diagnostic]:
        import difflib

        schema = error.schema if isinstance(error.schema, dict) else {}
        known = self.known_fields(error)
        patterns = schema.get("patternProperties")
        regexes = [re.compile(p) for p in patterns] if isinstance(patterns, dict) else []
        out = []
        instance: Any = error.instance
        for name in instance:
            if name in known or any(r.search(name) for r in regexes):
                continue
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            where = _dotted(path)
            out.append(
                make(
                    "FLC101",
                    f"unknown field {_quoted_name(name)} in {where}",
                    self.span_of([*path, name], key=True),
                    help=f"did you mean '{close[0]}'?"
                    if close
                    else (f"the fields allowed here are: {', '.join(known)}" if known else None),
                )
            )
        return out

    def forbidden(self, error: ValidationError, path: list[PathItem]) -> list[Diagnostic]:
        value = error.validator_value
        instance = error.instance
        parent = _get_parent_instance(error)
        discriminator = _discriminator(parent)
        if (
            error.validator == "not"
            and isinstance(value, dict)
            and isinstance(value.get("required"), list)
            and isinstance(instance, dict)
        ):
            names = [str(n) for n in value["required"] if n in instance]
            return [
                make(
                    "FLC107",
                    f"field '{name}' is not allowed in {_dotted(path)}{_discriminator(instance)}",
                    self.span_of([*path, name], key=True),
                    help="remove it",
                )
                for name in names
            ]
        if path and (str(error.validator) in ("None", "false", "False") or value is False):
            return [
                make(
                    "FLC107",
                    f"field '{path[-1]}' is not allowed in {_dotted(path[:-1])}{discriminator}",
                    self.span_of(path, key=True),
                    help="remove it",
                )
            ]
        return [
            make(
                "FLC108",
                f"invalid value for {_dotted(path)}: {_rule_words(str(error.validator))}",
                self.span_of(path),
            )
        ]

    def wrong_type(
        self, error: ValidationError, path: list[PathItem], sensitive: bool
    ) -> Diagnostic:
        instance = error.instance
        expected = error.validator_value
        span = self.span_of(path)
        where = _dotted(path)
        if sensitive and not isinstance(instance, dict):
            return self.plaintext_secret(path, span, instance)
        help_text = None
        if expected == "boolean" and isinstance(instance, str) and instance in _YAML11_BOOLEANS:
            help_text = (
                f"YAML 1.1 read '{instance}' as a boolean; floec follows YAML 1.2, where only "
                f"true and false are booleans: write {_YAML11_BOOLEANS[instance]}"
            )
        elif _wants_number(expected) and isinstance(instance, str) and _looks_numeric(instance):
            help_text = f"remove the quotes: {path[-1] if path else 'value'}: {instance}"
        return make(
            "FLC102",
            f"wrong type for {where}: expected {_expected(expected)}, found "
            f"{describe(instance, sensitive=sensitive, key=_key_of(path))}",
            span,
            help=help_text,
        )

    def plaintext_secret(self, path: list[PathItem], span: Span, instance: object) -> Diagnostic:
        field = str(path[-1]) if path else "value"
        return make(
            "FLC202",
            f"{_dotted(path)} is a sensitive field and holds a plain value; use secret_ref",
            span,
            help=f"write {field}: {{secret_ref: <name>}} and store the value in your secret store",
            notes=("floec never reads secret values; the runtime resolves the reference",),
            masked=(span,),
        )

    def alternatives(
        self, error: ValidationError, path: list[PathItem], sensitive: bool
    ) -> list[Diagnostic]:
        # Prefer the branch whose type matches the value: its errors are the real ones.
        branches: dict[int, list[ValidationError]] = {}
        for sub in error.context or ():
            index = sub.relative_schema_path[0] if sub.relative_schema_path else 0
            branches.setdefault(int(index), []).append(sub)
        matching = [
            errors
            for errors in branches.values()
            if not any(e.validator == "type" and not e.relative_path for e in errors)
        ]
        if matching:
            best = min(matching, key=len)
            return [d for sub in best for d in self.map(sub)]
        if sensitive and not isinstance(error.instance, dict):
            return [self.plaintext_secret(path, self.span_of(path), error.instance)]
        options = [
            self.branch_word(sub.schema) for errors in branches.values() for sub in errors[:1]
        ]
        return [
            make(
                "FLC102",
                f"wrong type for {_dotted(path)}: expected {' or '.join(dict.fromkeys(options))}, "
                f"found {describe(error.instance, sensitive=sensitive, key=_key_of(path))}",
                self.span_of(path),
            )
        ]

    def branch_word(self, schema: object) -> str:
        if isinstance(schema, dict):
            properties = schema.get("properties")
            if isinstance(properties, dict) and "secret_ref" in properties:
                return "a secret reference {secret_ref: NAME}"
            if "type" in schema:
                return _expected(schema["type"])
        return "another form"


def _get_parent_instance(error: ValidationError) -> object:
    return error.parent.instance if error.parent is not None else None


def _discriminator(instance: object) -> str:
    if isinstance(instance, dict):
        for key in ("type", "mode"):
            if isinstance(instance.get(key), str):
                return f" when {key} is {instance[key]}"
    return ""


def _wants_number(types: object) -> bool:
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return any(n in ("integer", "number") for n in names)


def _looks_numeric(text: str) -> bool:
    return bool(_INT.match(text) or _FLOAT.match(text))


def _close(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.6


_RANGE_WORDS = {
    "minimum": "expected at least {}",
    "maximum": "expected at most {}",
    "exclusiveMinimum": "expected more than {}",
    "exclusiveMaximum": "expected less than {}",
    "minLength": "expected at least {} character{}",
    "maxLength": "expected at most {} character{}",
    "minItems": "expected at least {} item{}",
    "maxItems": "expected at most {} item{}",
    "minProperties": "expected at least {} entr{}",
    "maxProperties": "expected at most {} entr{}",
}


def _range_words(keyword: str, bound: object) -> str:
    template = _RANGE_WORDS[keyword]
    if "entr{}" in template:
        return template.format(bound, "y" if bound == 1 else "ies")
    return template.format(bound, "" if bound == 1 else "s")

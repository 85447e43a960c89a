"""What the editor server answers, computed over the workspace: diagnostics, completion, hover,
definition and references, code actions, document symbols and folding ranges.

Every function takes the `Workspace` (the same one `floec check` uses) and absolute paths, and
returns lsprotocol values; the server only moves them over JSON-RPC. Positions arrive and leave in
UTF-16 code units, as LSP counts them; spans are in code points, so each crossing converts.

Secret values never leave: hover on a profile shows its type, its endpoints (a plain URL without
its user part, or the name of the secret it comes from) and the names of secrets, never a
credential; diagnostics carry the passes' masked messages and no source text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lsprotocol import types

from floec.diagnostics.codes import CODES, lookup
from floec.diagnostics.model import Diagnostic, Severity
from floec.ir import PROFILE_FIELDS
from floec.lsp import schema_nav
from floec.lsp.cursor import ITEM, Cursor, Found, cursor_at, key_node, matches, node_at
from floec.lsp.cursor import lookup as node_lookup
from floec.source import SourceFile
from floec.span import Position, Span
from floec.syntax.load import load_config
from floec.syntax.tree import MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree, walk
from floec.workspace import Workspace

KeyPath = tuple[str | int, ...]

# References by key path: (pattern, what it names). `*` is any key, `[]` any sequence item.
REFERENCES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "floe": (
        (("orchestration", "schedules", "*", "job"), "job"),
        (("orchestration", "sensors", "*", "job"), "job"),
        (("orchestration", "backfills", "*", "job"), "job"),
        (("orchestration", "sensors", "*", "watched_jobs", ITEM), "job"),
        (("orchestration", "assets", "*", "partitions"), "partition"),
        (("orchestration", "schedules", "*", "partitions"), "partition"),
    ),
    "platform": (
        (("layers", "*", "storage_ref"), "storage"),
        (("layers", "*", "catalog_ref"), "catalogs"),
        (("layers", "*", "compute_ref"), "compute"),
        (("observability", "compute_logs", "storage_ref"), "storage"),
    ),
}
# Where each referenced name is defined, in the same file.
DEFINITIONS: dict[str, tuple[str, ...]] = {
    "job": ("orchestration", "jobs"),
    "partition": ("orchestration", "partitions"),
    "storage": ("storage",),
    "catalogs": ("catalogs",),
    "compute": ("compute",),
}
PROFILE_KINDS = tuple(kind for _, kind in PROFILE_FIELDS)
_ENDPOINT_KEY = re.compile(r"^(uri|endpoint|\w+_endpoint|token_uri|host|account|http_path)$")
_USERINFO = re.compile(r"(//)[^/@\s]+@")
_DID_YOU_MEAN = re.compile(r"did you mean '([^']+)'")
_SECRET_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_.-]+")
_SUPPRESSION = re.compile(r"#\s*floec\s*:\s*ignore\[(?P<codes>[^\]]*)\]", re.IGNORECASE)
_CODE_WORD = re.compile(r"FLC\d{3}|[a-z][a-z0-9]*(?:-[a-z0-9]+)+")


# -- positions --------------------------------------------------------------------------------


def to_character(line: str, column: int) -> int:
    prefix = line[:column]
    return column if prefix.isascii() else len(prefix.encode("utf-16-le")) // 2


def to_column(line: str, character: int) -> int:
    if line.isascii():
        return character
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def lsp_range(span: Span | None, source: SourceFile | None) -> types.Range:
    if span is None:
        return types.Range(types.Position(0, 0), types.Position(0, 0))

    def convert(position: Position) -> types.Position:
        line = source.line(position.line) if source is not None else ""
        return types.Position(position.line, to_character(line, position.column))

    return types.Range(convert(span.start), convert(span.end))


def uri_of(path: str) -> str:
    return Path(path).absolute().as_uri()


def _position(source: SourceFile, position: types.Position) -> Position:
    return Position(position.line, to_column(source.line(position.line), position.character))


# -- the documents ----------------------------------------------------------------------------


def _source(workspace: Workspace, path: str) -> SourceFile | None:
    return workspace.state(path).checked.source


def _tree(workspace: Workspace, path: str) -> SyntaxTree | None:
    return workspace.state(path).checked.tree


def _kind(workspace: Workspace, path: str) -> str | None:
    return workspace.kind_of(path)


def _tolerant_tree(source: SourceFile, skip_line: int | None = None) -> SyntaxTree | None:
    """The document's tree; while the user types a line that breaks the YAML, the tree of the
    document without that line."""
    tree, _ = load_config(source)
    if tree is None and skip_line is not None:
        lines = list(source.lines)
        if 0 <= skip_line < len(lines):
            lines[skip_line] = ""
            tree, _ = load_config(SourceFile(source.name, "\n".join(lines)))
    return tree


def _mapping_keys(root: Node | None, path: tuple[str, ...]) -> list[ScalarNode]:
    node = node_lookup(root, path) if root is not None else None
    if not isinstance(node, MappingNode):
        return []
    return [e.key for e in node.entries if isinstance(e.key, ScalarNode)]


def _schema_path(path: KeyPath) -> tuple[str, ...]:
    return tuple(ITEM if isinstance(p, int) else p for p in path)


def _frames(root: Node, path: KeyPath) -> list[dict[str, str]]:
    """The scalar values of the mapping at each depth of `path` (for union branches)."""
    frames: list[dict[str, str]] = []
    for depth in range(len(path) + 1):
        node = node_lookup(root, path[:depth])
        values: dict[str, str] = {}
        if isinstance(node, MappingNode):
            for entry in node.entries:
                if isinstance(entry.key, ScalarNode):
                    value = entry.value
                    values[entry.key.value] = value.value if isinstance(value, ScalarNode) else ""
        frames.append(values)
    return frames


def _schema(kind: str | None) -> schema_nav.Schema | None:
    if kind not in ("floe", "platform"):
        return None
    from floec.contracts import load_schema

    return load_schema(kind)


def reference_kind(
    file_kind: str | None, path: KeyPath, schemas: list[schema_nav.Schema]
) -> str | None:
    """What the value at `path` names: a profile kind, `job` or `partition`; None otherwise."""
    flagged = schema_nav.flag(schemas, "x-floec-profile-kind")
    if isinstance(flagged, str):
        return flagged
    if file_kind == "floe" and len(path) == 1:
        for field, kind in PROFILE_FIELDS:
            if path[0] == field:
                return kind
    for pattern, target in REFERENCES.get(file_kind or "", ()):
        if matches(path, pattern):
            return target
    return None


# -- environments -----------------------------------------------------------------------------


def environment_name(path: str) -> str:
    return Path(path).parent.name or "default"


def _profiles(workspace: Workspace, platform: str, kind: str) -> dict[str, Node]:
    """name -> the profile's key node, in one platform.yaml."""
    tree = _tree(workspace, platform)
    root = tree.root if tree is not None else None
    return {key.value: key for key in _mapping_keys(root, (kind,))}


def _profile_value(workspace: Workspace, platform: str, kind: str, name: str) -> Node | None:
    tree = _tree(workspace, platform)
    return node_lookup(tree.root, (kind, name)) if tree is not None else None


def _masked_spans(workspace: Workspace, path: str) -> list[Span]:
    """Where the file holds something a credential rule flagged (FLC2xx): never shown."""
    hidden: list[Span] = []
    for diagnostic in workspace.diagnostics(path):
        hidden += diagnostic.masked
        if diagnostic.span is not None and diagnostic.code.startswith("FLC2"):
            hidden.append(diagnostic.span)
    return hidden


def _overlaps(a: Span, b: Span) -> bool:
    return a.file == b.file and not (a.end <= b.start or b.end <= a.start)


def _shown(node: Node, hidden: list[Span]) -> str:
    """An endpoint as hover may show it: a secret reference by name, a URL without its user
    part, and nothing that a credential rule flagged."""
    if isinstance(node, MappingNode):
        ref = node.get("secret_ref")
        if ref is not None and isinstance(ref.value, ScalarNode):
            key = node.get("key")
            suffix = f", key {key.value.value}" if key and isinstance(key.value, ScalarNode) else ""
            return f"secret_ref `{ref.value.value}`{suffix}"
        return "(a mapping)"
    if isinstance(node, ScalarNode):
        if any(_overlaps(node.span, span) for span in hidden):
            return "(hidden: flagged as a credential)"
        shown = _USERINFO.sub(r"\1", node.value)
        return f"`{shown}`"
    return "(a list)"


def describe_profile(workspace: Workspace, platform: str, kind: str, name: str) -> str:
    node = _profile_value(workspace, platform, kind, name)
    if not isinstance(node, MappingNode):
        return "defined"
    hidden = _masked_spans(workspace, platform)
    parts: list[str] = []
    type_ = node.get("type")
    if type_ is not None and isinstance(type_.value, ScalarNode):
        parts.append(f"type `{type_.value.value}`")
    for entry in node.entries:
        if isinstance(entry.key, ScalarNode) and _ENDPOINT_KEY.match(entry.key.value):
            parts.append(f"{entry.key.value} {_shown(entry.value, hidden)}")
    credentials = node.get("credentials")
    if credentials is not None and isinstance(credentials.value, MappingNode):
        mode = credentials.value.get("mode")
        if mode is not None and isinstance(mode.value, ScalarNode):
            parts.append(f"credentials `{mode.value.value}`")
        names = sorted(
            {
                n.value
                for e in _entries(credentials.value)
                if e[0] == "secret_ref"
                for n in [e[1]]
                if isinstance(n, ScalarNode)
            }
        )
        if names:
            parts.append("secrets " + ", ".join(f"`{n}`" for n in names))
    return ", ".join(parts) or "defined"


def _entries(node: Node) -> Iterator[tuple[str, Node]]:
    for current in walk(node):
        if isinstance(current, MappingNode):
            for entry in current.entries:
                if isinstance(entry.key, ScalarNode):
                    yield entry.key.value, entry.value


def secret_names(workspace: Workspace, paths: Iterable[str]) -> list[str]:
    names: set[str] = set()
    for path in paths:
        tree = _tree(workspace, path)
        if tree is None:
            continue
        for key, value in _entries(tree.root):
            if key == "secret_ref" and isinstance(value, ScalarNode) and value.value:
                names.add(value.value)
    return sorted(names)


def platforms_known(workspace: Workspace, open_paths: Iterable[str]) -> list[str]:
    found: dict[str, None] = {}
    for path in [*workspace.files, *open_paths]:
        kind = workspace.kind_of(path)
        if kind == "platform":
            found[path] = None
        elif kind == "floe":
            found.update(dict.fromkeys(workspace.environments_of(path)))
    return list(found)


# -- diagnostics ------------------------------------------------------------------------------

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def rule_doc_uri(code: str) -> str | None:
    from importlib import resources

    doc = resources.files("floec").joinpath("rules_docs").joinpath(f"{code}.md")
    try:
        return Path(str(doc)).as_uri() if doc.is_file() else None
    except (TypeError, ValueError):
        return None


def to_lsp(diagnostic: Diagnostic, workspace: Workspace) -> types.Diagnostic:
    sources = workspace.sources()
    source = sources.get(diagnostic.path or "")
    message = diagnostic.message
    for note in diagnostic.notes:
        message += f"\nnote: {note}"
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    related = [
        types.DiagnosticRelatedInformation(
            types.Location(
                uri_of(workspace.path_of_name(r.span.file)),
                lsp_range(r.span, sources.get(r.span.file)),
            ),
            r.message,
        )
        for r in diagnostic.related
    ]
    href = rule_doc_uri(diagnostic.code)
    return types.Diagnostic(
        range=lsp_range(diagnostic.span, source),
        message=message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href) if href else None,
        source="floec",
        related_information=related or None,
        data={"name": diagnostic.name, "help": diagnostic.help or ""},
    )


def diagnostics_for(workspace: Workspace, path: str) -> list[types.Diagnostic]:
    absolute = os.path.abspath(path)
    return [
        to_lsp(d, workspace)
        for d in workspace.diagnostics(absolute)
        if (d.path or absolute) in (absolute, workspace.name_of(absolute))
    ]


# -- completion -------------------------------------------------------------------------------


def completion(
    workspace: Workspace, path: str, position: types.Position, open_paths: Iterable[str] = ()
) -> list[types.CompletionItem]:
    source = _source(workspace, path)
    if source is None:
        return []
    column = to_column(source.line(position.line), position.character)
    cursor = cursor_at(source.text, position.line, column)
    kind = _kind(workspace, path)
    root = _schema(kind)
    items: list[types.CompletionItem] = []
    if cursor.on_key:
        if root is not None:
            items += _field_items(root, cursor)
        return items
    value_path = cursor.value_path
    schemas = schema_nav.at_path(root, value_path, cursor.frames) if root is not None else []
    target = reference_kind(kind, value_path, schemas)
    if target in PROFILE_KINDS and kind == "floe":
        items += _profile_items(workspace, path, target)
    elif target is not None:
        tree = _tolerant_tree(source, position.line)
        definition = DEFINITIONS.get(target, ())
        for key in _mapping_keys(tree.root if tree else None, definition):
            items.append(
                types.CompletionItem(
                    key.value,
                    kind=types.CompletionItemKind.Reference,
                    detail=f"{target} defined in {'.'.join(definition)}",
                )
            )
    if cursor.key == "secret_ref":
        for name in secret_names(workspace, platforms_known(workspace, [*open_paths, path])):
            items.append(
                types.CompletionItem(
                    name,
                    kind=types.CompletionItemKind.Constant,
                    detail="secret used in the workspace",
                )
            )
    if kind == "floe" and value_path in (("transforms", ITEM, "target"),):
        for platform in workspace.environments_of(path):
            items.append(
                types.CompletionItem(
                    environment_name(platform),
                    kind=types.CompletionItemKind.EnumMember,
                    detail="environment",
                )
            )
    if root is not None:
        for value in schema_nav.values(root, schemas):
            items.append(
                types.CompletionItem(
                    value,
                    kind=types.CompletionItemKind.EnumMember,
                    detail=".".join(value_path),
                    documentation=schema_nav.description(schemas),
                )
            )
    return _unique(items)


def _unique(items: list[types.CompletionItem]) -> list[types.CompletionItem]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.label not in seen:
            seen.add(item.label)
            out.append(item)
    return out


def _field_items(root: schema_nav.Schema, cursor: Cursor) -> list[types.CompletionItem]:
    schemas = schema_nav.at_path(root, cursor.path, cursor.frames)
    present = set(cursor.frames[-1]) if cursor.frames else set()
    items = []
    for name, sub in schema_nav.all_fields(root, schemas).items():
        if name in present:
            continue
        child = schema_nav.at_path(root, (*cursor.path, name), cursor.frames)
        documentation = sub.get("description") or schema_nav.description(child)
        items.append(
            types.CompletionItem(
                name,
                kind=types.CompletionItemKind.Field,
                detail=schema_nav.type_summary(root, child or [sub]),
                documentation=types.MarkupContent(types.MarkupKind.Markdown, documentation)
                if documentation
                else None,
                insert_text=f"{name}: ",
            )
        )
    return items


def _profile_items(workspace: Workspace, path: str, kind: str) -> list[types.CompletionItem]:
    environments = workspace.environments_of(path)
    where: dict[str, list[str]] = {}
    for platform in environments:
        for name in _profiles(workspace, platform, kind):
            where.setdefault(name, []).append(environment_name(platform))
    all_names = [environment_name(p) for p in environments]
    items = []
    for name, present in sorted(where.items(), key=lambda i: (-len(i[1]), i[0])):
        missing = [e for e in all_names if e not in present]
        detail = f"{kind} in {', '.join(present)}"
        if missing:
            detail += f"; missing in {', '.join(missing)}"
        docs = "\n".join(
            f"- **{environment_name(p)}**: {describe_profile(workspace, p, kind, name)}"
            for p in environments
            if environment_name(p) in present
        )
        items.append(
            types.CompletionItem(
                name,
                kind=types.CompletionItemKind.Reference,
                detail=detail,
                documentation=types.MarkupContent(types.MarkupKind.Markdown, docs),
                sort_text=f"{len(missing):03d}{name}",
            )
        )
    return items


# -- hover ------------------------------------------------------------------------------------


def _found(
    workspace: Workspace, path: str, position: types.Position
) -> tuple[SourceFile, Found] | None:
    source = _source(workspace, path)
    tree = _tree(workspace, path)
    if source is None or tree is None:
        return None
    at = _position(source, position)
    found = node_at(tree.root, at)
    if found is None or not isinstance(found.node, ScalarNode):
        return None
    return source, found


def hover(workspace: Workspace, path: str, position: types.Position) -> types.Hover | None:
    source = _source(workspace, path)
    if source is None:
        return None
    code = _code_at(source, position)
    if code is not None:
        return code
    located = _found(workspace, path, position)
    if located is None:
        return None
    _, found = located
    kind = _kind(workspace, path)
    root = _schema(kind)
    tree = _tree(workspace, path)
    assert tree is not None
    frames = _frames(tree.root, found.path)
    schemas = schema_nav.at_path(root, _schema_path(found.path), frames) if root is not None else []
    text: list[str] = []
    if found.on_key:
        name = str(found.path[-1]) if found.path else ""
        text.append(f"**{name}**: {schema_nav.type_summary(root, schemas) if root else 'any'}")
        described = schema_nav.description(schemas)
        if described:
            text.append(described)
    else:
        target = reference_kind(kind, _schema_path(found.path), schemas)
        assert isinstance(found.node, ScalarNode)
        value = found.node.value
        if target in PROFILE_KINDS and kind == "floe":
            text.append(f"**{target}** profile `{value}`")
            for platform in workspace.environments_of(path):
                env = environment_name(platform)
                if value in _profiles(workspace, platform, target):
                    text.append(
                        f"- **{env}**: {describe_profile(workspace, platform, target, value)}"
                    )
                else:
                    text.append(f"- **{env}**: not defined")
        elif target is not None:
            definition = DEFINITIONS.get(target, ())
            defined = value in {k.value for k in _mapping_keys(tree.root, definition)}
            text.append(
                f"**{target}** `{value}`: "
                + (f"defined in {'.'.join(definition)}" if defined else "not defined in this file")
            )
        else:
            name = str(found.path[-1]) if found.path else ""
            text.append(f"**{name}**: {schema_nav.type_summary(root, schemas) if root else 'any'}")
            described = schema_nav.description(schemas)
            if described:
                text.append(described)
    return types.Hover(
        types.MarkupContent(types.MarkupKind.Markdown, "\n\n".join(text)),
        range=lsp_range(found.node.span, source),
    )


def _code_at(source: SourceFile, position: types.Position) -> types.Hover | None:
    """Hover on a code or rule name inside a `# floec: ignore[...]` comment: its summary."""
    line = source.line(position.line)
    column = to_column(line, position.character)
    match = _SUPPRESSION.search(line)
    if match is None or not match.start("codes") <= column <= match.end("codes"):
        return None
    for word in _CODE_WORD.finditer(line, match.start("codes"), match.end("codes")):
        if word.start() <= column <= word.end():
            found = CODES.get(word.group(0)) or next(
                (c for c in CODES.values() if c.name == word.group(0)), None
            )
            if found is None:
                return None
            return types.Hover(
                types.MarkupContent(
                    types.MarkupKind.Markdown,
                    f"**{found.code}** `{found.name}` ({found.severity}): {found.summary}\n\n"
                    f"`floec explain {found.code}` for the rationale and examples",
                ),
                range=types.Range(
                    types.Position(position.line, to_character(line, word.start())),
                    types.Position(position.line, to_character(line, word.end())),
                ),
            )
    return None


# -- definition and references ----------------------------------------------------------------


def _location(workspace: Workspace, path: str, span: Span) -> types.Location:
    return types.Location(uri_of(path), lsp_range(span, _source(workspace, path)))


def definition(workspace: Workspace, path: str, position: types.Position) -> list[types.Location]:
    located = _found(workspace, path, position)
    if located is None or located[1].on_key:
        return []
    _, found = located
    kind = _kind(workspace, path)
    tree = _tree(workspace, path)
    root = _schema(kind)
    assert tree is not None and isinstance(found.node, ScalarNode)
    schemas = (
        schema_nav.at_path(root, _schema_path(found.path), _frames(tree.root, found.path))
        if root is not None
        else []
    )
    target = reference_kind(kind, _schema_path(found.path), schemas)
    name = found.node.value
    if target in PROFILE_KINDS and kind == "floe":
        out = []
        for platform in workspace.environments_of(path):
            key = _profiles(workspace, platform, target).get(name)
            if key is not None:
                out.append(_location(workspace, platform, key.span))
        return out
    if target is not None:
        key = key_node(tree.root, (*DEFINITIONS.get(target, ()), name))
        return [_location(workspace, path, key.span)] if key is not None else []
    return []


def _references_in(tree: SyntaxTree, file_kind: str, target: str, name: str) -> list[Span]:
    out = []
    for path, node in _scalars(tree.root):
        if node.value != name:
            continue
        for pattern, kind in REFERENCES.get(file_kind, ()):
            if kind == target and matches(path, pattern):
                out.append(node.span)
    return out


def _scalars(root: Node) -> Iterator[tuple[KeyPath, ScalarNode]]:
    stack: list[tuple[KeyPath, Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, ScalarNode):
            yield path, node
        elif isinstance(node, MappingNode):
            for entry in reversed(node.entries):
                if isinstance(entry.key, ScalarNode) and not entry.merged:
                    stack.append(((*path, entry.key.value), entry.value))
        elif isinstance(node, SequenceNode):
            for index in range(len(node.items) - 1, -1, -1):
                stack.append(((*path, index), node.items[index]))


def references(
    workspace: Workspace,
    path: str,
    position: types.Position,
    include_declaration: bool,
    open_paths: Iterable[str] = (),
) -> list[types.Location]:
    located = _found(workspace, path, position)
    if located is None:
        return []
    _, found = located
    kind = _kind(workspace, path) or ""
    tree = _tree(workspace, path)
    assert tree is not None and isinstance(found.node, ScalarNode)
    name = found.node.value
    out: list[types.Location] = []
    # On a definition: a profile in platform.yaml, a job or a partition in floe.yaml.
    target: str | None = None
    if found.on_key and len(found.path) >= 2:
        for candidate, where in DEFINITIONS.items():
            if found.path[:-1] == where and (kind == "platform") == (candidate in PROFILE_KINDS):
                target = candidate
    if target is None and not found.on_key:
        root = _schema(kind)
        schemas = (
            schema_nav.at_path(root, _schema_path(found.path), _frames(tree.root, found.path))
            if root is not None
            else []
        )
        target = reference_kind(kind, _schema_path(found.path), schemas)
    if target is None:
        return []
    if target in PROFILE_KINDS:
        platforms = (
            [os.path.abspath(path)] if kind == "platform" else list(workspace.environments_of(path))
        )
        field = next(f for f, k in PROFILE_FIELDS if k == target)
        floes = {p for platform in platforms for p in workspace.dependents(platform, open_paths)}
        if kind == "floe":
            floes.add(os.path.abspath(path))
        for floe in sorted(floes):
            floe_tree = _tree(workspace, floe)
            if floe_tree is None or not isinstance(floe_tree.root, MappingNode):
                continue
            entry = floe_tree.root.get(field)
            if entry is not None and isinstance(entry.value, ScalarNode):
                if entry.value.value == name:
                    out.append(_location(workspace, floe, entry.value.span))
            elif name == "default":  # the implicit `default`
                point = Span.point(floe_tree.source.name, 0, 0)
                out.append(_location(workspace, floe, point))
        for platform in platforms:
            platform_tree = _tree(workspace, platform)
            if platform_tree is None:
                continue
            for span in _references_in(platform_tree, "platform", target, name):
                out.append(_location(workspace, platform, span))
            if include_declaration:
                key = _profiles(workspace, platform, target).get(name)
                if key is not None:
                    out.append(_location(workspace, platform, key.span))
        return out
    for span in _references_in(tree, kind, target, name):
        out.append(_location(workspace, path, span))
    if include_declaration:
        key = key_node(tree.root, (*DEFINITIONS[target], name))
        if key is not None:
            out.append(_location(workspace, path, key.span))
    return out


# -- code actions -----------------------------------------------------------------------------


def secret_name_for(path: KeyPath) -> str:
    """A secret's name made from where it is used: catalogs.default.credentials.client_secret ->
    catalogs-default-client-secret."""
    parts = [
        str(p) for p in path if not isinstance(p, int) and p not in ("credentials", "properties")
    ]
    name = _SECRET_NAME_CHARS.sub("-", "-".join(parts).replace("_", "-").lower()).strip("-.")
    return (name or "secret")[:253]


def code_actions(
    workspace: Workspace, path: str, diagnostics: Iterable[types.Diagnostic]
) -> list[types.CodeAction]:
    source = _source(workspace, path)
    if source is None:
        return []
    uri = uri_of(path)
    out: list[types.CodeAction] = []
    kind = _kind(workspace, path)
    tree = _tree(workspace, path)
    for diagnostic in diagnostics:
        code = str(diagnostic.code or "")
        text = diagnostic.message
        help_text = ""
        if isinstance(diagnostic.data, dict):
            help_text = str(diagnostic.data.get("help") or "")
        suggestion = _DID_YOU_MEAN.search(help_text) or _DID_YOU_MEAN.search(text)
        if suggestion is not None:
            out.append(
                _edit_action(
                    f"Replace with '{suggestion.group(1)}'",
                    uri,
                    diagnostic,
                    [types.TextEdit(diagnostic.range, suggestion.group(1))],
                    preferred=True,
                )
            )
        if code in ("FLC201", "FLC202") and kind == "platform" and tree is not None:
            start = _position(source, diagnostic.range.start)
            found = node_at(tree.root, start)
            if found is not None and not found.on_key and isinstance(found.node, ScalarNode):
                name = secret_name_for(found.path)
                out.append(
                    _edit_action(
                        f"Replace the value by {{secret_ref: {name}}}",
                        uri,
                        diagnostic,
                        [
                            types.TextEdit(
                                lsp_range(found.node.span, source), f"{{secret_ref: {name}}}"
                            )
                        ],
                        preferred=suggestion is None,
                    )
                )
        if code.startswith("FLC2") and code in CODES and not code.startswith("FLC23"):
            out.append(_suppress(source, uri, diagnostic, code))
    return out


def _edit_action(
    title: str,
    uri: str,
    diagnostic: types.Diagnostic,
    edits: list[types.TextEdit],
    *,
    preferred: bool = False,
) -> types.CodeAction:
    return types.CodeAction(
        title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={uri: edits}),
        is_preferred=preferred or None,
    )


def _suppress(
    source: SourceFile, uri: str, diagnostic: types.Diagnostic, code: str
) -> types.CodeAction:
    line_no = diagnostic.range.start.line
    line = source.line(line_no)
    existing = _SUPPRESSION.search(line)
    if existing is not None:
        codes = existing.group("codes").strip()
        at = existing.end("codes")
        insert = f", {code}" if codes else code
        position = types.Position(line_no, to_character(line, at))
    else:
        insert = f"  # floec: ignore[{code}]"
        position = types.Position(line_no, to_character(line, len(line)))
    edit = types.TextEdit(types.Range(position, position), insert)
    return _edit_action(
        f"Suppress {code} ({lookup(code).name}) on this line", uri, diagnostic, [edit]
    )


# -- symbols and folding ----------------------------------------------------------------------

_SYMBOL_DEPTH = 4


def document_symbols(workspace: Workspace, path: str) -> list[types.DocumentSymbol]:
    tree = _tree(workspace, path)
    source = _source(workspace, path)
    if tree is None or source is None:
        return []
    return _symbols(tree.root, source, 0)


def _symbols(node: Node, source: SourceFile, depth: int) -> list[types.DocumentSymbol]:
    if depth >= _SYMBOL_DEPTH:
        return []
    out = []
    if isinstance(node, MappingNode):
        for entry in node.entries:
            if not isinstance(entry.key, ScalarNode) or entry.merged:
                continue
            value = entry.value
            whole = Span(
                entry.key.span.file, entry.key.span.start, max(entry.key.span.end, value.span.end)
            )
            out.append(
                types.DocumentSymbol(
                    name=entry.key.value or "(empty)",
                    kind=_symbol_kind(value),
                    range=lsp_range(whole, source),
                    selection_range=lsp_range(entry.key.span, source),
                    detail=_symbol_detail(value),
                    children=_symbols(value, source, depth + 1) or None,
                )
            )
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.items):
            out.append(
                types.DocumentSymbol(
                    name=_item_name(item, index),
                    kind=_symbol_kind(item),
                    range=lsp_range(item.span, source),
                    selection_range=lsp_range(item.span, source),
                    children=_symbols(item, source, depth + 1) or None,
                )
            )
    return out


def _symbol_kind(node: Node) -> types.SymbolKind:
    if isinstance(node, MappingNode):
        return types.SymbolKind.Object
    if isinstance(node, SequenceNode):
        return types.SymbolKind.Array
    return types.SymbolKind.Property


def _symbol_detail(node: Node) -> str | None:
    if isinstance(node, MappingNode):
        type_ = node.get("type")
        if type_ is not None and isinstance(type_.value, ScalarNode):
            return type_.value.value
    return None


def _item_name(item: Node, index: int) -> str:
    if isinstance(item, MappingNode):
        for key in ("name", "type", "path"):
            entry = item.get(key)
            if entry is not None and isinstance(entry.value, ScalarNode):
                return f"[{index}] {entry.value.value}"
    return f"[{index}]"


def folding_ranges(workspace: Workspace, path: str) -> list[types.FoldingRange]:
    tree = _tree(workspace, path)
    if tree is None:
        return []
    out: dict[tuple[int, int], types.FoldingRange] = {}
    for node in walk(tree.root):
        if not isinstance(node, MappingNode):
            continue
        for entry in node.entries:
            value = entry.value
            if not isinstance(value, (MappingNode, SequenceNode)) or entry.merged:
                continue
            start = entry.key.span.start.line
            end = value.span.end.line
            if value.span.end.column == 0:
                end -= 1
            if end > start:
                out[(start, end)] = types.FoldingRange(
                    start, end, kind=types.FoldingRangeKind.Region
                )
    return sorted(out.values(), key=lambda r: (r.start_line, r.end_line))

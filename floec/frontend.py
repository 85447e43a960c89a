"""The front end shared by every command and (later) the editor server: text -> checked AST.

load -> validate -> elaborate, each a plain function; this module only chains them and decides
which schema a file is read against.
"""

from __future__ import annotations

from typing import Union

from floec.ast.nodes import FloeSpec, PlatformSpec
from floec.diagnostics.model import Diagnostic, make
from floec.discover import ConfigKind, kind_of_name
from floec.frozen import frozen
from floec.source import SourceFile, read_source
from floec.span import Span
from floec.syntax.load import load_config
from floec.syntax.tree import SyntaxTree

Spec = Union[FloeSpec, PlatformSpec]

# Top-level keys that only one of the two files has: enough to tell them apart by content.
_PLATFORM_ONLY = frozenset(
    {"catalogs", "compute", "storage", "layers", "infrastructure", "security"}
)
_FLOE_ONLY = frozenset({"name", "transforms", "catalog", "orchestration", "consumption"})


@frozen
class Checked:
    """The result of reading one file: whatever stages got through, and what they reported."""

    source: SourceFile | None
    kind: ConfigKind | None
    tree: SyntaxTree | None
    spec: Spec | None
    diagnostics: tuple[Diagnostic, ...]


def _sniff(tree: SyntaxTree) -> ConfigKind | None:
    keys = set(tree.root.keys()) if hasattr(tree.root, "keys") else set()
    if keys & _FLOE_ONLY and not keys & _PLATFORM_ONLY:
        return "floe"
    if keys & _PLATFORM_ONLY and not keys & _FLOE_ONLY:
        return "platform"
    return None


def check_source(source: SourceFile, kind: ConfigKind | None = None) -> Checked:
    """Run the front end over decoded text (an editor's unsaved buffer goes through here too)."""
    from floec.ast.elaborate import check_interpolations, elaborate
    from floec.passes.check_references import check_references
    from floec.validate import validate

    kind = kind or kind_of_name(source.name)
    tree, diagnostics = load_config(source)
    if tree is None:
        return Checked(source, kind, None, None, tuple(diagnostics))
    kind = kind or _sniff(tree)
    if kind is None:
        diagnostics.append(
            make(
                "FLC014",
                f"cannot tell whether {source.name} is a floe.yaml or a platform.yaml",
                Span.whole_file(source.name),
                help="name the file floe.yaml or platform.yaml",
            )
        )
        return Checked(source, None, tree, None, tuple(diagnostics))
    data, schema_diagnostics = validate(tree, kind)
    diagnostics += schema_diagnostics
    if schema_diagnostics:
        diagnostics += check_interpolations(tree)
        return Checked(source, kind, tree, None, tuple(diagnostics))
    spec, elaborate_diagnostics = elaborate(tree, data, kind)
    diagnostics += elaborate_diagnostics
    diagnostics += check_references(spec, tree)
    return Checked(source, kind, tree, spec, tuple(diagnostics))


def check_file(path: str, kind: ConfigKind | None = None) -> Checked:
    source = read_source(path)
    if isinstance(source, Diagnostic):
        return Checked(None, kind, None, None, (source,))
    return check_source(source, kind)

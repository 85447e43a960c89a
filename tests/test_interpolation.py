"""The `${...}` grammar and its diagnostics."""

from __future__ import annotations

import pytest

from floec.ast.nodes import FloeSpec, Interpolated
from floec.frontend import check_source
from floec.interpolation import Interpolation, InterpolationError, Reference, _parser, parse
from floec.source import SourceFile


def test_grammar_is_unambiguous_in_strict_mode() -> None:
    _parser(strict=True)  # lark raises on terminal collisions and grammar conflicts


def test_strings_without_a_dollar_never_reach_the_parser() -> None:
    assert parse("plain text") is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("${TEAM}", (Reference("TEAM", None, 0, 7),)),
        ("a ${env:TEAM} b", ("a ", Reference("TEAM", None, 2, 13), " b")),
        ("${REGION:-eu-west-1}", (Reference("REGION", "eu-west-1", 0, 20),)),
        ("${X:-}", (Reference("X", "", 0, 6),)),
        ("cost: $$5", ("cost: $5",)),
        ("$VAR stays", ("$VAR stays",)),
    ],
)
def test_well_formed(text: str, parts: tuple[object, ...]) -> None:
    assert parse(text) == Interpolation(parts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "offset", "words"),
    [
        ("x ${TEAM", 2, "not closed"),
        ("${}", 2, "needs a variable name"),
        ("${1abc}", 2, "needs a variable name"),
        ("${A B}", 3, "malformed interpolation"),
        ("${env:}", 6, "malformed interpolation"),
    ],
)
def test_malformed(text: str, offset: int, words: str) -> None:
    result = parse(text)
    assert isinstance(result, InterpolationError)
    assert result.offset == offset
    assert words in result.message


def _check(text: str):
    return check_source(SourceFile("floe.yaml", "name: orders\nversion: 1.0.0\n" + text))


def test_diagnostic_points_inside_a_plain_or_quoted_scalar() -> None:
    for line, column in (("    team: x ${TEAM\n", 12), ("    team: 'x ${TEAM'\n", 13)):
        checked = _check("observability:\n  attributes:\n" + line)
        (diagnostic,) = checked.diagnostics
        assert diagnostic.code == "FLC020"
        assert diagnostic.span is not None
        assert (diagnostic.span.start.line, diagnostic.span.start.column) == (4, column)


def test_diagnostic_falls_back_to_the_whole_scalar_when_escaped() -> None:
    checked = _check('observability:\n  attributes:\n    team: "\\t${TEAM"\n')
    (diagnostic,) = checked.diagnostics
    assert diagnostic.span is not None
    assert (diagnostic.span.start.column, diagnostic.span.end.column) == (10, 20)


def test_a_dollar_written_as_an_escape_is_checked_too() -> None:
    """The text holds no '$', the value does: the check must not skip the file."""
    for escape in ("\\x24", "\\u0024", "\\U00000024"):
        checked = _check(f'observability:\n  attributes:\n    team: "{escape}{{TEAM"\n')
        assert [d.code for d in checked.diagnostics] == ["FLC020"], escape


def test_the_ast_keeps_interpolations_structured() -> None:
    checked = _check("observability:\n  attributes:\n    team: ${env:TEAM}\n    plain: x\n")
    assert checked.diagnostics == ()
    assert checked.spec is not None
    assert isinstance(checked.spec, FloeSpec) and checked.spec.observability is not None
    attributes = checked.spec.observability.attributes
    team = attributes["team"]
    assert isinstance(team, Interpolated)
    assert team.value.references[0].name == "TEAM"
    assert attributes["plain"] == "x"

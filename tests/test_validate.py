"""Stage `validate`: schema-typed scalars and errors mapped to the node they concern."""

from __future__ import annotations

from typing import Any

import pytest

from floec.diagnostics.model import Diagnostic
from floec.source import SourceFile
from floec.syntax.load import load_config
from floec.validate import Plain, validate

PIPELINE = "name: orders\nversion: 1.0.0\n"


def check(text: str, kind: str = "floe") -> tuple[Plain, list[Diagnostic]]:
    tree, diagnostics = load_config(SourceFile("f.yaml", text))
    assert tree is not None and diagnostics == []
    return validate(tree, kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "written", ["no", "on", "off", "1.10", "2024-01-01", "0x1F", "007", "null"]
)
def test_plain_scalars_stay_the_string_written_where_a_string_is_expected(written: str) -> None:
    data, diagnostics = check(
        PIPELINE
        + "consumption:\n  database_type: postgres\n"
        + f"observability:\n  attributes:\n    x: {written}\n"
    )
    if written == "null":  # an explicit null is not a string: say so rather than guess
        assert [d.code for d in diagnostics] == ["FLC102"]
        return
    assert diagnostics == []
    assert isinstance(data, dict)
    assert data["observability"]["attributes"]["x"] == written  # type: ignore[index,call-overload]


def test_version_written_as_a_float_is_kept_verbatim() -> None:
    _, diagnostics = check("name: orders\nversion: 1.10.0\n")
    assert diagnostics == []
    _, diagnostics = check("name: orders\nversion: 1.10\n")
    assert [d.code for d in diagnostics] == ["FLC105"]
    assert '"1.10"' in diagnostics[0].message  # not 1.1


@pytest.mark.parametrize(("written", "fix"), [("yes", "true"), ("off", "false"), ("Y", "true")])
def test_only_true_and_false_are_booleans(written: str, fix: str) -> None:
    _, diagnostics = check(PIPELINE + f"governance:\n  pii_detection: {written}\n")
    (diagnostic,) = diagnostics
    assert diagnostic.code == "FLC102"
    assert diagnostic.help is not None and f"write {fix}" in diagnostic.help


def test_integers_are_typed_and_quoted_numbers_are_not() -> None:
    data, diagnostics = check(PIPELINE + "consumption:\n  port: 30\n")
    assert diagnostics == []
    assert isinstance(data, dict)
    assert data["consumption"]["port"] == 30  # type: ignore[index,call-overload]
    _, diagnostics = check(PIPELINE + 'consumption:\n  port: "30"\n')
    assert diagnostics[0].message.endswith('expected an integer, found the string "30"')
    assert diagnostics[0].help == "remove the quotes: port: 30"


def test_unknown_field_suggests_the_nearest_name() -> None:
    _, diagnostics = check(PIPELINE + "transfroms: []\n")
    (diagnostic,) = diagnostics
    assert diagnostic.code == "FLC101"
    assert diagnostic.help == "did you mean 'transforms'?"
    assert diagnostic.span is not None and diagnostic.span.start.line == 2


def test_enum_lists_the_nearest_first() -> None:
    _, diagnostics = check(
        "version: 1.0.0\ncompute:\n  default:\n    type: postgress\n", "platform"
    )
    (diagnostic,) = diagnostics
    assert diagnostic.code == "FLC104"
    assert "expected one of postgres," in diagnostic.message
    assert diagnostic.help == "did you mean 'postgres'?"


def test_missing_field_points_at_the_mapping_and_names_it() -> None:
    text = (
        "version: 1.0.0\ncompute:\n  default:\n    type: snowflake\n    properties:\n"
        "      account: acme\n      user: floe\n      database: analytics\n"
    )
    _, diagnostics = check(text, "platform")
    (diagnostic,) = diagnostics
    assert diagnostic.code == "FLC103"
    assert "'warehouse'" in diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.start.line == 4


def test_errors_are_all_reported_in_one_run() -> None:
    _, diagnostics = check(
        "name: 1x\nversion: one\ntransfroms: []\ngovernance:\n  pii_detection: maybe\n"
    )
    assert sorted(d.code for d in diagnostics) == ["FLC101", "FLC102", "FLC105", "FLC105"]


CANARY = "Canary-Secret-Value-7f3a9c"


def test_a_sensitive_field_never_echoes_its_value() -> None:
    text = (
        "version: 1.0.0\ncatalogs:\n  default:\n    type: polaris\n"
        "    uri: https://polaris.example.com/api/catalog\n    warehouse: analytics\n"
        "    credentials:\n      mode: oauth2\n      client_id: floe\n"
        f"      client_secret: {CANARY}\n      scope: PRINCIPAL_ROLE:ALL\n"
    )
    _, diagnostics = check(text, "platform")
    (diagnostic,) = diagnostics
    assert diagnostic.code == "FLC202"
    assert "use secret_ref" in diagnostic.message
    assert diagnostic.masked and diagnostic.masked[0] == diagnostic.span
    rendered = repr(diagnostic)
    assert CANARY not in rendered and CANARY[2:-2] not in rendered


def test_a_plain_number_stays_the_string_written_inside_an_optional_secret_reference() -> None:
    """`key: 08` under a nullable secret reference: the string is found in the anyOf branch."""
    from floec.frontend import check_source
    from floec.source import SourceFile

    text = "security:\n  encryption:\n    at_rest:\n      key_ref: {secret_ref: kms, key: 08}\n"
    result = check_source(SourceFile("platform.yaml", "version: 1.2.0\n" + text))
    assert result.diagnostics == ()
    spec: Any = result.spec
    assert spec.security.data["encryption"]["at_rest"]["key_ref"].key == "08"

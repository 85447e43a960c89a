"""Hostile input: no file read outside the workspace, no hang, no raw control character, no
crash on a user's situation, the same verdict from `check` and `build`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from floec.source import SourceFile
from floec.syntax.load import load_config
from tests.conftest import ROOT, run_floec
from tests.support.local_platform import PLATFORM
from tests.support.process import floec_process

FLOE = "name: hostile\nversion: 1.0.0\n"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("FLOE_", "FLOEC_")) or name == "SOURCE_DATE_EPOCH":
            monkeypatch.delenv(name, raising=False)


def _project(root: Path, envs: tuple[str, ...] = ("local",), floe: str = FLOE) -> Path:
    for env in envs:
        (root / "platform" / env).mkdir(parents=True, exist_ok=True)
        (root / "platform" / env / "platform.yaml").write_text(PLATFORM)
    (root / "floe.yaml").write_text(floe)
    return root


# -- a pipeline that reads any file -------------------------------------------------------------


def test_floe_yaml_cannot_make_build_read_outside_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("DB_PASSWORD=Sup3rS3cretV4lue\nAPI_HOST=internal\n")
    workspace = tmp_path / "repo"
    (workspace / ".git").mkdir(parents=True)
    project = workspace / "pipeline"
    project.mkdir()
    monkeypatch.chdir(project)
    for path in (str(tmp_path / ".env"), "../../.env"):
        (project / "floe.yaml").write_text(FLOE + f"platform: {{path: {path}}}\n")
        for command in (("build",), ("build", "--all-envs"), ("secrets", "list", ".")):
            result = run_floec(*command)
            assert result.code == 1, command
            assert "FLC017" in result.stdout + result.stderr, result.stdout
            assert "DB_PASSWORD" not in result.stdout + result.stderr
            assert "Sup3r" not in result.stdout + result.stderr
    # a symbolic link inside the workspace that points out is outside too
    (workspace / "platform.yaml").symlink_to(tmp_path / ".env")
    (project / "floe.yaml").write_text(FLOE + "platform: {path: ../platform.yaml}\n")
    result = run_floec("build")
    assert "FLC017" in result.stdout and "Sup3r" not in result.stdout


def test_the_operator_may_name_a_platform_file_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "ops" / "platform.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(PLATFORM)
    project = tmp_path / "repo"
    (project / ".git").mkdir(parents=True)
    (project / "floe.yaml").write_text(FLOE)
    monkeypatch.chdir(project)
    target = str(tmp_path / "out")
    assert run_floec("build", "--platform", str(elsewhere), "--target-dir", target).code == 0
    monkeypatch.setenv("FLOE_PLATFORM_FILE", str(elsewhere))
    assert run_floec("build", "--target-dir", target).code == 0


def test_a_file_that_is_not_yaml_is_described_not_quoted(tmp_path: Path) -> None:
    text = "".join(f"LINE_{i}=value-number-{i}\n" for i in range(50))
    (tmp_path / "platform.yaml").write_text(text)
    result = run_floec("check", str(tmp_path / "platform.yaml"))
    assert "FLC011" in result.stdout and "of 50 lines" in result.stdout
    assert "LINE_1=" not in result.stdout  # only the first line is shown


# -- hangs --------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_platform_yaml_is_refused_not_waited_on(tmp_path: Path) -> None:
    _project(tmp_path, envs=("local", "dev"))
    (tmp_path / "platform" / "dev" / "platform.yaml").unlink()
    os.mkfifo(tmp_path / "platform" / "dev" / "platform.yaml")
    for command in (("check", "."), ("build", "--env", "dev"), ("lint", "platform")):
        result = floec_process(*command, cwd=tmp_path, timeout=60)
        assert "FLC015" in result.stdout, (command, result.stdout, result.stderr)
        assert "named pipe" in result.stdout
        assert result.returncode == 1


def test_a_device_is_refused_by_every_command(tmp_path: Path) -> None:
    _project(tmp_path)
    for command in (
        ("build", "--platform", "/dev/zero"),
        ("secrets", "list", ".", "--platform", "/dev/zero"),
        ("platform", "list-profiles", ".", "--platform", "/dev/zero"),
        ("check", "/dev/zero"),
        ("lint", "/dev/zero"),
    ):
        result = floec_process(*command, cwd=tmp_path, timeout=60)
        assert "FLC015" in result.stdout + result.stderr, (command, result.stdout, result.stderr)
        assert "character device" in result.stdout + result.stderr


def test_every_command_has_one_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOEC_MAX_FILE_BYTES", "100")  # the platform file is larger
    for command in (
        ("check", "."),
        ("build", "--env", "local"),
        ("secrets", "list", ".", "--env", "local"),
        ("platform", "list-profiles", ".", "--env", "local"),
    ):
        result = run_floec(*command)
        assert result.code == 1, command
        assert "FLC016" in result.stdout + result.stderr, (command, result.stdout, result.stderr)
    lint = run_floec("lint", "platform")
    assert lint.code == 0  # skipped with a warning, never silently
    assert "warning[FLC016]" in lint.stdout and "skipped" in lint.stdout


# -- control characters -----------------------------------------------------------------------

HOSTILE_KEY = "\\e[2J\\e]0;pwned\\a\\e[31mFAKE OK"  # YAML escapes: ESC, BEL


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_control_and_bidi_characters_are_escaped(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PLATFORM + f'"{HOSTILE_KEY}": 1\n"admin\u202e\u2066evil\x85": 2\n'
    _project(tmp_path)
    (tmp_path / "platform" / "local" / "platform.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run_floec("check", ".", "--format", fmt)
    output = result.stdout + result.stderr
    assert "FLC101" in output
    for raw in ("\x1b", "\x07", "\u202e", "\u2066", "\x85"):
        assert raw not in output, (fmt, repr(raw))
    if fmt in ("text", "github"):
        assert "\\x1b[2J" in output and "\\u202e" in output
    else:
        json.loads(result.stdout)  # still valid JSON, the characters escaped as JSON does
        assert "\\u001b[2J" in result.stdout and "\\u202e" in result.stdout


def test_build_output_escapes_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, floe=FLOE + 'owner: "\\e[31mFAKE OK"\n')
    monkeypatch.chdir(tmp_path)
    for args in ((), ("--format", "json"), ("--all-envs",)):
        result = run_floec("build", *args)
        assert "\x1b" not in result.stdout + result.stderr


# -- environments -------------------------------------------------------------------------------


def test_an_invalid_environment_directory_is_one_diagnostic_in_check_and_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Local", "UPPER", "a.b"):
        root = tmp_path / name.replace(".", "_")
        _project(root, envs=(name,))
        monkeypatch.chdir(root)
        checked = run_floec("check", ".", "--format", "json")
        built = run_floec("build", "--all-envs", "--format", "json")
        assert checked.code == 1 and built.code == 1, name
        check_codes = {(d["code"], d["file"]) for d in json.loads(checked.stdout)}
        build_codes = {(d["code"], d["file"]) for d in json.loads(built.stdout)["diagnostics"]}
        assert ("FLC305", f"platform/{name}") in check_codes
        assert ("FLC305", f"platform/{name}") in build_codes
        assert "FLC901" not in checked.stdout + built.stdout


# -- the loader ---------------------------------------------------------------------------------


def test_a_large_file_without_aliases_is_not_an_alias_bomb() -> None:
    lines = ["version: 1.0.0", "storage:"]
    for i in range(20_000):  # 120,000 nodes: more than the alias budget, and no alias at all
        lines += [f"  s{i}:", "    type: local", f"    path: target/w{i}"]
    text = "\n".join(lines) + "\n"
    assert len(lines) > 50_000
    tree, diagnostics = load_config(SourceFile("platform.yaml", text))
    assert tree is not None and [d.code for d in diagnostics] == []


BOMB = (
    "".join(
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 10 if previous else ['x'] * 10)}]\n"
        for previous, name in zip(["", "a", "b", "c", "d"], ["a", "b", "c", "d", "e"], strict=True)
    )
    + "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
)


def test_the_alias_budget_counts_expansion_and_is_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, diagnostics = load_config(SourceFile("x.yaml", BOMB))
    assert [d.code for d in diagnostics] == ["FLC007"]
    assert "FLOEC_MAX_ALIAS_NODES" in (diagnostics[0].help or "")
    small = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"  # 8 nodes of expansion
    assert load_config(SourceFile("x.yaml", small))[1] == []
    monkeypatch.setenv("FLOEC_MAX_ALIAS_NODES", "5")
    assert [d.code for d in load_config(SourceFile("x.yaml", small))[1]] == ["FLC007"]


def test_line_separator_in_a_comment_is_not_a_line_break() -> None:
    text = "version: 1.0.0  # one\u2028two: three\u2029four\x85five\nstorage: [\n"
    _, diagnostics = load_config(SourceFile("platform.yaml", text))
    assert [d.code for d in diagnostics] == ["FLC004"]
    span = diagnostics[0].span
    assert span is not None and span.start.line == 2  # the unclosed '[' ends the file: line 3
    value = load_config(SourceFile("x.yaml", 'a: "x\u2028y"\n'))[0]
    assert value is not None
    assert value.root.entries[0].value.value == "x\u2028y"  # type: ignore[union-attr]
    ok = "version: 1.0.0  # a\u2028b: c\n"
    assert load_config(SourceFile("platform.yaml", ok))[1] == []


# -- messages -----------------------------------------------------------------------------------


def test_no_schema_sentence_or_flagged_value_in_a_message() -> None:
    from jsonschema.exceptions import ValidationError

    from floec.syntax.load import load_config as load
    from floec.validate import _ErrorMapper

    source = SourceFile(
        "platform.yaml", "storage:\n  default: ghp_R8xKq2Lm9ZpT4vWn6YbC1dFh3JsG5tAe7Uo0\n"
    )
    tree = load(source)[0]
    assert tree is not None
    secret = "ghp_R8xKq2Lm9ZpT4vWn6YbC1dFh3JsG5tAe7Uo0"
    mapper = _ErrorMapper(tree, {})
    for keyword, value in (("not", {"required": ["bucket"]}), ("allOf", []), ("weird", 1)):
        error = ValidationError(
            f"'{secret}' should not be valid under {value!r}",
            validator=keyword,
            validator_value=value,
            instance=secret,
            path=["storage", "default"],
            schema_path=[keyword],
        )
        for diagnostic in mapper.map(error):
            assert secret[4:-4] not in diagnostic.message
            assert "should not be valid" not in diagnostic.message
            assert "{'required'" not in diagnostic.message
    typed = ValidationError(
        "wrong", validator="type", validator_value="object", instance=secret,
        path=["storage", "default"], schema_path=["type"],
    )  # fmt: skip
    (diagnostic,) = [mapper.wrong_type(typed, ["storage", "default"], False)]
    assert (
        secret[4:-4] not in diagnostic.message and "looks like a credential" in diagnostic.message
    )


def test_a_huge_one_line_value_is_cut_in_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = "x" * 300_000
    _project(tmp_path)
    path = tmp_path / "platform" / "local" / "platform.yaml"
    path.write_text(PLATFORM + f"unknown: {huge}\nversion2: {huge}\n")
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "json", "sarif", "github"):
        result = run_floec("check", ".", "--format", fmt)
        assert "FLC101" in result.stdout
        assert "x" * 2000 not in result.stdout, fmt


# -- helpers ------------------------------------------------------------------------------------


def test_the_module_runs_as_python_m_floec() -> None:
    """The subprocess tests above run `python -m floec`; prove it is floec from this checkout."""
    result = floec_process("--version", cwd=ROOT)
    assert result.returncode == 0 and "floec" in result.stdout + result.stderr


def test_check_and_build_agree_on_a_missing_dbt_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, floe=FLOE + "transforms:\n  - type: dbt\n    path: nodbt\n")
    monkeypatch.chdir(tmp_path)
    checked = json.loads(run_floec("check", ".", "--format", "json").stdout)
    built = json.loads(run_floec("build", "--env", "local", "--format", "json").stdout)
    assert [d["code"] for d in checked] == ["FLC503"]
    assert [d["code"] for d in built["diagnostics"]] == ["FLC503"]
    assert checked[0]["message"] == built["diagnostics"][0]["message"]

"""`floec check` as a user runs it: inputs, formats, exit codes, colour, internal errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_floec


def test_the_example_project_and_every_environment_pass() -> None:
    result = run_floec("check", "examples/customer-analytics")
    assert result.code == 0, result.stdout
    assert result.stdout == ""
    assert "0 errors, 0 warnings in 5 files" in result.stderr


def test_one_platform_file() -> None:
    assert run_floec("check", "platform/prod/platform.yaml").code == 0


def test_json_is_the_lsp_shape(tmp_cwd: Path) -> None:
    (tmp_cwd / "floe.yaml").write_text("name: orders\nversion: 1.0\nowner: 'Zoë 🦀'\n")
    result = run_floec("check", "--format", "json", "floe.yaml")
    assert result.code == 1
    diagnostics = json.loads(result.stdout)
    by_code = {d["code"]: d for d in diagnostics}
    version = by_code["FLC105"]
    assert version["file"] == "floe.yaml"
    assert version["range"] == {
        "start": {"line": 1, "character": 9},
        "end": {"line": 1, "character": 12},
    }
    assert version["source"] == "floec" and version["name"] == "pattern-mismatch"
    unknown = by_code["FLC101"]
    assert unknown["range"]["start"] == {"line": 2, "character": 0}


def test_json_characters_are_utf16_code_units(tmp_cwd: Path) -> None:
    line = "consumption: {database_type: '🦀', dev_mode: maybe}"
    (tmp_cwd / "floe.yaml").write_text(f"name: orders\nversion: 1.0.0\n{line}\n")
    (diagnostic,) = json.loads(run_floec("check", "--format", "json", "floe.yaml").stdout)
    code_points = line.index("maybe")
    # 🦀 is one code point but two UTF-16 code units, and LSP counts code units.
    assert diagnostic["range"]["start"] == {"line": 2, "character": code_points + 1}
    text = run_floec("check", "floe.yaml").stdout
    assert text.startswith(f"floe.yaml:3:{code_points + 1}: error[FLC102]")  # text: code points


def test_exit_codes() -> None:
    assert run_floec("check", "golden/ok-pipeline").code == 0
    assert run_floec("check", "golden/wrong-type").code == 1
    assert run_floec("check", "--format", "nope").code == 2
    assert run_floec().code == 2
    assert run_floec("no-such-command").code == 2


def test_strict_makes_warnings_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from floec.diagnostics.model import Severity, make

    def warn(source: object, kind: object = None):
        from floec.frontend import Checked

        return Checked(
            None,
            None,
            None,
            None,
            (make("FLC004", "x", None, file="floe.yaml", severity=Severity.WARNING),),
        )

    monkeypatch.setattr("floec.frontend.check_source", warn)
    assert run_floec("check", "golden/ok-pipeline").code == 0
    assert run_floec("check", "--strict", "golden/ok-pipeline").code == 1


def test_an_internal_error_is_a_diagnostic_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("canary-internal-detail")

    monkeypatch.setattr("floec.frontend.check_source", boom)
    result = run_floec("check", "golden/ok-pipeline")
    assert result.code == 2
    assert "error[FLC901]: internal error" in result.stderr
    assert "report" in result.stderr
    assert "Traceback" not in result.stderr
    assert "canary-internal-detail" not in result.stderr  # messages may quote user data


def test_colour_only_when_asked(tmp_cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_cwd / "floe.yaml").write_text("name: 1x\nversion: 1.0.0\n")
    assert "\x1b[" not in run_floec("check", "floe.yaml").stdout
    assert "\x1b[" in run_floec("check", "--color", "always", "floe.yaml").stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_floec("check", "floe.yaml").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_floec("check", "floe.yaml").stdout


def test_the_console_script_runs_in_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "floec", "check", "examples/customer-analytics"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_check_imports_nothing_heavy() -> None:
    code = (
        "import sys\nfrom floec.cli import main\n"
        "rc = main(['check', 'examples/customer-analytics'])\n"
        "heavy = [m for m in ('dagster', 'dbt', 'pyiceberg', 'pygls', 'lsprotocol', 'rich', "
        "'lark') if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0 []"

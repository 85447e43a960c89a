"""`floec lint`, `floec rules`, `floec explain`: formats, masking, baselines, exit codes, and a
rendered snapshot of one finding per rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from floec.diagnostics.codes import CODES
from tests.conftest import ROOT, run_floec, text_snapshots

CANARY = "Canary-S3cret-Value-7781"
RULES_DIR = Path(__file__).parent / "lint_rules"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def leaky(tmp_cwd: Path) -> Path:
    write(
        tmp_cwd / "conf" / "app.yaml",
        f"db:\n  password: {CANARY}\n  url: postgres://app:{CANARY}@db:5432/app\n"
        f"# password: {CANARY}\n"
        f"env:\n  - API_TOKEN={CANARY}\n",
    )
    write(tmp_cwd / "conf" / "clean.yml", "db:\n  password: {secret_ref: db}\n")
    write(tmp_cwd / "conf" / "node_modules" / "x.yaml", f"password: {CANARY}\n")
    write(tmp_cwd / "conf" / "notes.txt", f"password: {CANARY}\n")
    return tmp_cwd


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_format_prints_the_secret(leaky: Path, fmt: str) -> None:
    result = run_floec("lint", "conf", "--format", fmt)
    assert result.code == 1
    assert CANARY not in result.stdout + result.stderr
    assert "Ca…81" in result.stdout
    if fmt == "text":
        assert result.stdout.count("error[FLC2") == 4
        assert "Ca********************81" in result.stdout
        assert "in 2 files" in result.stderr  # node_modules and *.txt are skipped


def test_sarif_is_valid_and_carries_rule_metadata(leaky: Path) -> None:
    result = run_floec("lint", "conf", "--format", "sarif")
    log = json.loads(result.stdout)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(CODES)
    assert "## What it does" in rules["FLC201"]["help"]["markdown"]
    first = run["results"][0]
    assert first["ruleId"] == "FLC201"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 13,
        "endLine": 2,
        "endColumn": 37,
    }
    assert len(first["partialFingerprints"]["floecFingerprint/v1"]) == 64


def test_github_annotations(leaky: Path) -> None:
    lines = run_floec("lint", "conf/app.yaml", "--format", "github").stdout.splitlines()
    assert lines[0].startswith(
        "::error file=conf/app.yaml,line=2,endLine=2,col=13,endColumn=36,"
        "title=floec FLC201 (hardcoded-password)::hardcoded password in 'password'"
    )
    assert "%0Ahelp: " in lines[0]


def test_github_escaping_and_multiline_spans() -> None:
    from floec.diagnostics.model import make
    from floec.diagnostics.render_github import render_one
    from floec.span import Span

    diagnostic = make("FLC212", "a, b: 100%\nnext", Span.of("a,b:c.yaml", 1, 4, 5, 0))
    assert render_one(diagnostic) == (
        "::error file=a%2Cb%3Ac.yaml,line=2,endLine=6,title=floec FLC212 (private-key)"
        "::a, b: 100%25%0Anext"
    )


def test_baseline_round_trip(leaky: Path) -> None:
    assert run_floec("lint", "conf", "--write-baseline", "baseline.json").code == 0
    data = json.loads((leaky / "baseline.json").read_text())
    assert CANARY not in json.dumps(data)
    assert {entry["file"] for entry in data["findings"]} == {"conf/app.yaml"}
    assert all("line" not in entry for entry in data["findings"])
    quiet = run_floec("lint", "conf", "--baseline", "baseline.json")
    assert quiet.code == 0, quiet.stdout
    assert "4 known in the baseline" in quiet.stderr
    # lines moved: still known; a new copy of a known secret: reported
    app = leaky / "conf" / "app.yaml"
    app.write_text("# moved\n\n" + app.read_text() + f"  other_password: {CANARY}\n")
    moved = run_floec("lint", "conf", "--baseline", "baseline.json")
    assert moved.code == 1
    assert moved.stdout.count("error[FLC201]") == 1
    assert CANARY not in moved.stdout


def test_bad_baseline_is_a_usage_failure(leaky: Path) -> None:
    write(leaky / "bad.json", "[1, 2")
    assert run_floec("lint", "conf", "--baseline", "bad.json").code == 2
    assert run_floec("lint", "conf", "--baseline", "missing.json").code == 2


def test_exit_codes(tmp_cwd: Path) -> None:
    write(tmp_cwd / "clean.yaml", "a: 1\n")
    assert run_floec("lint", "clean.yaml").code == 0
    write(tmp_cwd / "warn.yaml", "b: 1  # floec: ignore[FLC201]\n")
    assert run_floec("lint", "warn.yaml").code == 0
    assert run_floec("lint", "warn.yaml", "--strict").code == 1
    assert run_floec("lint", "missing.yaml").code == 1
    assert run_floec("lint").code == 2


def test_rules_and_explain() -> None:
    listing = run_floec("rules").stdout
    for entry in CODES.values():
        assert f"{entry.code}  {entry.name}" in listing
    by_code = run_floec("explain", "FLC201")
    by_name = run_floec("explain", "hardcoded-password")
    assert by_code.code == 0 and by_code.stdout == by_name.stdout
    assert "## Use instead" in by_code.stdout
    unknown = run_floec("explain", "hardcoded-passwrd")
    assert unknown.code == 2 and "did you mean hardcoded-password" in unknown.stderr


def test_lint_imports_only_what_it_needs(tmp_path: Path) -> None:
    target = write(tmp_path / "x.yaml", "password: {secret_ref: db}\n")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "floec", "lint", str(target)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    for heavy in ("rich", "lark", "jsonschema", "cattrs"):
        assert not any(name == heavy or name.startswith(heavy + ".") for name in imported)


RuleSnapshot = text_snapshots(RULES_DIR / "snapshots")  # rendered output per rule


RULE_FILES = sorted(p.name for p in RULES_DIR.iterdir() if p.name.startswith("FLC"))


@pytest.mark.parametrize("name", RULE_FILES)
def test_rendered_finding_per_rule(name: str, snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(RULES_DIR)
    result = run_floec("lint", "--color", "never", name)
    assert f"[{name[:6]}]" in result.stdout
    assert result.stdout == snapshot.use_extension(RuleSnapshot)


def test_every_lint_rule_has_a_snapshot_file() -> None:
    covered = {name[:6] for name in RULE_FILES}
    build_only = {"FLC222"}  # checks generated files: tests/test_canary.py
    lint_rules = {c for c in CODES if c.startswith("FLC2")} - build_only
    assert lint_rules <= covered

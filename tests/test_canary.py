"""Canaries: a secret planted in a wrong place never leaves floec.

Each placement puts a credential where a hostile or careless author could (an unknown field, a
wrong type, a syntax error, a duplicate key, a comment on an error line, an endpoint with a
password, floe.yaml attributes...). Every command runs over it in every format, and neither its
output nor any file it writes may hold the secret: messages, snippets, `--emit` IR dumps and
generated files alike.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_floec
from tests.support.local_platform import PLATFORM

PASSWORD = "Tr0ub4dor&3xyzQ7"
TOKEN = "ghp_R8xKq2Lm9ZpT4vWn6YbC1dFh3JsG5tAe7Uo0"
AWS_KEY = "AKIAQ3EGRQKZ7XH5LM2P"
SECRETS = (PASSWORD, TOKEN, AWS_KEY)


FLOE = """\
name: canary
version: 1.0.0
catalog: default
storage: default
compute: default
observability:
  traces: false
  attributes:
    team: analytics
"""

Edit = Callable[[str], str]


def _in_properties(line: str) -> Edit:
    return lambda text: text.replace("      threads: 4\n", f"      threads: 4\n      {line}\n")


S3 = f"""\
storage:
  default:
    type: s3
    bucket: lake
    endpoint: http://admin:{PASSWORD}@minio:9000
    credentials: {{mode: static, secret_ref: minio}}
"""

# (name, edit of platform.yaml, edit of floe.yaml)
PLACEMENTS: list[tuple[str, Edit, Edit]] = [
    (
        "endpoint-with-password",
        lambda t: t.replace(t[t.index("storage:") : t.index("catalogs:")], S3),
        lambda t: t,
    ),
    (
        "floe-attributes",
        lambda t: t,
        lambda t: t.replace(
            "    team: analytics\n",
            f"    team: analytics\n    password: {PASSWORD}\n    aws_access_key_id: {AWS_KEY}\n",
        ),
    ),
    ("unknown-field-passwd", _in_properties(f"passwd: {PASSWORD}"), lambda t: t),
    ("unknown-field-db-pass", _in_properties(f"db_pass: {PASSWORD}"), lambda t: t),
    ("unknown-field-token", _in_properties(f"token: {TOKEN}"), lambda t: t),
    ("syntax-error", lambda t: t + f"client_secret: {PASSWORD}: x\n", lambda t: t),
    ("floe-syntax-error", lambda t: t, lambda t: t + f"client_secret: {PASSWORD}: x\n"),
    (
        "secret-ref-extra-key",
        lambda t: t.replace(
            "      threads: 4\n",
            "      threads: 4\n"
            f"    credentials: {{mode: static, secret_ref: db, password: {PASSWORD}}}\n",
        ),
        lambda t: t,
    ),
    (
        "duplicate-key",
        _in_properties(f"password: {PASSWORD}\n      password: {PASSWORD}"),
        lambda t: t,
    ),
    (
        "comment-on-error-line",
        lambda t: t.replace("threads: 4", f"threads: many  # password: {PASSWORD}"),
        lambda t: t,
    ),
    (
        "bad-interpolation-line",
        lambda t: t.replace("path: target/local/x.duckdb", f'path: "${{oops" # token: {TOKEN}'),
        lambda t: t,
    ),
    ("enum-mode", lambda t: t.replace("type: duckdb", f"type: {TOKEN}"), lambda t: t),
    ("wrong-type-threads", lambda t: t.replace("threads: 4", f"threads: {TOKEN}"), lambda t: t),
    ("wrong-type-version", lambda t: t.replace("version: 1.0.0", f"version: {TOKEN}"), lambda t: t),
    ("wrong-type-credentials", _in_properties(f"credentials: {TOKEN}"), lambda t: t),
    (
        "wrong-type-password-list",
        _in_properties(f"password: [{PASSWORD}]"),
        lambda t: t,
    ),
    (
        "sqlite-uri-password",
        lambda t: t.replace(
            "uri: sqlite:///target/local/catalog.db",
            f"uri: sqlite://admin:{PASSWORD}@/target/local/catalog.db",
        ),
        lambda t: t,
    ),
    (
        "floe-unknown-field",
        lambda t: t,
        lambda t: t + f"db_pass: {PASSWORD}\n",
    ),
    (
        "floe-wrong-type",
        lambda t: t,
        lambda t: t.replace("traces: false", f"traces: {TOKEN}"),
    ),
    (
        "suppressed-in-properties",
        _in_properties(f"password: {PASSWORD}  # floec: ignore[FLC201]"),
        lambda t: t,
    ),
    (
        "suppressed-endpoint",
        lambda t: t.replace(
            t[t.index("storage:") : t.index("catalogs:")],
            S3.replace(":9000\n", ":9000  # floec: ignore[FLC203]\n"),
        ),
        lambda t: t,
    ),
]

COMMANDS: list[tuple[str, ...]] = [
    *(("check", ".", "--format", fmt) for fmt in ("text", "json", "sarif", "github")),
    *(("lint", ".", "--format", fmt) for fmt in ("text", "json", "sarif", "github")),
    ("build", ".", "--env", "local"),
    ("build", ".", "--env", "local", "--format", "json"),
    ("build", ".", "--all-envs"),
    *(("build", ".", "--env", "local", "--emit", stage) for stage in ("ast", "bound", "lowered")),
    ("build", ".", "--env", "local", "--stop-after", "codegen-dagster"),
    ("secrets", "list", ".", "--env", "local"),
    ("platform", "list-profiles", ".", "--env", "local"),
]


def _leaks(text: str) -> list[str]:
    """The secrets (or a telling part of one) found in `text`."""
    found = []
    for secret in SECRETS:
        middle = secret[2:-2]
        if middle in text or secret[3:10] in text or secret[-10:-3] in text:
            found.append(secret)
    return found


def _project(root: Path, platform: str, floe: str) -> None:
    (root / "platform" / "local").mkdir(parents=True)
    (root / "platform" / "local" / "platform.yaml").write_text(platform)
    (root / "floe.yaml").write_text(floe)


@pytest.mark.parametrize(
    ("name", "edit_platform", "edit_floe"), PLACEMENTS, ids=[p[0] for p in PLACEMENTS]
)
def test_no_secret_leaves_any_command(
    name: str,
    edit_platform: Edit,
    edit_floe: Edit,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform, floe = edit_platform(PLATFORM), edit_floe(FLOE)
    assert platform != PLATFORM or floe != FLOE, name
    _project(tmp_path, platform, floe)
    monkeypatch.chdir(tmp_path)
    for variable in [v for v in os.environ if v.startswith("FLOE_")]:
        monkeypatch.delenv(variable)
    failures = []
    for command in COMMANDS:
        result = run_floec(*command)
        assert "Traceback" not in result.stderr
        leaked = _leaks(result.stdout + result.stderr)
        if leaked:
            failures.append(f"{' '.join(command)}: {leaked}\n{result.stdout}{result.stderr}")
    for path in (tmp_path / "target").rglob("*") if (tmp_path / "target").exists() else []:
        if path.is_file() and _leaks(path.read_text(errors="replace")):
            failures.append(f"generated file {path.relative_to(tmp_path)}")
    assert not failures, "\n\n".join(failures)


def test_every_placement_fails_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The canaries are findings, not silently built: each placement fails `build` and writes
    nothing (a suppressed one too: FLC222 when it would reach an output)."""
    monkeypatch.chdir(tmp_path)
    for name, edit_platform, edit_floe in PLACEMENTS:
        directory = tmp_path / name
        directory.mkdir()
        _project(directory, edit_platform(PLATFORM), edit_floe(FLOE))
        target = tmp_path / "target" / name
        result = run_floec("build", str(directory), "--env", "local", "--target-dir", str(target))
        assert result.code == 1, name
        assert not (target / "local").exists(), name


def test_the_lint_is_a_pass_of_the_build_and_runs_in_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from floec.driver import PASS_NAMES

    assert PASS_NAMES.index("lint-credentials") == PASS_NAMES.index("check-credentials") + 1
    floe = FLOE.replace("    team: analytics\n", f"    team: analytics\n    key: {AWS_KEY}\n")
    _project(tmp_path, PLATFORM, floe)
    monkeypatch.chdir(tmp_path)
    for command in (("check", "."), ("build", ".", "--env", "local")):
        result = run_floec(*command, "--format", "json")
        document = json.loads(result.stdout)
        diagnostics = document if isinstance(document, list) else document["diagnostics"]
        assert result.code == 1, command
        assert any(d["code"] == "FLC204" and d["severity"] == "error" for d in diagnostics)
    assert not (tmp_path / "target").exists()

"""`floec build`, environments, outputs, and the commands around them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from floec.passes.codegen_artifacts import schema_errors
from tests.conftest import ROOT, run_floec

EXAMPLE = "examples/customer-analytics"
VARIABLES = ("FLOE_PLATFORM_FILE", "FLOE_PLATFORM_ENV", "FLOE_SECRETS_DIR", "SOURCE_DATE_EPOCH")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("FLOE_") or name in VARIABLES:
            monkeypatch.delenv(name, raising=False)


def _artifacts(target: Path, env: str) -> dict[str, object]:
    document: dict[str, object] = json.loads((target / env / "compiled_artifacts.json").read_text())
    assert schema_errors(document) == []
    return document


def test_every_example_environment_builds(tmp_path: Path) -> None:
    result = run_floec("build", EXAMPLE, "--all-envs", "--target-dir", str(tmp_path))
    assert result.code == 0, result.stdout + result.stderr
    for env in ("dev", "local", "prod", "staging"):
        document = _artifacts(tmp_path, env)
        assert document["environment"]["name"] == env  # type: ignore[index]
        assert document["created_at"] is None


def test_all_envs_json_is_json_only(tmp_path: Path) -> None:
    result = run_floec(
        "build", EXAMPLE, "--all-envs", "--format", "json", "--target-dir", str(tmp_path)
    )
    document = json.loads(result.stdout)
    assert [row["environment"] for row in document["matrix"]] == ["dev", "local", "prod", "staging"]
    assert document["ok"] is True


def test_matrix_marks_missing_profiles_and_fails(tmp_path: Path) -> None:
    result = run_floec(
        "build",
        "golden/build-matrix",
        "--all-envs",
        "--format",
        "json",
        "--target-dir",
        str(tmp_path),
    )
    assert result.code == 1
    rows = {r["environment"]: r for r in json.loads(result.stdout)["matrix"]}
    assert rows["sandbox-team-a"]["profiles"]["compute"] == "reporting: missing"
    assert rows["dr-region-2"]["status"] == "ok"
    assert (tmp_path / "dr-region-2" / "compiled_artifacts.json").exists()
    assert not (tmp_path / "sandbox-team-a").exists()


def test_source_date_epoch_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_floec("build", EXAMPLE, "--env", "local", "--target-dir", str(tmp_path)).code == 0
    assert _artifacts(tmp_path, "local")["created_at"] == "2023-11-14T22:13:20Z"


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = str(tmp_path)
    monkeypatch.setenv("FLOE_PLATFORM_ENV", "staging")
    assert run_floec("build", EXAMPLE, "--target-dir", target).code == 0
    assert (tmp_path / "staging").is_dir()
    # --env wins over FLOE_PLATFORM_ENV
    assert run_floec("build", EXAMPLE, "--env", "dev", "--target-dir", target).code == 0
    assert (tmp_path / "dev").is_dir()
    # FLOE_PLATFORM_FILE wins over FLOE_PLATFORM_ENV (which then names it)
    monkeypatch.setenv("FLOE_PLATFORM_FILE", "platform/prod/platform.yaml")
    assert run_floec("build", EXAMPLE, "--target-dir", target).code == 0
    assert _artifacts(tmp_path, "staging")["environment"]["platform"]["version"] == "2.1.0"  # type: ignore[index]
    # --platform wins over everything
    result = run_floec(
        "build",
        EXAMPLE,
        "--platform",
        "platform/local/platform.yaml",
        "--env",
        "custom-1",
        "--target-dir",
        target,
    )
    assert result.code == 0
    environment: Any = _artifacts(tmp_path, "custom-1")["environment"]
    assert environment["platform"]["path"] == "../../platform/local/platform.yaml"


def test_unknown_and_invalid_environments() -> None:
    result = run_floec("build", EXAMPLE, "--env", "prdo")
    assert result.code == 1
    assert "available: dev, local, prod, staging" in result.stdout
    assert "did you mean 'prod'?" in result.stdout
    result = run_floec("build", EXAMPLE, "--env", "Prod")
    assert result.code == 1 and "FLC305" in result.stdout
    result = run_floec("build", EXAMPLE)
    assert result.code == 1 and "FLC307" in result.stdout


def _project(tmp_path: Path, platform: dict[str, str] | None = None) -> Path:
    project = tmp_path / "pipeline"
    project.mkdir()
    (project / "floe.yaml").write_text("name: orders\nversion: 1.0.0\n")
    for env, text in (platform or {}).items():
        (tmp_path / "platform" / env).mkdir(parents=True)
        (tmp_path / "platform" / env / "platform.yaml").write_text(text)
    return project


def test_fallback_environment_from_floe_variables(
    tmp_cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_cwd)
    monkeypatch.setenv("FLOE_OTLP_ENDPOINT", "http://collector:4317")
    result = run_floec("build", str(project))
    assert result.code == 0, result.stdout
    assert "FLC304" in result.stdout and "FLOE_* environment variables" in result.stdout
    document = _artifacts(tmp_cwd / "target", "default")
    assert document["observability"]["otlp_endpoint"] == "http://collector:4317"  # type: ignore[index]
    assert document["profiles"]["compute"]["type"] == "duckdb"  # type: ignore[index]


def test_fallback_reports_a_bad_variable_on_its_line(
    tmp_cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_cwd)
    monkeypatch.setenv("FLOE_CATALOG_TYPE", "oracle")
    result = run_floec("build", str(project))
    assert result.code == 1
    assert "# FLOE_CATALOG_TYPE" in result.stdout


def test_a_failed_build_leaves_the_previous_output_whole(tmp_cwd: Path) -> None:
    good = (
        "version: 1.0.0\nstorage: {default: {type: local, path: w}}\n"
        "catalogs: {default: {type: sql, uri: 'sqlite:///c.db'}}\n"
        "compute: {default: {type: duckdb}}\n"
    )
    project = _project(tmp_cwd, {"sandbox-team-a": good})
    assert run_floec("build", str(project), "--env", "sandbox-team-a").code == 0
    artifact = tmp_cwd / "target" / "sandbox-team-a" / "compiled_artifacts.json"
    before = artifact.read_bytes()
    (tmp_cwd / "platform" / "sandbox-team-a" / "platform.yaml").write_text(
        good.replace("default: {type: duckdb}", "other: {type: duckdb}")
    )
    assert run_floec("build", str(project), "--env", "sandbox-team-a").code == 1
    assert artifact.read_bytes() == before
    assert not list(artifact.parent.rglob(".*"))  # no temporaries


def test_floe_yaml_platform_path(tmp_cwd: Path) -> None:
    project = _project(tmp_cwd)
    shutil.copy(ROOT / "platform/local/platform.yaml", project / "platform.yaml")
    (project / "floe.yaml").write_text(
        "name: orders\nversion: 1.0.0\nplatform: {path: platform.yaml}\n"
    )
    assert run_floec("build", str(project)).code == 0
    assert (tmp_cwd / "target" / "default" / "compiled_artifacts.json").exists()


def test_emit_and_stop_after_write_nothing(tmp_path: Path) -> None:
    result = run_floec(
        "build", EXAMPLE, "--env", "prod", "--emit", "lowered", "--target-dir", str(tmp_path)
    )
    assert result.code == 0
    assert "secrets" in json.loads(result.stdout)
    result = run_floec(
        "build",
        EXAMPLE,
        "--env",
        "prod",
        "--stop-after",
        "lower-secrets",
        "--target-dir",
        str(tmp_path),
    )
    assert result.code == 0
    assert not any(tmp_path.iterdir())


def test_schema_show() -> None:
    for kind in ("floe", "platform", "artifacts"):
        result = run_floec("schema", "show", kind)
        assert json.loads(result.stdout)["$schema"].endswith("2020-12/schema")


def test_secrets_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOE_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("POSTGRES_DEV_PASSWORD", "x")
    (tmp_path / "polaris-oauth").mkdir()
    (tmp_path / "polaris-oauth" / "client_id").write_text("x")
    result = run_floec("secrets", "check", EXAMPLE, "--env", "dev", "--format", "json")
    assert result.code == 1
    status = {
        (s["name"], s["key"]): (s["status"], s["found_in"])
        for s in json.loads(result.stdout)["secrets"]
    }
    assert status[("postgres-dev", "password")] == ("present", "environment")
    assert status[("polaris-oauth", "client_id")] == ("present", "file")
    assert status[("polaris-oauth", "client_secret")] == ("missing", None)
    text = run_floec("secrets", "check", EXAMPLE, "--env", "dev").stdout
    assert (
        "neither the environment variable POLARIS_OAUTH_CLIENT_SECRET nor the file "
        f"{tmp_path}/polaris-oauth/client_secret" in text
    )


def test_check_binds_every_environment_it_finds() -> None:
    result = run_floec("check", "golden/build-matrix", "--format", "json")
    codes = [d["code"] for d in json.loads(result.stdout)]
    assert codes == ["FLC301"]


# -- determinism -------------------------------------------------------------------------------


def _build_in(directory: Path, seed: str) -> bytes:
    shutil.copytree(
        ROOT / "examples", directory / "examples", ignore=shutil.ignore_patterns("target")
    )
    shutil.copytree(ROOT / "platform", directory / "platform")
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLOE_") and k != "SOURCE_DATE_EPOCH"
    }
    environ["PYTHONHASHSEED"] = seed
    subprocess.run(
        [sys.executable, "-m", "floec", "build", "examples/customer-analytics", "--all-envs"],
        cwd=directory, env=environ, check=True, capture_output=True,
    )  # fmt: skip
    return b"".join(
        p.read_bytes() for p in sorted((directory / "target").rglob("*")) if p.is_file()
    )


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first = _build_in(tmp_path / "one", "1")
    second = _build_in(tmp_path / "elsewhere" / "two", "4242")
    assert first == second and first


# -- no secret leaks ---------------------------------------------------------------------------

CANARY = "canary-Zq8v3TkX9wLpR2"


def test_canary_appears_in_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_dir = tmp_path / "secrets"
    monkeypatch.setenv("FLOE_SECRETS_DIR", str(secrets_dir))
    target = tmp_path / "target"
    for env in ("dev", "local", "prod", "staging"):
        listing = json.loads(
            run_floec("secrets", "list", EXAMPLE, "--env", env, "--format", "json").stdout
        )
        for secret in listing["secrets"]:
            monkeypatch.setenv(secret["env_var"], CANARY)
            path = Path(secret["file"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(CANARY)
    runs: list[tuple[str, ...]] = [("build", EXAMPLE, "--all-envs", "--target-dir", str(target))]
    for env in ("dev", "local", "prod", "staging"):
        for fmt in ("text", "json"):
            runs += [
                ("build", EXAMPLE, "--env", env, "--format", fmt, "--target-dir", str(target)),
                ("secrets", "list", EXAMPLE, "--env", env, "--format", fmt),
                ("secrets", "check", EXAMPLE, "--env", env, "--format", fmt),
                ("platform", "list-profiles", "--env", env, "--format", fmt),
                ("check", EXAMPLE, "--format", fmt),
            ]
        for stage in ("ast", "bound", "lowered"):
            runs.append(("build", EXAMPLE, "--env", env, "--emit", stage))
    for args in runs:
        result = run_floec(*args)
        assert CANARY not in result.stdout + result.stderr, args
    for path in target.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(), path
    present = run_floec("secrets", "check", EXAMPLE, "--env", "prod")
    assert present.code == 0 and "present" in present.stdout

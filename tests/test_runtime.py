"""The runtime: the secret resolver, reading compiled artifacts, and Dagster running them.

The secret tests use canary values and check that no rendering of a `SecretValue` or of an
error shows them. The integration tests (marked slow) build the example in a temporary copy of
the repository, load the generated definitions.py with Dagster's own loader, load the generated
dagster.yaml as a Dagster instance; the repository itself is never written to. Running the
pipeline is tests/test_runtime_iceberg.py's.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import pickle
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from floec.runtime.artifacts import (
    PARSE_PLACEHOLDER,
    ArtifactsError,
    CompiledPipeline,
)
from floec.runtime.secrets import (
    MASK,
    SecretError,
    SecretNotFoundError,
    SecretValue,
    locate,
    resolve_secret,
)
from tests.conftest import ROOT, run_floec

CANARY = "canary-7f3a9c-DO-NOT-LEAK"
EXAMPLE = "examples/customer-analytics"


# -- SecretValue ----------------------------------------------------------------------------------


def test_secret_value_never_shows_itself(caplog) -> None:
    value = SecretValue(CANARY, "db/password", "environment")
    assert value.reveal() == CANARY
    renderings = [
        repr(value),
        str(value),
        f"{value}",
        f"{value!r}",
        format(value, ""),
        str([value]),
    ]
    renderings.append(str({"password": value}))
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("connecting with %s / %r", value, value)
    renderings.append(caplog.text)
    for text in renderings:
        assert CANARY not in text
    assert MASK in str(value) and "db/password" in repr(value)


def test_secret_value_cannot_be_pickled_and_copies_stay_masked() -> None:
    value = SecretValue(CANARY, "db/password")
    with pytest.raises(TypeError) as raised:
        pickle.dumps(value)
    assert CANARY not in str(raised.value)
    assert copy.deepcopy(value).reveal() == CANARY
    assert CANARY not in repr(copy.copy(value))


def test_secret_value_compares_by_value_without_showing_it() -> None:
    assert SecretValue(CANARY, "a") == SecretValue(CANARY, "b")
    assert SecretValue(CANARY, "a") != SecretValue("other", "a")
    with pytest.raises(TypeError):
        hash(SecretValue(CANARY, "a"))


# -- the resolver ---------------------------------------------------------------------------------


@pytest.fixture
def secrets_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir()
    monkeypatch.setenv("FLOE_SECRETS_DIR", str(directory))
    for name in ("POLARIS_OAUTH_CLIENT_SECRET", "POSTGRES_DEV_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return directory


def test_resolves_from_the_environment_variable_first(secrets_dir, monkeypatch) -> None:
    (secrets_dir / "polaris-oauth").mkdir()
    (secrets_dir / "polaris-oauth" / "client_secret").write_text("from-file\n")
    monkeypatch.setenv("POLARIS_OAUTH_CLIENT_SECRET", CANARY)
    value = resolve_secret("polaris-oauth", "client_secret")
    assert value.reveal() == CANARY
    assert value.found_in == "environment"


def test_resolves_from_the_file_and_drops_its_trailing_newline(secrets_dir, monkeypatch) -> None:
    (secrets_dir / "polaris-oauth").mkdir()
    (secrets_dir / "polaris-oauth" / "client_secret").write_text(CANARY + "\n")
    monkeypatch.setenv("POLARIS_OAUTH_CLIENT_SECRET", "")  # empty counts as unset
    value = resolve_secret("polaris-oauth", "client_secret")
    assert (value.reveal(), value.found_in) == (CANARY, "file")


def test_a_secret_without_key_is_a_file_named_after_it(secrets_dir) -> None:
    (secrets_dir / "otel-token").write_text(CANARY)
    assert resolve_secret("otel-token").reveal() == CANARY


def test_a_miss_fails_fast_naming_the_secret_and_both_places(secrets_dir) -> None:
    with pytest.raises(SecretNotFoundError) as raised:
        resolve_secret("postgres-dev", "password")
    message = str(raised.value)
    assert "'postgres-dev/password'" in message
    assert "POSTGRES_DEV_PASSWORD" in message
    assert str(secrets_dir / "postgres-dev" / "password") in message


def test_the_default_directory_is_var_run_secrets(monkeypatch) -> None:
    monkeypatch.delenv("FLOE_SECRETS_DIR", raising=False)
    monkeypatch.delenv("NO_SUCH_SECRET_XYZ", raising=False)
    with pytest.raises(SecretNotFoundError, match="/var/run/secrets/no-such-secret-xyz"):
        resolve_secret("no-such-secret-xyz")


def test_an_unreadable_file_is_reported_without_its_content(secrets_dir) -> None:
    (secrets_dir / "binary").write_bytes(b"\xff\xfe" + CANARY.encode())
    with pytest.raises(SecretError) as raised:
        resolve_secret("binary")
    assert CANARY not in str(raised.value) and raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_the_resolver_and_secrets_check_agree(secrets_dir, monkeypatch) -> None:
    """`floec secrets check` and the runtime look a secret up in the same places."""
    (secrets_dir / "postgres-dev").mkdir()
    (secrets_dir / "postgres-dev" / "password").write_text(CANARY)
    monkeypatch.setenv("MINIO_CREDENTIALS_ACCESS_KEY_ID", CANARY)
    result = run_floec("secrets", "check", EXAMPLE, "--env", "dev", "--format", "json")
    assert CANARY not in result.stdout + result.stderr
    entries = json.loads(result.stdout)["secrets"]
    assert entries
    for entry in entries:
        file = entry["name"] if entry["key"] is None else f"{entry['name']}/{entry['key']}"
        found = locate(entry["env_var"], file)
        assert entry["found_in"] == found, entry["name"]


# -- compiled artifacts ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example and the platforms, built for every environment (cwd = the copy)."""
    work = tmp_path_factory.mktemp("work")
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml")
    shutil.copytree(ROOT / "examples", work / "examples", ignore=ignore)
    shutil.copytree(ROOT / "platform", work / "platform")
    previous = Path.cwd()
    os.chdir(work)
    try:
        result = run_floec("build", EXAMPLE, "--all-envs")
    finally:
        os.chdir(previous)
    assert result.code == 0, result.stdout + result.stderr
    from floec.driver import PASS_NAMES

    profiles = work / "target" / "local" / "dbt" / "profiles.yml"
    if "codegen-dbt" in PASS_NAMES:
        assert profiles.is_file()
    else:  # until codegen-dbt lands: what it will write for the local environment
        profiles.parent.mkdir(parents=True)
        profiles.write_text(
            "customer_analytics:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
            "      path: ../../../target/local/customer_analytics.duckdb\n      threads: 4\n"
        )
    return work


def test_the_project_root_is_found_from_the_artifacts(workspace, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # not the root: found by walking up from the artifacts
    compiled = CompiledPipeline.load(workspace / "target" / "local" / "compiled_artifacts.json")
    assert compiled.root == workspace.resolve()
    assert compiled.environment == "local" and compiled.pipeline_name == "customer-analytics"
    [transform] = compiled.dbt_transforms()
    assert transform.project_dir == (workspace / EXAMPLE / "dbt").resolve()
    assert transform.profiles_dir == (workspace / "target" / "local" / "dbt").resolve()
    assert (transform.target, transform.name) == ("local", "customer_analytics_dbt")


def test_artifacts_moved_elsewhere_use_the_working_directory(workspace, tmp_path, monkeypatch):
    moved = tmp_path / "compiled_artifacts.json"
    shutil.copy(workspace / "target" / "local" / "compiled_artifacts.json", moved)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ArtifactsError, match="FLOE_WORKSPACE_ROOT"):
        CompiledPipeline.load(moved)
    monkeypatch.chdir(workspace)
    assert CompiledPipeline.load(moved).root == workspace.resolve()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOE_WORKSPACE_ROOT", str(workspace))
    assert CompiledPipeline.load(moved).root == workspace.resolve()


def test_an_unknown_contract_version_is_refused(workspace, tmp_path) -> None:
    document = json.loads((workspace / "target" / "local" / "compiled_artifacts.json").read_text())
    document["version"] = "3.0.0"
    path = tmp_path / "compiled_artifacts.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ArtifactsError, match=r"3\.0\.0 is not supported"):
        CompiledPipeline.load(path)


def _with_profiles(workspace: Path, tmp_path: Path, text: str) -> CompiledPipeline:
    """The dev artifacts, with a profiles.yml of our own beside them."""
    env = tmp_path / "target" / "dev"
    shutil.copytree(workspace / "target" / "dev", env)
    (env / "dbt").mkdir(exist_ok=True)
    (env / "dbt" / "profiles.yml").write_text(text)
    return CompiledPipeline.load(env / "compiled_artifacts.json", root=str(workspace))


PROFILE = "p:\n  outputs:\n    dev:\n      password: \"{{ env_var('POSTGRES_DEV_PASSWORD') }}\"\n"


def test_dbt_secrets_fail_fast_before_dbt_runs(workspace, tmp_path, secrets_dir) -> None:
    compiled = _with_profiles(workspace, tmp_path, PROFILE)
    [transform] = compiled.dbt_transforms()
    assert [e["env_var"] for e in compiled.dbt_secrets(transform)] == ["POSTGRES_DEV_PASSWORD"]
    with (
        pytest.raises(SecretNotFoundError, match="POSTGRES_DEV_PASSWORD"),
        compiled.dbt_environment(transform),
    ):
        pytest.fail("dbt would have run without its password")


def test_a_mounted_secret_reaches_dbt_through_its_variable(workspace, tmp_path, secrets_dir):
    compiled = _with_profiles(workspace, tmp_path, PROFILE)
    [transform] = compiled.dbt_transforms()
    (secrets_dir / "postgres-dev").mkdir()
    (secrets_dir / "postgres-dev" / "password").write_text(CANARY)
    with compiled.dbt_environment(transform) as stood_in:
        assert os.environ["POSTGRES_DEV_PASSWORD"] == CANARY and stood_in == []
    assert "POSTGRES_DEV_PASSWORD" not in os.environ  # restored afterwards


def test_parsing_stands_in_for_missing_secrets(workspace, tmp_path, secrets_dir) -> None:
    compiled = _with_profiles(workspace, tmp_path, PROFILE)
    [transform] = compiled.dbt_transforms()
    with compiled.dbt_environment(transform, placeholders=True) as stood_in:
        assert os.environ["POSTGRES_DEV_PASSWORD"] == PARSE_PLACEHOLDER
    assert stood_in == ["POSTGRES_DEV_PASSWORD"]
    assert "POSTGRES_DEV_PASSWORD" not in os.environ


def test_profiles_resolve_secrets_lazily_to_masked_values(workspace, secrets_dir, monkeypatch):
    compiled = CompiledPipeline.load(workspace / "target" / "dev" / "compiled_artifacts.json")
    monkeypatch.setenv("MINIO_CREDENTIALS_ACCESS_KEY_ID", CANARY)
    monkeypatch.setenv("MINIO_CREDENTIALS_SECRET_ACCESS_KEY", CANARY)
    storage = compiled.resolve(compiled.document["profiles"]["storage"])
    assert isinstance(storage, dict)
    slots = storage["credentials"]["slots"]
    assert slots["access_key_id"].reveal() == CANARY
    assert CANARY not in repr(storage)
    assert compiled.secret("minio-credentials", "secret_access_key").reveal() == CANARY
    with pytest.raises(KeyError, match="not in the secrets manifest"):
        compiled.secret("nope")


# -- Dagster (the real thing) ---------------------------------------------------------------------


VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def dagster_home(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("dagster-home")
    shutil.copy(workspace / "target" / "local" / "dagster" / "dagster.yaml", home)
    return home


@pytest.mark.slow
def test_dagster_yaml_loads_as_an_instance(workspace, dagster_home, monkeypatch) -> None:
    from dagster import DagsterInstance
    from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager

    monkeypatch.chdir(workspace)  # the compute-log directory is relative to the workspace root
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with DagsterInstance.get() as instance:
        assert instance.telemetry_enabled is False
        assert instance.run_monitoring_enabled is True
        manager = instance.compute_log_manager
        assert isinstance(manager, LocalComputeLogManager)
        assert (
            Path(manager._base_dir).resolve()
            == (workspace / "target" / "local" / "warehouse" / "dagster" / "compute-logs").resolve()
        )


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_remote_dagster_yaml_satisfies_the_instance_schema(workspace, tmp_path, env) -> None:
    """The remote compute-log managers need dagster-aws/-gcp/-azure, not installed here: the
    file is checked against Dagster's instance schema without instantiating them."""
    from dagster._core.instance.config import dagster_instance_config

    shutil.copy(workspace / "target" / env / "dagster" / "dagster.yaml", tmp_path)
    config, custom = dagster_instance_config(str(tmp_path))
    assert custom is None
    assert config["telemetry"] == {"enabled": False}
    assert config["run_monitoring"]["enabled"] is True
    assert config["compute_logs"]["config"]["prefix"] == "dagster/compute-logs"


@pytest.fixture(scope="module")
def local_definitions(workspace):
    """definitions.py of the local environment, run as Dagster would import it."""
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join(p for p in saved.split(os.pathsep) if Path(p) != VENV_BIN)
    try:
        namespace = runpy.run_path(str(workspace / "target/local/dagster/definitions.py"))
    finally:
        os.environ["PATH"] = saved
    return namespace["defs"]


@pytest.mark.slow
def test_definitions_hold_the_dbt_models_and_resources(local_definitions, workspace) -> None:
    defs = local_definitions
    defs.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_customers", "raw_orders", "stg_customers", "stg_orders", "customer_orders"} <= keys
    assert set(defs.resources) >= {"dbt", "floe", "catalog"}
    assert defs.resolve_job_def("customer_analytics") is not None
    # The manifest is prepared into target/<env>/, not into the dbt project.
    manifest = workspace / "target/local/dagster/dbt-target/customer_analytics_dbt/manifest.json"
    assert manifest.is_file()
    assert not (workspace / EXAMPLE / "dbt" / "target").exists()


@pytest.mark.slow
def test_dagster_definitions_validate_accepts_the_file(local_definitions, workspace) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["PATH"] = "/usr/bin:/bin"  # dbt comes from sys.executable's directory
    env["DAGSTER_HOME"] = str(workspace / "target" / "local" / "dagster")
    result = subprocess.run(
        [
            str(VENV_BIN / "dagster"),
            "definitions",
            "validate",
            "-f",
            "target/local/dagster/definitions.py",
        ],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation successful" in (result.stdout + result.stderr).lower()


# Running the local pipeline (Python assets and dbt models into Iceberg) is tested in
# tests/test_runtime_iceberg.py.

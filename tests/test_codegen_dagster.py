"""Pass `codegen-dagster`: dagster.yaml and definitions.py for every environment.

The files of every example environment are golden snapshots (golden/snapshots/); Dagster itself
loads them in tests/test_runtime.py. The compiler never imports Dagster, dbt or pyiceberg.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from floec.driver import example_environment, example_pipeline
from floec.ir import LoweredPipeline
from floec.passes.bind_profiles import BindContext, bind_profiles
from floec.passes.codegen_dagster import DEFINITIONS, DagsterContext, codegen_dagster
from floec.passes.lower_secrets import LowerContext, lower_secrets
from tests.conftest import ROOT, run_floec

EXAMPLE = "examples/customer-analytics"
ENVIRONMENTS = sorted(p.name for p in (ROOT / "platform").iterdir() if p.is_dir())
CANARY = "canary-5be1-DO-NOT-LEAK"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("target")
    result = run_floec("build", EXAMPLE, "--all-envs", "--target-dir", str(target))
    assert result.code == 0, result.stdout + result.stderr
    return target


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dagster_files(built: Path, env: str, golden) -> None:
    directory = built / env / "dagster"
    rendered = ""
    for name in ("dagster.yaml", "definitions.py"):
        rendered += f"--- {name}\n{(directory / name).read_text(encoding='utf-8')}"
    assert rendered == golden


def test_definitions_are_the_same_in_every_environment(built: Path) -> None:
    texts = {(built / env / "dagster" / "definitions.py").read_text() for env in ENVIRONMENTS}
    assert texts == {DEFINITIONS}
    code = DEFINITIONS.replace("dagster dev", "")  # the command, not the environment
    for env in ENVIRONMENTS:
        assert re.search(rf"\b{env}\b", code) is None, env
    compile(DEFINITIONS, "definitions.py", "exec")


def test_outputs_are_deterministic(built: Path, tmp_path: Path) -> None:
    again = tmp_path  # as deep as `built`: a relative path to the workspace is the same text
    assert run_floec("build", EXAMPLE, "--all-envs", "--target-dir", str(again)).code == 0
    first = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_instance_config_turns_telemetry_off_and_monitors_runs(built: Path, env: str) -> None:
    config = yaml.safe_load((built / env / "dagster" / "dagster.yaml").read_text())
    assert config["telemetry"] == {"enabled": False}
    assert config["run_monitoring"]["enabled"] is True
    assert set(config) == {"telemetry", "run_monitoring", "compute_logs"}


def _lowered(storage: str) -> LoweredPipeline:
    text = (
        "version: 1.0.0\nstorage:\n  default:\n"
        + "".join(f"    {line}\n" for line in storage.strip().splitlines())
        + "catalogs:\n  default: {type: sql, uri: 'sqlite:///c.db'}\n"
        "compute:\n  default: {type: duckdb}\n"
    )
    bound = bind_profiles(BindContext(example_pipeline(), example_environment(text))).value
    lowered = lower_secrets(LowerContext(bound)).value  # type: ignore[arg-type]
    assert isinstance(lowered, LoweredPipeline)
    return lowered


def _compute_logs(storage: str) -> dict[str, object]:
    result = codegen_dagster(DagsterContext(_lowered(storage)))
    assert result.diagnostics == ()
    files = {f.path: f.data.decode() for f in result.value}  # type: ignore[attr-defined]
    assert set(files) == {"dagster/dagster.yaml", "dagster/definitions.py"}
    logs = yaml.safe_load(files["dagster/dagster.yaml"])["compute_logs"]
    assert isinstance(logs, dict)
    return logs


def test_local_storage_keeps_compute_logs_under_its_path() -> None:
    logs = _compute_logs("type: local\npath: data/warehouse")
    assert logs["class"] == "LocalComputeLogManager"
    assert logs["config"] == {"base_dir": "data/warehouse/dagster/compute-logs"}


def test_a_secret_endpoint_becomes_an_env_source_never_a_value(monkeypatch) -> None:
    monkeypatch.setenv("MINIO_ENDPOINT", CANARY)
    logs = _compute_logs(
        "type: s3\nbucket: b\nregion: r\nendpoint: {secret_ref: minio, key: endpoint}\n"
        "path_style_access: true\ncredentials: {mode: static, secret_ref: minio}"
    )
    assert logs["class"] == "S3ComputeLogManager"
    assert logs["config"] == {
        "bucket": "b",
        "prefix": "dagster/compute-logs",
        "region": "r",
        "endpoint_url": {"env": "MINIO_ENDPOINT"},
    }
    assert CANARY not in yaml.safe_dump(logs)


def test_gcs_and_azure_storage_have_their_compute_log_managers() -> None:
    gcs = _compute_logs(
        "type: gcs\nbucket: g\ncredentials: {mode: service_account, service_account: a@b.iam."
        "gserviceaccount.com, key: {secret_ref: sa, key: key.json}}"
    )
    assert (gcs["class"], gcs["config"]) == (
        "GCSComputeLogManager",
        {"bucket": "g", "prefix": "dagster/compute-logs"},
    )
    azure = _compute_logs(
        "type: azure\nbucket: c\nendpoint: https://acme.blob.core.windows.net\n"
        "credentials: {mode: static, secret_ref: az}"
    )
    assert azure["class"] == "AzureBlobComputeLogManager"
    assert azure["config"] == {
        "container": "c",
        "prefix": "dagster/compute-logs",
        "storage_account": "acme",
    }


def test_build_check_and_lint_import_nothing_heavy(tmp_path: Path) -> None:
    """`floec build` (every pass, codegen included), `check` and `lint` stay light: Dagster,
    dbt and pyiceberg are the runtime's, imported only when a pipeline runs."""
    code = (
        "import sys\nfrom floec.cli import main\n"
        f"codes = [main(['build', {EXAMPLE!r}, '--all-envs', '--target-dir', {str(tmp_path)!r}]),"
        f" main(['check', {EXAMPLE!r}]), main(['lint', {EXAMPLE!r}])]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'dagster', 'dagster_dbt', 'dbt', 'pyiceberg', 'duckdb', 'pyarrow'})\n"
        "print(codes, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[0, 0, 0] []"
    assert (tmp_path / "local" / "dagster" / "definitions.py").is_file()

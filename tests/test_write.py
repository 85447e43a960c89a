"""Writing the build's output: each environment whole, or not at all; a clear diagnostic for a
target floec cannot write; kills and concurrent builds never leave an environment mixed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_floec
from tests.support.local_platform import PLATFORM

ENVS = ("dev", "local")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("FLOE_", "FLOEC_")) or name == "SOURCE_DATE_EPOCH":
            monkeypatch.delenv(name, raising=False)


def _workspace(root: Path, version: str = "1.0.0") -> Path:
    """A pipeline with two environments; `version` makes every generated file differ."""
    for env in ENVS:
        (root / "platform" / env).mkdir(parents=True, exist_ok=True)
        (root / "platform" / env / "platform.yaml").write_text(PLATFORM)
    (root / "floe.yaml").write_text(f"name: writes\nversion: {version}\n")
    return root


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# -- the target ---------------------------------------------------------------------------------


def _build(project: Path, target: Path, *extra: str) -> tuple[int, str]:
    result = run_floec("build", str(project), "--all-envs", "--target-dir", str(target), *extra)
    return result.code, result.stdout + result.stderr


def test_a_target_that_is_a_file_is_a_diagnostic(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    target = tmp_path / "target"
    target.write_text("not a directory")
    code, output = _build(project, target)
    assert code == 1 and "FLC030" in output and "FLC901" not in output
    assert f"{target.name} is a file" in output or "is a file, not a directory" in output
    code, output = _build(project, target / "below")  # a parent that is a file
    assert code == 1 and "FLC030" in output


def test_an_environment_that_is_a_file_stops_every_write(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    target = tmp_path / "target"
    target.mkdir()
    (target / "local").write_text("in the way")
    code, output = _build(project, target)
    assert code == 1 and "FLC030" in output and "local" in output
    assert not (target / "dev").exists()  # found before any environment was written


def test_a_generated_file_name_taken_by_a_directory(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    target = tmp_path / "target"
    (target / "dev" / "compiled_artifacts.json").mkdir(parents=True)
    code, output = _build(project, target)
    assert code == 1 and "FLC030" in output and "compiled_artifacts.json" in output
    assert "FLC901" not in output


def test_an_unwritable_location_is_a_diagnostic(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    code, output = _build(project, Path("/proc/floec-cannot-write-here/target"))
    assert code == 1 and "FLC030" in output and "FLC901" not in output


def test_errors_in_floe_yaml_write_nothing(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    for broken in (
        "name: a\nname: b\nversion: 1.0.0\n",  # a duplicate key
        "name: a\nversion: 1.0.0\n---\nname: b\n",  # several documents
        "name: !!python/object:os.system a\nversion: 1.0.0\n",  # a tag
    ):
        (project / "floe.yaml").write_text(broken)
        target = tmp_path / "target"
        result = run_floec(
            "build", str(project), "--all-envs", "--format", "json", "--target-dir", str(target)
        )
        document = json.loads(result.stdout)
        assert result.code == 1 and document["ok"] is False, broken
        assert all(not env["ok"] and env["outputs"] == [] for env in document["environments"])
        assert not any(target.rglob("*.json")), broken


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_generated_files_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    project = _workspace(tmp_path / "p")
    previous = os.umask(umask)
    try:
        code, output = _build(project, tmp_path / "target")
    finally:
        os.umask(previous)
    assert code == 0, output
    for path in (tmp_path / "target").rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o777 == mode, path


def test_files_floec_did_not_generate_survive_a_rebuild(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    target = tmp_path / "target"
    assert _build(project, target)[0] == 0
    (target / "local" / "x.duckdb").write_bytes(b"data")
    (target / "local" / "dagster" / "history").mkdir()
    (target / "local" / "dagster" / "history" / "runs.db").write_bytes(b"runs")
    (project / "floe.yaml").write_text("name: writes\nversion: 2.0.0\n")
    assert _build(project, target)[0] == 0
    assert (target / "local" / "x.duckdb").read_bytes() == b"data"
    assert (target / "local" / "dagster" / "history" / "runs.db").read_bytes() == b"runs"
    assert b"2.0.0" in (target / "local" / "compiled_artifacts.json").read_bytes()


def test_stale_staging_directories_are_removed(tmp_path: Path) -> None:
    project = _workspace(tmp_path / "p")
    target = tmp_path / "target"
    (target / ".floec-stage-local-dead").mkdir(parents=True)
    (target / ".floec-stage-local-dead" / "compiled_artifacts.json").write_text("{}")
    (target / ".floec-old-dev-dead").mkdir()
    assert _build(project, target)[0] == 0
    assert sorted(p.name for p in target.iterdir()) == ["dev", "local"]


# -- kills and concurrency ------------------------------------------------------------------------

# Runs floec with one function of floec.write replaced by a SIGKILL on its n-th call: a kill
# aimed exactly at a moment of the write window.
_KILLER = """
import os, signal, sys
import floec.write as w
name, n = sys.argv[1], int(sys.argv[2])
original = getattr(w, name)
calls = [0]
def wrapper(*args, **kwargs):
    calls[0] += 1
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)
setattr(w, name, wrapper)
from floec.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("FLOE_", "FLOEC_"))}


def _references(
    tmp_path: Path, target: Path
) -> tuple[Path, Path, dict[str, list[dict[str, bytes]]]]:
    """Two pipelines whose every generated file differs, and each one's files per environment
    when built into `target` (the paths in the files depend on it)."""
    first = _workspace(tmp_path / "a", "1.0.0")
    second = _workspace(tmp_path / "b", "2.0.0")
    whole: dict[str, list[dict[str, bytes]]] = {env: [] for env in ENVS}
    for project in (second, first):  # ends with the first one's files in place
        assert _build(project, target)[0] == 0
        for env in ENVS:
            whole[env].append(_files(target / env))
    return first, second, whole


def _assert_whole(target: Path, whole: dict[str, list[dict[str, bytes]]], when: str) -> None:
    for env in ENVS:
        files = _files(target / env)
        assert files in whole[env], f"{env} is a mix after {when}: {sorted(files)}"


@pytest.mark.parametrize(
    ("function", "calls"),
    [
        ("_write_file", (1, 3, 5, 8)),  # while staging: nothing swapped yet
        ("_carry_over", (1, 2)),
        ("_swap_in", (1, 2)),  # between the two environments' swaps
        ("_exchange", (1, 2)),
        ("_fsync_directory", (1, 4)),
    ],
)
def test_a_kill_in_the_write_window_leaves_each_environment_whole(
    tmp_path: Path, function: str, calls: tuple[int, ...]
) -> None:
    target = tmp_path / "target"
    first, second, whole = _references(tmp_path, target)
    for n in calls:
        for project in (second, first):
            killed = subprocess.run(
                [sys.executable, "-c", _KILLER, function, str(n), "build", str(project),
                 "--all-envs", "--target-dir", str(target)],
                cwd=ROOT, env=_environ(), capture_output=True, timeout=120,
            )  # fmt: skip
            assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr
            _assert_whole(target, whole, f"a kill at {function} call {n}")
    assert _build(second, target)[0] == 0  # the next build cleans up after the killed ones
    assert sorted(p.name for p in target.iterdir()) == list(ENVS)
    assert [_files(target / env) for env in ENVS] == [whole[env][0] for env in ENVS]


def test_concurrent_builds_into_one_target_each_land_whole(tmp_path: Path) -> None:
    target = tmp_path / "target"
    first, second, whole = _references(tmp_path, target)
    for trial in range(5):
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "floec",
                    "build",
                    str(project),
                    "--all-envs",
                    "--target-dir",
                    str(target),
                ],
                cwd=ROOT,
                env=_environ(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for project in ((first, second) if trial % 2 else (second, first))
        ]
        for process in processes:
            _, error = process.communicate(timeout=120)
            assert process.returncode == 0, error
        _assert_whole(target, whole, f"concurrent builds (trial {trial})")
        # both environments come from the build that swapped last
        assert [whole["dev"].index(_files(target / "dev"))] == [
            whole["local"].index(_files(target / "local"))
        ]
        assert sorted(p.name for p in target.iterdir()) == list(ENVS)

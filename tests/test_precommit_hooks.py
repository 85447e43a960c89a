"""The pre-commit hooks: file patterns, and the real `pre-commit try-repo` against this checkout.

The integration test installs pre-commit from PyPI into a throwaway venv (once per session),
builds a throwaway git repository with a leaked password and a clean file, and runs the
`floec-lint` hook from this repository. pre-commit installs floec there as a user's repository
would: with its core dependencies only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
CANARY = "Canary-S3cret-Value-7781"


def matches(hook_id: str, path: str) -> bool:
    hook = HOOKS[hook_id]
    return re.search(hook["files"], path) is not None and not (
        "exclude" in hook and re.search(hook["exclude"], path)
    )


def test_hooks_are_python_and_call_floec() -> None:
    assert set(HOOKS) == {"floec-lint", "floec-check"}
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert "additional_dependencies" not in hook
    assert HOOKS["floec-lint"]["entry"] == "floec lint"
    assert HOOKS["floec-check"]["entry"] == "floec check"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("platform.yaml", True),
        ("deploy/k8s/app.yml", True),
        ("a/b/values.yaml", True),
        (".github/workflows/ci.yml", True),
        ("README.md", False),
        ("config.yaml.bak", False),
        ("notes.yamlx", False),
        ("yaml/readme.txt", False),
    ],
)
def test_lint_files(path: str, expected: bool) -> None:
    assert matches("floec-lint", path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("floe.yaml", True),
        ("pipelines/orders/floe.yml", True),
        ("platform/prod/platform.yaml", True),
        ("infra/platform/dev/platform.yml", True),
        ("platform.yaml", False),
        ("platform/platform.yaml", False),
        ("platform/prod/extra/platform.yaml", False),
        ("myfloe.yaml", False),
        ("floe.yaml.orig", False),
        ("platform/prod/values.yaml", False),
    ],
)
def test_check_files(path: str, expected: bool) -> None:
    assert matches("floec-check", path) is expected


def _git(*args: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _hook_repository(tmp: Path) -> Path:
    """This checkout, or, when it has files git does not track yet (pre-commit would miss
    them), a committed snapshot of its working tree."""
    untracked = _git(
        "status", "--porcelain", "--untracked-files=all", "--", "floec", "pyproject.toml",
        ".pre-commit-hooks.yaml", cwd=ROOT,
    )  # fmt: skip
    if not any(line.startswith("??") for line in untracked.splitlines()):
        return ROOT
    snapshot = tmp / "floec-snapshot"
    shutil.copytree(
        ROOT,
        snapshot,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "*.egg-info", "__pycache__", ".mypy_cache", ".pytest_cache",
            ".ruff_cache", ".hypothesis", "target", "build", "dist", ".bench",
        ),
    )  # fmt: skip
    _git("init", "-q", cwd=snapshot)
    _git("add", "-A", cwd=snapshot)
    _git("commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot


@pytest.fixture(scope="session")
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("pre-commit-venv")
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "pre-commit"],
        check=True,
    )
    return home / "venv" / "bin" / "pre-commit"


@pytest.mark.slow
def test_try_repo(pre_commit: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed for pre-commit")
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    (repo / "clean.yaml").write_text("db:\n  password: {secret_ref: warehouse-db}\n")
    (repo / "leak.yaml").write_text(f"db:\n  password: {CANARY}\n")
    _git("add", "clean.yaml", "leak.yaml", cwd=repo)
    hooks_from = _hook_repository(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))},
        "PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home"),
        "NO_COLOR": "1",
    }

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pre_commit), "try-repo", str(hooks_from), "floec-lint", "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    leaked = run("leak.yaml")
    output = leaked.stdout + leaked.stderr
    assert leaked.returncode == 1, output
    assert "error[FLC201]" in output
    assert "Ca…81" in output
    assert CANARY not in output
    clean = run("clean.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    everything = subprocess.run(
        [str(pre_commit), "try-repo", str(hooks_from), "floec-lint", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert everything.returncode == 1
    assert CANARY not in everything.stdout + everything.stderr


def test_hook_installs_only_the_core() -> None:
    """pre-commit's python hooks `pip install .` plus `additional_dependencies` (none here): so
    the hook gets exactly [project].dependencies, which must stay the light core."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=\[ ;]", dep, maxsplit=1)[0].lower() for dep in project["dependencies"]}
    assert names <= {"lark", "attrs", "cattrs", "jsonschema", "rich", "pyyaml"}

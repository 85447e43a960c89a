"""The repository's example pipeline and platforms, copied to a temporary workspace and built
for the local environment, for the tests that run it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import ROOT, run_floec

EXAMPLE = "examples/customer-analytics"


def built_example(work: Path) -> Path:
    """`work` holding a copy of examples/ and platform/, with `floec build --env local` run there
    (so target/local/ is the copy's)."""
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml", "__pycache__")
    shutil.copytree(ROOT / "examples", work / "examples", ignore=ignore)
    shutil.copytree(ROOT / "platform", work / "platform")
    previous = Path.cwd()
    os.chdir(work)
    try:
        result = run_floec("build", EXAMPLE, "--env", "local")
    finally:
        os.chdir(previous)
    assert result.code == 0, result.stdout + result.stderr
    return work

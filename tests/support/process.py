"""`floec` run in a process of its own, as the console script runs: what a hang, a kill, the
stage or the process's exit needs (`tests.conftest.run_floec` runs it in the test's process)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def floec_process(
    *args: str, cwd: Path, timeout: float = 60, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m floec ARGS` in `cwd`, with no FLOE_/FLOEC_ variable of the test run's own
    and `env` added."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("FLOE_", "FLOEC_"))}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "floec", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

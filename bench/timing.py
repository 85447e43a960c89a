"""Timing whole commands: medians of repeated runs, reported as ratios to baselines measured in
the same run (the machines are noisy; absolute figures alone mean little).

Commands run from a wheel installed in `.bench/venv`, as users get floec: the editable install of
the development venv adds an import hook that costs tens of milliseconds at every start.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import venv
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"


def installed_python() -> Path:
    """A venv holding floec's core dependencies and a wheel of the working tree."""
    environment = BENCH / "venv"
    python = environment / "bin" / "python"
    if not python.exists():
        venv.create(environment, with_pip=True)
    dist = BENCH / "dist"
    for old in dist.glob("*.whl"):
        old.unlink()
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
    _quiet([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)])
    (wheel,) = dist.glob("floec-*.whl")
    _quiet([*pip, "install", "--force-reinstall", "--no-deps", str(wheel)])
    _quiet([*pip, "install", str(wheel)])  # its dependencies, the first time
    return python


def _quiet(command: Sequence[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)


def median_ms(
    command: Sequence[str],
    runs: int = 20,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> float:
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)  # warm caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def runs() -> int:
    return int(os.environ.get("BENCH_RUNS", "20"))


def report(rows: Sequence[tuple[str, float]], baseline: float) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [f"{'command':<{width}}  median ms  x python -c pass"]
    for name, value in rows:
        lines.append(f"{name:<{width}}  {value:9.1f}  {value / baseline:6.2f}")
    return "\n".join(lines)

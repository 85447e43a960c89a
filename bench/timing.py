"""Timing whole commands: medians of repeated runs, reported as ratios to baselines measured in
the same run (the machines are noisy; absolute figures alone mean little).

Commands run from a wheel installed in `.bench/venv`, as users get floec: the editable install of
the development venv adds an import hook that costs tens of milliseconds at every start.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
import venv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"


def installed_python(source: Path = ROOT, name: str = "venv") -> Path:
    """A venv (`.bench/<name>`) holding floec's core dependencies and a wheel of `source` (the
    working tree, or another checkout to compare with in the same run)."""
    environment = BENCH / name
    python = environment / "bin" / "python"
    if not python.exists():
        venv.create(environment, with_pip=True)
    dist = BENCH / f"dist-{name}"
    for old in dist.glob("*.whl"):
        old.unlink()
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
    _quiet([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)])
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


@dataclass
class Command:
    """One command of an interleaved measurement; `before` runs untimed before each sample (e.g.
    emptying a cache, so every sample is a first run)."""

    name: str
    argv: Sequence[str]
    cwd: Path | None = None
    env: Mapping[str, str] | None = None
    before: Callable[[], None] | None = None
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def sample(self) -> None:
        if self.before is not None:
            self.before()
        ran = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(self.argv, cwd=self.cwd, env=self.env, capture_output=True, check=False)
        wall = time.perf_counter() - started
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = now.ru_utime + now.ru_stime - ran.ru_utime - ran.ru_stime
        self.wall_ms.append(wall * 1000)
        self.cpu_ms.append(cpu * 1000)

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_ms)


def interleaved(commands: Sequence[Command], samples: int) -> None:
    """Each command once in turn, `samples` rounds (plus one untimed warm-up round): a burst of
    load from other processes falls on every command alike, and medians drop the outliers."""
    for command in commands:
        if command.before is not None:
            command.before()
        subprocess.run(command.argv, cwd=command.cwd, env=command.env, capture_output=True)
    for _ in range(samples):
        for command in commands:
            command.sample()


def load() -> str:
    """How busy the machine is: the 1-minute load average against the number of cores."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


def runs() -> int:
    return int(os.environ.get("BENCH_RUNS", "20"))


def report(rows: Sequence[tuple[str, float]], baseline: float) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [f"{'command':<{width}}  median ms  x python -c pass"]
    for name, value in rows:
        lines.append(f"{name:<{width}}  {value:9.1f}  {value / baseline:6.2f}")
    return "\n".join(lines)

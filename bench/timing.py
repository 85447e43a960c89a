"""Timing whole commands: medians of repeated runs, reported as ratios to baselines measured in
the same run (the machines are noisy; absolute figures alone mean little)."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Sequence


def median_ms(command: Sequence[str], runs: int = 20, cwd: str | None = None) -> float:
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)  # warm caches, .pyc
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def report(rows: Sequence[tuple[str, float]], baseline: float) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [f"{'command':<{width}}  median ms  x python -c pass"]
    for name, value in rows:
        lines.append(f"{name:<{width}}  {value:9.1f}  {value / baseline:6.2f}")
    return "\n".join(lines)

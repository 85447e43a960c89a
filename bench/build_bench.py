"""`floec build --all-envs` on the example pipeline: median of 20 runs, and its ratio to
`python -c pass` measured in the same run. Prints figures; never fails on a slow machine."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 20


def median_seconds(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOE_")}
    with tempfile.TemporaryDirectory() as target:
        build = [
            sys.executable, "-m", "floec", "build", "examples/customer-analytics",
            "--all-envs", "--target-dir", target,
        ]  # fmt: skip
        subprocess.run(build, cwd=ROOT, env=env, check=True, capture_output=True)  # warm caches
        baseline = median_seconds([sys.executable, "-c", "pass"], ROOT, env)
        floec = median_seconds(build, ROOT, env)
    print(f"python -c pass                   median {baseline * 1000:7.1f} ms ({RUNS} runs)")
    print(f"floec build --all-envs (4 envs)  median {floec * 1000:7.1f} ms ({RUNS} runs)")
    print(f"ratio                            {floec / baseline:7.1f}x   (target: median < 150 ms)")


if __name__ == "__main__":
    main()

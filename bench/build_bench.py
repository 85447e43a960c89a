"""`floec build --all-envs` on the example pipeline (4 environments): median of 20 runs, and its
ratio to `python -c pass` measured in the same run. Prints figures; never fails on a slow machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import ROOT, installed_python, median_ms, report, runs


def main() -> None:
    python = str(installed_python())
    floec = str(Path(python).parent / "floec")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOE_")}
    n = runs()
    with tempfile.TemporaryDirectory() as target:
        example = "examples/customer-analytics"
        build = [floec, "build", example, "--all-envs", "--target-dir", target]
        pass_ms = median_ms([python, "-c", "pass"], n, env=env)
        build_ms = median_ms(build, n, cwd=ROOT, env=env)
    print(f"floec build --all-envs, {n} runs each, from a wheel install")
    print(report([("python -c pass", pass_ms), ("floec build --all-envs", build_ms)], pass_ms))


if __name__ == "__main__":
    main()

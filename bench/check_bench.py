"""`floec check` on the example project (floe.yaml + every environment): median of 20 runs.

Prints the median beside two baselines measured in the same run: starting Python, and starting
Python and importing yaml + jsonschema (what validation cannot avoid). Run: `make bench`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import ROOT, installed_python, median_ms, report, runs


def main() -> None:
    python = str(installed_python())
    floec = str(Path(python).parent / "floec")
    n = runs()
    pass_ms = median_ms([python, "-c", "pass"], n)
    imports_ms = median_ms([python, "-c", "import yaml, jsonschema"], n)
    check_ms = median_ms([floec, "check", "examples/customer-analytics"], n, cwd=ROOT)
    print(f"floec check, {n} runs each, from a wheel install")
    print(
        report(
            [
                ("python -c pass", pass_ms),
                ("python -c 'import yaml, jsonschema'", imports_ms),
                ("floec check examples/customer-analytics", check_ms),
            ],
            pass_ms,
        )
    )
    print(f"floec check / (import yaml, jsonschema): {check_ms / imports_ms:.2f}")
    print(f"work beyond those imports: {check_ms - imports_ms:.1f} ms")


if __name__ == "__main__":
    main()

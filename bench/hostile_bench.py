"""Time and peak memory of floec on the largest inputs it accepts (docs/security.md).

Prints, for a platform.yaml and YAML files of several shapes at the size limit (2 MiB), the wall
time and the peak resident memory of `floec check` and `floec lint`, each in its own process, and
the memory over start-up as a multiple of the input's size (`floec lint` aims at under 20 times;
tests/test_lint_memory.py asserts it with tracemalloc). Figures, not assertions: the machine
decides them.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT = 2 * 1024 * 1024


def platform_text(limit: int) -> str:
    lines = ["version: 1.0.0", "storage:"]
    size, i = 0, 0
    while size < limit - 200:
        entry = f"  s{i}:\n    type: local\n    path: target/warehouse/{i}\n"
        lines.append(entry.rstrip("\n"))
        size += len(entry)
        i += 1
    return "\n".join(lines) + "\n"


def generic_text(limit: int) -> str:
    parts, size, i = [], 0, 0
    while size < limit - 200:
        entry = f"key{i}:\n  name: value number {i}\n  path: /some/where/{i}\n  # comment {i}\n"
        parts.append(entry)
        size += len(entry)
        i += 1
    return "".join(parts)


def profiles_text(limit: int) -> str:
    """dbt profiles, each with a hardcoded password: a finding every 150 bytes."""
    parts, size, i = [], 0, 0
    while size < limit - 200:
        entry = (
            f"p{i}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
            f"      host: db{i}.example.com\n      user: admin\n"
            f"      password: Hunter2-{i:06d}\n      port: 5432\n"
        )
        parts.append(entry)
        size += len(entry)
        i += 1
    return "".join(parts)


def flat_text(limit: int) -> str:
    parts, size, i = [], 0, 0
    while size < limit - 200:
        entry = f"key{i}: value {i}\n"
        parts.append(entry)
        size += len(entry)
        i += 1
    return "".join(parts)


def nested_text(limit: int) -> str:
    parts, size, i = [], 0, 0
    while size < limit - 2000:
        entry = "".join("  " * depth + f"k{depth}_{i}:\n" for depth in range(40))
        entry += "  " * 40 + "leaf: x  # a comment\n"
        parts.append(entry)
        size += len(entry)
        i += 1
    return "".join(parts)


def long_lines_text(limit: int) -> str:
    parts, size, i = [], 0, 0
    while size < limit - 20_000:
        entry = f"k{i}: " + "abc def " * 2000 + "\n"
        parts.append(entry)
        size += len(entry)
        i += 1
    return "".join(parts)


def measure(*args: str) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of `python -m floec ARGS` in a fresh process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.monotonic()\n"
        "subprocess.run([sys.executable, '-m', 'floec', *sys.argv[1:]], capture_output=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(time.monotonic() - start, peak * 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    seconds, peak = out.stdout.split()
    return float(seconds), int(peak)


def main() -> None:
    baseline = measure("--version")[1]
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        platform = root / "platform.yaml"
        platform.write_text(platform_text(LIMIT))
        print(f"python + floec start-up: peak {baseline / 1e6:.0f} MB")
        runs = [("check platform.yaml", ("check", str(platform)), platform.stat().st_size)]
        for label, file, make in (
            ("platform.yaml", "platform.yaml", platform_text),
            ("values.yaml", "values.yaml", generic_text),
            ("profiles (secrets)", "profiles.yml", profiles_text),
            ("flat mapping", "flat.yaml", flat_text),
            ("nested 40 deep", "nested.yaml", nested_text),
            ("long lines", "long.yaml", long_lines_text),
        ):
            path = root / file
            if not path.exists():
                path.write_text(make(LIMIT))
            runs.append((f"lint {label}", ("lint", str(path)), path.stat().st_size))
        for label, args, size in runs:
            seconds, peak = measure(*args)
            growth = max(0, peak - baseline)
            print(
                f"{label:25} {size / 1e6:5.2f} MB input: {seconds:6.2f} s, "
                f"peak {peak / 1e6:6.0f} MB (+{growth / 1e6:.0f} MB over start-up, "
                f"{growth / size:.0f}x the input)"
            )


if __name__ == "__main__":
    os.environ.pop("FLOEC_MAX_FILE_BYTES", None)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    start = time.monotonic()
    main()
    print(f"({time.monotonic() - start:.0f} s)")

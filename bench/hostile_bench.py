"""Time and peak memory of floec on the largest inputs it accepts (docs/security.md).

Prints, for a platform.yaml and a generic YAML file at the size limit (2 MiB), the wall time and
the peak resident memory of `floec check` and `floec lint`, each in its own process, and the
memory as a multiple of the input's size. Figures, not assertions: the machine decides them.
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
        generic = root / "values.yaml"
        generic.write_text(generic_text(LIMIT))
        print(f"python + floec start-up: peak {baseline / 1e6:.0f} MB")
        for label, args, size in (
            ("check platform.yaml", ("check", str(platform)), platform.stat().st_size),
            ("lint platform.yaml", ("lint", str(platform)), platform.stat().st_size),
            ("lint values.yaml", ("lint", str(generic)), generic.stat().st_size),
        ):
            seconds, peak = measure(*args)
            growth = max(0, peak - baseline)
            print(
                f"{label:22} {size / 1e6:5.2f} MB input: {seconds:6.2f} s, "
                f"peak {peak / 1e6:6.0f} MB (+{growth / 1e6:.0f} MB over start-up, "
                f"{growth / size:.0f}x the input)"
            )


if __name__ == "__main__":
    os.environ.pop("FLOEC_MAX_FILE_BYTES", None)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    start = time.monotonic()
    main()
    print(f"({time.monotonic() - start:.0f} s)")

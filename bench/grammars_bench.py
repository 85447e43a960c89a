"""The small languages inside floe.yaml strings: cron expressions, asset selections, time zones.

Prints microseconds per call for well-formed strings (the fast path, no lark) and for malformed
ones (the lark grammar), and what the first malformed string costs a fresh process (importing lark
and loading the cached parser). Prints figures; never fails on a slow machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from floec import cron, selection
from floec.timezones import check_timezone


# The uncached parsers: parse_cron and parse_selection remember their last results.
def parse_cron(text: str) -> object:
    return cron._parse(text, fast=True)


def parse_selection(text: str) -> object:
    return selection._parse(text, fast=True)


WELL_FORMED_CRON = ["0 0 * * *", "*/15 9-17 * * MON-FRI", "@daily", "30 2 1 * *"]
MALFORMED_CRON = ["61 * * * *", "0 0 * * 1-", "0 0 * * * *"]
WELL_FORMED_SELECTIONS = ["group:bronze", "+orders", "*", "raw/orders", "tag:silver"]
MALFORMED_SELECTIONS = ["orders,x", "2+orders", "group:bronze++"]
ZONES = ["UTC", "Europe/Paris", "America/New_York"]


def per_call_us(function: Callable[[str], object], texts: list[str], rounds: int = 2000) -> float:
    for text in texts:
        function(text)  # warm: parser built, zone files cached
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            function(text)
    return (time.perf_counter() - start) / (rounds * len(texts)) * 1e6


def first_malformed_ms() -> float:
    code = (
        "import time; t = time.perf_counter(); from floec.cron import parse_cron; "
        "parse_cron('0 0 * * 1-'); print((time.perf_counter() - t) * 1000)"
    )
    samples = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        samples.append(float(out.stdout))
    return sorted(samples)[len(samples) // 2]


def main() -> None:
    rows = [
        ("cron, well-formed", per_call_us(parse_cron, WELL_FORMED_CRON)),
        ("cron, malformed", per_call_us(parse_cron, MALFORMED_CRON, 300)),
        ("selection, well-formed", per_call_us(parse_selection, WELL_FORMED_SELECTIONS)),
        ("selection, malformed", per_call_us(parse_selection, MALFORMED_SELECTIONS, 300)),
        ("time zone, known", per_call_us(check_timezone, ZONES)),
    ]
    for label, microseconds in rows:
        print(f"{label:<24} {microseconds:8.1f} us/call")
    print(f"{'first malformed cron':<24} {first_malformed_ms():8.1f} ms (fresh process, lark)")


if __name__ == "__main__":
    main()

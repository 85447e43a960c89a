"""`floec lint` on a file at the size limit keeps its memory within 20 times the file's size.

tracemalloc's peak counts every Python allocation during the lint (reading the file included)
and does not depend on the machine's load, so it can be asserted; timings are in bench/.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from floec.commands.lint import lint_file
from floec.source import MAX_FILE_BYTES

SIZE = MAX_FILE_BYTES - 4096
GROWTH = 20


def profiles(size: int) -> tuple[str, int]:
    """dbt profiles, each with a hardcoded password: a finding every 150 bytes."""
    parts, total, count = [], 0, 0
    while total < size:
        part = (
            f"p{count}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
            f"      host: db{count}.example.com\n      user: admin\n"
            f"      password: Hunter2-{count:06d}\n      port: 5432\n"
        )
        parts.append(part)
        total += len(part)
        count += 1
    return "".join(parts), count


def nested(size: int) -> tuple[str, int]:
    """Blocks nested 40 deep, a password at the bottom of every tenth."""
    parts, total, count, index = [], 0, 0, 0
    while total < size:
        lines = ["  " * depth + f"k{depth}_{index}:\n" for depth in range(40)]
        if index % 10 == 0:
            lines.append("  " * 40 + f"password: Hunter2-{index:06d}\n")
            count += 1
        else:
            lines.append("  " * 40 + "leaf: x  # a comment\n")
        part = "".join(lines)
        parts.append(part)
        total += len(part)
        index += 1
    return "".join(parts), count


@pytest.mark.slow  # tracemalloc slows the lint of 2 MiB down to tens of seconds
@pytest.mark.parametrize("shape", [profiles, nested])
def test_lint_memory_stays_within_20_times_the_input(
    tmp_path: Path, shape: Callable[[int], tuple[str, int]]
) -> None:
    text, secrets = shape(SIZE)
    path = tmp_path / "values.yaml"
    path.write_text(text)
    del text
    size = path.stat().st_size
    assert SIZE <= size <= MAX_FILE_BYTES
    gc.collect()
    tracemalloc.start()
    try:
        _source, diagnostics = lint_file(str(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # every secret found (the lint lets each piece of the file go before the next: none lost)
    assert sum(d.code == "FLC201" for d in diagnostics) == secrets
    assert len(diagnostics) == secrets
    assert peak < GROWTH * size, f"{peak / size:.1f} times the input"

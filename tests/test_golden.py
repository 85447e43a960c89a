"""Golden cases: every front-end diagnostic, rendered as text and as JSON.

Each directory under golden/ (but snapshots/) is a case: its YAML files are checked together, or
the arguments in its `args` file are used. `pytest --snapshot-update` re-blesses after a
deliberate change; the diff of golden/snapshots/ is reviewed like code.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import GOLDEN, run_floec

CASES = sorted(
    p.name
    for p in GOLDEN.iterdir()
    if p.is_dir() and p.name != "snapshots" and not p.name.startswith(("build-", "dbt-"))
)


def _arguments(case: str) -> list[str]:
    directory = GOLDEN / case
    args_file = directory / "args"
    if args_file.exists():
        return args_file.read_text().split()
    return sorted(f"golden/{case}/{p.name}" for p in directory.iterdir() if p.suffix == ".yaml")


@pytest.mark.parametrize("case", CASES)
def test_text(case: str, golden) -> None:
    result = run_floec("check", *_arguments(case))
    rendered = f"exit {result.code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    assert rendered == golden


@pytest.mark.parametrize("case", CASES)
def test_json(case: str, golden) -> None:
    result = run_floec("check", "--format", "json", *_arguments(case))
    parsed = json.loads(result.stdout)  # valid JSON and nothing else on stdout
    assert (result.code == 1) == any(d["severity"] == "error" for d in parsed)
    assert json.dumps(parsed, indent=2, ensure_ascii=False) + "\n" == golden


def test_every_front_end_code_has_a_case() -> None:
    """Each FLC0xx/FLC1xx code that `floec check` can emit is pinned by some golden case."""
    seen = set()
    for case in CASES:
        result = run_floec("check", "--format", "json", *_arguments(case))
        seen |= {d["code"] for d in json.loads(result.stdout)}
    # unreadable files and the fallback: unit tests; pipes, oversized files, paths outside the
    # workspace and unwritable targets cannot live in a golden case: tests/test_hostile.py
    reachable_elsewhere = {"FLC002", "FLC108", "FLC015", "FLC016", "FLC017", "FLC030"}
    from floec.diagnostics.codes import CODES

    front_end = {c for c in CODES if c.startswith(("FLC0", "FLC1"))} - reachable_elsewhere
    assert front_end - seen == set()

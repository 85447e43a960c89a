"""Golden cases of the passes and the build commands: golden/build-*/.

Each case directory holds its inputs and an `args` file (the floec command line, run from the
repository root). The rendered stdout, stderr and exit status are snapshots, and so is every file
a build writes (into a temporary --target-dir), each validated against the artifacts schema.
`pytest --snapshot-update` re-blesses; the diff of golden/snapshots/ is reviewed like code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floec.passes.codegen_artifacts import schema_errors
from tests.conftest import GOLDEN, run_floec

CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and p.name.startswith("build-"))

FLOE_VARIABLES = (
    "FLOE_PLATFORM_FILE",
    "FLOE_PLATFORM_ENV",
    "FLOE_SECRETS_DIR",
    "SOURCE_DATE_EPOCH",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in FLOE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _arguments(case: str, target: Path) -> list[str]:
    args = (GOLDEN / case / "args").read_text().split()
    if args[0] == "build" and "--emit" not in args:
        args += ["--target-dir", str(target)]
    return args


@pytest.mark.parametrize("case", CASES)
def test_build_case(case: str, golden, tmp_path: Path) -> None:
    target = tmp_path / "target"
    result = run_floec(*_arguments(case, target))
    stderr = result.stderr.replace(str(target), "<target>")
    rendered = f"exit {result.code}\n--- stdout\n{result.stdout}--- stderr\n{stderr}"
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        relative = path.relative_to(target).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.name == "compiled_artifacts.json":
            assert schema_errors(json.loads(text)) == []
        rendered += f"--- {relative}\n{text}"
    assert rendered == golden


@pytest.mark.parametrize(
    "case", [c for c in CASES if "--emit" in (GOLDEN / c / "args").read_text()]
)
def test_emit_is_json(case: str, tmp_path: Path) -> None:
    result = run_floec(*_arguments(case, tmp_path))
    json.loads(result.stdout)  # the IR dump is JSON and nothing else

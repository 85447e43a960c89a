"""Shared fixtures: the repository root, running floec in-process, golden snapshots."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import attrs
import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from floec.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"


@attrs.frozen
class Run:
    code: int
    stdout: str
    stderr: str


def run_floec(*args: str) -> Run:
    """floec in this process, as a user would call it (stdout and stderr captured)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def _repository_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests run from the repository root with colour off, like a CI log, and each with a result
    cache of its own (a first run: nothing cached, nothing written into the repository)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("FLOEC_CACHE_DIR", str(tmp_path / "floec-result-cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def text_snapshots(directory: Path) -> type[SingleFileSnapshotExtension]:
    """A syrupy extension keeping each snapshot as a plain text file in `directory`, so a
    re-blessed output is reviewed as an ordinary diff."""

    class TextSnapshots(SingleFileSnapshotExtension):
        _write_mode = WriteMode.TEXT
        file_extension = "txt"

        @classmethod
        def dirname(cls, *, test_location: object) -> str:
            return str(directory)

        @classmethod
        def discovery_dirname(cls, *, test_location: object) -> str:
            return str(directory)

    return TextSnapshots


GoldenText = text_snapshots(GOLDEN / "snapshots")


@pytest.fixture
def golden(snapshot):
    return snapshot.use_extension(GoldenText)


@pytest.fixture
def tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}

"""The installed wheel works: schemas and grammar ship inside it, not only in a checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_checks_the_example(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    (wheel,) = dist.glob("floec-*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
    )
    # A copy of the example, away from the source tree, so nothing can come from the checkout.
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    shutil.copytree(ROOT / "platform", work / "platform")
    (work / "examples/customer-analytics/floe.yaml").write_text(
        "name: customer-analytics\nversion: 1.0.0\nobservability:\n"
        "  attributes:\n    team: ${env:TEAM}\n"  # an interpolation: the grammar must load
    )
    floec = environment / "bin" / "floec"
    ok = subprocess.run(
        [str(floec), "check", "examples/customer-analytics"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    located = subprocess.run(
        [str(python), "-c", "import floec, floec.schemas; print(floec.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(environment) in located.stdout  # the installed copy, not the checkout
    # The cron and selection grammars: malformed strings are what reach lark.
    grammars = subprocess.run(
        [
            str(python),
            "-c",
            "from floec.cron import parse_cron; from floec.selection import parse_selection; "
            "print(parse_cron('0 0 * * 1-').message); print(parse_selection('orders,x').message)",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert grammars.returncode == 0, grammars.stdout + grammars.stderr
    assert "day-of-week field ends after '-'" in grammars.stdout
    assert "one selector per item" in grammars.stdout
    bad = subprocess.run(
        [str(floec), "check", "--format", "json", "examples/customer-analytics"],
        cwd=work,
        input="",
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert bad.returncode == 0, bad.stdout + bad.stderr
    # Everything else the package reads at run time: rule docs, the artifacts schema.
    explained = subprocess.run(
        [str(floec), "explain", "FLC201"], cwd=work, capture_output=True, text=True, check=False
    )
    assert explained.returncode == 0 and "## What it does" in explained.stdout
    built = subprocess.run(
        [str(floec), "build", "examples/customer-analytics", "--env", "local"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (work / "target/local/compiled_artifacts.json").is_file()

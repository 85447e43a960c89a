"""pyproject.toml lists every package under floec/ (setuptools is told explicitly)."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_package_is_listed() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^packages = \[(.*?)\]", text, re.S | re.M)
    assert block is not None
    listed = set(re.findall(r'"([\w.]+)"', block.group(1)))
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "floec").rglob("__init__.py")
    }
    assert found - listed == set()
    assert {"floec.schemas", "floec.grammar"} <= listed

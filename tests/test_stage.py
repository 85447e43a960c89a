"""The staged regular expressions (floec/regex_stage.py): what a first run records is exactly what
Python would compile, later runs answer the same, a broken stage file costs nothing, and nothing
built from the input (a secret) is ever written to it."""

from __future__ import annotations

import glob
import marshal
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from floec.stage import _words
from tests.conftest import ROOT
from tests.support.process import floec_process
from tests.test_canary import PASSWORD, TOKEN

EXAMPLE = ROOT / "examples" / "customer-analytics"
Names = tuple[str | None, ...]


def _floec(home: Path, *args: str, cwd: Path = ROOT, stage: bool = True) -> tuple[int, str]:
    env = {"XDG_CACHE_HOME": str(home), "FLOEC_CACHE_DIR": str(home / "r")}
    if not stage:
        env["FLOEC_NO_STAGE"] = "1"
    result = floec_process(*args, cwd=cwd, env=env)
    return result.returncode, result.stdout + result.stderr


def _stage(home: Path) -> dict[tuple[str, int], tuple[int, bytes, int, dict[str, int], Names]]:
    """The staged regular expressions."""
    regex = _table(home)["regex"]
    assert isinstance(regex, dict)
    return regex


def _table(home: Path) -> dict[str, object]:
    (path,) = glob.glob(str(home / "floec" / "stage" / "*.marshal"))
    with open(path, "rb") as handle:
        table = marshal.load(handle)
    assert isinstance(table, dict)
    return table


def test_a_first_run_stages_programs_identical_to_what_python_compiles(tmp_path: Path) -> None:
    import _sre  # type: ignore[import-not-found]

    code, first = _floec(tmp_path, "check", "--no-cache", str(EXAMPLE))
    assert code == 0, first
    table = _stage(tmp_path)
    assert len(table) > 50  # the credential rules', PyYAML's, the fast paths' constants
    for (pattern, flags), (final_flags, program, groups, groupindex, indexgroup) in table.items():
        staged = _sre.compile(pattern, final_flags, _words(program), groups, groupindex, indexgroup)
        # Pattern equality compares the compiled programs word for word.
        assert staged == re.compile(pattern, flags), pattern
    code, second = _floec(tmp_path, "check", "--no-cache", str(EXAMPLE))
    _, unstaged = _floec(tmp_path, "check", "--no-cache", str(EXAMPLE), stage=False)
    assert (code, second) == (0, first) and unstaged == first


def test_a_corrupt_stage_file_is_compiled_around_and_replaced(tmp_path: Path) -> None:
    _floec(tmp_path, "check", "--no-cache", str(EXAMPLE))
    (path,) = glob.glob(str(tmp_path / "floec" / "stage" / "*.marshal"))
    expected = _floec(tmp_path, "check", "--no-cache", str(EXAMPLE))
    wrong = {"regex": {("a", 0): (1, b"\xff", 0)}, "code": {("x", "y"): 1}}
    for garbage in (b"", b"\x00not marshal", marshal.dumps({("a", 0): 1}), marshal.dumps(wrong)):
        Path(path).write_bytes(garbage)
        assert _floec(tmp_path, "check", "--no-cache", str(EXAMPLE)) == expected
    assert len(_stage(tmp_path)) > 50
    code = _table(tmp_path)["code"]
    assert isinstance(code, dict) and any("attrs generated" in name for _, name in code)


def test_only_constant_patterns_are_staged(tmp_path: Path) -> None:
    """A pattern compiled inside a function may be made of data: it is never written."""
    script = textwrap.dedent(
        """
        import re, sys
        from floec.stage import install
        install("test")
        MODULE = re.compile("module-level-[a-z]+")
        class Holder:
            CLASS = re.compile("class-level-[a-z]+")
        def build(value):
            return re.compile(re.escape(value) + "-in-a-function")
        build(sys.argv[1])
        """
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    environment.pop("FLOEC_NO_STAGE", None)
    subprocess.run([sys.executable, "-c", script, PASSWORD], env=environment, check=True)
    patterns = {pattern for pattern, _ in _stage(tmp_path)}
    assert {"module-level-[a-z]+", "class-level-[a-z]+"} <= patterns
    assert not any("in-a-function" in pattern for pattern in patterns)


def test_a_secret_in_the_input_never_reaches_the_stage(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "platform" / "dev").mkdir(parents=True)
    (project / "floe.yaml").write_text(
        f"name: leak\nversion: 1.0.0\nobservability:\n  attributes:\n    token: {TOKEN}\n",
        encoding="utf-8",
    )
    (project / "platform" / "dev" / "platform.yaml").write_text(
        "version: 1.0.0\nstorage:\n  default:\n    type: s3\n    bucket: lake\n"
        f"    endpoint: http://admin:{PASSWORD}@minio:9000\n",
        encoding="utf-8",
    )
    for command in (["check", "."], ["build", ".", "--all-envs"], ["lint", "."]):
        code, output = _floec(tmp_path, *command, cwd=project)
        assert code == 1, output
        assert PASSWORD not in output and TOKEN not in output
    data = b"".join(p.read_bytes() for p in (tmp_path / "floec" / "stage").iterdir())
    for secret in (PASSWORD, TOKEN):
        assert secret.encode() not in data
        assert re.escape(secret).encode() not in data


def test_the_stage_stops_growing_once_a_command_has_run(tmp_path: Path) -> None:
    """attrs salts each generated `__hash__` per class: such code never recurs and is not kept,
    so the same command run again leaves the stage file as it was."""
    script = textwrap.dedent(
        """
        from floec.stage import install
        install("test")
        import attrs
        from floec import frozen  # serves the stage to attrs
        @attrs.frozen
        class Hashed:
            value: int
        """
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    environment.pop("FLOEC_NO_STAGE", None)
    subprocess.run([sys.executable, "-c", script], env=environment, check=True)
    (path,) = glob.glob(str(tmp_path / "floec" / "stage" / "*.marshal"))
    first = Path(path).read_bytes()
    subprocess.run([sys.executable, "-c", script], env=environment, check=True)
    assert Path(path).read_bytes() == first
    code = _table(tmp_path)["code"]
    assert isinstance(code, dict) and not any("__hash__" in source for source, _ in code)

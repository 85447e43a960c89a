"""The result cache on disk (`.floec_cache/`): a hit gives the answer a fresh run gives, any change
to a file or to the platforms a floe.yaml is bound against is a miss, a broken entry is a miss,
concurrent runs agree, `--no-cache` bypasses it, and the cache ignores itself in git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from floec.diagnostics.model import Diagnostic, Related, Severity
from floec.span import Span
from floec.workspace import CACHE_DIR, DiskCache, cache_directory
from tests.conftest import ROOT, run_floec

EXAMPLE = ROOT / "examples" / "customer-analytics"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example project (its floe.yaml and dbt project) with its four environments,
    the cache in its directory."""
    shutil.copy(EXAMPLE / "floe.yaml", tmp_path / "floe.yaml")
    shutil.copytree(EXAMPLE / "dbt", tmp_path / "dbt")
    shutil.copytree(ROOT / "platform", tmp_path / "platform")
    monkeypatch.delenv("FLOEC_CACHE_DIR")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def entries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".gitignore")


def check(*args: str) -> tuple[int, str, str]:
    run = run_floec("check", "--format", "json", *args)
    return run.code, run.stdout, run.stderr


def broken_platform(project: Path) -> None:
    """A change to prod's platform that the floe.yaml's binding reports (no such compute)."""
    path = project / "platform/prod/platform.yaml"
    path.write_text(path.read_text().replace("compute:\n  default:", "compute:\n  other:", 1))


def test_a_hit_answers_what_a_fresh_run_answers(project: Path) -> None:
    broken_platform(project)  # so there are diagnostics to store and read back
    first = check(".")
    assert first[0] == 1 and json.loads(first[1])
    cached = entries(project / CACHE_DIR)
    assert cached, "the first run writes entries"
    mtimes = {p: p.stat().st_mtime_ns for p in cached}
    assert check(".") == first
    assert {p: p.stat().st_mtime_ns for p in entries(project / CACHE_DIR)} == mtimes
    assert check("--no-cache", ".") == first


def test_the_cache_answers_in_text_format_too(project: Path) -> None:
    broken_platform(project)
    first = run_floec("check", ".")
    again = run_floec("check", ".")
    assert (again.code, again.stdout, again.stderr) == (first.code, first.stdout, first.stderr)
    assert "error[" in first.stdout


def test_a_hit_parses_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check(".")[0] == 0

    def fail(*_: object) -> None:
        raise AssertionError("the front end ran on a cache hit")

    monkeypatch.setattr("floec.frontend.check_source", fail)
    code, _, stderr = check(".")
    assert code == 0 and "internal error" not in stderr


def test_a_changed_floe_yaml_is_a_miss(project: Path) -> None:
    assert check(".")[0] == 0
    path = project / "floe.yaml"
    path.write_text(path.read_text().replace("catalog: default", "catalog: nowhere", 1))
    code, out, _ = check(".")
    assert code == 1
    assert check("--no-cache", ".") == (code, out, check(".")[2])


def test_a_changed_platform_re_checks_the_floe_yaml_bound_to_it(project: Path) -> None:
    assert check(".")[0] == 0
    broken_platform(project)
    code, out, _ = check(".")
    assert code == 1
    files = {d["file"] for d in json.loads(out)}
    assert "floe.yaml" in files, "the binding of floe.yaml against prod is re-checked"
    assert (code, out) == check("--no-cache", ".")[:2]
    # and back: the first answer again, from the cache
    (project / "platform/prod/platform.yaml").write_text(
        (ROOT / "platform/prod/platform.yaml").read_text()
    )
    assert check(".")[0] == 0


def test_a_new_environment_is_a_miss(project: Path) -> None:
    assert check(".")[0] == 0
    broken = project / "platform/extra/platform.yaml"
    broken.parent.mkdir()
    broken.write_text(
        (project / "platform/local/platform.yaml")
        .read_text()
        .replace("compute:\n  default:", "compute:\n  other:", 1)
    )
    assert check(".")[0] == 1


def test_another_floec_version_does_not_read_the_entries(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_platform(project)
    check(".")
    monkeypatch.setattr("floec.workspace.__version__", "0.0.0-other")
    cache = DiskCache(str(project / CACHE_DIR))
    assert not (project / CACHE_DIR / "0.0.0-other").exists()
    for entry in entries(project / CACHE_DIR):
        assert cache.get(entry.name) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"\x00\xff" * 40,
        lambda data: data.replace(b'"error"', b'"warning"'),  # valid JSON, altered
        lambda data: data.split(b"\n", 1)[0] + b"\n[]",  # a valid-looking, wrong answer
    ],
    ids=["empty", "truncated", "garbage", "altered", "swapped-body"],
)
def test_a_broken_entry_is_a_miss(project: Path, damage: object) -> None:
    broken_platform(project)
    first = check(".")
    for entry in entries(project / CACHE_DIR):
        entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    assert check(".") == first
    assert check(".") == first  # the broken entries were replaced by good ones


def test_an_entry_under_another_key_is_a_miss(tmp_path: Path) -> None:
    cache = DiskCache(str(tmp_path))
    cache.put("a" * 64, ())
    source = Path(cache._path("a" * 64))
    target = Path(cache._path("b" * 64))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    assert DiskCache(str(tmp_path)).get("b" * 64) is None
    assert DiskCache(str(tmp_path)).get("a" * 64) == ()


def test_every_field_of_a_diagnostic_round_trips(tmp_path: Path) -> None:
    span = Span.of("platform/prod/platform.yaml", 3, 2, 3, 9)
    diagnostic = Diagnostic(
        code="FLC301",
        severity=Severity.WARNING,
        message='caf\u00e9 \U0001f600 \ud800 quoted "x"\nline',
        span=span,
        file="platform/prod/platform.yaml",
        help="do this",
        notes=("one", "two"),
        related=(Related(Span.of("floe.yaml", 0, 0, 0, 4), "first here"),),
        masked=(Span.of("platform/prod/platform.yaml", 3, 4, 3, 8),),
    )
    bare = Diagnostic("FLC001", Severity.ERROR, "file not found: x", None, file="x")
    DiskCache(str(tmp_path)).put("k" * 64, (diagnostic, bare))
    assert DiskCache(str(tmp_path)).get("k" * 64) == (diagnostic, bare)


def test_the_cache_ignores_itself_in_git(project: Path) -> None:
    check(".")
    ignore = project / CACHE_DIR / ".gitignore"
    assert "*" in ignore.read_text().splitlines()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert CACHE_DIR not in status and "floe.yaml" in status


def test_no_cache_neither_reads_nor_writes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check("--no-cache", ".")[0] == 0
    assert not (project / CACHE_DIR).exists()
    assert check(".")[0] == 0
    calls: list[object] = []

    def record(*args: object) -> None:
        calls.append(args)
        raise RuntimeError("the front end ran")

    monkeypatch.setattr("floec.frontend.check_source", record)
    assert check("--no-cache", ".")[0] == 2  # the recorded call's error, reported as FLC901
    assert calls, "--no-cache must run the front end although the cache has every answer"


def test_where_the_cache_lives(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_directory(".") == os.path.join(".", CACHE_DIR)
    assert cache_directory("floe.yaml") == os.path.join(".", CACHE_DIR)
    assert os.path.abspath(cache_directory("platform/prod/platform.yaml")) == str(
        project / CACHE_DIR
    )
    monkeypatch.setenv("FLOEC_CACHE_DIR", str(project / "elsewhere"))
    assert cache_directory(".") == str(project / "elsewhere")
    check(".")
    assert entries(project / "elsewhere") and not (project / CACHE_DIR).exists()


def test_an_unwritable_cache_is_no_error(project: Path) -> None:
    (project / CACHE_DIR).write_text("a file where the directory should be")
    first = check(".")
    assert first[0] == 0 and "internal error" not in first[2]
    assert check("--no-cache", ".") == first


def test_threads_sharing_a_cache_agree(tmp_path: Path) -> None:
    diagnostic = Diagnostic("FLC001", Severity.ERROR, "m", None, file="f")
    keys = [f"{i:064x}" for i in range(40)]

    def work(index: int) -> list[tuple[Diagnostic, ...] | None]:
        cache = DiskCache(str(tmp_path))
        out = []
        for key in keys[index % 5 :] + keys[: index % 5]:
            cache.put(key, (diagnostic,) * (int(key, 16) % 3))
            out.append(DiskCache(str(tmp_path)).get(key))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(16)))
    for found in results:
        for value in found:
            assert value is not None
    fresh = DiskCache(str(tmp_path))
    for key in keys:
        assert fresh.get(key) == (diagnostic,) * (int(key, 16) % 3)
    assert not list(tmp_path.rglob("*.tmp")), "no temporary file is left behind"


def test_concurrent_runs_agree(project: Path) -> None:
    """Several processes fill one empty cache at once: each prints the uncached answer, and the
    entries they leave give it again."""
    broken_platform(project)
    expected = check("--no-cache", ".")
    command = [sys.executable, "-m", "floec", "check", "--format", "json", "."]
    env = {k: v for k, v in os.environ.items() if k != "FLOEC_CACHE_DIR"}
    for _ in range(2):
        shutil.rmtree(project / CACHE_DIR, ignore_errors=True)
        processes = [
            subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(6)
        ]
        outputs = [(p.wait(), p.communicate()[0]) for p in processes]
        assert all(output == expected[:2] for output in outputs)
    assert check(".")[:2] == expected[:2]
    assert not list((project / CACHE_DIR).rglob("*.tmp"))


def test_a_hit_imports_no_front_end(project: Path) -> None:
    """An unchanged project is answered without importing the parser, the schema validator,
    the structuring code or even attrs (the other tests prove the answer is the same)."""
    assert check(".")[0] == 0
    program = (
        "import sys\n"
        "from floec.cli import main\n"
        "code = main(['check', '.'])\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "FLOEC_CACHE_DIR"}
    out = subprocess.run(
        [sys.executable, "-c", program], cwd=project, env=env, capture_output=True, text=True
    ).stdout.split()
    assert out[0] == "0"
    loaded = set(out[1:])
    for heavy in ("jsonschema", "cattrs", "lark", "yaml", "attr", "floec.frontend", "rich"):
        assert heavy not in loaded, heavy


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a: 1\r\nb: 2\r\n",
        b"\xef\xbb\xbfname: x\n",
        b"\xff\xfen\x00a\x00",
        b"a: caf\xc3\xa9\n",
        b"a: \xc3(\n",
        b"x\x0cy\x1cz\n",
    ],
    ids=["empty", "crlf", "utf8-bom", "utf16", "utf8", "bad-byte", "odd-breaks"],
)
def test_the_cheap_reader_reads_what_the_reader_of_record_reads(
    tmp_path: Path, data: bytes
) -> None:
    """The text hashed for the cache key is the text the front end would check."""
    from floec.reading import read_text
    from floec.source import read_source

    path = tmp_path / "platform.yaml"
    path.write_bytes(data)
    source = read_source(str(path))
    text = read_text(str(path))
    if isinstance(source, Diagnostic):
        assert text is None
    else:
        assert text == source.text


def test_the_cheap_reader_never_waits_on_a_pipe(tmp_path: Path) -> None:
    from floec.reading import read_text

    fifo = tmp_path / "floe.yaml"
    os.mkfifo(fifo)
    assert read_text(str(fifo)) is None  # returns at once; a blocking open would hang here


def test_a_changed_dbt_project_is_a_miss(project: Path) -> None:
    """check warns about the dbt project as build does (FLC503), so its file is part of the key."""
    assert "FLC503" not in check(".")[1]
    dbt_project = project / "dbt" / "dbt_project.yml"
    lines = dbt_project.read_text().splitlines()
    dbt_project.write_text("\n".join(line for line in lines if not line.startswith("profile:")))
    code, out, _ = check(".")
    assert "FLC503" in out
    assert (code, out) == check("--no-cache", ".")[:2]
    dbt_project.unlink()
    assert "does not exist" in check(".")[1]

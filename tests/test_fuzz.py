"""Fuzz: thousands of mutated inputs through the front end, the lint, every renderer and builds.

Each input is a real floe.yaml or platform.yaml (the examples and the golden cases) mutated at
the byte level (flips, control and bidirectional characters, U+2028, NUL, a bad UTF-8 byte), at
the structure level (lines deleted, duplicated, swapped, re-indented, documents, anchors, aliases,
tags, deep nesting, a repeated block), in its encoding (UTF-16, a BOM) and in its size. A
credential is planted in some of them. Whatever the input: no exception escapes, no FLC901, no
raw control character in any format, the planted secret never printed or written.

`make test` runs FLOEC_FUZZ_COUNT inputs (2000 by default) from a random seed; a failure prints
the seed and the input's number, and `FLOEC_FUZZ_SEED=<seed> make fuzz COUNT=<n>` replays it.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from floec.diagnostics import render_github, render_json, render_sarif, render_text
from floec.diagnostics.model import Diagnostic
from floec.frontend import check_source
from floec.passes.lint_credentials import lint_credentials
from floec.source import SourceFile, decode
from tests.conftest import ROOT, run_floec

COUNT = int(os.environ.get("FLOEC_FUZZ_COUNT", "2000"))
SEED = int(os.environ.get("FLOEC_FUZZ_SEED", "0")) or random.SystemRandom().randrange(1, 2**31)
BUILD_EVERY = 100  # a full build (in a temporary project) for one input in this many

SECRET = "Tr0ub4dor&3xyzQ7fuzz"
PLANTS = (
    f"password: {SECRET}",
    f"client_secret: {SECRET}",
    f"  db_pass: {SECRET}",
    f"token: {SECRET}  # and a comment",
    f"endpoint: http://admin:{SECRET}@minio:9000",
    f"- PASSWORD={SECRET}",
    f"client_secret: {SECRET}: broken",
)
INSERTS = (
    "\x00", "\x1b[2J", "\x1b]0;t\x07", "\u2028", "\u2029", "\x85", "\u202e", "\u2066", "\ufeff",
    "\t", ": ", "- ", "&a ", "*a", "*nope", "!!python/object:os.system ", "!custom ", "{", "}",
    "[", "]", "'", '"', "${", "${env:", "}", "#", "\r", "\n---\n", "<<: *a\n", "? ", "|\n", ">-\n",
    "~", "null", "0x1F", "1e400", "-.inf", "2024-01-01", "no", "é", "💥", "\\", "%", "@", "`",
)  # fmt: skip
CORPUS = sorted(
    p
    for pattern in (
        "golden/*/floe.yaml",
        "golden/**/platform.yaml",
        "examples/*/floe.yaml",
        "platform/*/platform.yaml",
    )
    for p in ROOT.glob(pattern)
)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _mutate_text(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    choice = rng.randrange(12)
    if choice == 0:
        where = rng.randrange(len(text) + 1)
        insert = rng.choice(INSERTS)
        return text[:where] + insert + text[where:], f"insert {insert!r} at {where}"
    if choice == 1:
        start = rng.randrange(len(text) + 1)
        end = min(len(text), start + rng.randrange(1, 40))
        return text[:start] + text[end:], f"delete {start}:{end}"
    if choice == 2:
        lines.insert(index, lines[index])
        return "\n".join(lines), f"duplicate line {index}"
    if choice == 3:
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
        return "\n".join(lines), f"swap lines {index} {other}"
    if choice == 4:
        lines[index] = " " * rng.choice((1, 2, 3, 8)) + lines[index]
        return "\n".join(lines), f"indent line {index}"
    if choice == 5:
        lines[index] = lines[index].lstrip()
        return "\n".join(lines), f"dedent line {index}"
    if choice == 6:
        depth = rng.choice((10, 63, 64, 65, 200, 5000))
        lines.insert(index, "deep: " + "[" * depth + "]" * rng.choice((0, depth)))
        return "\n".join(lines), f"nesting {depth} at {index}"
    if choice == 7:
        block = "\n".join(lines[index : index + rng.randrange(1, 6)])
        # up to ~200 kB: the size limit's own test is elsewhere; this is about structure
        times = min(rng.choice((10, 10, 100, 100, 300, 1000)), 200_000 // (len(block) + 1) + 1)
        return text + ("\n" + block) * times, f"repeat lines from {index} x{times}"
    if choice == 8:
        plant = rng.choice(PLANTS)
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lines.insert(index, indent + plant)
        return "\n".join(lines), f"plant {plant!r} at line {index}"
    if choice == 9:
        bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, n in zip("abcde", "bcdef", strict=True)
        )
        return bomb + text, "alias bomb"
    if choice == 10:
        return text[: rng.randrange(len(text) + 1)], "truncate"
    long = "v" * rng.choice((1000, 1000, 10_000, 10_000, 100_000, 200_000))
    lines.insert(index, f"long: {long}")
    return "\n".join(lines), f"a {len(long)}-character line at {index}"


def _mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """One to three mutations; a few at the byte or encoding level."""
    steps = []
    text = data.decode("utf-8", errors="replace")
    for _ in range(rng.choice((1, 1, 2, 3))):
        text, step = _mutate_text(text, rng)
        steps.append(step)
    out = text.encode("utf-8", errors="surrogatepass")
    roll = rng.randrange(20)
    if roll == 0 and out:
        where = rng.randrange(len(out))
        out = out[:where] + bytes([rng.randrange(256)]) + out[where + 1 :]
        steps.append(f"byte at {where}")
    elif roll == 1:
        out = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le", errors="surrogatepass")
        steps.append("utf-16")
    elif roll == 2:
        out = b"\xef\xbb\xbf" + out
        steps.append("bom")
    elif roll == 3:
        out = out.replace(b"\n", b"\r\n")
        steps.append("crlf")
    return out, "; ".join(steps)


_UNSAFE = ("\x1b", "\x07", "\u202e", "\u2066", "\x85", "\u2028", "\x00")
_RENDERERS: tuple[tuple[str, Callable[[list[Diagnostic], dict[str, SourceFile]], str]], ...] = (
    ("text", render_text.render),
    ("json", render_json.render),
    ("sarif", render_sarif.render),
    ("github", render_github.render),
)


def _check_output(text: str, where: str, *, flagged: bool = True) -> None:
    """No raw control character; the planted secret not printed when the credential rules flag
    it (a mutation can make it unrecognisable: `pa2024ssword: ...` is not a password key)."""
    for raw in _UNSAFE:
        assert raw not in text, f"{where}: raw {raw!r} in the output"
    if flagged:
        assert SECRET[2:-2] not in text, f"{where}: the planted secret was printed"


def _flagged(source: SourceFile) -> bool:
    """Whether the credential rules flag the planted secret in `source`."""
    if SECRET[2:-2] not in source.text:
        return False
    from floec.passes.lint_credentials import secret_ranges

    lines = source.lines
    for span in secret_ranges(source):
        text = "\n".join(lines[span.start.line : span.end.line + 1])
        if SECRET[2:-2] in text:
            return True
    return False


def _one(data: bytes, name: str, kind: str, *, sarif: bool) -> None:
    decoded = decode(data, name)
    flagged = True
    if isinstance(decoded, Diagnostic):
        diagnostics, sources = [decoded], {}
    else:
        flagged = _flagged(decoded)
        checked = check_source(decoded, kind)  # type: ignore[arg-type]
        diagnostics = [*checked.diagnostics, *lint_credentials(decoded)]
        sources = {decoded.name: decoded}
    assert not any(d.code == "FLC901" for d in diagnostics)
    for fmt, render in _RENDERERS if sarif else _RENDERERS[:2] + _RENDERERS[3:]:
        _check_output(render(diagnostics, sources), fmt, flagged=flagged)


def _build(data: bytes, relative: Path, workspace: Path) -> None:
    """The mutated file in place of its original in a copy of the example project, built."""
    import shutil

    root = workspace / "project"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(ROOT / "examples" / "customer-analytics", root / "pipeline")
    for env in ("local", "prod"):
        (root / "platform" / env).mkdir(parents=True)
        shutil.copy(ROOT / "platform" / env / "platform.yaml", root / "platform" / env)
    destination = (
        root / "pipeline" / "floe.yaml"
        if relative.name == "floe.yaml"
        else (root / "platform" / "local" / "platform.yaml")
    )
    destination.write_bytes(data)
    decoded = decode(data, destination.name)
    flagged = isinstance(decoded, Diagnostic) or _flagged(decoded)
    for args in (
        ("--all-envs",),
        ("--env", "local", "--format", "json"),
        ("--env", "local", "--emit", "lowered"),
    ):
        result = run_floec(
            "build", str(root / "pipeline"), "--target-dir", str(root / "target"), *args
        )
        assert "FLC901" not in result.stdout + result.stderr, result.stdout + result.stderr
        _check_output(result.stdout + result.stderr, f"build {' '.join(args)}", flagged=flagged)
    for path in (root / "target").rglob("*") if (root / "target").exists() else []:
        if path.is_file() and flagged:
            assert SECRET[2:-2].encode() not in path.read_bytes(), f"planted secret in {path}"


def test_fuzz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("FLOE_"):
            monkeypatch.delenv(name)
    rng = random.Random(SEED)
    originals = [(p, p.read_bytes()) for p in CORPUS]
    assert len(originals) > 20
    started = time.monotonic()
    largest = (0, 0.0)
    for number in range(COUNT):
        path, data = rng.choice(originals)
        mutated, steps = _mutate(data, rng)
        kind = "floe" if path.name == "floe.yaml" else "platform"
        where = (
            f"seed {SEED}, input {number} ({path.relative_to(ROOT)}: {steps}); replay with "
            f"FLOEC_FUZZ_SEED={SEED} make fuzz COUNT={number + 1}"
        )
        one = time.monotonic()
        try:
            _one(mutated, path.name, kind, sarif=number % 10 == 0)  # SARIF: 20 kB of rules
            if number % BUILD_EVERY == 0:
                _build(mutated, path.relative_to(ROOT), tmp_path)
        except Exception as error:  # the seed must be printed whatever went wrong
            raise AssertionError(f"{where}: {type(error).__name__}: {error}") from error
        if len(mutated) > largest[0]:
            largest = (len(mutated), time.monotonic() - one)
    elapsed = time.monotonic() - started
    print(
        f"\nfuzz: {COUNT} inputs from seed {SEED} in {elapsed:.1f} s; the largest, "
        f"{largest[0]:,} bytes, took {largest[1]:.2f} s"
    )

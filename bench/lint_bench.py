"""Benchmark: `floec lint` against `detect-secrets scan --all-files`, speed and accuracy.

Generates a tree of 2,000 configuration files (variations of both labelled corpora: platform
configs, dbt profiles, compose files, Kubernetes manifests, Helm values, CI configs), times both
tools on it in the same run (files/s, MB/s, ratio against the target of 20x), then scores both on
each labelled corpus (tests/lint_corpus, tests/lint_corpus2) at the (file, line) level.

detect-secrets is installed into a throwaway venv under .bench/ (git-ignored), never into the
project's environment: it is not a dependency of floec.

    python bench/lint_bench.py [--files 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import installed_python  # noqa: E402
from tests.corpus_eval import CORPORA, Score, score  # noqa: E402

BENCH_DIR = ROOT / ".bench"
TARGET_RATIO = 20.0
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def generate_tree(target: Path, count: int, seed: int = 7) -> tuple[int, int]:
    """`count` files made from the corpus, each with its own names and random suffixes."""
    rng = random.Random(seed)
    templates = [
        p
        for corpus in CORPORA.values()
        for p in sorted((corpus / "files").rglob("*"))
        if p.is_file()
    ]
    texts = [p.read_text(encoding="utf-8") for p in templates]
    total = 0
    for index in range(count):
        choice = index % len(templates)
        text = texts[choice].replace("acme", f"acme{rng.randrange(10_000)}")
        text += f"\n# generated {index}: {''.join(rng.choice(ALPHABET) for _ in range(8))}\n"
        suffix = templates[choice].suffix
        folder = target / f"team{index % 40:02d}" / f"svc{index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{templates[choice].stem}-{index}{suffix}"
        path.write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return count, total


def detect_secrets_venv() -> Path:
    """A venv with detect-secrets, made once and kept under .bench/."""
    home = BENCH_DIR / "detect-secrets-venv"
    exe = home / "bin" / "detect-secrets"
    if not exe.exists():
        venv.create(home, with_pip=True)
        subprocess.run(
            [str(home / "bin" / "python"), "-m", "pip", "install", "-q",
             "--disable-pip-version-check", "detect-secrets"],
            check=True,
        )  # fmt: skip
    return exe


def timed(
    command: list[str], cwd: Path, repeat: int
) -> tuple[float, subprocess.CompletedProcess[str]]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def floec_findings(floec: str, files: Path) -> list[tuple[str, int, str]]:
    out = subprocess.run(
        [floec, "lint", "--format", "json", "."],
        cwd=files, capture_output=True, text=True,
    ).stdout  # fmt: skip
    findings = []
    for item in json.loads(out):
        code = str(item["code"])
        if "FLC201" <= code < "FLC230":
            findings.append((str(item["file"]), int(item["range"]["start"]["line"]) + 1, code))
    return findings


def detect_secrets_findings(exe: Path, files: Path) -> list[tuple[str, int, str]]:
    out = subprocess.run(
        [str(exe), "scan", "--all-files"], cwd=files, capture_output=True, text=True, check=True
    ).stdout
    findings = []
    for file, results in json.loads(out)["results"].items():
        for result in results:
            findings.append((file, int(result["line_number"]), str(result["type"])))
    return findings


def describe(name: str, result: Score) -> str:
    total = result.precision + result.recall
    f1 = 2 * result.precision * result.recall / total if total else 0.0
    return f"  {name:<15} {result.summary()}  F1 {f1:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # a wheel install, as users run floec (the editable install adds an import hook)
    floec_exe = str(installed_python().with_name("floec"))
    floec = [floec_exe, "lint", "--format", "json", "."]
    exe = detect_secrets_venv()
    with tempfile.TemporaryDirectory(prefix="floec-lint-bench-") as tmp:
        tree = Path(tmp)
        count, size = generate_tree(tree, args.files)
        mb = size / 1e6
        print(f"tree: {count} files, {mb:.2f} MB, in {tree}")
        ours, result = timed(floec, tree, args.repeat)
        findings = len(json.loads(result.stdout))
        print(
            f"floec lint:      {ours:7.2f} s  {count / ours:9.1f} files/s  {mb / ours:6.2f} MB/s"
            f"  ({findings} findings)"
        )
        theirs, result = timed([str(exe), "scan", "--all-files"], tree, 1)
        found = sum(len(v) for v in json.loads(result.stdout)["results"].values())
        print(
            f"detect-secrets:  {theirs:7.2f} s  {count / theirs:9.1f} files/s  "
            f"{mb / theirs:6.2f} MB/s  ({found} findings)"
        )
        ratio = theirs / ours
        verdict = "meets" if ratio >= TARGET_RATIO else "misses"
        print(
            f"throughput ratio (floec / detect-secrets): {ratio:.1f}x "
            f"(target >= {TARGET_RATIO:.0f}x: {verdict})"
        )
    for name, corpus in CORPORA.items():
        print(f"\nlabelled {name} ({corpus.relative_to(ROOT)}), (file, line) level:")
        files = corpus / "files"
        print(describe("floec", score(floec_findings(floec_exe, files), corpus)))
        print(describe("detect-secrets", score(detect_secrets_findings(exe, files), corpus)))
    if os.environ.get("BENCH_KEEP") is None:
        shutil.rmtree(BENCH_DIR / "tmp", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: `floec lint` against `detect-secrets scan --all-files`, speed and accuracy.

Generates a tree of 2,000 configuration files (variations of the labelled corpus: platform
configs, dbt profiles, compose files, Kubernetes manifests, Helm values, CI configs), times both
tools on it in the same run (files/s, MB/s, ratio), then scores both on the labelled corpus
(tests/lint_corpus) at the (file, line) level.

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

from tests.corpus_eval import FILES, Score, score  # noqa: E402

BENCH_DIR = ROOT / ".bench"
FLOEC = str(Path(sys.executable).with_name("floec"))
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def generate_tree(target: Path, count: int, seed: int = 7) -> tuple[int, int]:
    """`count` files made from the corpus, each with its own names and random suffixes."""
    rng = random.Random(seed)
    templates = [p for p in sorted(FILES.rglob("*")) if p.is_file()]
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


def floec_findings() -> list[tuple[str, int, str]]:
    out = subprocess.run(
        [FLOEC, "lint", "--format", "json", "."],
        cwd=FILES, capture_output=True, text=True,
    ).stdout  # fmt: skip
    findings = []
    for item in json.loads(out):
        code = str(item["code"])
        if "FLC201" <= code < "FLC230":
            findings.append((str(item["file"]), int(item["range"]["start"]["line"]) + 1, code))
    return findings


def detect_secrets_findings(exe: Path) -> list[tuple[str, int, str]]:
    out = subprocess.run(
        [str(exe), "scan", "--all-files"], cwd=FILES, capture_output=True, text=True, check=True
    ).stdout
    findings = []
    for file, results in json.loads(out)["results"].items():
        for result in results:
            findings.append((file, int(result["line_number"]), str(result["type"])))
    return findings


def describe(name: str, result: Score) -> str:
    return (
        f"{name:<15} precision {result.precision:.3f}  recall {result.recall:.3f}  "
        f"(TP {result.true_positives}, FP {result.false_positives}, FN {result.false_negatives})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    floec = [FLOEC, "lint", "--format", "json", "."]
    exe = detect_secrets_venv()
    with tempfile.TemporaryDirectory(prefix="floec-lint-bench-") as tmp:
        tree = Path(tmp)
        files, size = generate_tree(tree, args.files)
        mb = size / 1e6
        print(f"tree: {files} files, {mb:.2f} MB, in {tree}")
        ours, result = timed(floec, tree, args.repeat)
        findings = len(json.loads(result.stdout))
        print(
            f"floec lint:      {ours:7.2f} s  {files / ours:9.1f} files/s  {mb / ours:6.2f} MB/s"
            f"  ({findings} findings)"
        )
        theirs, result = timed([str(exe), "scan", "--all-files"], tree, 1)
        found = sum(len(v) for v in json.loads(result.stdout)["results"].values())
        print(
            f"detect-secrets:  {theirs:7.2f} s  {files / theirs:9.1f} files/s  "
            f"{mb / theirs:6.2f} MB/s  ({found} findings)"
        )
        print(f"throughput ratio (floec / detect-secrets): {theirs / ours:.1f}x")
    print("\nlabelled corpus (tests/lint_corpus), (file, line) level:")
    print(describe("floec", score(floec_findings())))
    print(describe("detect-secrets", score(detect_secrets_findings(exe))))
    if os.environ.get("BENCH_KEEP") is None:
        shutil.rmtree(BENCH_DIR / "tmp", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

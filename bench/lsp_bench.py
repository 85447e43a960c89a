"""`floec lsp` on a warm server: time from a `didChange` to the published diagnostics.

Two edits, each `BENCH_RUNS` times (default 20), spaced beyond the debounce window so that each
is diagnosed at once (the default configuration, debounce included):
- a 1,000-line platform.yaml (prod: the example's, plus generated profiles), diagnosed alone,
  and the floe.yaml bound to it re-published after it;
- the example floe.yaml, bound against four environments.
Each median is reported beside `floec check` of the same files in a fresh process. Also the
server's start-up: spawn to the `initialize` answer, and the import of pygls and lsprotocol.

Run: `make bench-lsp` (needs `floec[lsp]`).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.lsp_client import RawClient
from bench.timing import ROOT, median_ms, runs

PROFILE = """  extra_{i}:
    type: postgres
    properties:
      host: db-{i}.internal
      port: 5432
      user: floe
      dbname: analytics_{i}
      schema: public
      threads: 4
    credentials:
      mode: static
      secret_ref: postgres-extra-{i}
"""


def make_project(directory: Path) -> tuple[Path, Path]:
    shutil.copytree(ROOT / "platform", directory / "platform")
    shutil.copytree(ROOT / "examples" / "customer-analytics", directory / "pipeline")
    prod = directory / "platform" / "prod" / "platform.yaml"
    text = prod.read_text()
    lines = text.count("\n")
    extra = []
    i = 0
    while lines < 1000:
        block = PROFILE.format(i=i)
        extra.append(block)
        lines += block.count("\n")
        i += 1
    text = text.replace("compute:\n", "compute:\n" + "".join(extra), 1)
    prod.write_text(text)
    return prod, directory / "pipeline" / "floe.yaml"


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    n = runs()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        prod, floe = make_project(root)
        python = sys.executable
        pass_ms = median_ms([python, "-c", "pass"], n)
        import_ms = median_ms([python, "-c", "import pygls.lsp.server, lsprotocol.types"], n)
        check_platform_ms = median_ms(
            [python, "-m", "floec", "check", "--no-cache", str(prod)], n, cwd=root
        )
        check_floe_ms = median_ms(
            [python, "-m", "floec", "check", "--no-cache", str(floe.parent)], n, cwd=root
        )

        starts = []
        for _ in range(5):
            client = RawClient(cwd=root)
            client.initialize(root)
            starts.append((time.perf_counter() - client.started) * 1000)
            client.close()

        client = RawClient(cwd=root)
        client.initialize(root)  # default debounce
        prod_text, floe_text = prod.read_text(), floe.read_text()
        client.open(prod, prod_text)
        client.diagnostics(prod.as_uri())
        client.open(floe, floe_text)
        client.diagnostics(floe.as_uri())
        platform_ms, dependent_ms, floe_ms = [], [], []
        version = 1
        for i in range(n):
            time.sleep(0.2)  # past the debounce window: this edit is diagnosed at once
            version += 1
            sent = client.change(prod, version, prod_text + f"# edit {i}\n")
            got, found = client.diagnostics(prod.as_uri(), version)
            assert not [d for d in found if d["severity"] == 1], found
            platform_ms.append((got - sent) * 1000)
            got_floe, _ = client.diagnostics(floe.as_uri())
            dependent_ms.append((got_floe - sent) * 1000)
        version_floe = 1
        for i in range(n):
            time.sleep(0.2)
            version_floe += 1
            sent = client.change(floe, version_floe, floe_text + f"# edit {i}\n")
            got, found = client.diagnostics(floe.as_uri(), version_floe)
            assert not [d for d in found if d["severity"] == 1], found
            floe_ms.append((got - sent) * 1000)
        client.close()

    lines = prod_text.count("\n")
    print(f"floec lsp, {n} edits each, warm server ({python})")
    print(f"start-up: spawn to initialize answer {median(starts):.0f} ms (median of 5); ")
    print(f"  import pygls.lsp.server + lsprotocol.types: {import_ms - pass_ms:.0f} ms")
    rows = [
        (f"didChange platform.yaml ({lines} lines) -> its diagnostics", median(platform_ms),
         check_platform_ms),
        ("  ... -> the floe.yaml bound to it re-published", median(dependent_ms),
         check_floe_ms),
        ("didChange floe.yaml (4 environments) -> its diagnostics", median(floe_ms),
         check_floe_ms),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"{'edit':<{width}}  median ms  fresh `floec check` ms  ratio")
    for name, value, fresh in rows:
        print(f"{name:<{width}}  {value:9.1f}  {fresh:21.1f}  {value / fresh:5.3f}")
    worst = max(max(platform_ms), max(floe_ms))
    print(f"slowest single edit: {worst:.1f} ms")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as error:  # pragma: no cover - a broken environment
        raise SystemExit(error.returncode) from error

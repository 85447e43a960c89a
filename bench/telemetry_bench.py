"""What traces and lineage cost a run: imports, each asset, and bad endpoints.

- the first import of the OpenTelemetry side (on the path of the first asset of a process) and of
  the OpenLineage client (on the lineage sender's thread, off the path), in fresh processes;
- an asset run with traces and lineage to the JSON-lines files, against one with both off;
- ten asset runs and the process's exit against a healthy loopback collector and lineage server,
  a closed port, and a server that accepts and never answers, over OTLP/HTTP and gRPC.

Run: `.venv/bin/python bench/telemetry_bench.py` (needs floec[observability]).
"""

from __future__ import annotations

import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from floec.runtime.observability import BUDGET, EXPORT_TIMEOUT, ObservabilityOrchestrator
from tests.support.telemetry_receivers import (
    LineageReceiver,
    OtlpReceiver,
    closed_port,
    silent_server,
)

DOCUMENT: dict[str, Any] = {
    "version": "2.1.0",
    "pipeline": {"name": "bench", "version": "1"},
    "environment": {"name": "bench"},
    "observability": {"traces": True, "lineage": True, "attributes": {"team": "bench"}},
    "orchestration": {"dbt": {"observability_level": "per_model"}},
    "layers": {"bronze": {"namespace": "bronze", "catalog": {"name": "default", "uri": "x"}}},
    "profiles": {"catalog": {"name": "default", "namespace": "analytics", "uri": "x"}},
}
RUN_ID = "6f1c2f9e-3b7a-4a61-9d1e-2a7b8c9d0e1f"


def orchestrator(directory: Path, **observability: Any) -> ObservabilityOrchestrator:
    document = copy.deepcopy(DOCUMENT)
    document["observability"].update(observability)
    return ObservabilityOrchestrator.from_artifacts(document, directory=directory)


def cold_import_ms(module: str, repeat: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    return statistics.median(times) * 1000


def per_asset_us(directory: Path, count: int = 300, **observability: Any) -> float:
    o = orchestrator(directory, **observability)
    with o.asset_run("warm", run_id=RUN_ID):
        pass
    o.flush(5)
    begun = time.perf_counter()
    for index in range(count):
        with o.asset_run(f"asset_{index}", outputs=["t"], layer="bronze", run_id=RUN_ID):
            pass
    elapsed = time.perf_counter() - begun
    o.close(5)
    return elapsed / count * 1e6


@contextmanager
def healthy() -> Iterator[tuple[str, str]]:
    with OtlpReceiver() as otlp, LineageReceiver() as lineage:
        yield otlp.base, lineage.base


@contextmanager
def same(make: Callable[[], AbstractContextManager[str]]) -> Iterator[tuple[str, str]]:
    with make() as url:
        yield url, url


def run_cost_ms(
    directory: Path, endpoints: AbstractContextManager[tuple[str, str]], protocol: str
) -> float:
    with endpoints as (otlp, lineage):
        o = orchestrator(
            directory, otlp_endpoint=otlp, otlp_protocol=protocol, lineage_endpoint=lineage
        )
        begun = time.perf_counter()
        for index in range(10):
            with o.asset_run(f"asset_{index}", outputs=["t"], run_id=RUN_ID):
                pass
        o.close()
        return (time.perf_counter() - begun) * 1000


def main() -> None:
    import logging

    logging.disable(logging.WARNING)  # the one warning per bad endpoint is tested elsewhere
    print("first import, fresh process (median of 5):")
    sdk = "opentelemetry.sdk.trace, opentelemetry.exporter.otlp.proto.http.trace_exporter"
    print(
        f"  OpenTelemetry SDK + OTLP/HTTP exporter:             "
        f"{cold_import_ms(sdk):7.0f} ms  (first asset's path)"
    )
    print(
        f"  openlineage.client.transport.http:                  "
        f"{cold_import_ms('openlineage.client.transport.http'):7.0f} ms  (sender thread)"
    )
    import openlineage.client.transport.http  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        off = per_asset_us(directory / "off", traces=False, lineage=False)
        files = per_asset_us(directory / "files")
        print("one asset run (the context manager around it), 300 runs:")
        print(f"  telemetry off:               {off:8.0f} us")
        print(f"  traces + lineage to files:   {files:8.0f} us")
        print("ten asset runs and the exit (close), traces and lineage to the same endpoint:")
        cases: list[tuple[str, Callable[[], AbstractContextManager[tuple[str, str]]]]] = [
            ("healthy receivers", healthy),
            ("closed port", lambda: same(closed_port)),
            ("never answers", lambda: same(silent_server)),
        ]
        for protocol in ("http", "grpc"):
            for label, make in cases:
                if protocol == "grpc" and label == "healthy receivers":
                    continue  # the loopback collector speaks OTLP/HTTP
                costs = [run_cost_ms(directory / "e", make(), protocol) for _ in range(3)]
                print(
                    f"  {protocol:<4} {label:<18} {statistics.median(costs):7.0f} ms "
                    f"(max {max(costs):.0f})"
                )
    print(json.dumps({"budget_s": BUDGET, "export_timeout_s": EXPORT_TIMEOUT}))


if __name__ == "__main__":
    main()

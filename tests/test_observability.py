"""Traces and lineage of asset runs and dbt invocations, received by real loopback servers.

The OTLP/HTTP collector decodes the exporter's protobuf (opentelemetry-proto); the OpenLineage
server collects the JSON events, each checked against the event model (tests/support/
openlineage_check.py says how). dbt runs for real on DuckDB; the Dagster test materialises assets
of its own in-process. Bad endpoints are a closed port and a server that never answers.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from floec.runtime.observability import ObservabilityOrchestrator, describe
from tests.conftest import ROOT, run_floec
from tests.support.example import EXAMPLE, built_example
from tests.support.openlineage_check import check_event
from tests.support.telemetry_receivers import (
    LineageReceiver,
    OtlpReceiver,
    closed_port,
    silent_server,
)

RUN_ID = "6f1c2f9e-3b7a-4a61-9d1e-2a7b8c9d0e1f"


def trace_of(run_id: str) -> str:
    from floec.runtime.telemetry_traces import trace_id_of

    return f"{trace_id_of(run_id):032x}"


CANARY = "canary-7f3a9c1e5b"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example's compiled artifacts for the local environment."""
    work = built_example(tmp_path_factory.mktemp("obs"))
    loaded: dict[str, Any] = json.loads(
        (work / "target" / "local" / "compiled_artifacts.json").read_text()
    )
    return loaded


@pytest.fixture(autouse=True)
def _telemetry_imported() -> None:
    """Timings measure the endpoints, not the first import of the SDKs (bench/ has that)."""
    import openlineage.client.transport.http  # noqa: F401


def configured(document: dict[str, Any], **observability: Any) -> dict[str, Any]:
    out = copy.deepcopy(document)
    out["observability"].update({"traces": True, "lineage": True, **observability})
    return out


def orchestrator(document: dict[str, Any], tmp_path: Path, **observability: Any):
    return ObservabilityOrchestrator.from_artifacts(
        configured(document, **observability), directory=tmp_path / "target"
    )


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for telemetry"
        time.sleep(0.02)


def by_run(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        runs[event["run"]["runId"]].append(event)
    return runs


def columns(dataset: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["name"], f["type"]) for f in dataset["facets"]["schema"]["fields"]]


# -- a tiny real dbt project ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def dbt_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seed, a silver and a gold model (its columns documented) and a model that fails."""
    project = tmp_path_factory.mktemp("dbt")
    (project / "seeds").mkdir()
    (project / "models").mkdir()
    (project / "seeds" / "people.csv").write_text("id,name\n1,ada\n2,grace\n3,alan\n")
    (project / "dbt_project.yml").write_text(
        textwrap.dedent(
            """\
            name: tiny
            version: "1.0"
            config-version: 2
            profile: tiny
            models:
              tiny:
                +materialized: table
            """
        )
    )
    models = project / "models"
    (models / "stg_people.sql").write_text(
        "{{ config(tags=['silver']) }}\nselect id, name from {{ ref('people') }}\n"
    )
    (models / "people_count.sql").write_text(
        "{{ config(tags=['gold']) }}\nselect count(*) as people from {{ ref('stg_people') }}\n"
    )
    (models / "broken.sql").write_text(
        "{{ config(tags=['gold']) }}\n"
        "select * from {{ ref('stg_people') }} join nowhere using (id)\n"
    )
    (models / "schema.yml").write_text(
        textwrap.dedent(
            """\
            version: 2
            models:
              - name: people_count
                columns:
                  - name: people
                    data_type: bigint
            """
        )
    )
    (project / "profiles.yml").write_text(
        f"tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {project / 'tiny.duckdb'}\n      threads: 1\n"
    )
    return project


def run_dbt(project: Path, target: Path, *selection: str) -> int:
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt if dbt.exists() else "dbt"),
        "--no-send-anonymous-usage-stats",
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target),
        *selection,
    ]
    environ = {**os.environ, "DBT_LOG_PATH": str(target), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(command, env=environ, capture_output=True, check=False).returncode


# -- traces and lineage over HTTP -----------------------------------------------------------------


def test_assets_and_dbt_models_become_a_trace_and_lineage_runs(
    document, dbt_project, tmp_path
) -> None:
    with OtlpReceiver() as otlp, LineageReceiver() as lineage:
        observability = orchestrator(
            document,
            tmp_path,
            otlp_endpoint=otlp.base,
            otlp_protocol="http",
            lineage_endpoint=lineage.base,
        )
        with observability.asset_run(
            "raw_orders", outputs=["raw_orders"], layer="bronze", run_id=RUN_ID, partition="2024-01"
        ) as run:
            run.output_schema("raw_orders", [("id", "long"), ("amount", "double")])
        with pytest.raises(ValueError, match="no such file"):  # noqa: SIM117
            with observability.asset_run(
                "raw_customers", outputs=["raw_customers"], layer="bronze", run_id=RUN_ID
            ):
                raise ValueError("no such file: customers.csv")
        target = tmp_path / "dbt-target"

        def dbt_build() -> None:
            with observability.dbt_run("tiny_dbt", target_path=target, run_id=RUN_ID):
                if run_dbt(dbt_project, target) != 0:
                    raise RuntimeError("dbt build failed")

        with pytest.raises(RuntimeError):
            dbt_build()
        assert observability.flush(10)
        wait_for(lambda: len(lineage.events) >= 10)
        spans, events = list(otlp.spans), list(lineage.events)

    # One trace for the Dagster run: its id is derived from the run id.
    assert {s["trace_id"] for s in spans} == {trace_of(RUN_ID)}
    named = {s["name"]: s for s in spans}
    assert set(named) == {
        "asset raw_orders",
        "asset raw_customers",
        "dbt tiny_dbt",
        "seed people",
        "model stg_people",
        "model people_count",
        "model broken",
    }
    dbt_span = named["dbt tiny_dbt"]
    for child in ("seed people", "model stg_people", "model people_count", "model broken"):
        assert named[child]["parent_span_id"] == dbt_span["span_id"]
    for root in ("asset raw_orders", "asset raw_customers", "dbt tiny_dbt"):
        assert named[root]["parent_span_id"] is None

    ok = named["asset raw_orders"]
    assert ok["status"] == 1  # OK
    assert ok["attributes"] == {
        "team": "analytics",  # the pipeline's attributes
        "floe.pipeline": "customer-analytics",
        "floe.environment": "local",
        "floe.asset": "raw_orders",
        "floe.layer": "bronze",
        "dagster.run_id": RUN_ID,
        "floe.partition": "2024-01",
        "floe.inputs": [],
        "floe.outputs": ["bronze.raw_orders"],
    }
    assert ok["resource"]["service.name"] == "customer-analytics"
    assert ok["resource"]["deployment.environment"] == "local"
    failed = named["asset raw_customers"]
    assert failed["status"] == 2  # ERROR
    assert failed["status_message"] == "ValueError: no such file: customers.csv"
    assert [e["name"] for e in failed["events"]] == ["exception"]
    assert failed["events"][0]["attributes"]["exception.type"] == "ValueError"
    assert named["model broken"]["status"] == 2
    assert named["model stg_people"]["status"] == 1
    assert named["model stg_people"]["attributes"]["floe.layer"] == "silver"
    assert named["model people_count"]["attributes"]["floe.inputs"] == ["silver.stg_people"]
    assert dbt_span["status"] == 2
    assert dbt_span["attributes"]["dbt.failed"] == ["broken"]

    # Lineage: a START then a COMPLETE or FAIL per run, same run id, each event valid.
    for event in events:
        check_event(event)
    runs = by_run(events)
    sequences = {run[0]["job"]["name"]: [e["eventType"] for e in run] for run in runs.values()}
    assert sequences == {
        "customer-analytics.raw_orders": ["START", "COMPLETE"],
        "customer-analytics.raw_customers": ["START", "FAIL"],
        "customer-analytics.people": ["START", "COMPLETE"],
        "customer-analytics.stg_people": ["START", "COMPLETE"],
        "customer-analytics.people_count": ["START", "COMPLETE"],
        "customer-analytics.broken": ["START", "FAIL"],
    }
    for run in runs.values():
        parent = run[-1]["run"]["facets"]["parent"]
        assert parent["run"]["runId"] == RUN_ID
        assert parent["job"] == {
            "facets": {},
            "name": "customer-analytics",
            "namespace": "customer-analytics",
        }
    complete = {e["job"]["name"]: e for e in events if e["eventType"] != "START"}
    orders = complete["customer-analytics.raw_orders"]["outputs"][0]
    assert (orders["namespace"], orders["name"]) == (
        "sqlite:///target/local/catalog.db",
        "bronze.raw_orders",
    )
    assert columns(orders) == [("id", "long"), ("amount", "double")]
    error = complete["customer-analytics.raw_customers"]["run"]["facets"]["errorMessage"]
    assert error["message"] == "ValueError: no such file: customers.csv"
    assert "Traceback" in error["stackTrace"]
    count = complete["customer-analytics.people_count"]
    assert [i["name"] for i in count["inputs"]] == ["silver.stg_people"]
    assert count["outputs"][0]["name"] == "gold.people_count"
    assert columns(count["outputs"][0]) == [("people", "bigint")]
    broken = complete["customer-analytics.broken"]["run"]["facets"]["errorMessage"]
    assert "nowhere" in broken["message"]


def test_job_level_dbt_is_one_span_and_one_lineage_run(document, dbt_project, tmp_path) -> None:
    with OtlpReceiver() as otlp, LineageReceiver() as lineage:
        observability = orchestrator(
            document,
            tmp_path,
            otlp_endpoint=otlp.base,
            otlp_protocol="http",
            lineage_endpoint=lineage.base,
        )
        target = tmp_path / "dbt-target"
        with observability.dbt_run(
            "tiny_dbt", target_path=target, run_id=RUN_ID, level="job_level"
        ):
            assert run_dbt(dbt_project, target, "--exclude", "broken") == 0
        assert observability.flush(10)
        wait_for(lambda: len(lineage.events) >= 2)
        spans, events = list(otlp.spans), list(lineage.events)
    assert [s["name"] for s in spans] == ["dbt tiny_dbt"]
    assert spans[0]["status"] == 1
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    assert len({e["run"]["runId"] for e in events}) == 1
    for event in events:
        check_event(event)
    done = events[-1]
    assert done["job"]["name"] == "customer-analytics.tiny_dbt"
    assert done["job"]["facets"]["jobType"]["jobType"] == "JOB"
    assert sorted(o["name"] for o in done["outputs"]) == [
        "gold.people_count",
        "main.people",  # the seed is in no layer: its relation in DuckDB
        "silver.stg_people",
    ]
    assert done["inputs"] == []


def test_grpc_collector_receives_the_spans(document, tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import grpc  # type: ignore[import-untyped]
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    received: list[str] = []

    class Collector(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(self, request, context):
            for resource_spans in request.resource_spans:
                for scope in resource_spans.scope_spans:
                    received.extend(span.name for span in scope.spans)
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(ThreadPoolExecutor(2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Collector(), server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        observability = orchestrator(
            document, tmp_path, otlp_endpoint=f"http://127.0.0.1:{port}", lineage=False
        )
        assert observability.settings.otlp_protocol == "grpc"
        with observability.asset_run("raw_orders", run_id=RUN_ID):
            pass
        assert observability.flush(10)
    finally:
        server.stop(0)
    assert received == ["asset raw_orders"]


# -- the embedded default: JSON-lines files -------------------------------------------------------


def test_without_endpoints_spans_and_events_go_to_json_lines_files(document, tmp_path) -> None:
    observability = orchestrator(document, tmp_path)
    for name in ("raw_orders", "raw_customers"):
        with observability.asset_run(name, outputs=[name], layer="bronze", run_id=RUN_ID):
            pass
    assert observability.flush(10)
    traces = tmp_path / "target" / "traces.jsonl"
    lineage = tmp_path / "target" / "lineage.jsonl"
    assert observability.traces_file == traces and observability.lineage_file == lineage
    spans = [json.loads(line) for line in traces.read_text().splitlines()]
    events = [json.loads(line) for line in lineage.read_text().splitlines()]
    assert [s["name"] for s in spans] == ["asset raw_orders", "asset raw_customers"]
    assert spans[0]["trace_id"] == trace_of(RUN_ID)
    assert spans[0]["attributes"]["floe.outputs"] == ["bronze.raw_orders"]
    assert spans[0]["status"]["code"] == "OK"
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"] * 2
    for event in events:
        check_event(event)
    summary = describe(tmp_path / "target")
    assert f"{traces}  (2 spans in 1 traces)" in summary
    assert f"{lineage}  (4 OpenLineage events: 2 COMPLETE, 2 START)" in summary


def test_the_local_environment_writes_its_files_under_target(document, tmp_path) -> None:
    artifacts = tmp_path / "target" / "local" / "compiled_artifacts.json"
    artifacts.parent.mkdir(parents=True)
    artifacts.write_text(json.dumps(document))
    observability = ObservabilityOrchestrator.from_artifacts(artifacts)
    assert observability.settings.traces and observability.settings.lineage
    assert observability.traces_file == artifacts.parent / "traces.jsonl"
    assert observability.lineage_file == artifacts.parent / "lineage.jsonl"


# -- never a failed run ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [closed_port, silent_server], ids=["down", "slow"])
@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_a_bad_endpoint_costs_under_a_second_and_warns_once(
    document, tmp_path, caplog, endpoint, protocol
) -> None:
    caplog.set_level(logging.WARNING)
    with endpoint() as url:
        observability = orchestrator(
            document, tmp_path, otlp_endpoint=url, otlp_protocol=protocol, lineage_endpoint=url
        )
        begun = time.monotonic()
        for index in range(8):
            with observability.asset_run(f"asset_{index}", outputs=["t"], run_id=RUN_ID):
                pass
        with pytest.raises(KeyError):  # noqa: SIM117 (a failing asset fails for its own reason)
            with observability.asset_run("failing", run_id=RUN_ID):
                raise KeyError("boom")
        observability.close()  # what the process's exit does
        elapsed = time.monotonic() - begun

        def warned(signal: str) -> list[str]:
            prefix = f"floec: could not send {signal}"
            return [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]

        # A failure still in flight at exit is reported by the sender's thread a moment later.
        wait_for(lambda: warned("traces") and warned("lineage"), timeout=5)
    print(f"{endpoint.__name__} {protocol}: 9 asset runs and the exit took {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    traces, lineage = warned("traces"), warned("lineage")
    assert len(traces) == 1, warnings
    assert len(lineage) == 1, warnings
    assert url in traces[0] and url in lineage[0]  # naming the endpoint
    assert len(warnings) == 2, warnings  # and nothing else: no log line per failed batch


def test_a_secret_endpoint_is_resolved_at_run_time_and_never_shown(
    document, tmp_path, monkeypatch, caplog, capfd
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = {
        "secret": {
            "name": "otel",
            "key": "endpoint",
            "env_var": "OTEL_ENDPOINT",
            "file": "otel/endpoint",
        }
    }
    lineage_secret = {
        "secret": {"name": "marquez", "key": None, "env_var": "MARQUEZ", "file": "marquez"}
    }
    with OtlpReceiver() as otlp:
        monkeypatch.setenv("OTEL_ENDPOINT", f"{otlp.base}/{CANARY}")
        with closed_port() as dead:
            monkeypatch.setenv("MARQUEZ", f"{dead}/{CANARY}/api/v1/lineage")
            observability = orchestrator(
                document,
                tmp_path,
                otlp_endpoint=secret,
                otlp_protocol="http",
                lineage_endpoint=lineage_secret,
            )
            with observability.asset_run("raw_orders", run_id=RUN_ID):
                pass
            observability.flush(5)
        wait_for(lambda: len(otlp.spans) == 1)
        path = otlp.requests[0][0]
    assert path == f"/{CANARY}/v1/traces"  # the secret's value was used...
    logged = "\n".join(r.getMessage() for r in caplog.records)
    out, err = capfd.readouterr()
    assert "the lineage endpoint in secret 'marquez'" in logged
    for text in (logged, out, err, json.dumps(otlp.spans)):  # ...and shown nowhere
        assert CANARY not in text
        assert dead not in text


def test_a_missing_secret_endpoint_turns_that_signal_off_with_a_warning(
    document, tmp_path, monkeypatch, caplog
) -> None:
    monkeypatch.delenv("NOWHERE_ENDPOINT", raising=False)
    monkeypatch.setenv("FLOE_SECRETS_DIR", str(tmp_path / "secrets"))
    reference = {
        "secret": {
            "name": "nowhere",
            "key": "endpoint",
            "env_var": "NOWHERE_ENDPOINT",
            "file": "nowhere/endpoint",
        }
    }
    observability = orchestrator(document, tmp_path, otlp_endpoint=reference)
    with observability.asset_run("raw_orders", run_id=RUN_ID):
        pass
    assert observability.flush(5)
    messages = [r.getMessage() for r in caplog.records]
    assert any("traces are off for this run" in m and "NOWHERE_ENDPOINT" in m for m in messages)
    assert observability.traces_file is None  # not quietly redirected to the file
    assert len((tmp_path / "target" / "lineage.jsonl").read_text().splitlines()) == 2


BLOCKER = textwrap.dedent(
    """\
    import importlib.abc, sys
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("opentelemetry", "openlineage"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, Block())
    """
)


def test_without_the_libraries_the_run_goes_on_with_a_warning(document, tmp_path) -> None:
    artifacts = tmp_path / "target" / "local" / "compiled_artifacts.json"
    artifacts.parent.mkdir(parents=True)
    artifacts.write_text(json.dumps(configured(document)))
    code = BLOCKER + textwrap.dedent(
        f"""\
        import floec.runtime
        from floec.runtime.observability import ObservabilityOrchestrator
        o = ObservabilityOrchestrator.from_artifacts({str(artifacts)!r})
        with o.asset_run("raw_orders", outputs=["raw_orders"]):
            print("asset ran")
        o.close()
        print(sorted(m for m in sys.modules if m.startswith(("opentelemetry", "openlineage"))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["asset ran", "[]"]
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2, warnings
    assert "traces are on for this pipeline but OpenTelemetry is not installed" in warnings[0]
    assert "openlineage-python is not installed" in warnings[1]
    assert all("pip install 'floec[observability]'" in w for w in warnings)


def test_the_compiler_never_imports_the_telemetry_libraries(tmp_path) -> None:
    code = (
        "import sys\nfrom floec.cli import main\n"
        f"codes = [main(['build', {EXAMPLE!r}, '--all-envs', '--target-dir', {str(tmp_path)!r}]),"
        f" main(['check', {EXAMPLE!r}]), main(['lint', {EXAMPLE!r}])]\n"
        "import floec.runtime, floec.runtime.observability\n"
        "print(codes, sorted({m.split('.')[0] for m in sys.modules} & "
        "{'opentelemetry', 'openlineage', 'grpc', 'requests'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[0, 0, 0] []"


# -- sampling -------------------------------------------------------------------------------------


def test_sampling_always_off_sends_no_spans_but_all_lineage(document, tmp_path) -> None:
    observability = orchestrator(document, tmp_path, sampling={"sampling_type": "always_off"})
    with observability.asset_run("raw_orders", run_id=RUN_ID):
        pass
    assert observability.flush(5)
    assert not (tmp_path / "target" / "traces.jsonl").exists()
    assert len((tmp_path / "target" / "lineage.jsonl").read_text().splitlines()) == 2


def test_probabilistic_sampling_keeps_some_runs_whole(document, tmp_path) -> None:
    observability = orchestrator(
        document,
        tmp_path,
        lineage=False,
        sampling={"sampling_type": "probabilistic", "probability": 0.5},
    )
    chooser = random.Random(7)
    runs = [str(uuid.UUID(int=chooser.getrandbits(128), version=4)) for _ in range(40)]
    for run_id in runs:
        with (
            observability.asset_run("a", run_id=run_id),
            observability.asset_run("b", run_id=run_id),
        ):
            pass
    assert observability.flush(5)
    spans = [
        json.loads(line) for line in (tmp_path / "target" / "traces.jsonl").read_text().splitlines()
    ]
    per_trace: dict[str, int] = defaultdict(int)
    for span in spans:
        per_trace[span["trace_id"]] += 1
    assert 8 <= len(per_trace) <= 32  # some, not all (40 runs at 0.5)
    assert set(per_trace.values()) == {2}  # a run is kept or dropped whole


def test_rate_limiting_sampling_caps_new_traces_a_second(document, tmp_path) -> None:
    observability = orchestrator(
        document,
        tmp_path,
        lineage=False,
        sampling={"sampling_type": "rate_limiting", "rate_limit": 2},
    )
    begun = time.monotonic()
    for index in range(30):
        with observability.asset_run("a", run_id=f"run-{index}"):
            pass
    elapsed = time.monotonic() - begun
    assert observability.flush(5)
    lines = (tmp_path / "target" / "traces.jsonl").read_text().splitlines()
    assert 1 <= len(lines) <= 2 + int(elapsed * 2) + 1  # the bucket, and what refilled it


# -- through Dagster ------------------------------------------------------------------------------


def test_a_dagster_run_is_traced_through_the_runtime_hooks(document, tmp_path) -> None:
    import dagster as dg
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyiceberg.catalog.sql import SqlCatalog

    from floec.runtime.telemetry_dagster import observed_asset, record_schemas

    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    iceberg = SqlCatalog(
        "default", uri=f"sqlite:///{tmp_path / 'catalog.db'}", warehouse=f"file://{warehouse}"
    )
    iceberg.create_namespace_if_not_exists("bronze")

    class Tables:  # what the runtime's Catalog offers: a pyiceberg table by name and layer
        def table(self, name: str, layer: str | None) -> Any:
            return iceberg.load_table(f"{layer}.{name}")

    with OtlpReceiver() as otlp, LineageReceiver() as lineage:
        artifacts = tmp_path / "target" / "local" / "compiled_artifacts.json"
        artifacts.parent.mkdir(parents=True)
        observed = configured(
            document, otlp_endpoint=otlp.base, otlp_protocol="http", lineage_endpoint=lineage.base
        )
        artifacts.write_text(json.dumps(observed))
        days = dg.StaticPartitionsDefinition(["2024-01-01", "2024-01-02"])

        def traced(name: str, fail: bool = False) -> Any:
            @dg.asset(name=name, partitions_def=days)
            def body(context) -> None:  # no annotation: this module has postponed ones
                with observed_asset(
                    artifacts, context, name, outputs=[name], layer="bronze"
                ) as run:
                    if fail:
                        raise RuntimeError("the source is gone")
                    rows = pa.table({"id": pa.array([1, 2], pa.int64()), "day": ["a", "b"]})
                    iceberg.create_table(f"bronze.{name}", schema=rows.schema).append(rows)
                    record_schemas(run, Tables(), [name], "bronze")

            return body

        result = dg.materialize(
            [traced("orders"), traced("customers", fail=True)],
            partition_key="2024-01-02",
            raise_on_error=False,
        )
        assert not result.success
        assert ObservabilityOrchestrator.for_artifacts(artifacts).flush(10)
        wait_for(lambda: len(lineage.events) == 4)
        spans, events = list(otlp.spans), list(lineage.events)
    run_id = result.run_id
    assert {s["trace_id"] for s in spans} == {trace_of(run_id)}
    status = {s["name"]: (s["status"], s["attributes"]["floe.partition"]) for s in spans}
    assert status == {"asset orders": (1, "2024-01-02"), "asset customers": (2, "2024-01-02")}
    assert {s["attributes"]["dagster.run_id"] for s in spans} == {run_id}
    for event in events:
        check_event(event)
        assert event["run"]["facets"]["parent"]["run"]["runId"] == run_id
        assert event["run"]["facets"]["parent"]["job"]["name"] == "__ephemeral_asset_job__"
    final = {e["job"]["name"]: e for e in events if e["eventType"] != "START"}
    assert {name: e["eventType"] for name, e in final.items()} == {
        "customer-analytics.orders": "COMPLETE",
        "customer-analytics.customers": "FAIL",
    }
    written = final["customer-analytics.orders"]["outputs"][0]
    assert columns(written) == [("id", "long"), ("day", "string")]


def test_broken_telemetry_settings_never_fail_the_asset(document, tmp_path, caplog) -> None:
    broken = configured(document, otlp_endpoint={"secret": "not a reference"})
    broken["layers"] = {"bronze": "not a mapping"}
    observability = ObservabilityOrchestrator.from_artifacts(broken, directory=tmp_path)
    with observability.asset_run("raw_orders", outputs=["raw_orders"], layer="bronze") as run:
        ran = run.name
    assert ran == "raw_orders"
    messages = [r.getMessage() for r in caplog.records]
    assert any("traces are off for this run: unusable endpoint" in m for m in messages)
    assert any("telemetry error while starting an asset run" in m for m in messages)
    missing = ObservabilityOrchestrator.for_artifacts(tmp_path / "nowhere.json")
    with missing.asset_run("raw_orders"):
        pass
    assert missing.stats() == {}


def test_datasets_of_a_secret_catalog_are_named_by_its_profile(document, tmp_path) -> None:
    secret_catalog = configured(document)
    for layer in secret_catalog["layers"].values():
        layer["catalog"]["uri"] = {
            "secret": {
                "name": "polaris",
                "key": "uri",
                "env_var": "POLARIS_URI",
                "file": "polaris/uri",
            }
        }
    observability = ObservabilityOrchestrator.from_artifacts(secret_catalog, directory=tmp_path)
    dataset = observability.settings.dataset("raw_orders", "bronze")
    assert (dataset.namespace, dataset.name) == ("iceberg://default", "bronze.raw_orders")
    qualified = observability.settings.dataset("elsewhere.orders")
    assert (qualified.namespace, qualified.name) == (
        "sqlite:///target/local/catalog.db",
        "elsewhere.orders",
    )


def test_a_dbt_invocation_without_results_is_one_failed_span(document, tmp_path) -> None:
    observability = orchestrator(document, tmp_path)

    def crash() -> None:
        with observability.dbt_run("tiny_dbt", target_path=tmp_path / "none", run_id=RUN_ID):
            raise OSError("dbt executable not found")

    with pytest.raises(OSError, match="not found"):
        crash()
    assert observability.flush(5)
    spans = [json.loads(line) for line in (tmp_path / "target" / "traces.jsonl").open()]
    assert [(s["name"], s["status"]["code"]) for s in spans] == [("dbt tiny_dbt", "ERROR")]
    assert spans[0]["attributes"]["dbt.nodes"] == 0
    assert not (tmp_path / "target" / "lineage.jsonl").exists()  # per_model: no model ran


# -- the runtime: @floe_asset and the dbt assets --------------------------------------------------


@pytest.mark.slow
def test_the_example_pipeline_is_traced_with_no_code_in_it(tmp_path, monkeypatch) -> None:
    """The example's Python assets and dbt models, run by the runtime on the embedded default:
    every one is a span of the run's trace and a lineage run, and the graph joins (a dbt model
    reads the very dataset a Python asset wrote)."""
    import runpy

    from dagster import DagsterInstance

    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml", "__pycache__")
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=ignore)
    shutil.copytree(ROOT / "platform", tmp_path / "platform")
    monkeypatch.chdir(tmp_path)
    assert run_floec("build", EXAMPLE, "--env", "local").code == 0
    target = tmp_path / "target" / "local"
    home = tmp_path / "dagster-home"
    home.mkdir()
    shutil.copy(target / "dagster" / "dagster.yaml", home)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    defs = runpy.run_path(str(target / "dagster" / "definitions.py"))["defs"]
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("customer_analytics").execute_in_process(instance=instance)
    assert result.success
    assert ObservabilityOrchestrator.for_artifacts(target / "compiled_artifacts.json").flush(10)

    spans = [json.loads(line) for line in (target / "traces.jsonl").open()]
    assert {s["trace_id"] for s in spans} == {trace_of(result.run_id)}
    named = {s["name"]: s for s in spans}
    assert set(named) == {
        "asset raw_customers",
        "asset raw_orders",
        "dbt customer_analytics_dbt",
        "model stg_customers",
        "model stg_orders",
        "model customer_orders",
    }
    for model in ("stg_customers", "stg_orders", "customer_orders"):
        assert (
            named[f"model {model}"]["parent_span_id"]
            == named["dbt customer_analytics_dbt"]["span_id"]
        )
    assert all(s["status"]["code"] == "OK" for s in spans)

    events = [json.loads(line) for line in (target / "lineage.jsonl").open()]
    for event in events:
        check_event(event)
    runs = by_run(events)
    assert sorted(
        (run[0]["job"]["name"], tuple(e["eventType"] for e in run)) for run in runs.values()
    ) == [
        (f"customer-analytics.{name}", ("START", "COMPLETE"))
        for name in sorted(
            ["raw_customers", "raw_orders", "stg_customers", "stg_orders", "customer_orders"]
        )
    ]
    done = {e["job"]["name"].split(".", 1)[1]: e for e in events if e["eventType"] == "COMPLETE"}
    written = done["raw_orders"]["outputs"][0]
    read = done["stg_orders"]["inputs"][0]
    assert (read["namespace"], read["name"]) == (written["namespace"], written["name"])
    assert written["name"] == "bronze.raw_orders"
    assert ("order_id", "long") in columns(written)  # the schema of the table the asset wrote

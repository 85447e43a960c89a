"""The batteries-included runtime, with the real parts: Dagster runs the example's Python assets
and dbt models in-process into Iceberg (a pyiceberg SQL catalog on sqlite), pyiceberg reads the
tables back, the example's schedule and file sensor are evaluated with Dagster's own contexts.
Everything runs in a temporary copy of the repository's example and platforms.
"""

from __future__ import annotations

import ast
import json
import os
import runpy
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support.example import EXAMPLE, built_example

VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example and platforms copied and built for the local environment (cwd = the copy)."""
    return built_example(tmp_path_factory.mktemp("iceberg-work"))


@pytest.fixture(scope="module")
def environment(workspace: Path) -> Any:
    """The process environment Dagster and dbt run in: no telemetry, dbt beside sys.executable."""
    saved = dict(os.environ)
    home = workspace / "dagster-home"
    home.mkdir()
    shutil.copy(workspace / "target" / "local" / "dagster" / "dagster.yaml", home)
    os.environ.update(DAGSTER_HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    os.environ["PATH"] = os.pathsep.join(
        p for p in saved.get("PATH", "").split(os.pathsep) if Path(p) != VENV_BIN
    )
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def defs(workspace: Path, environment: None) -> Any:
    from floec.runtime.iceberg import IcebergTables

    IcebergTables.forget()
    return runpy.run_path(str(workspace / "target/local/dagster/definitions.py"))["defs"]


def _pyiceberg(workspace: Path) -> Any:
    """The local catalog opened with pyiceberg alone (not through floec)."""
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog(
        "default",
        uri=f"sqlite:///{workspace / 'target/local/catalog.db'}",
        warehouse=(workspace / "target/local/warehouse").as_uri(),
    )


# -- the definitions ------------------------------------------------------------------------------


@pytest.mark.slow
def test_definitions_join_python_assets_and_dbt_models(defs) -> None:
    import dagster as dg

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"raw_customers", "raw_orders", "stg_customers", "stg_orders", "customer_orders"}
    # The dbt sources that read the bronze tables are the Python assets that write them.
    upstream = {k.to_user_string() for k in graph.get(dg.AssetKey("stg_orders")).parent_keys}
    assert upstream == {"raw_orders"}
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups == {
        "raw_customers": "bronze",
        "raw_orders": "bronze",
        "stg_customers": "silver",
        "stg_orders": "silver",
        "customer_orders": "gold",
    }
    assert set(defs.resources) >= {"catalog", "dbt", "floe"}


@pytest.mark.slow
def test_jobs_schedules_and_sensors_come_from_floe_yaml(defs) -> None:
    import dagster as dg

    def selected(job: str) -> set[str]:
        return {
            k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys
        }

    assert selected("bronze") == {"raw_customers", "raw_orders"}
    assert selected("silver") == {"stg_customers", "stg_orders"}
    assert selected("gold") == {"customer_orders"}
    assert len(selected("refresh")) == 5
    schedule = defs.resolve_schedule_def("nightly")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    assert schedule.job_name == "refresh"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    tick = schedule.evaluate_tick(
        dg.build_schedule_context(
            scheduled_execution_time=datetime(2026, 1, 2, 2, tzinfo=timezone.utc)
        )
    )
    assert len(tick.run_requests or []) == 1
    sensor = defs.resolve_sensor_def("incoming_orders")
    assert sensor.job_name == "bronze" and sensor.minimum_interval_seconds == 30


@pytest.mark.slow
def test_the_file_sensor_fires_when_its_file_appears_and_not_before(defs, workspace) -> None:
    import dagster as dg

    incoming = workspace / EXAMPLE / "data" / "incoming"
    sensor = defs.resolve_sensor_def("incoming_orders")
    (incoming / "notes.txt").write_text("not an order file")
    first = sensor.evaluate_tick(dg.build_sensor_context(cursor=None))
    assert first.run_requests == [] and "no new file" in (first.skip_message or "")
    (incoming / "orders-2024-08.csv").write_text("order_id\n1\n")
    second = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert [r.tags.get("floe/file") for r in second.run_requests or []] == ["orders-2024-08.csv"]
    third = sensor.evaluate_tick(dg.build_sensor_context(cursor=second.cursor))
    assert third.run_requests == []  # seen already
    (incoming / "orders-2024-08.csv").unlink()
    (incoming / "notes.txt").unlink()


# -- running the example --------------------------------------------------------------------------


def _snapshots(catalog: Any, name: str) -> int:
    return len(catalog.load_table(name).snapshots())


@pytest.mark.slow
def test_the_example_materialises_into_iceberg_and_reruns_as_declared(defs, workspace) -> None:
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(instance=instance)
    assert result.success
    catalog = _pyiceberg(workspace)
    tables = {".".join(t) for ns in catalog.list_namespaces() for t in catalog.list_tables(ns)}
    assert tables == {
        "bronze.raw_customers",
        "bronze.raw_orders",
        "silver.stg_customers",
        "silver.stg_orders",
        "gold.customer_orders",
    }
    rows = {t: catalog.load_table(t).scan().to_arrow().num_rows for t in tables}
    assert rows == {
        "bronze.raw_customers": 10,
        "bronze.raw_orders": 11,
        "silver.stg_customers": 10,
        "silver.stg_orders": 11,
        "gold.customer_orders": 10,
    }
    gold = catalog.load_table("gold.customer_orders")
    schema = gold.schema()
    assert [f.name for f in schema.fields][:3] == ["customer_id", "full_name", "email"]
    assert all(not f.required for f in schema.fields)  # written nullable
    ada = next(r for r in gold.scan().to_arrow().to_pylist() if r["customer_id"] == 1)
    assert (ada["order_count"], float(ada["lifetime_value"])) == (2, 195.5)
    orders = catalog.load_table("bronze.raw_orders").scan().to_arrow()
    assert set(orders.column("source_file").to_pylist()) == {"orders.csv"}
    before = {t: _snapshots(catalog, t) for t in tables}
    assert not (workspace / EXAMPLE / "dbt" / "target").exists()  # no leftovers in the project
    assert (workspace / "target/local/dbt-external/stg_orders.parquet").is_file()

    # A second run: customers are overwritten, orders appended from the new file only.
    (workspace / EXAMPLE / "data" / "incoming" / "orders-2024-09.csv").write_text(
        "order_id,customer_id,order_date,status,amount\n"
        "112,2,2024-09-01,completed,10.00\n113,2,2024-09-02,completed,20.00\n"
    )
    with DagsterInstance.get() as instance:
        again = defs.resolve_job_def("refresh").execute_in_process(instance=instance)
    assert again.success
    catalog = _pyiceberg(workspace)
    after = {t: _snapshots(catalog, t) for t in tables}
    assert after["bronze.raw_orders"] == before["bronze.raw_orders"] + 1  # one append
    assert after["bronze.raw_customers"] > before["bronze.raw_customers"]  # an overwrite
    assert catalog.load_table("bronze.raw_customers").scan().to_arrow().num_rows == 10
    assert catalog.load_table("bronze.raw_orders").scan().to_arrow().num_rows == 13
    assert catalog.load_table("silver.stg_orders").scan().to_arrow().num_rows == 13
    assert catalog.load_table("gold.customer_orders").scan().to_arrow().num_rows == 10
    # Dagster recorded the Iceberg tables on the Python assets' materialisations.
    events = {e.asset_key.to_user_string(): e for e in again.get_asset_materialization_events()}
    metadata = events["raw_orders"].materialization.metadata
    assert metadata["raw_orders/rows"].value == 13
    assert metadata["raw_orders/table"].value == "bronze.raw_orders"


# -- other pipelines: ops jobs, custom sensors, failures, load errors ------------------------------


CODE = """
from pathlib import Path

import pyarrow as pa

from floec.runtime import Catalog, floe_asset


def greet(context, catalog: Catalog, path: str, greeting: str) -> None:
    Path(path).write_text(f"{greeting} from {catalog.namespace()}")


def always(context, answer: bool) -> bool:
    return answer


@floe_asset(layer="silver", outputs=["events"], group_name="silver")
def events(catalog: Catalog) -> None:
    catalog.write("events", pa.table({"id": [1, 2], "kind": ["a", "b"]}))


@floe_asset(layer="silver", deps=[events], group_name="silver")
def corrupt(catalog: Catalog) -> None:
    raise ValueError("the source file is corrupt at row 7")


@floe_asset(layer="silver", deps=[events], group_name="silver")
def clash(catalog: Catalog) -> None:
    # A new column and an incompatible type for an old one, in one write.
    catalog.write("events", pa.table({"id": ["x"], "extra": [1.5]}))
"""


def _alternative(workspace: Path, name: str, orchestration: dict[str, Any]) -> Path:
    """Artifacts of the same pipeline with another orchestration block and no dbt transform
    (target/<name>/), with the test's code as examples/customer-analytics/assets/extra.py."""
    (workspace / EXAMPLE / "assets" / "extra.py").write_text(CODE)
    directory = workspace / "target" / name
    directory.mkdir(parents=True, exist_ok=True)
    document = json.loads((workspace / "target/local/compiled_artifacts.json").read_text())
    document["transforms"] = []
    document["orchestration"] = orchestration
    path = directory / "compiled_artifacts.json"
    path.write_text(json.dumps(document))
    return path


def _orchestration(**changes: Any) -> dict[str, Any]:
    """An `orchestration` block as the artifacts hold it (defaults filled), with changes."""
    base: dict[str, Any] = {
        "asset_modules": [],
        "dbt": None,
        "partitions": {},
        "assets": {},
        "jobs": {},
        "schedules": {},
        "sensors": {},
        "backfills": {},
    }
    return {**base, **changes}


@pytest.mark.slow
def test_an_ops_job_runs_its_target_function_with_its_args(workspace, environment, tmp_path):
    from dagster import DagsterInstance

    from floec.runtime import FloeDefinitions

    out = tmp_path / "greeting.txt"
    job = {
        "type": "ops",
        "target_function": "assets.extra.greet",
        "args": {"path": str(out), "greeting": "hello"},
        "description": None,
        "tags": {"team": "analytics"},
    }
    sensor = {
        "type": "custom",
        "job": "greet",
        "target_function": "assets.extra.always",
        "args": {"answer": True},
        "poll_interval_seconds": 60,
        "description": None,
    }
    path = _alternative(
        workspace, "ops", _orchestration(jobs={"greet": job}, sensors={"go": sensor})
    )
    defs = FloeDefinitions.from_compiled_artifacts(path)
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("greet").execute_in_process(instance=instance)
    assert result.success
    assert out.read_text() == "hello from analytics"
    assert defs.resolve_job_def("greet").tags["team"] == "analytics"

    import dagster as dg

    tick = defs.resolve_sensor_def("go").evaluate_tick(dg.build_sensor_context())
    assert len(tick.run_requests or []) == 1


@pytest.mark.slow
def test_a_failing_asset_fails_the_run_and_a_failed_write_commits_nothing(workspace, environment):
    from dagster import DagsterInstance
    from pyiceberg.catalog.sql import SqlCatalog

    from floec.runtime import FloeDefinitions

    jobs = {
        "events": {"type": "batch", "selection": ["events"], "description": None, "tags": None},
        "corrupt": {"type": "batch", "selection": ["corrupt"], "description": None, "tags": None},
        "clash": {"type": "batch", "selection": ["clash"], "description": None, "tags": None},
    }
    path = _alternative(
        workspace, "failing", _orchestration(asset_modules=["assets/extra.py"], jobs=jobs)
    )
    defs = FloeDefinitions.from_compiled_artifacts(path)
    with DagsterInstance.ephemeral() as instance:
        assert defs.resolve_job_def("events").execute_in_process(instance=instance).success
        corrupt = defs.resolve_job_def("corrupt").execute_in_process(
            instance=instance, raise_on_error=False
        )
        catalog = SqlCatalog(
            "default",
            uri=f"sqlite:///{workspace / 'target/local/catalog.db'}",
            warehouse=(workspace / "target/local/warehouse").as_uri(),
        )
        table = catalog.load_table("silver.events")
        snapshots, schema = len(table.snapshots()), table.schema()
        clash = defs.resolve_job_def("clash").execute_in_process(
            instance=instance, raise_on_error=False
        )
    assert not corrupt.success
    [failure] = [e for e in corrupt.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "the source file is corrupt at row 7" in str(failure.step_failure_data.error)
    assert not clash.success
    table = catalog.load_table("silver.events")
    assert len(table.snapshots()) == snapshots  # no commit
    assert table.schema() == schema  # not even the new column
    assert table.scan().to_arrow().num_rows == 2


@pytest.mark.parametrize(
    ("orchestration", "message"),
    [
        (
            {"asset_modules": ["assets.missing"]},
            r"floe\.yaml:\d+: orchestration\.asset_modules\[0\]: cannot import 'assets\.missing'",
        ),
        (
            {
                "jobs": {
                    "greet": {
                        "type": "ops",
                        "target_function": "assets.extra.nope",
                        "args": None,
                        "description": None,
                        "tags": None,
                    }
                }
            },
            r"floe\.yaml:\d+: orchestration\.jobs\.greet\.target_function: "
            r"'assets\.extra' has no function 'nope'",
        ),
    ],
)
def test_wrong_code_fails_at_load_naming_the_floe_yaml_line(
    workspace, environment, orchestration, message
) -> None:
    from floec.runtime import FloeDefinitions
    from floec.runtime.orchestration import LoadError

    floe = workspace / EXAMPLE / "floe.yaml"
    original = floe.read_text()
    # The runtime searches floe.yaml's text for the entry: give it one.
    entry = orchestration.get("asset_modules", ["assets.extra.nope"])[0]
    floe.write_text(original + f"\n# orchestration (runtime test)\n#   - {entry}\nx: {entry}\n")
    try:
        path = _alternative(workspace, "broken", _orchestration(**orchestration))
        with pytest.raises(LoadError, match=message) as raised:
            FloeDefinitions.from_compiled_artifacts(path)
        line = int(str(raised.value).split("floe.yaml:")[1].split(":")[0])
        assert entry in floe.read_text().splitlines()[line - 1]
    finally:
        floe.write_text(original)


# -- the example's code ---------------------------------------------------------------------------


def test_the_example_asset_code_imports_no_infrastructure() -> None:
    """Data engineers' code holds transformation logic only: no catalog, telemetry, lineage
    or configuration library."""
    files = sorted((ROOT / EXAMPLE / "assets").glob("*.py"))
    assert files
    imported: set[str] = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert imported & {"pyiceberg", "opentelemetry", "openlineage", "yaml", "dagster"} == set()
    assert "floec" in imported


@pytest.mark.slow
def test_asset_configs_partitions_and_the_other_sensors(workspace, environment) -> None:
    import dagster as dg

    from floec.runtime import FloeDefinitions

    batch = {"type": "batch", "description": None, "tags": None}
    orchestration = _orchestration(
        asset_modules=["assets.extra"],
        partitions={
            "daily": {
                "type": "time_window",
                "start": "2024-01-01",
                "cron_schedule": "0 0 * * *",
                "timezone": "UTC",
                "end": None,
                "fmt": None,
            },
            "region": {"type": "static", "partition_keys": ["eu", "us"]},
        },
        assets={
            "ev*": {
                "partitions": "daily",
                "automation_condition": "eager",
                "backfill_policy": "eager",
                "compute_kind": "pandas",
                "group_name": "events_group",
            }
        },
        jobs={"events": {**batch, "selection": ["events"]}, "all": {**batch, "selection": ["*"]}},
        sensors={
            "after_events": {
                "type": "asset_sensor",
                "job": "all",
                "watched_assets": ["events"],
                "poll_interval_seconds": 45,
                "description": None,
            },
            "after_failure": {
                "type": "run_status",
                "job": "all",
                "watched_jobs": ["events"],
                "status": "FAILURE",
                "poll_interval_seconds": 30,
                "description": None,
            },
        },
    )
    defs = FloeDefinitions.from_compiled_artifacts(
        _alternative(workspace, "configs", orchestration)
    )
    graph = defs.resolve_asset_graph()
    events = graph.get(dg.AssetKey("events"))
    assert events.group_name == "events_group"
    assert isinstance(events.partitions_def, dg.TimeWindowPartitionsDefinition)
    assert events.partitions_def.start.date().isoformat() == "2024-01-01"
    assert events.automation_condition is not None
    assert "pandas" in events.kinds
    assert graph.get(dg.AssetKey("corrupt")).group_name == "silver"  # no pattern matched
    watch = defs.resolve_sensor_def("after_events")
    assert isinstance(watch, dg.MultiAssetSensorDefinition)
    assert watch.minimum_interval_seconds == 45
    failure = defs.resolve_sensor_def("after_failure")
    assert isinstance(failure, dg.RunStatusSensorDefinition)


def test_pandas_data_with_nanosecond_timestamps_is_written(workspace, environment) -> None:
    import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs

    from floec.runtime import Catalog

    catalog = Catalog(artifacts_path=str(workspace / "target/local/compiled_artifacts.json"))
    frame = pd.DataFrame(
        {"at": pd.to_datetime(["2024-01-01 10:00:00.123456789"]), "n": [1]}
    )  # datetime64[ns]
    catalog.write("moments", frame, layer="silver", mode="overwrite")
    catalog.write("moments", {"n": [2], "note": ["new column"]}, layer="silver")
    table = catalog.read("moments", layer="silver").sort_by("n")
    assert str(table.schema.field("at").type) == "timestamp[us]"
    assert table.column("at")[0].as_py().isoformat() == "2024-01-01T10:00:00.123456"
    assert table.column("note").to_pylist() == [None, "new column"]
    assert catalog.namespace("silver") == "silver" and catalog.exists("moments", layer="silver")

"""floe.yaml's `orchestration` block as Dagster objects: asset modules, partitions, jobs,
schedules and sensors.

Module paths (`asset_modules`, and the module part of a `target_function`) are dotted names
imported with the pipeline's directory first on `sys.path` (`assets.bronze` is
`<pipeline>/assets/bronze.py`); a relative `.py` path (`assets/bronze.py`) is accepted too. A
module that cannot be imported, or a function that is not in it, fails at load time with a
`LoadError` that names floe.yaml's line holding the entry (found by searching floe.yaml's text,
the only thing the runtime reads from it) and the entry's key path.
"""

import fnmatch
import importlib
import importlib.util
import inspect
import json
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from floec.runtime.artifacts import CompiledPipeline
from floec.runtime.assets import FloeAsset

RUN_STATUS = {
    "SUCCESS": dg.DagsterRunStatus.SUCCESS,
    "FAILURE": dg.DagsterRunStatus.FAILURE,
    "STARTED": dg.DagsterRunStatus.STARTED,
}


class LoadError(ImportError):
    """An orchestration entry that names code which is not there."""


def where(compiled: CompiledPipeline, key_path: str, needle: str) -> str:
    """`floe.yaml:LINE` of the first line holding `needle` (else floe.yaml alone), and the key."""
    floe = compiled.project_dir / str(compiled.document["pipeline"]["path"])
    try:
        lines = floe.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    shown = floe.relative_to(compiled.root) if floe.is_relative_to(compiled.root) else floe
    for number, line in enumerate(lines, start=1):
        if needle in line.split("#", 1)[0]:
            return f"{shown}:{number}: {key_path}"
    return f"{shown}: {key_path}"


# -- importing the pipeline's code ----------------------------------------------------------------


def import_module(compiled: CompiledPipeline, spelling: str, key_path: str) -> Any:
    directory = compiled.project_dir.resolve()
    importlib.invalidate_caches()  # a module written since the last import is found too
    try:
        if spelling.endswith(".py"):
            return _import_file(directory, spelling)
        _on_path(directory)
        _forget_foreign(spelling, directory)
        return importlib.import_module(spelling)
    except Exception as error:
        raise LoadError(
            f"{where(compiled, key_path, spelling)}: cannot import {spelling!r} from {directory}: "
            f"{type(error).__name__}: {error}"
        ) from error


def _import_file(directory: Path, relative: str) -> Any:
    path = (directory / relative).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    name = "floe_assets_" + "_".join(Path(relative).with_suffix("").parts)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _on_path(directory: Path) -> None:
    if str(directory) in sys.path:
        sys.path.remove(str(directory))
    sys.path.insert(0, str(directory))


def _forget_foreign(dotted: str, directory: Path) -> None:
    """Another pipeline's package of the same name (`assets`) imported earlier in this process
    would shadow this one's: drop it so that this pipeline's is imported."""
    top = dotted.split(".")[0]
    module = sys.modules.get(top)
    origin = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), None)
    if module is None or origin is None or Path(origin).resolve().is_relative_to(directory):
        return
    for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
        del sys.modules[name]


def target_function(compiled: CompiledPipeline, dotted: str, key_path: str) -> Callable[..., Any]:
    module_name, _, function = dotted.rpartition(".")
    module = import_module(compiled, module_name, key_path)
    found = getattr(module, function, None)
    if not callable(found):
        raise LoadError(
            f"{where(compiled, key_path, dotted)}: {module_name!r} has no function {function!r}"
        )
    return found  # type: ignore[no-any-return]


def asset_modules(compiled: CompiledPipeline, orchestration: Mapping[str, Any]) -> list[Any]:
    """The @floe_assets (and plain Dagster assets) of every asset module, in order."""
    found: list[Any] = []
    for index, spelling in enumerate(orchestration.get("asset_modules") or []):
        module = import_module(compiled, spelling, f"orchestration.asset_modules[{index}]")
        for value in vars(module).values():
            if isinstance(value, (FloeAsset, dg.AssetsDefinition)) and value not in found:
                found.append(value)
    return found


# -- partitions -----------------------------------------------------------------------------------


def partitions(orchestration: Mapping[str, Any]) -> dict[str, dg.PartitionsDefinition[Any]]:
    return {
        name: _partition(name, spec)
        for name, spec in (orchestration.get("partitions") or {}).items()
    }


def _partition(name: str, spec: Mapping[str, Any]) -> dg.PartitionsDefinition[Any]:
    kind = spec.get("type")
    if kind == "time_window":
        return dg.TimeWindowPartitionsDefinition(
            start=spec["start"],
            end=spec.get("end"),
            cron_schedule=spec["cron_schedule"],
            timezone=spec.get("timezone") or "UTC",
            fmt=spec.get("fmt") or "%Y-%m-%d",
        )
    if kind == "static":
        return dg.StaticPartitionsDefinition(list(spec["partition_keys"]))
    if kind == "multi":
        return dg.MultiPartitionsDefinition(
            {key: _partition(key, inner) for key, inner in spec["partitions"].items()}
        )
    return dg.DynamicPartitionsDefinition(name=name)


# -- jobs -----------------------------------------------------------------------------------------


def selection(strings: list[str]) -> dg.AssetSelection:
    """floe.yaml's `selection` (Dagster's asset selection syntax, `*` for all), unioned."""
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the syntax's parser warns that it is in beta
        for text in strings:
            parts.append(
                dg.AssetSelection.all()
                if text.strip() == "*"
                else dg.AssetSelection.from_string(text)
            )
    out = parts[0]
    for part in parts[1:]:
        out = out | part
    return out


def jobs(compiled: CompiledPipeline, orchestration: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = []
    for name, spec in (orchestration.get("jobs") or {}).items():
        tags = {k: str(v) for k, v in (spec.get("tags") or {}).items()}
        if spec.get("type", "batch") == "batch":
            out.append(
                dg.define_asset_job(
                    name,
                    selection=selection(list(spec["selection"])),
                    description=spec.get("description"),
                    tags=tags or None,
                )
            )
        else:
            function = target_function(
                compiled, spec["target_function"], f"orchestration.jobs.{name}.target_function"
            )
            out.append(_ops_job(name, function, dict(spec.get("args") or {}), spec, tags))
    return out


def _ops_job(
    name: str,
    function: Callable[..., Any],
    args: dict[str, Any],
    spec: Mapping[str, Any],
    tags: dict[str, str],
) -> dg.JobDefinition:
    wants = inspect.signature(function).parameters
    keys = {"catalog"} if "catalog" in wants else set()

    @dg.op(name=f"{name}_op", required_resource_keys=keys)
    def run(context: dg.OpExecutionContext) -> Any:
        extra: dict[str, Any] = {}
        if "context" in wants:
            extra["context"] = context
        if "catalog" in wants:
            extra["catalog"] = context.resources.catalog
        return function(**extra, **args)

    @dg.job(name=name, description=spec.get("description"), tags=tags or None)
    def job() -> None:
        run()

    return job


# -- schedules and sensors ------------------------------------------------------------------------


def schedules(orchestration: Mapping[str, Any], jobs_by_name: Mapping[str, Any]) -> list[Any]:
    out = []
    for name, spec in (orchestration.get("schedules") or {}).items():
        job = _job(jobs_by_name, spec["job"], f"orchestration.schedules.{name}.job")
        status = (
            dg.DefaultScheduleStatus.RUNNING
            if spec.get("enabled", True)
            else dg.DefaultScheduleStatus.STOPPED
        )
        out.append(
            dg.ScheduleDefinition(
                name=name,
                job=job,
                cron_schedule=spec["cron_schedule"],
                execution_timezone=spec.get("timezone") or "UTC",
                default_status=status,
                description=spec.get("description"),
            )
        )
    return out


def _job(jobs_by_name: Mapping[str, Any], name: str, key_path: str) -> Any:
    if name not in jobs_by_name:
        known = ", ".join(sorted(jobs_by_name)) or "none"
        raise LoadError(f"{key_path}: no job {name!r} in orchestration.jobs (jobs: {known})")
    return jobs_by_name[name]


def sensors(
    compiled: CompiledPipeline, orchestration: Mapping[str, Any], jobs_by_name: Mapping[str, Any]
) -> list[Any]:
    out = []
    for name, spec in (orchestration.get("sensors") or {}).items():
        key_path = f"orchestration.sensors.{name}"
        job = _job(jobs_by_name, spec["job"], f"{key_path}.job")
        interval = int(spec.get("poll_interval_seconds") or 30)
        kind = spec.get("type")
        description = spec.get("description")
        if kind == "file_watcher":
            directory = compiled.project_dir / str(spec["path"])
            out.append(
                file_sensor(name, job, directory, spec.get("pattern") or "*", interval, description)
            )
        elif kind == "asset_sensor":
            keys = [dg.AssetKey.from_user_string(k) for k in spec["watched_assets"]]
            out.append(_asset_sensor(name, job, keys, interval, description))
        elif kind == "run_status":
            watched = [
                _job(jobs_by_name, j, f"{key_path}.watched_jobs") for j in spec["watched_jobs"]
            ]
            out.append(
                dg.run_status_sensor(
                    run_status=RUN_STATUS[spec["status"]],
                    name=name,
                    monitored_jobs=watched,
                    request_job=job,
                    minimum_interval_seconds=interval,
                    description=description,
                )(_request_after_run)
            )
        else:
            function = target_function(
                compiled, spec["target_function"], f"{key_path}.target_function"
            )
            out.append(
                _custom_sensor(
                    name, job, function, dict(spec.get("args") or {}), interval, description
                )
            )
    return out


def _request_after_run(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=context.dagster_run.run_id)


def file_sensor(
    name: str, job: Any, directory: Path, pattern: str, interval: int, description: str | None
) -> dg.SensorDefinition:
    """A run for each new or changed file matching `pattern` in `directory` (the cursor keeps
    what was seen: file name → modification time in nanoseconds)."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=interval, description=description)
    def watch(context: dg.SensorEvaluationContext) -> Iterator[Any]:
        seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        current = {
            p.name: p.stat().st_mtime_ns
            for p in sorted(directory.glob("*"))
            if p.is_file() and fnmatch.fnmatchcase(p.name, pattern)
        }
        new = [f for f, mtime in current.items() if seen.get(f) != mtime]
        if not new:
            yield dg.SkipReason(f"no new file matching {pattern!r} in {directory}")
            return
        for file in new:
            yield dg.RunRequest(run_key=f"{file}:{current[file]}", tags={"floe/file": file})
        context.update_cursor(json.dumps(current, sort_keys=True))

    return watch


def _asset_sensor(
    name: str, job: Any, keys: list[dg.AssetKey], interval: int, description: str | None
) -> dg.SensorDefinition:
    @dg.multi_asset_sensor(
        name=name,
        monitored_assets=keys,
        job=job,
        minimum_interval_seconds=interval,
        description=description,
    )
    def watch(context: dg.MultiAssetSensorEvaluationContext) -> Iterator[Any]:
        events = context.latest_materialization_records_by_key()
        fresh = {k: e for k, e in events.items() if e is not None}
        if not fresh:
            yield dg.SkipReason("no new materialisation of the watched assets")
            return
        run_key = ",".join(f"{k.to_user_string()}@{e.storage_id}" for k, e in sorted(fresh.items()))
        context.advance_cursor(fresh)
        yield dg.RunRequest(run_key=run_key)

    return watch


def _custom_sensor(
    name: str,
    job: Any,
    function: Callable[..., Any],
    args: dict[str, Any],
    interval: int,
    description: str | None,
) -> dg.SensorDefinition:
    """The target function gets the sensor context and the args; it returns what a Dagster
    sensor may (RunRequest, SkipReason, a list of them) or a bool (True: one run)."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=interval, description=description)
    def watch(context: dg.SensorEvaluationContext) -> Any:
        result = function(context, **args)
        if result is True:
            return dg.RunRequest()
        if result is False or result is None:
            return dg.SkipReason(f"{function.__name__} requested no run")
        return result

    return watch

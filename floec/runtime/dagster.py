"""The Dagster side of the runtime: `FloeDefinitions.from_compiled_artifacts(path)`.

The generated `target/<env>/dagster/definitions.py` is one call to it, so nothing
environment-specific is in generated code: everything comes from the compiled artifacts.

- each dbt transform becomes `@dbt_assets` (dagster-dbt) over a `DbtProject` that uses the
  generated `profiles.yml` of that environment and its target; the manifest is prepared at load
  time with `dbt parse`, into `target/<env>/dagster/dbt-target/` (not into the dbt project);
- each dbt model's group is its layer (the model's `meta.layer`, else a tag or its schema that
  names one of the platform's layers); a dbt source read from Iceberg (`meta.plugin: floe` or
  `iceberg`) whose table a `@floe_asset` lists in `outputs` is that asset (the lineage graph joins
  the Python assets and the dbt models);
- the `@floe_asset`s of `orchestration.asset_modules`, with `orchestration.assets` configs and
  partitions applied; the jobs, schedules and sensors of `orchestration`
  (floec.runtime.orchestration);
- resources: `catalog` (`Catalog`, the Iceberg tables), `dbt` (a `DbtCliResource` per transform:
  `dbt`, `dbt_1`, ...) and `floe` (`FloeResource`: the artifacts, their profiles and secrets,
  resolved at run time);
- the in-process executor (a dbt project runs as one op; separate processes only cost time);
- one job named after the pipeline that materialises every asset, besides floe.yaml's jobs.

dbt runs from the venv of this Python (`dbt_executable`), so PATH does not matter, and never
sends anonymous usage statistics. Secrets that dbt reads are checked before dbt starts.
"""

# No `from __future__ import annotations`: Dagster inspects the asset function's annotations.
import fnmatch
import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging.version import Version

from floec.runtime import orchestration as orch
from floec.runtime.artifacts import CompiledPipeline, DbtTransform, dagster_name
from floec.runtime.assets import AUTOMATION, FloeAsset
from floec.runtime.resources import Catalog
from floec.runtime.secrets import SecretValue
from floec.runtime.telemetry_dagster import observed_dbt

NO_TRACKING = ["--no-send-anonymous-usage-stats"]


def dbt_executable() -> str:
    """dbt beside this Python (the venv's bin/), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("dbt") or "dbt"


class FloeResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The compiled pipeline at run time: its profiles and secrets (resolved when asked for)."""

    artifacts_path: str

    def _compiled(self) -> CompiledPipeline:
        return CompiledPipeline.load(self.artifacts_path)

    def profile(self, field: str) -> dict[str, Any]:
        """The `catalog`, `storage` or `compute` profile, each secret resolved to a SecretValue."""
        compiled = self._compiled()
        resolved = compiled.resolve(compiled.document["profiles"][field])
        assert isinstance(resolved, dict)
        return resolved

    def secret(self, name: str, key: str | None = None) -> SecretValue:
        return self._compiled().secret(name, key)


class FloeDefinitions:
    """Builds the Dagster `Definitions` of a compiled pipeline."""

    @staticmethod
    def from_compiled_artifacts(
        path: str | os.PathLike[str], *, root: str | None = None
    ) -> dg.Definitions:
        """The definitions of `target/<env>/compiled_artifacts.json`: its dbt models as assets,
        the resources it describes, the in-process executor. `root` is the workspace root (found
        from the artifacts' location otherwise; see floec.runtime.artifacts)."""
        compiled = CompiledPipeline.load(path, root)
        config: Mapping[str, Any] = compiled.document.get("orchestration") or {}
        partitions = orch.partitions(config)
        python_assets = orch.asset_modules(compiled, config)
        floe_assets = [a for a in python_assets if isinstance(a, FloeAsset)]
        assets: list[Any] = [
            a.to_dagster(config.get("assets"), partitions) if isinstance(a, FloeAsset) else a
            for a in python_assets
        ]
        resources: dict[str, Any] = {
            "floe": FloeResource(artifacts_path=str(compiled.path)),
            "catalog": Catalog(artifacts_path=str(compiled.path)),
        }
        translator = FloeTranslator(compiled, floe_assets, config.get("assets") or {})
        for index, transform in enumerate(compiled.dbt_transforms()):
            key = "dbt" if index == 0 else f"dbt_{index}"
            project = _prepared_project(compiled, transform)
            resources[key] = _resource(project)
            assets.append(_assets(compiled, transform, project, key, translator))
        everything = dg.define_asset_job(
            dagster_name(compiled.pipeline_name), selection=dg.AssetSelection.all()
        )
        jobs = orch.jobs(compiled, config)
        by_name = {job.name: job for job in [everything, *jobs]}
        return dg.Definitions(
            assets=assets,
            resources=resources,
            jobs=list(by_name.values()),
            schedules=orch.schedules(config, by_name),
            sensors=orch.sensors(compiled, config, by_name),
            executor=dg.in_process_executor,
        )


class FloeTranslator(DagsterDbtTranslator):
    """dbt models grouped by layer; Iceberg sources that a `@floe_asset` writes are that asset;
    floe.yaml's `orchestration.assets` group and automation apply to models by name or glob."""

    def __init__(
        self,
        compiled: CompiledPipeline,
        floe_assets: list[FloeAsset],
        configs: Mapping[str, Mapping[str, Any]],
    ) -> None:
        super().__init__()
        self.layers = dict(compiled.document.get("layers") or {})
        self.namespaces = {str(v["namespace"]): k for k, v in self.layers.items()}
        self.producers = {table: a.key for a in floe_assets for table in a.outputs}
        self.configs = configs

    def _config(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pattern, config in self.configs.items():
            if pattern == name or fnmatch.fnmatchcase(name, pattern):
                out.update({k: v for k, v in config.items() if v is not None})
        return out

    def layer(self, props: Mapping[str, Any]) -> str | None:
        meta = {**(props.get("meta") or {}), **((props.get("config") or {}).get("meta") or {})}
        if meta.get("layer"):
            return str(meta["layer"])
        for tag in props.get("tags") or []:
            if tag in self.layers:
                return str(tag)
        schema = str(props.get("schema") or "")
        for candidate in (schema, schema.rsplit("_", 1)[-1]):
            if candidate in self.layers:
                return candidate
            if candidate in self.namespaces:
                return str(self.namespaces[candidate])
        return None

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props.get("resource_type") == "source":
            meta = dbt_resource_props.get("meta") or {}
            table = str(meta.get("iceberg_table") or dbt_resource_props.get("name"))
            table = table.rsplit(".", 1)[-1]
            if meta.get("plugin") in ("floe", "iceberg") and table in self.producers:
                return self.producers[table]
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        name = str(dbt_resource_props.get("name"))
        configured = self._config(name).get("group_name")
        if configured:
            return str(configured)
        return self.layer(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> Any:
        condition = self._config(str(dbt_resource_props.get("name"))).get("automation_condition")
        if condition in AUTOMATION:
            return AUTOMATION[condition]()
        return super().get_automation_condition(dbt_resource_props)


class FloeDbtCliResource(DbtCliResource):
    """`DbtCliResource` that knows the version of the dbt beside this Python instead of asking
    `dbt --version` before each run (seconds, and a query of the package index)."""

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            try:
                return Version(importlib.metadata.version("dbt-core"))
            except importlib.metadata.PackageNotFoundError:
                pass
        return super()._cli_version


def _resource(project: DbtProject) -> DbtCliResource:
    return FloeDbtCliResource(
        # DbtCliResource's own __init__ takes a DbtProject; mypy sees only the pydantic field.
        project_dir=project,  # type: ignore[arg-type]
        dbt_executable=dbt_executable(),
        global_config_flags=NO_TRACKING,
    )


def _prepared_project(compiled: CompiledPipeline, transform: DbtTransform) -> DbtProject:
    """The dbt project with the generated profiles and its manifest parsed now (load time)."""
    if not (transform.profiles_dir / "profiles.yml").is_file():
        raise FileNotFoundError(
            f"no generated dbt profiles at {transform.profiles_dir / 'profiles.yml'}: "
            f"run `floec build --env {compiled.environment}` first"
        )
    project = DbtProject(
        project_dir=transform.project_dir,
        profiles_dir=transform.profiles_dir,
        target=transform.target,
        target_path=compiled.directory / "dagster" / "dbt-target" / transform.name,
    )
    if _is_fresh(project, transform):
        return project
    # Parsing connects to nothing: secrets that are not set are stood in for.
    target = str(project.target_path)
    command = [
        dbt_executable(),
        *NO_TRACKING,
        "parse",
        "--quiet",
        *("--project-dir", str(transform.project_dir)),
        *("--profiles-dir", str(transform.profiles_dir)),
        *("--target", transform.target),
        *("--target-path", target),
    ]
    with compiled.dbt_environment(transform, placeholders=True):
        environ = {**os.environ, "DBT_LOG_PATH": target, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        done = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"dbt parse of {transform.project_dir} failed (exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr).strip()}"
        )
    return project


def _is_fresh(project: DbtProject, transform: DbtTransform) -> bool:
    """Is the manifest newer than every file of the dbt project and the generated profiles?
    (A reload of unchanged definitions then skips `dbt parse`, a few seconds.)"""
    try:
        built = project.manifest_path.stat().st_mtime
    except OSError:
        return False
    skip = {"target", "dbt_packages", "logs"}
    sources = [transform.profiles_dir / "profiles.yml"]
    for directory, names, files in os.walk(transform.project_dir):
        names[:] = [n for n in names if n not in skip and not n.startswith(".")]
        sources += [Path(directory, f) for f in files]
    return all(p.stat().st_mtime < built for p in sources if p.exists())


def _assets(
    compiled: CompiledPipeline,
    transform: DbtTransform,
    project: DbtProject,
    key: str,
    translator: DagsterDbtTranslator,
) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name=transform.name,
        required_resource_keys={key},
        dagster_dbt_translator=translator,
    )
    def _build(context: AssetExecutionContext) -> Iterator[Any]:
        dbt: DbtCliResource = getattr(context.resources, key)
        runs = project.target_path / "runs" / context.run.run_id[:8]
        with (
            compiled.dbt_environment(transform),  # fails fast on a missing secret
            observed_dbt(compiled.path, context, transform.name, runs),  # spans and lineage
        ):
            yield from dbt.cli(["build"], context=context, target_path=runs).stream()

    return _build

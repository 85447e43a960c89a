"""`@floe_asset`: a data engineer's Python asset, with nothing but its transformation logic.

    @floe_asset(layer="bronze", outputs=["raw_orders"], group_name="bronze")
    def raw_orders(context, catalog: Catalog) -> None:
        catalog.write("raw_orders", table)

The decorator records the function and its arguments; `FloeDefinitions` turns it into a Dagster
asset once floe.yaml's per-asset configuration and partitions are known (`to_dagster`). Dagster's
`@asset` keyword arguments pass through; `layer` is the default layer of the injected `Catalog`,
`inputs`/`outputs` name the Iceberg tables it reads and writes (metadata, and the lineage from
dbt sources that read them). `deps` may name other `@floe_asset`s. The decorated object is still
the function when called directly (unit tests).
"""

# No `from __future__ import annotations`: Dagster inspects the compute function's annotations.
import fnmatch
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import dagster as dg

from floec.runtime.resources import Catalog
from floec.runtime.telemetry_dagster import observed_asset, record_schemas

AUTOMATION = {
    "eager": lambda: dg.AutomationCondition.eager(),
    "on_missing": lambda: dg.AutomationCondition.on_missing(),
}
BACKFILL = {
    "eager": lambda: dg.BackfillPolicy.single_run(),
    "lazy": lambda: dg.BackfillPolicy.multi_run(1),
}


@attrs.frozen
class FloeAsset:
    fn: Callable[..., Any]
    layer: str | None
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    options: Mapping[str, Any]  # Dagster's @asset keyword arguments

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    @property
    def name(self) -> str:
        return str(self.options.get("name") or self.fn.__name__)

    @property
    def key(self) -> dg.AssetKey:
        if self.options.get("key") is not None:
            return dg.AssetKey.from_coercible(self.options["key"])
        prefix = self.options.get("key_prefix") or []
        prefix = [prefix] if isinstance(prefix, str) else list(prefix)
        return dg.AssetKey([*prefix, self.name])

    def to_dagster(
        self,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
        partitions: Mapping[str, dg.PartitionsDefinition[Any]] | None = None,
    ) -> dg.AssetsDefinition:
        """The Dagster asset, with floe.yaml's `orchestration.assets` entries that match its name
        (exactly or as a glob, in order) applied over the decorator's arguments."""
        options = dict(self.options)
        options["deps"] = [
            d.key if isinstance(d, FloeAsset) else d for d in options.get("deps", [])
        ]
        for pattern, config in (configs or {}).items():
            if pattern == self.name or fnmatch.fnmatchcase(self.name, pattern):
                options.update(asset_options(config, partitions or {}))
        kinds = set(options.pop("kinds", None) or ()) | {"iceberg", "python"}
        metadata = dict(options.pop("metadata", None) or {})
        metadata.update(
            {
                "floe/layer": self.layer or "",
                "floe/inputs": ", ".join(self.inputs),
                "floe/outputs": ", ".join(self.outputs),
            }
        )
        keys = set(options.pop("required_resource_keys", None) or ()) | {"catalog"}
        options.setdefault("description", inspect.getdoc(self.fn))
        options.setdefault("name", self.name)
        asset = self
        wants = inspect.signature(self.fn).parameters

        def compute(context: dg.AssetExecutionContext) -> Any:
            catalog: Catalog = context.resources.catalog
            arguments: dict[str, Any] = {}
            if "context" in wants:
                arguments["context"] = context
            if "catalog" in wants:
                arguments["catalog"] = catalog.for_layer(asset.layer)
            # A span and lineage run around the asset (floec.runtime.observability); never fatal.
            with observed_asset(
                catalog.artifacts_path, context, asset.name, inputs=asset.inputs,
                outputs=asset.outputs, layer=asset.layer,
            ) as run:  # fmt: skip
                result = asset.fn(**arguments)
                record_schemas(run, catalog, asset.outputs, asset.layer)
            if isinstance(result, dg.MaterializeResult):
                return result
            return dg.MaterializeResult(metadata=_table_metadata(catalog, asset))

        decorate = dg.asset(kinds=kinds, metadata=metadata, required_resource_keys=keys, **options)
        built: dg.AssetsDefinition = decorate(compute)
        return built


def asset_options(
    config: Mapping[str, Any], partitions: Mapping[str, dg.PartitionsDefinition[Any]]
) -> dict[str, Any]:
    """Dagster @asset arguments from one floe.yaml AssetConfig."""
    out: dict[str, Any] = {}
    if config.get("group_name"):
        out["group_name"] = config["group_name"]
    if config.get("compute_kind"):
        out["kinds"] = {config["compute_kind"]}
    if config.get("partitions"):
        out["partitions_def"] = partitions[config["partitions"]]
    if config.get("automation_condition") in AUTOMATION:
        out["automation_condition"] = AUTOMATION[config["automation_condition"]]()
    if config.get("backfill_policy") in BACKFILL:
        out["backfill_policy"] = BACKFILL[config["backfill_policy"]]()
    return out


def _table_metadata(catalog: Catalog, asset: FloeAsset) -> dict[str, Any]:
    """Rows and snapshot of each output table, for the Dagster UI (cheap: snapshot summaries)."""
    out: dict[str, Any] = {}
    for name in asset.outputs:
        try:
            table = catalog.for_layer(asset.layer).table(name)
        except Exception:  # not written by this run (a conditional output): nothing to show
            continue
        snapshot = table.current_snapshot()
        summary = snapshot.summary.additional_properties if snapshot and snapshot.summary else {}
        out[f"{name}/table"] = ".".join(table.name())
        out[f"{name}/rows"] = int(summary.get("total-records", 0))
        out[f"{name}/snapshot_id"] = str(snapshot.snapshot_id) if snapshot else ""
    return out


def floe_asset(
    fn: Callable[..., Any] | None = None,
    *,
    layer: str | None = None,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    **options: Any,
) -> Any:
    """Declare a Python asset (see the module's documentation)."""

    def decorate(function: Callable[..., Any]) -> FloeAsset:
        return FloeAsset(function, layer, tuple(inputs), tuple(outputs), options)

    return decorate(fn) if fn is not None else decorate

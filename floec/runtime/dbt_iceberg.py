"""The dbt-duckdb plugin that keeps a pipeline's dbt models in its Iceberg catalog.

`floec build` lists it in the DuckDB profile (alias `floe`, configured with the compiled
artifacts' path), so a dbt project needs no catalog settings of its own:

- a source with `meta: {plugin: floe}` is read from Iceberg: the table named by `iceberg_table`
  (default: the source table's identifier) in the namespace of the source's `layer` (meta),
  else the namespace the source's schema names, else the pipeline's catalog namespace;
- a model with `materialized: external` and `plugin: floe` (in dbt_project.yml:
  `+materialized: external`, `+plugin: floe`) is written by dbt-duckdb to a parquet file under
  target/<env>/dbt-external/, then stored here into the Iceberg table of the model's name, in
  its layer's namespace (the model's `meta.layer`, else a tag or its schema that names a layer),
  replacing the previous contents in one commit. Columns are written nullable.

Nothing here talks to DuckDB's iceberg extension, which cannot be installed offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig, TargetConfig

from floec.runtime.iceberg import IcebergTables


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        artifacts = plugin_config.get("artifacts")
        if not artifacts:
            raise ValueError("the floe plugin needs `artifacts`: the compiled_artifacts.json path")
        self._artifacts = str(Path(str(artifacts)).resolve())
        external_root = getattr(self.creds, "external_root", None)
        if self.creds is not None and external_root and "://" not in str(external_root):
            # dbt-duckdb does not create it; and the views it makes over the files keep the path
            # as given: a relative one (`--profiles-dir target/local/dbt`) would break when dbt
            # or Dagster later runs from another directory, so it is made absolute.
            absolute = Path(str(external_root)).resolve()
            absolute.mkdir(parents=True, exist_ok=True)
            self.creds.external_root = str(absolute)

    @property
    def tables(self) -> IcebergTables:
        return IcebergTables.of(self._artifacts)

    def configure_connection(self, conn: Any) -> None:
        # dbt-duckdb creates a source's schema when a model first reads it, from several threads
        # at once, and DuckDB refuses concurrent creations of one schema: create them up front
        # (a source's schema is its name, by convention a layer's name).
        tables = self.tables
        for name in sorted({*tables.layers, *(v["namespace"] for v in tables.layers.values())}):
            conn.execute(f'create schema if not exists "{name}"')

    def load(self, source_config: SourceConfig) -> Any:
        tables = self.tables
        meta = dict(source_config.meta or {})
        layer = meta.get("layer") or _layer_of(tables, [], str(source_config.schema or ""))
        name = str(meta.get("iceberg_table") or source_config.identifier)
        return tables.read(name, layer)

    def store(self, target_config: TargetConfig) -> None:
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

        assert target_config.location is not None
        data = pq.read_table(target_config.location.path)
        if data.num_rows == 1 and all(column[0].as_py() is None for column in data.columns):
            # dbt-duckdb writes one all-null row for an empty result: store no rows instead.
            data = data.slice(0, 0)
        config = target_config.config
        meta = dict(_get(config, "meta") or {})
        tags = list(_get(config, "tags") or [])
        relation = target_config.relation
        tables = self.tables
        layer = meta.get("layer") or _layer_of(tables, tags, str(relation.schema or ""))
        tables.write(str(relation.identifier), data, mode="overwrite", layer=layer)


def _get(config: Any, key: str) -> Any:
    try:
        return config.get(key)
    except Exception:
        return None


def _layer_of(tables: IcebergTables, tags: list[str], schema: str) -> str | None:
    layers = tables.layers
    for tag in tags:
        if tag in layers:
            return tag
    for candidate in (schema, schema.rsplit("_", 1)[-1]):
        if candidate in layers:
            return candidate
        found = tables.layer_of_namespace(candidate)
        if found is not None:
            return found
    return None

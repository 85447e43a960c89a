"""Iceberg tables of a compiled pipeline, through pyiceberg (no Dagster here: the dbt plugin uses
it too).

A table name resolves through the platform's `layers` (layer → namespace, catalog profile,
storage profile) and, without layers, the catalog profile's `namespace`. The pyiceberg catalog of
a profile is built once per process and artifacts file:

- `sql` (the embedded default): `SqlCatalog` on the profile's `uri` (a relative sqlite path is
  relative to the workspace root), its warehouse the storage profile (a `local` path, or an
  object-store bucket);
- `rest`, `polaris`, `nessie` (its Iceberg REST endpoint): `RestCatalog`; OAuth2 client
  credentials come from the secret references; with `token_refresh_enabled` (the default) the
  token is fetched again before it expires (pyiceberg's `oauth2` auth manager), without it once,
  and again only when the server refuses it (pyiceberg's legacy flow);
- `glue`, `hive`: pyiceberg's own catalogs of those types (their extras must be installed).

Writes are one Iceberg transaction each (schema evolution by name and the data together): a
failure commits nothing. Columns are written nullable, nanosecond timestamps as microseconds.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from floec.runtime.artifacts import CompiledPipeline
from floec.runtime.secrets import SecretError, SecretValue

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyiceberg.catalog import Catalog as PyIcebergCatalog
    from pyiceberg.table import Table

Mode = Literal["append", "overwrite"]
MODES = ("append", "overwrite")
REST_TYPES = ("rest", "polaris", "nessie")


class CatalogError(RuntimeError):
    """The catalog could not be reached or refused us; the message never shows a secret."""


class IcebergTables:
    """The Iceberg side of one compiled pipeline (one per artifacts file and process: `of`)."""

    _shared: dict[Path, IcebergTables] = {}  # noqa: RUF012
    _lock = threading.Lock()

    def __init__(self, compiled: CompiledPipeline) -> None:
        self.compiled = compiled
        self._catalogs: dict[str, PyIcebergCatalog] = {}
        self._creating = threading.Lock()  # dbt's threads create namespaces concurrently

    @classmethod
    def of(cls, artifacts: str | os.PathLike[str]) -> IcebergTables:
        path = Path(artifacts).resolve()
        with cls._lock:
            if path not in cls._shared:
                cls._shared[path] = cls(CompiledPipeline.load(path))
            return cls._shared[path]

    @classmethod
    def forget(cls) -> None:
        """Drop the connections built so far (tests; a changed artifacts file)."""
        with cls._lock:
            cls._shared.clear()

    # -- names ------------------------------------------------------------------------------------

    @property
    def layers(self) -> Mapping[str, Mapping[str, Any]]:
        return self.compiled.document.get("layers") or {}

    def _place(self, layer: str | None) -> tuple[Mapping[str, Any], Mapping[str, Any], str]:
        """The catalog profile, storage profile and namespace of a layer (None: the pipeline's)."""
        profiles = self.compiled.document["profiles"]
        if layer is None:
            catalog = profiles["catalog"]
            return catalog, profiles["storage"], str(catalog.get("namespace") or "default")
        if layer not in self.layers:
            known = ", ".join(sorted(self.layers)) or "none: platform.yaml declares no `layers`"
            raise KeyError(f"unknown layer {layer!r} (layers: {known})")
        entry = self.layers[layer]
        return entry["catalog"], entry["storage"], str(entry["namespace"])

    def namespace(self, layer: str | None = None) -> str:
        return self._place(layer)[2]

    def identifier(self, name: str, layer: str | None = None) -> str:
        """`namespace.name`; a name that already holds a dot is taken as it is."""
        return name if "." in name else f"{self.namespace(layer)}.{name}"

    def layer_of_namespace(self, namespace: str) -> str | None:
        for name, entry in self.layers.items():
            if entry["namespace"] == namespace:
                return name
        return None

    # -- catalogs ---------------------------------------------------------------------------------

    def catalog(self, layer: str | None = None) -> PyIcebergCatalog:
        profile, storage, _ = self._place(layer)
        key = f"{profile.get('name')}|{storage.get('name')}"
        if key not in self._catalogs:
            self._catalogs[key] = connect(profile, storage, self.compiled)
        return self._catalogs[key]

    def table(self, name: str, layer: str | None = None) -> Table:
        return self.catalog(layer).load_table(self.identifier(name, layer))

    def exists(self, name: str, layer: str | None = None) -> bool:
        return bool(self.catalog(layer).table_exists(self.identifier(name, layer)))

    def read(self, name: str, layer: str | None = None) -> pa.Table:
        return self.table(name, layer).scan().to_arrow()

    def write(self, name: str, data: Any, mode: Mode = "append", layer: str | None = None) -> Table:
        """Append or overwrite `name` with pyarrow or pandas data, in one transaction; the
        namespace and the table are created on first write, new columns added by name."""
        if mode not in MODES:
            raise ValueError(f"mode must be 'append' or 'overwrite', not {mode!r}")
        arrow = as_arrow(data)
        catalog = self.catalog(layer)
        identifier = self.identifier(name, layer)
        with self._creating:
            table = _create(catalog, identifier, arrow.schema)
        with table.transaction() as transaction:
            with transaction.update_schema() as update:
                update.union_by_name(arrow.schema)
            if mode == "overwrite":
                transaction.overwrite(arrow)
            else:
                transaction.append(arrow)
        return catalog.load_table(identifier)

    def tables(self) -> list[tuple[str, Table]]:
        """Every table of every catalog this pipeline uses: (namespace.name, table), sorted."""
        seen: dict[str, Table] = {}
        for layer in [None, *self.layers]:
            catalog = self.catalog(layer)
            for namespace in catalog.list_namespaces():
                for identifier in catalog.list_tables(namespace):
                    name = ".".join(identifier)
                    if name not in seen:
                        seen[name] = catalog.load_table(identifier)
        return sorted(seen.items())


def _create(catalog: PyIcebergCatalog, identifier: str, schema: pa.Schema) -> Table:
    """The table, created with its namespace when missing; another process that creates either
    at the same moment is not an error."""
    namespace = identifier.rsplit(".", 1)[0]
    for attempt in (1, 2):
        try:
            catalog.create_namespace_if_not_exists(namespace)
            return catalog.create_table_if_not_exists(identifier, schema=schema)
        except Exception:
            if attempt == 2 or not catalog.namespace_exists(namespace):
                raise
    raise AssertionError("unreachable")


def as_arrow(data: Any) -> pa.Table:
    """pyarrow data as Iceberg takes it: every column nullable, timestamps in microseconds."""
    import pyarrow as pa

    if not isinstance(data, pa.Table):
        if type(data).__module__.startswith("pandas"):
            data = pa.Table.from_pandas(data, preserve_index=False)
        elif hasattr(data, "to_arrow"):  # a Polars frame
            data = data.to_arrow()
        else:  # a dict of columns, or anything with the Arrow C stream interface (DuckDB)
            data = pa.table(data)
    fields = []
    for field in data.schema:
        kind = field.type
        if pa.types.is_timestamp(kind) and kind.unit == "ns":
            kind = pa.timestamp("us", tz=kind.tz)
        fields.append(pa.field(field.name, kind, nullable=True))
    schema = pa.schema(fields)
    # Nanoseconds are truncated on purpose: Iceberg v2 stores microseconds.
    return data.cast(schema, safe=False) if schema != data.schema else data


# -- building pyiceberg catalogs ------------------------------------------------------------------


def connect(
    profile: Mapping[str, Any], storage: Mapping[str, Any], compiled: CompiledPipeline
) -> PyIcebergCatalog:
    kind = str(profile.get("type"))
    name = str(profile.get("name") or "default")
    properties: dict[str, str] = {
        str(k): str(v) for k, v in (profile.get("properties") or {}).items()
    }
    properties.update(_storage_properties(storage, compiled))
    if kind == "sql":
        return _sql(name, profile, properties, compiled.root)
    if kind in REST_TYPES:
        return _rest(name, profile, properties, compiled)
    if kind in ("glue", "hive"):
        from pyiceberg.catalog import load_catalog

        if profile.get("uri"):
            properties["uri"] = _plain(compiled.resolve(profile["uri"]))
        if profile.get("warehouse"):
            properties.setdefault("warehouse", str(profile["warehouse"]))
        return load_catalog(name, type=kind, **properties)
    raise CatalogError(f"catalog profile {name!r}: type {kind!r} is not supported by pyiceberg")


def _sql(
    name: str, profile: Mapping[str, Any], properties: dict[str, str], root: Path
) -> PyIcebergCatalog:
    from pyiceberg.catalog.sql import SqlCatalog

    uri = str(profile.get("uri") or "sqlite:///target/catalog.db")
    prefix = "sqlite:///"
    if uri.startswith(prefix) and not uri[len(prefix) :].startswith("/"):
        database = root / uri[len(prefix) :]
        database.parent.mkdir(parents=True, exist_ok=True)
        uri = prefix + str(database)
    properties.setdefault("warehouse", str(profile.get("warehouse") or ""))
    if not properties["warehouse"]:
        properties["warehouse"] = (root / "target" / "warehouse").as_uri()
    return SqlCatalog(name, uri=uri, **properties)


def _storage_properties(storage: Mapping[str, Any], compiled: CompiledPipeline) -> dict[str, str]:
    """FileIO properties and the warehouse location of a storage profile."""
    kind = storage.get("type")
    if kind == "local":
        # floe-runtime spells a local storage's directory `bucket`; floec `path`.
        path = compiled.root / str(
            storage.get("path") or storage.get("bucket") or "target/warehouse"
        )
        path.mkdir(parents=True, exist_ok=True)
        return {"warehouse": path.resolve().as_uri()}
    out: dict[str, str] = {}
    bucket = storage.get("bucket")
    if kind == "s3":
        if storage.get("endpoint"):
            out["s3.endpoint"] = _plain(compiled.resolve(storage["endpoint"]))
        if storage.get("region"):
            out["s3.region"] = str(storage["region"])
        if storage.get("path_style_access"):
            out["s3.path-style-access"] = "true"
        slots = ((storage.get("credentials") or {}).get("slots")) or {}
        for slot, key in (
            ("access_key_id", "s3.access-key-id"),
            ("secret_access_key", "s3.secret-access-key"),
        ):
            if slot in slots:
                out[key] = _plain(compiled.resolve(slots[slot]))
        if bucket:
            out["warehouse"] = f"s3://{bucket}"
    elif kind in ("gcs", "azure") and bucket:
        out["warehouse"] = f"{'gs' if kind == 'gcs' else 'abfs'}://{bucket}"
    return out


def _plain(value: object) -> str:
    return value.reveal() if isinstance(value, SecretValue) else str(value)


def _rest(
    name: str, profile: Mapping[str, Any], properties: dict[str, str], compiled: CompiledPipeline
) -> PyIcebergCatalog:
    from pyiceberg.catalog.rest import RestCatalog

    uri = _plain(compiled.resolve(profile["uri"])).rstrip("/")
    properties["uri"] = uri
    if profile.get("warehouse"):
        properties["warehouse"] = str(profile["warehouse"])  # the catalog's, not the bucket
    else:
        properties.pop("warehouse", None)
    if profile.get("access_delegation") not in (None, "none"):
        properties["header.X-Iceberg-Access-Delegation"] = str(profile["access_delegation"])
    credentials = profile.get("credentials") or {}
    secret_label = "the catalog credentials"
    auth: dict[str, Any] | None = None
    if credentials.get("client_secret") is not None:
        reference = credentials["client_secret"].get("secret", {})
        secret_label = _describe(reference)
        try:
            client_id = _plain(compiled.resolve(credentials.get("client_id") or ""))
            client_secret = _plain(compiled.resolve(credentials["client_secret"]))
        except SecretError as error:
            raise CatalogError(f"catalog profile {name!r}: {error}") from None
        token_url = properties.pop("oauth2-server-uri", f"{uri}/v1/oauth/tokens")
        scope = credentials.get("scope") or properties.pop("scope", None) or "PRINCIPAL_ROLE:ALL"
        if profile.get("token_refresh_enabled", True):
            margin = int(properties.pop("oauth2-refresh-margin", "60"))
            auth = {
                "type": "oauth2",
                "oauth2": {
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "token_url": token_url,
                    "scope": scope,
                    "refresh_margin": margin,
                },
            }
        else:
            properties.update(
                credential=f"{client_id}:{client_secret}",
                scope=scope,
                **{"oauth2-server-uri": token_url},
            )
    try:
        if auth is not None:
            return RestCatalog(name, auth=auth, **properties)  # type: ignore[arg-type]
        return RestCatalog(name, **properties)
    except Exception as error:
        raise CatalogError(_refusal(name, uri, error, secret_label)) from None


def _describe(reference: Mapping[str, Any]) -> str:
    name = reference.get("name", "?")
    key = reference.get("key")
    label = name if key is None else f"{name}/{key}"
    return (
        f"the secret {label!r} (environment variable {reference.get('env_var')}, "
        f"or the file {reference.get('file')} under $FLOE_SECRETS_DIR)"
    )


def _refusal(name: str, uri: str, error: Exception, secret_label: str) -> str:
    status = getattr(getattr(error, "response", None), "status_code", None)
    kind = type(error).__name__
    if status in (400, 401, 403) or kind in ("OAuthError", "UnauthorizedError", "ForbiddenError"):
        return (
            f"the Iceberg catalog {name!r} at {uri} refused its client credentials "
            f"({kind}{f', HTTP {status}' if status else ''}): check {secret_label}"
        )
    return f"cannot connect to the Iceberg catalog {name!r} at {uri} ({kind})"

"""The directories the embedded default needs before anything runs.

A local platform points at files that nothing creates: a DuckDB database (`compute.*.properties.
path`), a local warehouse directory (`storage.*.path`, or floe-runtime's `bucket` for local
storage) and a SQL catalog's sqlite file (`catalogs.*.uri: sqlite:///...`). DuckDB and sqlite
create the file but not its directory, so plain `dbt build --profiles-dir target/<env>/dbt`
fails with "Cannot open file" unless the build makes them. This module lists and creates them;
`floec build` calls it after it has written an environment's files. Only plain relative or
absolute paths count: secret references, `${...}`, `:memory:` and MotherDuck (`md:`) do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from floec.ir import LoweredPipeline

_SQLITE = "sqlite:///"


def local_directories(lowered: LoweredPipeline, root: Path) -> list[Path]:
    """The directories the environment's local files live in, resolved against `root` (the
    workspace root, against which platform.yaml's relative paths are read), sorted."""
    found: set[Path] = set()
    for profile in _profiles(lowered):
        kind = profile.get("type")
        if kind == "local":
            where = profile.get("path", profile.get("bucket"))
            if _plain(where):
                found.add(root / str(where))
        elif kind == "sql":
            uri = profile.get("uri")
            if isinstance(uri, str) and uri.startswith(_SQLITE) and _plain(uri[len(_SQLITE) :]):
                found.add((root / uri[len(_SQLITE) :]).parent)
        elif kind == "duckdb":
            properties = profile.get("properties")
            path = properties.get("path") if isinstance(properties, Mapping) else None
            if _plain(path) and str(path) != ":memory:" and not str(path).startswith("md:"):
                found.add((root / str(path)).parent)
    return sorted(Path(p) for p in {_normal(p) for p in found})


def prepare(lowered: LoweredPipeline, root: Path) -> list[Path]:
    """Create the local directories (and their parents); the ones created, for the report."""
    created = []
    for directory in local_directories(lowered, root):
        if not directory.is_dir():
            directory.mkdir(parents=True, exist_ok=True)
            created.append(directory)
    return created


def _profiles(lowered: LoweredPipeline) -> Iterable[Mapping[str, object]]:
    yield from lowered.profiles.values()
    for layer in lowered.layers.values():
        for field in ("storage", "catalog"):
            profile = layer.get(field)
            if isinstance(profile, Mapping):
                yield profile


def _plain(value: object) -> bool:
    return isinstance(value, str) and bool(value) and "${" not in value and "{{" not in value


def _normal(path: Path) -> Path:
    import os

    return Path(os.path.normpath(path))

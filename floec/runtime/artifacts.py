"""Reading `compiled_artifacts.json` at run time (core dependencies only).

Paths in the artifacts are relative: the pipeline's directory to the *workspace root* (the
directory that holds platform/, against which platform.yaml's relative paths, such as a DuckDB
file, are resolved too: docs/platform-config.md); the generated dbt profiles to the artifacts'
own directory. The root is found by walking up from the artifacts to the first directory that
holds the pipeline's floe.yaml at the recorded place, else the working directory; `root=` or
$FLOE_WORKSPACE_ROOT override both.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from floec.runtime.secrets import SecretValue, locate, resolve_reference

SUPPORTED_MAJOR = 2
ROOT_VARIABLE = "FLOE_WORKSPACE_ROOT"
# A stand-in for a secret that is missing when the dbt project is only parsed (no connection).
PARSE_PLACEHOLDER = "floec-parse-placeholder"
_DBT_ENV_VAR = re.compile(r"env_var\(\s*['\"]([A-Za-z0-9_]+)['\"]")


class ArtifactsError(ValueError):
    """compiled_artifacts.json is missing, unreadable, of an unknown version, or misplaced."""


@attrs.frozen
class DbtTransform:
    project_dir: Path  # the dbt project (holds dbt_project.yml)
    profiles_dir: Path  # the generated profiles.yml's directory
    target: str
    name: str  # a Dagster-safe name, unique in the pipeline


@attrs.frozen
class CompiledPipeline:
    path: Path  # compiled_artifacts.json, absolute
    root: Path  # the workspace root
    document: Mapping[str, Any]

    @classmethod
    def load(cls, path: str | os.PathLike[str], root: str | None = None) -> CompiledPipeline:
        artifacts = Path(path).resolve()
        try:
            document = json.loads(artifacts.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ArtifactsError(f"cannot read {artifacts}: {error}") from None
        version = str(document.get("version", "")) if isinstance(document, dict) else ""
        if version.split(".")[0] != str(SUPPORTED_MAJOR):
            raise ArtifactsError(
                f"{artifacts}: contract version {version or '(none)'} is not supported by this "
                f"runtime (it reads {SUPPORTED_MAJOR}.x); rebuild with this floec"
            )
        pipeline = document["pipeline"]
        floe = Path(pipeline["directory"]) / pipeline["path"]
        return cls(artifacts, _find_root(artifacts.parent, floe, root), document)

    @property
    def directory(self) -> Path:
        """target/<env>/: where the artifacts and the other generated files are."""
        return self.path.parent

    @property
    def pipeline_name(self) -> str:
        return str(self.document["pipeline"]["name"])

    @property
    def environment(self) -> str:
        return str(self.document["environment"]["name"])

    @property
    def project_dir(self) -> Path:
        return self.root / str(self.document["pipeline"]["directory"])

    def dbt_transforms(self) -> list[DbtTransform]:
        out = []
        for index, transform in enumerate(self.document["transforms"]):
            if transform["type"] != "dbt":
                continue
            name = dagster_name(self.pipeline_name) + ("_dbt" if index == 0 else f"_dbt_{index}")
            out.append(
                DbtTransform(
                    project_dir=(self.project_dir / transform["path"]).resolve(),
                    profiles_dir=(self.directory / transform["profiles_dir"]).resolve(),
                    target=str(transform["target"]),
                    name=name,
                )
            )
        return out

    def secret_entries(self) -> list[Mapping[str, Any]]:
        return list(self.document["secrets"]["entries"])

    def dbt_secrets(self, transform: DbtTransform) -> list[Mapping[str, Any]]:
        """The manifest's secrets that the generated profiles.yml reads with `env_var(...)`."""
        profiles = transform.profiles_dir / "profiles.yml"
        try:
            text = profiles.read_text(encoding="utf-8")
        except OSError:
            return []
        wanted = set(_DBT_ENV_VAR.findall(text))
        return [e for e in self.secret_entries() if e["env_var"] in wanted]

    @contextmanager
    def dbt_environment(
        self, transform: DbtTransform, *, placeholders: bool = False
    ) -> Iterator[list[str]]:
        """Put the secrets dbt reads into the environment while dbt runs, then restore it.

        dbt reads a secret only from its environment variable (`{{ env_var('X') }}`); one that
        is mounted as a file under $FLOE_SECRETS_DIR is read by the resolver and passed in the
        variable. A missing secret fails here, naming it and both places looked, before dbt runs
        (dbt would quietly send the template text of a missing password). `placeholders=True`
        (for `dbt parse`, which connects to nothing) stands in for missing secrets instead, and
        yields the variables it stood in for.
        """
        values: dict[str, str] = {}
        stood_in: list[str] = []
        for entry in self.dbt_secrets(transform):
            variable = str(entry["env_var"])
            found = locate(variable, str(entry["file"]))
            if found == "environment":
                continue
            if found is None and placeholders:
                values[variable] = PARSE_PLACEHOLDER
                stood_in.append(variable)
                continue
            values[variable] = resolve_reference(entry).reveal()
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield stood_in
        finally:
            for key, previous in saved.items():
                if previous is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = previous

    def resolve(self, value: object) -> object:
        """A profile value with each lowered secret resolved (to a SecretValue)."""
        if isinstance(value, Mapping):
            if set(value) == {"secret"}:
                return resolve_reference(value)
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def secret(self, name: str, key: str | None = None) -> SecretValue:
        """A secret of this deployment's manifest, by name and key."""
        for entry in self.secret_entries():
            if entry["name"] == name and entry["key"] == key:
                return resolve_reference(entry)
        label = name if key is None else f"{name}/{key}"
        raise KeyError(f"secret {label!r} is not in the secrets manifest of {self.path}")


def dagster_name(name: str) -> str:
    """A name Dagster accepts (letters, digits, underscores).

    >>> dagster_name("customer-analytics")
    'customer_analytics'
    """
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else f"_{cleaned}"


def _find_root(start: Path, floe: Path, explicit: str | None) -> Path:
    chosen = explicit or os.environ.get(ROOT_VARIABLE)
    if chosen:
        root = Path(chosen).resolve()
        if not (root / floe).is_file():
            raise ArtifactsError(f"the workspace root {root} holds no {floe.as_posix()}")
        return root
    for candidate in (start, *start.parents):
        if (candidate / floe).is_file():
            return candidate
    cwd = Path.cwd()
    if (cwd / floe).is_file():
        return cwd
    raise ArtifactsError(
        f"cannot find the workspace root of {start}: no parent directory and not the working "
        f"directory {cwd} holds {floe.as_posix()}; set {ROOT_VARIABLE}"
    )

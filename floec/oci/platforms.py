"""floe.yaml's `platform.registry`: which environments come from a registry, choosing them for a
build (through floe.lock when there is one), and locking them.

Precedence (docs/platform-config.md): `--platform FILE|oci://REF` first; then an environment
named by `--env` or `FLOE_PLATFORM_ENV` that floe.yaml lists under `platform.environments` comes
from the registry, even when `platform/<env>/` exists, unless the user asks for the local
directory (`--prefer-local` or `FLOE_PLATFORM_PREFER_LOCAL=1`); every other environment is found
as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from floec.ast.nodes import FloeSpec, PlatformSource
from floec.diagnostics.model import Diagnostic, make
from floec.environments import DEFAULT_ENV, Choice, environments
from floec.oci import lock as lockfile
from floec.oci import reference as refs
from floec.oci import semver
from floec.oci.client import RegistryError
from floec.oci.registry import Registries, Resolved
from floec.span import Span

PREFER_LOCAL_VARIABLE = "FLOE_PLATFORM_PREFER_LOCAL"
PLAIN_HTTP_VARIABLE = "FLOEC_REGISTRY_PLAIN_HTTP"

# A registry failure's kind -> its diagnostic code.
CODES = {
    "unreachable": "FLC309",
    "auth": "FLC310",
    "repository": "FLC311",
    "version": "FLC312",
    "manifest": "FLC312",
    "digest": "FLC313",
    "exists": "FLC314",
    "reference": "FLC316",
}
OTHER = "FLC317"


@attrs.frozen
class Wanted:
    environment: str
    repository: refs.Reference
    range: str
    span: Span | None


def declares(pipeline: FloeSpec | None) -> bool:
    source = pipeline.platform if pipeline is not None else None
    return source is not None and source.registry is not None


def diagnostic(
    error: RegistryError, span: Span | None, file: str | None, *, context: str = ""
) -> Diagnostic:
    return make(
        CODES.get(error.kind, OTHER),
        f"{context}{error.message}",
        span,
        file=file,
        help=error.help,
    )


def plain_http(environ: Mapping[str, str], asked: bool = False) -> bool:
    return asked or environ.get(PLAIN_HTTP_VARIABLE) == "1"


def wanted(source: PlatformSource, name: str, file: str) -> Wanted | Diagnostic:
    """Environment `name`'s repository and range, checked."""
    registry_span = source.field_spans.get("registry", source.span)
    assert source.registry is not None
    try:
        base = refs.parse(source.registry, allow_tag=False)
    except refs.InvalidReference as error:
        return make("FLC316", str(error), registry_span, help="e.g. oci://ghcr.io/acme/platforms")
    if name in source.versions:
        text, span = source.versions[name], source.field_spans.get("versions", source.span)
    elif source.version is not None:
        text, span = source.version, source.field_spans.get("version", source.span)
    else:
        return make(
            "FLC316",
            f"floe.yaml gives no platform version for environment '{name}'",
            source.field_spans.get("environments", source.span),
            help='add `version: "^1.0"` under platform:, or versions: {' + name + ": ...}",
        )
    try:
        semver.parse_range(text)
    except semver.SemverError as error:
        return make(
            "FLC316", str(error), span, file=file, help="e.g. ^1.2, ~1.2.3, >=1.0,<2, 1.4.0"
        )
    return Wanted(name, base.child(name), text, span)


def lock_path(project: Path) -> Path:
    return project / lockfile.LOCK_NAME


def choose(
    project_dir: Path,
    pipeline: FloeSpec | None,
    floe_file: str | None,
    *,
    env: str | None,
    platform: str | None,
    environ: Mapping[str, str],
    prefer_local: bool = False,
    plain: bool = False,
) -> Choice | Diagnostic | None:
    """A registry platform for this build, or None when the usual rules apply."""
    registries = Registries(environ, plain_http=plain_http(environ, plain))
    if platform and refs.is_reference(platform):
        try:
            reference = refs.parse(platform)
            resolved = registries.fetch(reference)
        except refs.InvalidReference as error:
            return make("FLC316", str(error), None, file=floe_file)
        except RegistryError as error:
            return diagnostic(error, None, floe_file, context="--platform: ")
        return Choice(env or DEFAULT_ENV, str(resolved.path), "--platform", str(resolved.pinned))
    source = pipeline.platform if pipeline is not None else None
    if platform or source is None or source.registry is None or floe_file is None:
        return None
    name = env
    if name is None:
        if environ.get("FLOE_PLATFORM_FILE"):
            return None  # a file named by the user wins, as in floec/environments.py
        name = environ.get("FLOE_PLATFORM_ENV") or None
    local = environments(project_dir, pipeline)
    if name is None and not local and len(source.environments) == 1:
        name = source.environments[0]
    if name is None or name not in source.environments:
        return None
    if (prefer_local or environ.get(PREFER_LOCAL_VARIABLE) == "1") and name in local:
        return None
    return resolve(project_dir, source, name, floe_file, registries)


def resolve(
    project_dir: Path, source: PlatformSource, name: str, floe_file: str, registries: Registries
) -> Choice | Diagnostic:
    """Environment `name` through floe.lock (by digest, offline once cached), else by range."""
    want = wanted(source, name, floe_file)
    if isinstance(want, Diagnostic):
        return want
    path = lock_path(project_dir)
    try:
        entries = lockfile.read(path)
    except lockfile.LockError as error:
        return make(
            "FLC316",
            f"{path.name} cannot be read: {error}",
            None,
            file=str(path),
            help="regenerate it with `floec lock`",
        )
    entry = entries.get(name) if entries is not None else None
    try:
        if entry is not None:
            stale = out_of_date(want, entry)
            if stale is not None:
                return stale
            resolved = registries.fetch_digest(
                refs.parse(entry.repository), entry.manifest, entry.version
            )
            if resolved.layer != entry.layer:
                return make(
                    "FLC313",
                    f"{entry.repository}@{entry.manifest} holds the platform.yaml "
                    f"{resolved.layer}, but floe.lock pins {entry.layer}",
                    want.span,
                    help="floe.lock was edited by hand or is corrupt: run `floec lock`",
                )
            origin = "floe.lock"
        else:
            resolved = registries.resolve(want.repository, want.range)
            origin = "floe.yaml platform.registry"
    except RegistryError as error:
        span = want.span if error.kind == "version" else source.field_spans.get("registry")
        return diagnostic(error, span or source.span, floe_file, context=f"environment {name}: ")
    return Choice(name, str(resolved.path), origin, str(resolved.pinned))


def out_of_date(want: Wanted, entry: lockfile.Entry) -> Diagnostic | None:
    if entry.repository == str(want.repository) and entry.range == want.range:
        return None
    return make(
        "FLC315",
        f"floe.lock is out of date for environment {want.environment}: floe.yaml asks for "
        f"{want.repository} '{want.range}', the lock holds {entry.repository} '{entry.range}'",
        want.span,
        help="run `floec lock` and commit floe.lock",
    )


def entry_for(resolved: Resolved, want: Wanted) -> lockfile.Entry:
    return lockfile.Entry(
        str(want.repository),
        want.range,
        resolved.version,
        resolved.manifest,
        resolved.layer,
        resolved.size,
    )


def lock(
    project_dir: Path,
    pipeline: FloeSpec,
    floe_file: str,
    registries: Registries,
) -> tuple[dict[str, lockfile.Entry], list[Diagnostic]]:
    """Resolve every registry environment afresh (the highest version in its range)."""
    source = pipeline.platform
    entries: dict[str, lockfile.Entry] = {}
    diagnostics: list[Diagnostic] = []
    if source is None or source.registry is None:
        return entries, diagnostics
    for name in source.environments:
        want = wanted(source, name, floe_file)
        if isinstance(want, Diagnostic):
            diagnostics.append(want)
            continue
        try:
            resolved = registries.resolve(want.repository, want.range)
        except RegistryError as error:
            span = want.span if error.kind == "version" else source.field_spans.get("registry")
            diagnostics.append(
                diagnostic(error, span or source.span, floe_file, context=f"environment {name}: ")
            )
            continue
        entries[name] = entry_for(resolved, want)
    return entries, diagnostics


def check(
    pipeline: FloeSpec, floe_file: str, entries: Mapping[str, lockfile.Entry] | None
) -> list[Diagnostic]:
    """`floec lock --check`, offline: every registry environment locked at floe.yaml's range,
    and nothing else locked."""
    source = pipeline.platform
    names = source.environments if source is not None and source.registry else ()
    out: list[Diagnostic] = []
    locked = dict(entries or {})
    for name in names:
        assert source is not None
        want = wanted(source, name, floe_file)
        if isinstance(want, Diagnostic):
            out.append(want)
            continue
        entry = locked.pop(name, None)
        if entry is None:
            out.append(
                make(
                    "FLC315",
                    f"floe.lock does not lock environment {name}"
                    + ("" if entries is not None else " (there is no floe.lock)"),
                    want.span,
                    help="run `floec lock` and commit floe.lock",
                )
            )
            continue
        stale = out_of_date(want, entry)
        if stale is not None:
            out.append(stale)
    for name in sorted(locked):
        out.append(
            make(
                "FLC315",
                f"floe.lock locks environment {name}, which floe.yaml does not take from a "
                "registry",
                None,
                file=floe_file,
                help="run `floec lock` and commit floe.lock",
            )
        )
    return out

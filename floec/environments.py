"""Choosing and loading an environment's platform configuration (DESIGN §3).

Documented for users in docs/platform-config.md.

Precedence, first match wins:

1. `--platform FILE`: that file (named by `--env NAME` if given, else `default`);
2. `--env NAME`: `<platform dir>/NAME/platform.yaml` (a registry environment of floe.yaml's
   `platform.registry` is chosen before this module, by floec/oci/platforms.py);
3. `FLOE_PLATFORM_FILE`: that file (named by `FLOE_PLATFORM_ENV` if set, else `default`);
4. `FLOE_PLATFORM_ENV`: as `--env`;
5. floe.yaml `platform.env`: the environment variable it names holds the file's path;
   floe.yaml `platform.path`: a file, or a directory of `<env>/platform.yaml` (then the platform
   dir below);
6. the only environment, when the platform dir holds exactly one;
7. no platform configuration at all: the `FLOE_*` variables build a minimal `default`
   environment (FLC304, a note).

The platform dir is floe.yaml's `platform.path` when it is a directory, else the nearest
`platform/` at or above the project that holds any `*/platform.yaml`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from floec.ast.nodes import FloeSpec, PlatformSpec
from floec.diagnostics.model import Diagnostic, make
from floec.digest import sha256
from floec.discover import PLATFORM_NAMES, platform_files
from floec.frozen import frozen
from floec.ir import Environment
from floec.source import SourceFile, display_name

ENV_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
DEFAULT_ENV = "default"
FALLBACK_SOURCE = "<FLOE_* variables>"

# The variables of the fallback environment: (variable, platform.yaml place, default).
FALLBACK_VARIABLES: tuple[tuple[str, str, str | None], ...] = (
    ("FLOE_STORAGE_TYPE", "storage.default.type", "local"),
    ("FLOE_STORAGE_PATH", "storage.default.path", "target/default/warehouse"),
    ("FLOE_STORAGE_BUCKET", "storage.default.bucket", None),
    ("FLOE_STORAGE_ENDPOINT", "storage.default.endpoint", None),
    ("FLOE_STORAGE_REGION", "storage.default.region", None),
    ("FLOE_STORAGE_SECRET", "storage.default.credentials (mode static, secret_ref)", None),
    ("FLOE_CATALOG_TYPE", "catalogs.default.type", "sql"),
    ("FLOE_CATALOG_URI", "catalogs.default.uri", "sqlite:///target/default/catalog.db"),
    ("FLOE_CATALOG_WAREHOUSE", "catalogs.default.warehouse", None),
    ("FLOE_CATALOG_NAMESPACE", "catalogs.default.namespace", None),
    ("FLOE_COMPUTE_TYPE", "compute.default.type", "duckdb"),
    ("FLOE_COMPUTE_PATH", "compute.default.properties.path", "target/default/floe.duckdb"),
    ("FLOE_OTLP_ENDPOINT", "observability.otlp_endpoint (turns traces and metrics on)", None),
    ("FLOE_LINEAGE_ENDPOINT", "observability.lineage_endpoint (turns lineage on)", None),
)


@frozen
class Choice:
    """Which platform file an environment comes from; `path` None means the FLOE_* fallback."""

    name: str
    path: str | None
    origin: str
    # How the file is named in messages and outputs when its path is not meaningful: a registry
    # reference `oci://host/repo:1.3.0@sha256:...` for a platform read from the content cache.
    label: str | None = None


@frozen
class Loaded:
    environment: Environment | None
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[SourceFile, ...]


def workspace(project: Path) -> Path:
    """What floe.yaml's paths must stay inside: the git repository holding the pipeline, else
    the working directory when the pipeline is under it, else the pipeline's directory."""
    real = Path(os.path.realpath(project))
    for directory in (real, *real.parents):
        if (directory / ".git").exists():
            return directory
    cwd = Path(os.path.realpath(os.getcwd()))
    return cwd if real == cwd or cwd in real.parents else real


def outside_workspace(project: Path, pipeline: FloeSpec | None) -> Diagnostic | None:
    """FLC017 when floe.yaml's `platform.path` leads outside the workspace (symbolic links
    resolved): a pipeline's author must not make CI read an arbitrary file. The operator's
    `--platform` and FLOE_PLATFORM_FILE are not limited."""
    source = pipeline.platform if pipeline is not None else None
    if source is None or source.path is None:
        return None
    root = workspace(project)
    real = Path(os.path.realpath(project / source.path))
    if real == root or root in real.parents:
        return None
    return make(
        "FLC017",
        f"platform.path leads outside the workspace ({display_name(str(root)) or '.'}); floec "
        "reads no file there on the say-so of floe.yaml",
        source.field_spans.get("path", source.span),
        help="keep the platform configuration in the repository (e.g. platform: {path: "
        "../platform}); an operator can name any file with --platform FILE or "
        "FLOE_PLATFORM_FILE",
    )


def platform_dir(project: Path, pipeline: FloeSpec | None) -> Path | None:
    """The directory holding `<env>/platform.yaml`, or None."""
    source = pipeline.platform if pipeline is not None else None
    if source is not None and source.path is not None and not outside_workspace(project, pipeline):
        candidate = project / source.path
        if candidate.is_dir():
            return candidate
    found = platform_files(project.resolve())
    return found[0].parent.parent if found else None


def environments(project: Path, pipeline: FloeSpec | None) -> dict[str, Path]:
    """Every environment of the platform dir, by name, sorted."""
    directory = platform_dir(project, pipeline)
    if directory is None:
        return {}
    out: dict[str, Path] = {}
    for name in PLATFORM_NAMES:
        for path in sorted(directory.glob(f"*/{name}")):
            out.setdefault(path.parent.name, path)
    return dict(sorted(out.items()))


def check_name(name: str, where: str, file: str | None) -> Diagnostic | None:
    if ENV_NAME.match(name):
        return None
    return make(
        "FLC305",
        f"environment name '{name}' ({where}) is not valid: use lowercase letters, digits and "
        "hyphens, starting and ending with a letter or digit",
        None,
        file=file,
        help="e.g. prod, staging, sandbox-team-a, dr-region-2",
    )


def directory_problem(name: str, directory: Path) -> Diagnostic | None:
    """FLC305 for an environment directory `platform/<name>/` whose name is not valid, reported
    at the directory: `check` and `build` say the same thing there."""
    where = display_name(str(directory))
    problem = check_name(name, f"directory {where}", None)
    return None if problem is None else attrs.evolve(problem, file=where)


def unknown_environment(
    name: str, known: Mapping[str, Path], project: Path, file: str | None
) -> Diagnostic:
    available = ", ".join(known) if known else "none"
    import difflib  # only to suggest a name: not on every start

    nearest = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return make(
        "FLC302",
        f"environment '{name}' has no platform.yaml (looked for platform/{name}/platform.yaml "
        f"at and above {display_name(str(project)) or '.'}); available: {available}",
        None,
        file=file,
        help=f"did you mean '{nearest[0]}'?"
        if nearest
        else f"create platform/{name}/platform.yaml, or use --platform FILE",
    )


def choose(
    project: Path,
    pipeline: FloeSpec | None,
    *,
    env: str | None,
    platform: str | None,
    environ: Mapping[str, str],
    file: str | None,
) -> Choice | Diagnostic:
    """Apply the precedence in this module's docstring."""
    for value, where in ((env, "--env"), (environ.get("FLOE_PLATFORM_ENV"), "FLOE_PLATFORM_ENV")):
        if value:
            problem = check_name(value, where, file)
            if problem is not None:
                return problem
    if platform:
        return Choice(env or DEFAULT_ENV, platform, "--platform")
    if not environ.get("FLOE_PLATFORM_FILE"):
        problem = outside_workspace(project, pipeline)
        if problem is not None:
            return problem
    known = environments(project, pipeline)
    if env:
        if env not in known:
            return unknown_environment(env, known, project, file)
        return Choice(env, str(known[env]), "--env")
    named = environ.get("FLOE_PLATFORM_ENV") or None
    if environ.get("FLOE_PLATFORM_FILE"):
        return Choice(named or DEFAULT_ENV, environ["FLOE_PLATFORM_FILE"], "FLOE_PLATFORM_FILE")
    if named:
        if named not in known:
            return unknown_environment(named, known, project, file)
        return Choice(named, str(known[named]), "FLOE_PLATFORM_ENV")
    source = pipeline.platform if pipeline is not None else None
    if source is not None and source.env is not None:
        value = environ.get(source.env)
        if not value:
            return make(
                "FLC308",
                f"floe.yaml's platform.env names the environment variable {source.env}, "
                "which is not set",
                source.field_spans.get("env", source.span),
                help=f"set {source.env} to the path of a platform.yaml, or pass --platform FILE",
            )
        return Choice(DEFAULT_ENV, value, "floe.yaml platform.env")
    if source is not None and source.path is not None:
        candidate = project / source.path
        if not candidate.is_dir():
            return Choice(DEFAULT_ENV, str(candidate), "floe.yaml platform.path")
    if len(known) == 1:
        (only, path), *_ = known.items()
        return Choice(only, str(path), "the only environment")
    if known:
        return make(
            "FLC307",
            f"no environment chosen; available: {', '.join(known)}",
            None,
            file=file,
            help="pass --env NAME (or set FLOE_PLATFORM_ENV), or build them all with --all-envs",
        )
    return Choice(DEFAULT_ENV, None, "FLOE_* variables")


def load(choice: Choice, environ: Mapping[str, str], file: str | None = None) -> Loaded:
    """Read, check and elaborate the chosen platform file (or build the fallback)."""
    from floec.frontend import check_source
    from floec.source import decode, read_bytes

    if choice.path is None:
        source = SourceFile(FALLBACK_SOURCE, fallback_text(environ))
        data = source.text.encode()
    else:
        read = read_bytes(choice.path)
        if isinstance(read, Diagnostic) and read.code in ("FLC001", "FLC002"):
            return Loaded(
                None,
                (
                    make(
                        "FLC308",
                        f"platform file {display_name(choice.path)} (from {choice.origin}) "
                        "does not exist or cannot be read",
                        None,
                        file=file,
                    ),
                ),
                (),
            )
        if isinstance(read, Diagnostic):  # a pipe, a device, an oversized file
            return Loaded(None, (read,), ())
        data = read
        decoded = decode(data, choice.label or display_name(choice.path))
        if isinstance(decoded, Diagnostic):
            return Loaded(None, (decoded,), ())
        source = decoded
    checked = check_source(source, "platform")
    diagnostics = list(checked.diagnostics)
    if choice.path is None:
        diagnostics.append(
            make(
                "FLC304",
                "no platform configuration was found, so the environment 'default' was built "
                "from the FLOE_* environment variables and their defaults",
                None,
                file=file,
                help="add platform/<env>/platform.yaml, or see docs/platform-config.md for the "
                "FLOE_* variables",
            )
        )
    spec = checked.spec
    if not isinstance(spec, PlatformSpec):
        return Loaded(None, tuple(diagnostics), (source,))
    environment = Environment(
        name=choice.name,
        platform=spec,
        source=source,
        path=choice.label or (display_name(choice.path) if choice.path else FALLBACK_SOURCE),
        origin=choice.origin,
        sha256=sha256(data).hexdigest(),
        tree=checked.tree,
    )
    return Loaded(environment, tuple(diagnostics), (source,))


def fallback_text(environ: Mapping[str, str]) -> str:
    """A platform.yaml built from the FLOE_* variables: each line says where its value came from.

    It goes through the same schema check as a real file, so a bad value is reported on its line.
    """

    def get(variable: str) -> tuple[str | None, str]:
        default = next(d for v, _, d in FALLBACK_VARIABLES if v == variable)
        value = environ.get(variable) or None
        if value is not None:
            return value, f"# {variable}"
        return default, f"# default ({variable} is not set)"

    def line(indent: int, key: str, variable: str) -> list[str]:
        value, comment = get(variable)
        if value is None:
            return []
        return [f"{' ' * indent}{key}: {json.dumps(value)}  {comment}"]

    storage_type, _ = get("FLOE_STORAGE_TYPE")
    lines = ["# generated by floec from the FLOE_* environment variables", "version: 1.0.0"]
    lines += ["storage:", "  default:", *line(4, "type", "FLOE_STORAGE_TYPE")]
    if storage_type == "local":
        lines += line(4, "path", "FLOE_STORAGE_PATH")
    else:
        for key in ("bucket", "endpoint", "region"):
            lines += line(4, key, f"FLOE_STORAGE_{key.upper()}")
        secret, comment = get("FLOE_STORAGE_SECRET")
        if secret:
            lines += ["    credentials:", "      mode: static"]
            lines.append(f"      secret_ref: {json.dumps(secret)}  {comment}")
    lines += ["catalogs:", "  default:"]
    for key in ("type", "uri", "warehouse", "namespace"):
        lines += line(4, key, f"FLOE_CATALOG_{key.upper()}")
    lines += ["compute:", "  default:", *line(4, "type", "FLOE_COMPUTE_TYPE")]
    compute_type, _ = get("FLOE_COMPUTE_TYPE")
    if compute_type == "duckdb":
        lines += ["    properties:", *line(6, "path", "FLOE_COMPUTE_PATH")]
    otlp, _ = get("FLOE_OTLP_ENDPOINT")
    lineage, _ = get("FLOE_LINEAGE_ENDPOINT")
    lines += ["observability:"]
    lines.append(f"  traces: {'true' if otlp else 'false'}")
    lines.append(f"  metrics: {'true' if otlp else 'false'}")
    lines.append(f"  lineage: {'true' if lineage else 'false'}")
    lines += line(2, "otlp_endpoint", "FLOE_OTLP_ENDPOINT")
    lines += line(2, "lineage_endpoint", "FLOE_LINEAGE_ENDPOINT")
    return "\n".join(lines) + "\n"


def environ_snapshot() -> dict[str, str]:
    return dict(os.environ)

"""`floec build [PATH]`: compile a pipeline for one environment, or for all of them.

Writes `target/<env>/compiled_artifacts.json`, `target/<env>/dbt/profiles.yml` and
`target/<env>/dagster/`, each environment as a whole (floec/write.py). The environment is chosen
as documented in floec/environments.py and docs/platform-config.md. `--emit ast|bound|lowered`
prints the IR after that stage as JSON on stdout (flagged values masked) and writes nothing;
`--stop-after PASS` stops after a pass.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from floec.commands.output import wants_colour
from floec.diagnostics.model import Diagnostic, Severity, normalise
from floec.source import SourceFile, display_name

if TYPE_CHECKING:
    from floec.ast.nodes import FloeSpec
    from floec.driver import Built, Project

STAGES = ("ast", "bound", "lowered")
PASS_NAMES = (
    "bind-profiles",
    "check-credentials",
    "lint-credentials",
    "lower-secrets",
    "codegen-artifacts",
    "codegen-dbt",
    "codegen-dagster",
    "check-outputs",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="the pipeline: a directory holding floe.yaml, or the floe.yaml; default: .",
    )
    add_environment_arguments(parser)
    parser.add_argument(
        "--all-envs",
        action="store_true",
        help="build every platform/<env>/ and print which environment lacks which profile",
    )
    parser.add_argument(
        "--emit", choices=STAGES, help="print the IR after this stage as JSON and stop"
    )
    parser.add_argument("--stop-after", choices=PASS_NAMES, metavar="PASS", help="stop after PASS")
    parser.add_argument(
        "--prefer-local",
        action="store_true",
        help="use platform/<env>/ even for an environment floe.yaml takes from a registry",
    )
    parser.add_argument(
        "--target-dir",
        default="target",
        metavar="DIR",
        help="where target/<env>/ is written; default: target",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings fail the build too")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def add_environment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        metavar="NAME",
        help="the environment: platform/NAME/platform.yaml, searched upward from the pipeline",
    )
    parser.add_argument(
        "--platform",
        metavar="FILE",
        help="the platform.yaml to use, or a published one (oci://HOST/REPO:VERSION); wins over "
        "--env's lookup, FLOE_PLATFORM_FILE and FLOE_PLATFORM_ENV",
    )


def run(args: argparse.Namespace) -> int:
    from floec import driver, embedded, environments
    from floec.ir import dump

    environ = dict(os.environ)
    opened = driver.open_project(args.path)
    sources: dict[str, SourceFile] = {s.name: s for s in opened.sources}
    diagnostics: list[Diagnostic] = list(opened.diagnostics)
    project = opened.project
    if project is None:
        return finish(args, diagnostics, sources, [], None)
    floe_file = project.source.name
    if args.all_envs:
        choices: list[object] = []
        outside = environments.outside_workspace(project.directory, project.pipeline)
        if outside is not None:
            return finish(args, [*diagnostics, outside], sources, [], None)
        known = environments.environments(project.directory, project.pipeline)
        for name, path in known.items():
            problem = environments.directory_problem(name, path.parent)
            if problem is not None:
                diagnostics.append(problem)
                continue
            choices.append(environments.Choice(name, str(path), "--all-envs"))
        registry = _registry_choices(project, environ, args, known)
        choices = [c for c in choices if getattr(c, "name", None) not in registry] + [
            c for c in registry.values() if not isinstance(c, Diagnostic)
        ]
        diagnostics += [c for c in registry.values() if isinstance(c, Diagnostic)]
        if not choices and not registry:
            choices.append(environments.Choice("default", None, "FLOE_* variables"))
    else:
        choice: object = None
        if _from_registry(project.pipeline) or str(args.platform).startswith("oci://"):
            from floec.oci import platforms

            choice = platforms.choose(
                project.directory,
                project.pipeline,
                floe_file,
                env=args.env,
                platform=args.platform,
                environ=environ,
                prefer_local=args.prefer_local,
            )
        if choice is None:
            choice = environments.choose(
                project.directory,
                project.pipeline,
                env=args.env,
                platform=args.platform,
                environ=environ,
                file=floe_file,
            )
        if isinstance(choice, Diagnostic):
            return finish(args, [*diagnostics, choice], sources, [], None)
        choices = [choice]

    stop_after = args.stop_after
    if args.emit:
        stop_after = driver.stop_for_stage(args.emit)
    builds = [
        driver.build_environment(
            project,
            choice,
            environ,
            stop_after=stop_after,
            run=args.emit != "ast",
            target_dir=args.target_dir,
        )
        for choice in choices
    ]
    outputs: dict[str, list[str]] = {}
    for built in builds:
        sources.update({s.name: s for s in built.sources})
        diagnostics.extend(built.diagnostics)
    writes = not args.emit and (
        stop_after is None or stop_after.startswith(("codegen-", "check-o"))
    )
    # A failed environment writes nothing, and floe.yaml's own errors fail every environment;
    # with --all-envs, the environments that built are written (the matrix shows the others).
    clean = {
        b.name: b.state.outputs
        for b in builds
        if b.state is not None
        and not has_failures([*b.diagnostics, *opened.diagnostics], args.strict)
    }
    if writes and clean:
        from floec.write import write_environments

        result = write_environments(Path(args.target_dir), clean)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            for name, written in result.items():
                outputs[name] = [display_name(str(p)) for p in written]
            for built in builds:
                state = built.state
                if built.name in result and state is not None and state.lowered is not None:
                    # the embedded default's files need their directories before dbt runs
                    root = driver.workspace_root(state.environment, state.project)
                    embedded.prepare(state.lowered, root)
    if args.emit:
        irs = {b.name: driver.stage_ir(b.state, args.emit) for b in builds if b.state is not None}
        if not any(has_failures(b.diagnostics, False) for b in builds):
            from floec.diagnostics.redact import scrub_text

            text = dump(irs) if args.all_envs else dump(next(iter(irs.values()), None))
            sys.stdout.write(scrub_text(text, sources))
        emit_diagnostics(args, normalise(diagnostics), sources, sys.stderr)
        return 1 if has_failures(diagnostics, args.strict) else 0
    return finish(
        args, diagnostics, sources, builds, outputs, matrix=args.all_envs, shared=opened.diagnostics
    )


def _from_registry(pipeline: FloeSpec | None) -> bool:
    source = pipeline.platform if pipeline is not None else None
    return source is not None and source.registry is not None


def _registry_choices(
    project: Project, environ: dict[str, str], args: argparse.Namespace, known: dict[str, Path]
) -> dict[str, object]:
    """--all-envs: the environments floe.yaml takes from a registry (a Choice or a Diagnostic
    each), except those kept local by --prefer-local."""
    source = project.pipeline.platform
    if source is None or source.registry is None:
        return {}
    from floec.oci import platforms
    from floec.oci.registry import Registries

    registries = Registries(environ, plain_http=platforms.plain_http(environ))
    local = args.prefer_local or environ.get(platforms.PREFER_LOCAL_VARIABLE) == "1"
    return {
        name: platforms.resolve(project.directory, source, name, project.source.name, registries)
        for name in source.environments
        if not (local and name in known)
    }


def has_failures(diagnostics: Iterable[Diagnostic], strict: bool) -> bool:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


def emit_diagnostics(
    args: argparse.Namespace,
    diagnostics: list[Diagnostic],
    sources: dict[str, SourceFile],
    stream: TextIO,
) -> None:
    from floec.diagnostics import render_text

    colour = wants_colour(stream, args.color)
    stream.write(render_text.render(diagnostics, sources, colour=colour))


def finish(
    args: argparse.Namespace,
    diagnostics: list[Diagnostic],
    sources: dict[str, SourceFile],
    builds: Sequence[Built],
    outputs: dict[str, list[str]] | None,
    *,
    matrix: bool = False,
    shared: Sequence[Diagnostic] = (),
) -> int:
    """Print the outcome; `shared` (floe.yaml's own diagnostics) counts against every
    environment."""
    diagnostics = normalise(diagnostics)
    failed = has_failures(diagnostics, args.strict)
    typed = list(builds)
    rows = matrix_rows(typed) if matrix else []
    if args.format == "json":
        from floec.diagnostics.render_json import to_objects

        document: dict[str, object] = {
            "ok": not failed,
            "environments": [
                {
                    "name": b.name,
                    "origin": b.origin,
                    "ok": not has_failures([*b.diagnostics, *shared], args.strict),
                    "outputs": (outputs or {}).get(b.name, []),
                }
                for b in typed
            ],
            "diagnostics": to_objects(diagnostics, sources),
        }
        if matrix:
            document["matrix"] = rows
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        return 1 if failed else 0
    emit_diagnostics(args, diagnostics, sources, sys.stdout)
    if matrix:
        print_matrix(rows, args.color)
    for name, written in sorted((outputs or {}).items()):
        for path in written:
            sys.stderr.write(f"floec: built {name}: {path}\n")
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    bad = [b.name for b in typed if has_failures([*b.diagnostics, *shared], args.strict)]
    verdict = f"failed for {', '.join(bad)}" if bad else ("failed" if failed else "ok")
    sys.stderr.write(
        f"floec: build {verdict}: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}\n"
    )
    return 1 if failed else 0


def matrix_rows(builds: Sequence[Built]) -> list[dict[str, object]]:
    """Environment x profile reference: `ok`, `missing` (not defined there) or `error`."""
    from floec.ir import PROFILE_FIELDS

    rows: list[dict[str, object]] = []
    for built in builds:
        state = built.state
        cells: dict[str, str] = {}
        for field, _ in PROFILE_FIELDS:
            if state is None or state.bound is None:
                cells[field] = "error"
                continue
            name = getattr(state.pipeline, field)
            bound = state.bound.profile(field)
            cells[field] = f"{name}: ok" if bound is not None else f"{name}: missing"
        errors = sum(d.severity is Severity.ERROR for d in built.diagnostics)
        rows.append(
            {
                "environment": built.name,
                "profiles": cells,
                "status": "ok" if errors == 0 else f"failed ({errors} error{'s' * (errors != 1)})",
            }
        )
    return rows


def print_matrix(rows: list[dict[str, object]], colour: str) -> None:
    from floec.diagnostics.redact import escape_text

    if not rows:  # no environment could be built (each one's problem is reported above)
        return
    headers = ["environment", "catalog", "storage", "compute", "status"]
    table = [
        [
            escape_text(c)
            for c in (
                str(r["environment"]),
                *(str(v) for v in dict(r["profiles"]).values()),  # type: ignore[call-overload]
                str(r["status"]),
            )
        ]
        for r in rows
    ]
    if sys.stdout.isatty() and wants_colour(sys.stdout, colour):
        from rich.console import Console
        from rich.table import Table

        rich_table = Table(title="environments")
        for header in headers:
            rich_table.add_column(header)
        for line in table:
            styled = [f"[red]{c}[/red]" if ("missing" in c or "fail" in c) else c for c in line]
            rich_table.add_row(*styled)
        Console().print(rich_table)
        return
    widths = [max(len(h), *(len(line[i]) for line in table)) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table
    ]
    sys.stdout.write("\n".join(out) + "\n")

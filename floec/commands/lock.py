"""`floec lock [PATH]`: resolve every platform floe.yaml takes from a registry to an exact
digest, in floe.lock next to floe.yaml; `--check` (offline, for CI) fails when floe.yaml and
floe.lock disagree."""

from __future__ import annotations

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=".", metavar="PATH", help="the pipeline; default: ."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail when floe.lock does not lock exactly what floe.yaml asks for",
    )
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="talk HTTP, not HTTPS, to a registry that is not on loopback",
    )
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def run(args: argparse.Namespace) -> int:
    from floec.commands.build import emit_diagnostics
    from floec.diagnostics.model import Diagnostic, has_errors, make, normalise
    from floec.driver import open_project
    from floec.oci import lock as lockfile
    from floec.oci import platforms
    from floec.oci.registry import Registries
    from floec.source import SourceFile, display_name

    opened = open_project(args.path)
    sources: dict[str, SourceFile] = {s.name: s for s in opened.sources}
    diagnostics: list[Diagnostic] = list(opened.diagnostics)
    project = opened.project
    if project is None:
        emit_diagnostics(args, normalise(diagnostics), sources, sys.stderr)
        return 1
    floe_file = project.source.name
    path = platforms.lock_path(project.directory)
    shown = display_name(str(path))
    if not platforms.declares(project.pipeline):
        diagnostics.append(
            make(
                "FLC316",
                "floe.yaml takes no platform from a registry, so there is nothing to lock",
                project.pipeline.field_spans.get("platform"),
                file=floe_file,
                help="add platform: {registry: oci://..., version: ..., environments: [...]} "
                "(docs/platform-registry.md)",
            )
        )
        emit_diagnostics(args, normalise(diagnostics), sources, sys.stderr)
        return 1
    if args.check:
        try:
            entries = lockfile.read(path)
        except lockfile.LockError as error:
            diagnostics.append(make("FLC316", f"{shown} cannot be read: {error}", None, file=shown))
            entries = {}
        diagnostics += platforms.check(project.pipeline, floe_file, entries)
        emit_diagnostics(args, normalise(diagnostics), sources, sys.stderr)
        failed = has_errors(diagnostics)
        sys.stderr.write(f"floec: {shown} is {'out of date' if failed else 'up to date'}\n")
        return 1 if failed else 0
    environ = dict(os.environ)
    registries = Registries(environ, plain_http=platforms.plain_http(environ, args.plain_http))
    resolved, found = platforms.lock(project.directory, project.pipeline, floe_file, registries)
    diagnostics += found
    emit_diagnostics(args, normalise(diagnostics), sources, sys.stderr)
    if has_errors(diagnostics):
        sys.stderr.write(f"floec: {shown} not written\n")
        return 1
    changed = lockfile.write(path, resolved)
    for name, entry in sorted(resolved.items()):
        sys.stderr.write(
            f"floec: locked {name}: {entry.repository}:{entry.version} @ {entry.manifest}\n"
        )
    sys.stderr.write(f"floec: {shown} {'written' if changed else 'unchanged'}\n")
    return 0

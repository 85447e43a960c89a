"""`floec check PATH...`: front end, binding, credential checks and lint of the given files."""

from __future__ import annotations

import argparse
import sys

from floec.commands.output import FORMATS, emit
from floec.diagnostics.model import Diagnostic, has_errors, make, normalise
from floec.source import display_name


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="a project directory (its floe.yaml and every platform/*/platform.yaml), a floe.yaml "
        "or a platform.yaml; default: the current directory",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def run(args: argparse.Namespace) -> int:
    from floec.discover import inputs_for
    from floec.workspace import Workspace

    # Through the same workspace as the editor server, so the two never disagree. Every floe.yaml
    # is bound against every platform.yaml checked with it (pinned).
    workspace = Workspace(pinned=True)
    diagnostics: list[Diagnostic] = []
    files = 0
    for path in args.paths:
        inputs = inputs_for(path)
        if inputs is None:
            diagnostics.append(
                make(
                    "FLC306",
                    f"{display_name(path)} holds no floe.yaml and no platform/*/platform.yaml",
                    None,
                    file=display_name(path),
                    help="pass a project directory, a floe.yaml or a platform.yaml",
                )
            )
            continue
        for item in inputs:
            workspace.add(item.path, item.kind)
            files += 1
    for file in workspace.files:
        diagnostics.extend(workspace.diagnostics(file))
    diagnostics = normalise(diagnostics)
    emit(diagnostics, workspace.sources(), args.format, sys.stdout, colour=args.color)
    if args.format == "text":
        from floec.diagnostics.render_text import summary

        sys.stderr.write(summary(diagnostics, files) + "\n")
    return 1 if has_errors(diagnostics, strict=args.strict) else 0

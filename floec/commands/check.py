"""`floec check PATH...`: read, validate and elaborate floe.yaml and platform.yaml files."""

from __future__ import annotations

import argparse
import sys

from floec.commands.output import FORMATS, emit
from floec.diagnostics.model import Diagnostic, has_errors, make, normalise
from floec.source import SourceFile, display_name


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
    from floec.frontend import check_file

    diagnostics: list[Diagnostic] = []
    sources: dict[str, SourceFile] = {}
    files = 0
    checked_files = []
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
            checked = check_file(item.path, item.kind)
            files += 1
            if checked.source is not None:
                sources[checked.source.name] = checked.source
            diagnostics.extend(checked.diagnostics)
            checked_files.append(checked)
    from floec.driver import check_environments  # binding and credentials, every environment

    diagnostics.extend(check_environments(checked_files))
    diagnostics = normalise(diagnostics)
    emit(diagnostics, sources, args.format, sys.stdout, colour=args.color)
    if args.format == "text":
        from floec.diagnostics.render_text import summary

        sys.stderr.write(summary(diagnostics, files) + "\n")
    return 1 if has_errors(diagnostics, strict=args.strict) else 0

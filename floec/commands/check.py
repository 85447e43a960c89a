"""`floec check PATH...`: front end, binding, credential checks and lint of the given files."""

from __future__ import annotations

import argparse
import sys

from floec.commands.output import FORMATS
from floec.reading import display_name

TYPE_CHECKING = False  # a run answered from the cache imports neither typing nor the model
if TYPE_CHECKING:
    from floec.diagnostics.model import Diagnostic


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
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache (.floec_cache/ in the project directory)",
    )


def run(args: argparse.Namespace) -> int:
    from floec.discover import inputs_for
    from floec.workspace import DiskCache, MemoryCache, ResultCache, Workspace, cache_directory

    # Through the same workspace as the editor server, so the two never disagree. Every floe.yaml
    # is bound against every platform.yaml checked with it (pinned). A file whose text and whose
    # platforms' texts are unchanged since the last run is answered from the cache on disk
    # without being parsed: such a run imports neither the front end nor the diagnostic model.
    cache: ResultCache = (
        MemoryCache() if args.no_cache else DiskCache(cache_directory(args.paths[0]))
    )
    workspace = Workspace(pinned=True, cache=cache)
    diagnostics: list[Diagnostic] = []
    files = 0
    for path in args.paths:
        inputs = inputs_for(path)
        if inputs is None:
            from floec.diagnostics.model import make

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
    if not diagnostics and args.format == "text":
        sys.stderr.write(clean_summary(files) + "\n")  # nothing to render
        return 0
    from floec.commands.output import emit
    from floec.diagnostics.model import has_errors, normalise

    diagnostics = normalise(diagnostics)
    emit(diagnostics, workspace.sources(), args.format, sys.stdout, colour=args.color)
    if args.format == "text":
        from floec.diagnostics.render_text import summary

        sys.stderr.write(summary(diagnostics, files) + "\n")
    return 1 if has_errors(diagnostics, strict=args.strict) else 0


def clean_summary(files: int) -> str:
    """`render_text.summary` of no diagnostics, without importing the diagnostic model."""
    return f"floec: 0 errors, 0 warnings in {files} file{'' if files == 1 else 's'}"

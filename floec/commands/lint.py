"""`floec lint PATH...`: hardcoded credentials in any YAML files, for pre-commit and CI.

Needs no platform or pipeline context: every `*.yaml`/`*.yml` file under the given folders (or
each file named, whatever its extension, as pre-commit passes them) is scanned on its own. Only
the YAML loader and the detectors are imported: no rich, lark, jsonschema or cattrs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator

import attrs

from floec.commands.output import FORMATS, emit
from floec.diagnostics.model import Diagnostic, Severity, has_errors, make, normalise
from floec.source import SourceFile, display_name, read_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from floec.diagnostics.redact import FileMasks

# Folders that hold tools' state or third-party code, never the user's configuration.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "target", "__pycache__",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".terraform"}
)  # fmt: skip
YAML_SUFFIXES = (".yaml", ".yml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="YAML files, or folders to search for *.yaml and *.yml files",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="ignore the findings recorded in FILE (made with --write-baseline)",
    )
    parser.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the current findings in FILE and exit 0 (to adopt floec in an existing "
        "repository)",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail the lint too")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def iter_files(path: str) -> Iterator[str]:
    """`path` itself when it is not a folder; else its YAML files, sorted, skipping tool dirs."""
    if not os.path.isdir(path):
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES):
                yield os.path.join(root, name)


# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 64


def lint_file(file: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """One file's source (None when unreadable) and diagnostics."""
    source, diagnostics, _masks = lint_and_mask(file)
    return source, diagnostics


def lint_and_mask(file: str) -> tuple[SourceFile | None, list[Diagnostic], FileMasks | None]:
    """`lint_file`, and what the output's masking needs of the file, computed here (in the
    worker) from what the lint found rather than by scanning the file again for the output."""
    from floec.diagnostics.redact import file_masks
    from floec.passes.lint_credentials import lint_with_ranges

    source = read_source(file)
    if isinstance(source, Diagnostic):
        if (
            source.code == "FLC016"
        ):  # skipped, as gitleaks and detect-secrets do, but never silently
            skipped = attrs.evolve(
                source,
                severity=Severity.WARNING,
                notes=("floec lint skipped this file: it was not scanned for credentials",),
            )
            return None, [skipped], None
        return None, [source], None
    diagnostics, flagged = lint_with_ranges(source)
    return source, diagnostics, file_masks(source, flagged, diagnostics)


def _map(files: list[str]) -> list[tuple[SourceFile | None, list[Diagnostic], FileMasks | None]]:
    """Lint `files` in order, over every core when there are many (files are independent)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_MIN_FILES or workers < 2:
        return [lint_and_mask(file) for file in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return [lint_and_mask(file) for file in files]
    # imported once, shared by the forks
    import floec.diagnostics.redact
    import floec.passes.lint_credentials  # noqa: F401

    context = multiprocessing.get_context("fork")
    # Small enough that a worker whose core is busy with something else hands the rest over.
    chunk = max(1, len(files) // (workers * 32))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(lint_and_mask, files, chunksize=chunk))


def lint_paths(paths: list[str]) -> tuple[list[Diagnostic], dict[str, SourceFile], int]:
    """Diagnostics of every file under `paths`, the sources read, and how many files."""
    import gc

    # Each file's tree is garbage as soon as it is scanned, while the findings and sources kept
    # grow: the default thresholds would rescan that growing heap thousands of times.
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    files: list[str] = []
    seen: set[str] = set()
    real_dirs: dict[str, str] = {}
    for path in paths:
        for file in iter_files(path):
            # os.path.realpath(file), resolving each folder once rather than once per file
            folder, name = os.path.split(file)
            real_dir = real_dirs.get(folder)
            if real_dir is None:
                real_dir = real_dirs[folder] = os.path.realpath(folder)
            real = os.path.join(real_dir, name)
            if os.path.islink(real):
                real = os.path.realpath(real)
            if real not in seen:
                seen.add(real)
                files.append(file)
    from floec.diagnostics import redact

    redact.forget()
    diagnostics: list[Diagnostic] = []
    sources: dict[str, SourceFile] = {}
    for source, found, masks in _map(files):
        if source is not None:
            sources[source.name] = source
            if masks is not None:
                redact.remember(source, masks)
        diagnostics.extend(found)
    return diagnostics, sources, len(files)


def run(args: argparse.Namespace) -> int:
    from floec.credential_rules import baseline

    diagnostics, sources, files = lint_paths(args.paths)
    diagnostics = normalise(diagnostics)
    if args.write_baseline:
        count = baseline.write_baseline(args.write_baseline, diagnostics, sources)
        sys.stderr.write(f"floec: recorded {count} findings in {args.write_baseline}\n")
        return 0
    known: list[Diagnostic] = []
    if args.baseline:
        try:
            recorded = baseline.read_baseline(args.baseline)
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            diagnostic = make(
                "FLC002",
                f"cannot read the baseline {display_name(args.baseline)}: {reason}",
                None,
                file=display_name(args.baseline),
                help="write one with `floec lint --write-baseline FILE PATH...`",
            )
            emit([diagnostic], sources, args.format, sys.stdout, colour=args.color)
            return 2
        diagnostics, known = baseline.apply_baseline(diagnostics, sources, recorded, args.baseline)
    emit(diagnostics, sources, args.format, sys.stdout, colour=args.color)
    if args.format == "text":
        from floec.diagnostics.render_text import summary

        line = summary(diagnostics, files)
        if known:
            line += f" ({len(known)} known in the baseline)"
        sys.stderr.write(line + "\n")
    return 1 if has_errors(diagnostics, strict=args.strict) else 0

"""The command-line boundary: the only place where diagnostics become an exit status.

Exit status: 0 no errors (warnings allowed; `--strict` makes warnings fail), 1 errors reported,
2 usage error or internal failure. An unexpected exception becomes an FLC901 diagnostic with a
bug-report hint, never a bare traceback.

Each subcommand is a module in `floec.commands` with `add_arguments(parser)` and `run(args)`;
they import their heavy dependencies inside `run`, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from floec import __version__

# argparse asks gettext to translate each phrase it prints; gettext imports `locale` to normalise
# the language name (4 ms of every start) and then finds no catalog, since Python ships none for
# argparse. Its phrases stay English, as they were; floec's own messages are English too.
argparse._ = lambda message: message  # type: ignore[attr-defined]
argparse.ngettext = lambda one, many, n: one if n == 1 else many  # type: ignore[attr-defined]

TYPE_CHECKING = False  # `typing` is not imported at run time: a cached check never needs it
if TYPE_CHECKING:
    from typing import Any

# name -> (module, one-line help). Adding a command is adding a module and one line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("floec.commands.check", "check floe.yaml and platform.yaml files"),
    "build": ("floec.commands.build", "compile a pipeline for one or every environment"),
    "platform": ("floec.commands.platform", "inspect, publish and pull platform configurations"),
    "lock": ("floec.commands.lock", "pin the platforms floe.yaml takes from a registry"),
    "secrets": ("floec.commands.secrets", "list the secrets a deployment needs, check they exist"),
    "schema": ("floec.commands.schema", "print the JSON Schemas (floe, platform, artifacts)"),
    "lint": ("floec.commands.lint", "find hardcoded credentials in any YAML files"),
    "rules": ("floec.commands.rules", "list every diagnostic code"),
    "explain": ("floec.commands.explain", "print the documentation of a code or rule name"),
    "lsp": ("floec.commands.lsp", "run the editor server (Language Server Protocol, stdio)"),
}

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_FAILURE = 2


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized as `shutil.get_terminal_size` would size it without
    importing shutil: argparse makes one for every `add_argument`, so every start paid for it."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse's own exit code for usage errors is 2 as well; keep its wording but say how
        # to get help.
        self.print_usage(sys.stderr)
        sys.stderr.write(f"floec: error: {message}\n  = help: run '{self.prog} --help'\n")
        raise SystemExit(EXIT_FAILURE)


def _load(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name][0])


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="floec",
        description="A compiler for data-platform configuration.",
    )
    parser.add_argument("--version", action="version", version=f"floec {__version__}")
    # `prog` given: argparse would otherwise format a usage line to find it, importing shutil.
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, prog="floec"
    )
    for name, (_, summary) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=summary)
        if only is None or only == name:
            _load(name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Only the chosen command's module is imported: `floec check` never pays for `floec lint`.
    chosen = next((a for a in arguments if a in COMMANDS), None)
    try:
        parser = build_parser(chosen)
        args = parser.parse_args(arguments)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_FAILURE
        code: int = _load(args.command).run(args)
        return code
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_FAILURE
    except KeyboardInterrupt:
        sys.stderr.write("floec: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the boundary: a bug still reaches the user as a diagnostic
        report_internal_error(error)
        return EXIT_FAILURE


def report_internal_error(error: BaseException) -> None:
    """FLC901 on stderr. The exception's message is not printed: it may quote configuration
    values, and a secret must not leave through a crash. FLOEC_TRACEBACK=1 shows everything."""
    import traceback  # only on this path: it costs ~8 ms of start-up

    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    sys.stderr.write(
        f"error[FLC901]: internal error in floec {__version__}: "
        f"{type(error).__name__}{where}\n"
        "  = note: this is a bug in floec, not in your configuration\n"
        "  = help: please report it with the command you ran; "
        "rerun with FLOEC_TRACEBACK=1 for the full traceback (it may quote your files)\n"
    )
    if os.environ.get("FLOEC_TRACEBACK") == "1":
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)


def entry() -> None:
    """The `floec` command (and `python -m floec`): a process of its own, so it may keep the
    constant regular expressions and generated methods it compiles for the next run
    (floec/stage.py)."""
    from floec.stage import install

    install(__version__)
    if next((a for a in sys.argv[1:] if a in COMMANDS), None) == "lsp":
        raise SystemExit(main())
    # A batch run allocates its modules, classes and syntax trees and exits: the cycle
    # collector's passes over them found nothing to free and cost a tenth of a cold check.
    # Reference counting still frees everything. The editor server, long-lived, keeps it.
    import gc

    gc.disable()
    code = main()
    _leave(code)
    raise SystemExit(code)


def _leave(code: int) -> None:
    """End a batch run without tearing the interpreter down: freeing every module, class and
    tree one by one cost a fifth of a cold check, for memory the process gives back anyway.
    What an exit must do is done first: the output flushed, the exit handlers run (the stage's
    among them). Only when no other thread runs; else the usual exit below."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    import atexit
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    entry()

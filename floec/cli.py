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


class _Parser(argparse.ArgumentParser):
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
    code = main()
    # The interpreter's last collections would traverse every object still alive, for nothing
    # the end of the process does not free anyway: a sixth of a small check's time. Frozen,
    # they are skipped; atexit handlers still run, and files still close.
    import gc

    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    entry()

"""`floec lsp`: the editor server (Language Server Protocol over stdio). Needs `floec[lsp]`."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Editors' generic clients often pass --stdio; it is the only transport, so it is accepted.
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")


def run(args: argparse.Namespace) -> int:
    try:
        from floec.lsp.server import serve
    except ImportError as error:  # pygls or lsprotocol not installed
        sys.stderr.write(
            f"error: floec lsp needs the editor extra ({error.name} is missing)\n"
            "  = help: pip install 'floec[lsp]'\n"
        )
        return 2
    serve()
    return 0

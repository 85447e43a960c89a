"""`floec schema show floe|platform|artifacts`: print a published JSON Schema, for editors and
schema registries (the same bytes as schemas/*.schema.json, read from the installed package)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print a JSON Schema")
    show.add_argument("kind", choices=("floe", "platform", "artifacts"))


def run(args: argparse.Namespace) -> int:
    from floec.contracts import schema_text

    sys.stdout.write(schema_text(args.kind))
    return 0

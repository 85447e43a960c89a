"""`floec rules`: the catalogue of every diagnostic code, from the one registry table."""

from __future__ import annotations

import argparse
import json
import sys

from floec.diagnostics.codes import CODES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--family", metavar="PREFIX", help="only codes starting with PREFIX, e.g. FLC2"
    )


def run(args: argparse.Namespace) -> int:
    entries = [e for e in CODES.values() if not args.family or e.code.startswith(args.family)]
    if args.format == "json":
        rows = [
            {"code": e.code, "name": e.name, "severity": e.severity, "summary": e.summary}
            for e in entries
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max((len(e.name) for e in entries), default=0)
    for entry in entries:
        sys.stdout.write(
            f"{entry.code}  {entry.name:<{width}}  {entry.severity:<7}  {entry.summary}\n"
        )
    sys.stdout.write("\n`floec explain CODE` prints a rule's documentation.\n")
    return 0

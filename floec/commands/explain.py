"""`floec explain CODE|NAME`: a rule's documentation (What it does / Why is this bad? / ...)."""

from __future__ import annotations

import argparse
import difflib
import sys

from floec.diagnostics.codes import CODES, NAMES, lookup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="CODE|NAME", help="e.g. FLC201 or hardcoded-password")


def run(args: argparse.Namespace) -> int:
    from floec.diagnostics.rule_docs import rule_doc

    try:
        entry = lookup(args.rule)
    except KeyError:
        choices = [*CODES, *NAMES]
        close = difflib.get_close_matches(args.rule, choices, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        sys.stderr.write(
            f"floec: error: '{args.rule}' is not a rule code or name{hint}\n"
            "  = help: `floec rules` lists them all\n"
        )
        return 2
    text = rule_doc(entry.code)
    if text is None:
        sys.stdout.write(f"# {entry.code} {entry.name}\n\n{entry.summary}\n")
        return 0
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0

"""`floec platform list-profiles [PATH] --env NAME`: the profiles an environment offers;
`floec platform publish|versions|pull`: see floec/commands/platform_registry.py."""

from __future__ import annotations

import argparse
import json
import os
import sys

from floec.commands.build import add_environment_arguments, emit_diagnostics, has_failures
from floec.diagnostics.model import normalise


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list-profiles", help="the profiles an environment offers")
    listing.add_argument(
        "path", nargs="?", default=".", metavar="PATH", help="where to look; default: ."
    )
    add_environment_arguments(listing)
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    from floec.commands import platform_registry

    platform_registry.add_arguments(sub)


def run(args: argparse.Namespace) -> int:
    from floec.commands import platform_registry

    if args.action in platform_registry.ACTIONS:
        return platform_registry.run(args)
    from floec.driver import all_profiles, open_deployment

    deployment = open_deployment(
        args.path, env=args.env, platform=args.platform, environ=dict(os.environ)
    )
    diagnostics = normalise(list(deployment.diagnostics))
    sources = {s.name: s for s in deployment.sources}
    environment = deployment.environment
    rows = []
    if environment is not None:
        for profile in all_profiles(environment):
            credentials = profile.profile.credentials
            rows.append(
                {
                    "kind": profile.kind,
                    "name": profile.name,
                    "type": profile.profile.type,
                    "credentials": credentials.mode if credentials is not None else None,
                }
            )
    if args.format == "json":
        from floec.diagnostics.render_json import to_objects

        document = {
            "environment": environment.name if environment is not None else None,
            "platform": environment.source.name if environment is not None else None,
            "profiles": rows,
            "diagnostics": to_objects(diagnostics, sources),
        }
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    else:
        emit_diagnostics(args, diagnostics, sources, sys.stderr)
        if environment is not None:
            sys.stdout.write(f"environment {environment.name} ({environment.source.name})\n")
            for row in rows:
                mode = row["credentials"] or "no credentials"
                sys.stdout.write(f"  {row['kind']:<9} {row['name']:<16} {row['type']:<10} {mode}\n")
    return 1 if has_failures(diagnostics, False) or environment is None else 0

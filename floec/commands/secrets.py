"""`floec secrets list|check [PATH] --env NAME`: the secrets a deployment needs.

`list` prints each secret with the environment variable and the file the runtime looks it up
in. `check` looks each one up as the runtime will (the environment variable, then the file under
$FLOE_SECRETS_DIR) and says present or missing; it never reads a file's content and never
prints a value.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from floec.commands.build import add_environment_arguments, emit_diagnostics, has_failures
from floec.diagnostics.model import normalise
from floec.runtime.secrets import locate, secret_path, secrets_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, summary in (
        ("list", "every secret the deployment needs, and where it is looked up"),
        ("check", "is each secret present? (never prints a value)"),
    ):
        command = sub.add_parser(action, help=summary, description=summary)
        command.add_argument(
            "path",
            nargs="?",
            default=".",
            metavar="PATH",
            help="a pipeline (its secrets) or any directory (every secret of the platform)",
        )
        add_environment_arguments(command)
        command.add_argument("--format", choices=("text", "json"), default="text")
        command.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def run(args: argparse.Namespace) -> int:
    from floec.driver import open_deployment

    environ = dict(os.environ)
    deployment = open_deployment(args.path, env=args.env, platform=args.platform, environ=environ)
    diagnostics = normalise(list(deployment.diagnostics))
    sources = {s.name: s for s in deployment.sources}
    directory = secrets_dir(environ)
    entries = []
    for use in deployment.secrets:
        secret = use.secret
        path = secret_path(secret.file, environ)
        entry: dict[str, object] = {
            "name": secret.name,
            "key": secret.key,
            "env_var": secret.env_var,
            "file": path,
            "used_by": list(use.used_by),
        }
        if args.action == "check":
            # The runtime's own rule; presence only: no value or file content is ever read.
            found = locate(secret.env_var, secret.file, environ)
            entry["status"] = "missing" if found is None else "present"
            entry["found_in"] = found
        entries.append(entry)
    missing = [e for e in entries if e.get("status") == "missing"]
    environment = deployment.environment
    failed = has_failures(diagnostics, False) or environment is None
    if args.format == "json":
        from floec.diagnostics.render_json import to_objects

        document = {
            "environment": environment.name if environment is not None else None,
            "secrets_dir": directory,
            "secrets": entries,
            "diagnostics": to_objects(diagnostics, sources),
        }
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    else:
        emit_diagnostics(args, diagnostics, sources, sys.stderr)
        if environment is not None:
            sys.stdout.write(
                f"environment {environment.name}: {len(entries)} secret"
                f"{'s' * (len(entries) != 1)} (looked up in the environment, then "
                f"{directory})\n"
            )
        for entry in entries:
            label = str(entry["name"]) + (f"/{entry['key']}" if entry["key"] else "")
            if args.action == "list":
                sys.stdout.write(
                    f"  {label}\n    variable {entry['env_var']}\n    file     {entry['file']}\n"
                    f"    used by  {', '.join(entry['used_by'])}\n"  # type: ignore[arg-type]
                )
            elif entry["status"] == "present":
                where = (
                    f"environment variable {entry['env_var']}"
                    if entry["found_in"] == "environment"
                    else f"file {entry['file']}"
                )
                sys.stdout.write(f"  present  {label} ({where})\n")
            else:
                sys.stdout.write(
                    f"  missing  {label}: neither the environment variable {entry['env_var']} "
                    f"nor the file {entry['file']} exists\n"
                )
        if args.action == "check" and environment is not None:
            sys.stderr.write(
                f"floec: {len(entries) - len(missing)} of {len(entries)} secrets present"
                + (f", {len(missing)} missing\n" if missing else "\n")
            )
    return 1 if failed or missing else 0

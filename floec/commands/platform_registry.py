"""`floec platform publish|versions|pull`: platform configurations as versioned OCI artifacts
(docs/platform-registry.md). Registry failures are FLC309-FLC317 diagnostics; no credential is
ever printed."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from floec.diagnostics.model import Diagnostic
    from floec.oci.reference import Reference
    from floec.oci.registry import Registries
    from floec.source import SourceFile

ACTIONS = ("publish", "versions", "pull")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="talk HTTP, not HTTPS, to a registry that is not on loopback (loopback always is)",
    )
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def add_arguments(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    publish = sub.add_parser(
        "publish",
        help="publish a platform.yaml to an OCI registry as a version",
        description="Publish a platform.yaml (it must `floec check` clean) as an OCI artifact. "
        "The version is --version, else the reference's :TAG, else the file's `version:`.",
    )
    publish.add_argument("path", metavar="PATH", help="platform/<env>/ or a platform.yaml")
    publish.add_argument("reference", metavar="oci://HOST/REPOSITORY[:VERSION]")
    publish.add_argument("--version", metavar="SEMVER", help="the version to publish")
    publish.add_argument(
        "--env", metavar="NAME", help="the environment annotation; default: the directory name"
    )
    publish.add_argument(
        "--source", metavar="TEXT", help="the source annotation; default: PATH as given"
    )
    _common(publish)
    versions = sub.add_parser("versions", help="list the published versions of a platform")
    versions.add_argument("reference", metavar="oci://HOST/REPOSITORY")
    versions.add_argument("--format", choices=("text", "json"), default="text")
    _common(versions)
    pull = sub.add_parser("pull", help="download a published platform.yaml, digest verified")
    pull.add_argument("reference", metavar="oci://HOST/REPOSITORY[:VERSION|@DIGEST]")
    pull.add_argument(
        "--version", metavar="RANGE", help="the highest version in this range (e.g. ^1.2)"
    )
    pull.add_argument(
        "-o", "--output", metavar="DIR", required=True, help="write DIR/platform.yaml"
    )
    _common(pull)


def run(args: argparse.Namespace) -> int:
    from floec.diagnostics.model import Diagnostic, make
    from floec.oci import reference as refs

    try:
        reference = refs.parse(args.reference)
    except refs.InvalidReference as error:
        return _fail(args, [make("FLC316", str(error), None)], {})
    if args.action == "publish":
        return _publish(args, reference)
    if args.action == "versions":
        return _versions(args, reference)
    result = _pull(args, reference)
    if isinstance(result, Diagnostic):
        return _fail(args, [result], {})
    return result


def _registries(args: argparse.Namespace) -> Registries:
    from floec.oci.platforms import plain_http
    from floec.oci.registry import Registries

    environ = dict(os.environ)
    return Registries(environ, plain_http=plain_http(environ, args.plain_http))


def _fail(
    args: argparse.Namespace,
    diagnostics: list[Diagnostic],
    sources: Mapping[str, SourceFile] | None = None,
) -> int:
    from floec.commands.build import emit_diagnostics
    from floec.diagnostics.model import normalise

    emit_diagnostics(args, normalise(diagnostics), dict(sources or {}), sys.stderr)
    return 1


def _publish(args: argparse.Namespace, reference: Reference) -> int:
    from floec.ast.nodes import PlatformSpec
    from floec.diagnostics.model import has_errors, make, normalise
    from floec.driver import check_environments
    from floec.frontend import check_file
    from floec.oci import artifact, semver
    from floec.oci.client import RegistryError
    from floec.oci.platforms import diagnostic
    from floec.oci.publish import publish

    path = Path(args.path)
    file = path / "platform.yaml" if path.is_dir() else path
    checked = check_file(str(file), "platform")
    sources = {checked.source.name: checked.source} if checked.source is not None else {}
    problems = normalise([*checked.diagnostics, *check_environments([checked])])
    if has_errors(problems) or not isinstance(checked.spec, PlatformSpec):
        _fail(args, list(problems), dict(sources))
        sys.stderr.write(f"floec: not published: {file} does not check clean\n")
        return 1
    tag = reference.tag.replace("_", "+", 1) if reference.tag else None
    try:
        version = semver.parse(args.version or tag or checked.spec.version)
    except semver.SemverError as error:
        span = checked.spec.field_spans.get("version") if not args.version else None
        return _fail(
            args,
            [make("FLC316", f"cannot publish: {error}", span, file=str(file))],
            dict(sources),
        )
    if reference.digest is not None:
        return _fail(args, [make("FLC316", "publish to a tag, not a digest", None)], {})
    data = file.read_bytes()
    environ = dict(os.environ)
    registries = _registries(args)
    environment = args.env or (file.parent.name if file.parent.name else reference.repository)
    try:
        done = publish(
            registries.client(reference.host),
            reference.bare,
            data,
            version=version,
            created=artifact.created_at(environ),
            source=args.source or Path(args.path).as_posix(),
            environment=environment,
        )
    except RegistryError as error:
        return _fail(args, [diagnostic(error, None, str(file))], {})
    verb = "already published, unchanged:" if done.unchanged else "published"
    sys.stdout.write(f"{done.reference}\n")  # the pinned reference alone, for scripts
    sys.stderr.write(
        f"floec: {verb} {file} as version {version} of {reference.bare} "
        f"(platform.yaml {done.layer}, {done.size} bytes)\n"
    )
    return 0


def _versions(args: argparse.Namespace, reference: Reference) -> int:
    from floec.oci.client import RegistryError
    from floec.oci.platforms import diagnostic

    registries = _registries(args)
    try:
        found = registries.versions(reference.bare)
    except RegistryError as error:
        return _fail(args, [diagnostic(error, None, None)], {})
    if args.format == "json":
        document = {"repository": str(reference.bare), "versions": [str(v) for v, _ in found]}
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    else:
        for version, _ in found:
            sys.stdout.write(f"{version}\n")
        if not found:
            sys.stderr.write(f"floec: {reference.bare} has no semver-tagged version\n")
    return 0


def _pull(args: argparse.Namespace, reference: Reference) -> int | Diagnostic:
    from floec.diagnostics.model import Diagnostic
    from floec.oci.client import RegistryError
    from floec.oci.platforms import diagnostic
    from floec.write import write_file

    registries = _registries(args)
    try:
        if args.version:
            resolved = registries.resolve(reference.bare, args.version)
        else:
            resolved = registries.fetch(reference)
    except RegistryError as error:
        return diagnostic(error, None, None)
    except ValueError as error:  # a malformed range
        from floec.diagnostics.model import make

        return make("FLC316", str(error), None)
    written = write_file(Path(args.output) / "platform.yaml", resolved.data)
    if isinstance(written, Diagnostic):
        return written
    sys.stdout.write(f"{resolved.pinned}\n")
    sys.stderr.write(
        f"floec: pulled {written} ({resolved.size} bytes, {resolved.layer} verified)\n"
    )
    return 0

"""Pass `codegen-artifacts`: `compiled_artifacts.json`, the contract the runtime reads."""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Mapping
from typing import Any

import attrs

from floec import __version__
from floec.ast.nodes import Block, Interpolated, SecretRef
from floec.diagnostics.model import Diagnostic, make
from floec.frozen import frozen
from floec.ir import (
    DEFAULT_SECRETS_DIR,
    SECRETS_DIR_VARIABLE,
    GeneratedFile,
    LoweredPipeline,
    PassResult,
)

# 2.1.0 added orchestration, layers, consumption, deployment and the observability details.
ARTIFACTS_VERSION = "2.1.0"
ARTIFACTS_FILE = "compiled_artifacts.json"
DBT_PROFILES_DIR = "dbt"  # codegen-dbt's profiles.yml, relative to the artifacts' directory


@frozen
class ArtifactsContext:
    lowered: LoweredPipeline
    pipeline_path: str  # floe.yaml, relative to the project directory
    pipeline_directory: str  # the project directory, relative to the workspace root
    pipeline_sha256: str
    platform_path: str  # platform.yaml, relative to the project directory
    source_date_epoch: int | None  # SOURCE_DATE_EPOCH, when set


def codegen_artifacts(ctx: ArtifactsContext) -> PassResult:
    """Render the lowered pipeline as `compiled_artifacts.json` (contract version 2.0.0).

    Reads: the `LoweredPipeline`, the two input files' paths (relative to the project, so the
    bytes do not depend on the working directory) and hashes, and SOURCE_DATE_EPOCH.
    Writes: one `GeneratedFile`; its bytes are deterministic: sorted keys, two-space indent,
    UTF-8, a final newline, and `created_at` null unless SOURCE_DATE_EPOCH is set.
    Reports: FLC901 if the document does not satisfy schemas/compiled-artifacts.schema.json
    (that would be a bug in floec, so nothing is written).
    """
    document = artifacts_document(ctx)
    problems = schema_errors(document)
    diagnostics: tuple[Diagnostic, ...] = ()
    if problems:
        diagnostics = (
            make(
                "FLC901",
                "internal error: the compiled artifacts do not satisfy their schema: "
                f"{problems[0]}",
                None,
                file=ctx.lowered.bound.pipeline.span.file,
                help="please report this bug with the command you ran",
            ),
        )
        return PassResult(None, diagnostics)
    data = (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return PassResult((GeneratedFile(ARTIFACTS_FILE, data),), diagnostics)


def artifacts_document(ctx: ArtifactsContext) -> dict[str, object]:
    lowered = ctx.lowered
    bound = lowered.bound
    pipeline = bound.pipeline
    environment = bound.environment
    created_at = None
    if ctx.source_date_epoch is not None:
        moment = datetime.datetime.fromtimestamp(ctx.source_date_epoch, datetime.timezone.utc)
        created_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    governance = None if pipeline.governance is None else plain(pipeline.governance)
    return {
        "version": ARTIFACTS_VERSION,
        "generator": {"name": "floec", "version": __version__},
        "created_at": created_at,
        "pipeline": {
            "name": pipeline.name,
            "version": pipeline.version,
            "path": ctx.pipeline_path,
            "directory": ctx.pipeline_directory,
            "sha256": ctx.pipeline_sha256,
            "service_account": pipeline.service_account,
            "principal_role": pipeline.principal_role,
        },
        "environment": {
            "name": environment.name,
            "platform": {
                "path": ctx.platform_path,
                "sha256": environment.sha256,
                "version": environment.platform.version,
            },
        },
        "profiles": dict(lowered.profiles),
        "transforms": [
            {
                "type": t.type,
                "path": t.path,
                "target": t.target or environment.name,
                "profiles_dir": DBT_PROFILES_DIR,
                "selector": t.selector,
            }
            for t in pipeline.transforms
        ],
        "governance": governance,
        "orchestration": None if pipeline.orchestration is None else plain(pipeline.orchestration),
        "consumption": None if pipeline.consumption is None else plain(pipeline.consumption),
        "layers": dict(lowered.layers),
        "deployment": dict(lowered.deployment),
        "observability": dict(lowered.observability),
        "secrets": {
            "secrets_dir": {"variable": SECRETS_DIR_VARIABLE, "default": DEFAULT_SECRETS_DIR},
            "entries": [
                {
                    "name": use.secret.name,
                    "key": use.secret.key,
                    "env_var": use.secret.env_var,
                    "file": use.secret.file,
                    "used_by": list(use.used_by),
                }
                for use in lowered.secrets
            ],
        },
    }


def plain(value: object) -> Any:
    """An AST value as the artifacts' JSON: every field with its default filled in, spans
    dropped, tuples as lists, mappings with sorted keys."""
    if isinstance(value, Block):
        return plain(value.data)
    if isinstance(value, SecretRef):
        return {"secret_ref": value.name, "key": value.key}
    if isinstance(value, Interpolated):
        return value.raw
    if attrs.has(type(value)):
        return {
            field.name: plain(getattr(value, field.name))
            for field in attrs.fields(type(value))  # type: ignore[arg-type]
            if field.name not in ("span", "field_spans")
        }
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    from floec.contracts import load_schema

    return Draft202012Validator(load_schema("artifacts"))


@functools.cache
def _is_valid() -> Any:
    from floec.contracts import load_schema
    from floec.schema_check import compile_schema

    return compile_schema(load_schema("artifacts"))


def schema_errors(document: object) -> list[str]:
    """Where `document` breaks schemas/compiled-artifacts.schema.json (empty when valid).
    jsonschema is imported only to describe a document the compiled check finds invalid."""
    if _is_valid()(document):
        return []
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in _validator().iter_errors(document)
    ]

"""Pass `check-credentials`: each credential mode's fields, and no plaintext in sensitive fields."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

from floec.ast.nodes import (
    CatalogProfile,
    ComputeProfile,
    CredentialConfig,
    Interpolated,
    SecretRef,
)
from floec.diagnostics.model import Diagnostic, make
from floec.frozen import frozen
from floec.ir import BoundProfile, Environment, PassResult, Profile
from floec.span import Span

# mode -> (required fields, allowed optional fields). As in floe-runtime, a static credential
# without `secret_ref` means "no secret" (a local DuckDB needs none), and oauth2's `scope` is
# optional (the server's default scope applies).
MODES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "static": ((), ("secret_ref",)),
    "oauth2": (("client_id", "client_secret"), ("scope", "token_uri")),
    "iam_role": (("role_arn",), ("external_id", "session_name")),
    "service_account": (("service_account",), ("key",)),
}
_ALL_FIELDS = tuple(
    dict.fromkeys(f for required, optional in MODES.values() for f in (*required, *optional))
)
# mode -> the fields of other modes, in `_ALL_FIELDS` order
_FOREIGN = {
    mode: tuple(f for f in _ALL_FIELDS if f not in (*required, *optional))
    for mode, (required, optional) in MODES.items()
}

# (profile kind, type) -> the credential modes it accepts (DESIGN §3, schemas/platform.schema.json)
SUPPORTED_MODES: dict[tuple[str, str], tuple[str, ...]] = {
    ("storage", "s3"): ("static", "iam_role"),
    ("storage", "gcs"): ("service_account", "static"),
    ("storage", "azure"): ("static", "oauth2"),
    ("storage", "local"): (),
    ("catalogs", "polaris"): ("oauth2", "static"),
    ("catalogs", "rest"): ("oauth2", "static"),
    ("catalogs", "nessie"): ("oauth2", "static"),
    ("catalogs", "glue"): ("iam_role", "static"),
    ("catalogs", "hive"): ("static",),
    ("catalogs", "sql"): (),
    ("compute", "duckdb"): ("static",),
    ("compute", "postgres"): ("static",),
    ("compute", "redshift"): ("static", "iam_role"),
    ("compute", "snowflake"): ("static", "oauth2"),
    ("compute", "bigquery"): ("service_account", "oauth2"),
    ("compute", "databricks"): ("static", "oauth2"),
    ("compute", "spark"): ("static",),
    ("compute", "trino"): ("static", "oauth2"),
}

ROLE_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$")
SERVICE_ACCOUNT = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Keys whose value is secret material, in any spelling (`db_password`, `PGPASSWORD`, `apiKey`,
# `ssl.key.password`, `client-secret`), unless the key only names where the secret is
# (`password_file`, `token_url`, `secret_ref`).
_SENSITIVE = re.compile(
    r"(passw(or)?d|passphrase|secret|token|api[-_.]?key|private[-_.]?key|access[-_.]?key"
    r"|account[-_.]?key|ssl[-_.]?key|tls[-_.]?key|client[-_.]?key|credential)",
    re.IGNORECASE,
)
_NEUTRAL = re.compile(
    r"(file|path|dir|url|uri|endpoint|ref|name|env|length|enabled|type|method|expir|ttl|location)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # a large platform repeats the same few keys thousands of times
def is_sensitive_key(key: str) -> bool:
    """A map key whose value must be a secret reference.

    >>> [is_sensitive_key(k) for k in ("password", "PGPASSWORD", "token_url", "warehouse")]
    [True, True, False, False]
    """
    last = re.split(r"[.:/]", key)[-1] or key
    return bool(_SENSITIVE.search(last)) and not _NEUTRAL.search(last)


@frozen
class CredentialsContext:
    environment: Environment
    profiles: tuple[BoundProfile, ...]


def check_credentials(ctx: CredentialsContext) -> PassResult:
    """Check the credentials of the given profiles (the bound ones when building; every profile
    of the platform when `floec check` reads a platform.yaml).

    Reads: each profile's `credentials` and its free-form maps (catalog `properties`, compute
    `properties` and the maps nested in them).
    Writes: the profiles unchanged (this pass only reports).
    Reports: FLC405 a mode the profile type cannot use; FLC401 a field the mode requires is
    missing; FLC402 a field of another mode; FLC403 a `role_arn` that is not an IAM role ARN;
    FLC404 a malformed service-account identity; FLC202 a plaintext value under a password-like
    key, with "use secret_ref" and the fix, never the value. The JSON Schema already catches most
    of these in a platform.yaml; this pass is what guards a platform built from the `FLOE_*`
    variables or from code, and the free-form maps the schema cannot type.
    """
    diagnostics: list[Diagnostic] = []
    for bound in ctx.profiles:
        where = f"{bound.kind}.{bound.name}"
        profile = bound.profile
        if profile.credentials is not None:
            diagnostics += _check_mode(bound.kind, profile, profile.credentials, where)
        for keys, value in _free_values(profile):
            if isinstance(value, (str, Interpolated, int, float)) and is_sensitive_key(keys[-1]):
                span = ctx.environment.span_at(bound.kind, bound.name, *keys) or profile.span
                diagnostics.append(plaintext(".".join((where, *keys)), keys[-1], span))
    return PassResult(ctx.profiles, tuple(diagnostics))


def plaintext(path: str, key: str, span: Span) -> Diagnostic:
    """FLC202 for a plain value in a sensitive field; the value is masked in every rendering."""
    return make(
        "FLC202",
        f"{path} is a sensitive field and holds a plain value; use secret_ref",
        span,
        help=f"write `{key}: {{secret_ref: <name>}}` and provide the value at run time from the "
        "environment or $FLOE_SECRETS_DIR",
        masked=(span,),
    )


def _check_mode(
    kind: str, profile: Profile, credentials: CredentialConfig, where: str
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    mode = credentials.mode
    spans = credentials.field_spans
    supported = SUPPORTED_MODES.get((kind, profile.type))
    if supported is not None and mode not in supported:
        accepted = ", ".join(supported) if supported else "none: remove `credentials`"
        out.append(
            make(
                "FLC405",
                f"{where} is of type {profile.type}, which cannot authenticate with mode "
                f"'{mode}'; accepted: {accepted}",
                spans.get("mode", credentials.span),
            )
        )
    if mode not in MODES:
        return out
    required, optional = MODES[mode]
    for name in required:
        if getattr(credentials, name) is None:
            out.append(
                make(
                    "FLC401",
                    f"{where}.credentials: mode '{mode}' needs `{name}`",
                    credentials.span,
                    help=_fix(mode, name),
                )
            )
    for name in _FOREIGN[mode]:
        if getattr(credentials, name) is not None:
            out.append(
                make(
                    "FLC402",
                    f"{where}.credentials: `{name}` does not belong to mode '{mode}'",
                    spans.get(name, credentials.span),
                    help=f"mode '{mode}' takes {', '.join(required + optional)}",
                )
            )
    if credentials.role_arn is not None and not ROLE_ARN.match(credentials.role_arn):
        out.append(
            make(
                "FLC403",
                f"{where}.credentials.role_arn is not an IAM role ARN",
                spans.get("role_arn", credentials.span),
                help="write arn:aws:iam::<12-digit account>:role/<name>",
            )
        )
    account = credentials.service_account
    if account is not None and not SERVICE_ACCOUNT.match(account):
        out.append(
            make(
                "FLC404",
                f"{where}.credentials.service_account is not a service-account identity",
                spans.get("service_account", credentials.span),
                help="write the account's email, e.g. etl@my-project.iam.gserviceaccount.com",
            )
        )
    secret = credentials.client_secret
    if mode == "oauth2" and secret is not None and not isinstance(secret, SecretRef):
        span = spans.get("client_secret", credentials.span)
        out.append(plaintext(f"{where}.credentials.client_secret", "client_secret", span))
    return out


def _fix(mode: str, name: str) -> str:
    examples = {
        "secret_ref": "secret_ref: <secret name>",
        "client_id": "client_id: <id or {secret_ref: <name>, key: client_id}>",
        "client_secret": "client_secret: {secret_ref: <name>, key: client_secret}",
        "scope": "scope: <scope, e.g. PRINCIPAL_ROLE:ALL>",
        "role_arn": "role_arn: arn:aws:iam::<account>:role/<name>",
        "service_account": "service_account: <name>@<project>.iam.gserviceaccount.com",
    }
    return f"add `{examples.get(name, name)}`"


def _free_values(profile: Profile) -> Iterator[tuple[tuple[str, ...], object]]:
    """(keys below the profile, value) of every scalar in the profile's free-form maps."""
    if isinstance(profile, (CatalogProfile, ComputeProfile)):
        yield from _walk(profile.properties, ("properties",))


def _walk(
    data: Mapping[str, object], keys: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], object]]:
    for key, value in sorted(data.items()):
        if isinstance(value, Mapping):
            yield from _walk(value, (*keys, key))
        else:
            yield (*keys, key), value

"""The registry of diagnostic codes: one table, codes never reused or renamed.

Each code has a permanent number, a kebab-case name, a default severity and a one-line summary.
The long documentation of each code (What it does / Why is this bad? / Example / Use instead)
lives in `floec/rules_docs/<CODE>.md`, read only by `floec explain`, `floec rules` and SARIF, so
that start-up never pays for it; tests/test_rules_docs.py fails when a code lacks a section.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    code: str
    name: str
    severity: str  # a Severity value; kept a str so this table imports nothing
    summary: str


_TABLE = (
    # FLC0xx: reading and YAML syntax
    Code("FLC001", "file-not-found", "error", "an input file does not exist"),
    Code("FLC002", "file-unreadable", "error", "an input file cannot be read"),
    Code("FLC003", "invalid-encoding", "error", "the file is not UTF-8"),
    Code("FLC004", "yaml-syntax-error", "error", "the file is not well-formed YAML"),
    Code("FLC005", "duplicate-key", "error", "a mapping has the same key twice"),
    Code("FLC006", "multiple-documents", "error", "a configuration file holds several documents"),
    Code("FLC007", "alias-expansion-limit", "error", "aliases expand past the size budget"),
    Code("FLC008", "nesting-too-deep", "error", "the document nests deeper than the limit"),
    Code("FLC009", "tab-indentation", "error", "a tab is used for indentation"),
    Code("FLC010", "empty-file", "error", "the file holds no document"),
    Code("FLC011", "root-not-mapping", "error", "the document's root is not a mapping"),
    Code("FLC012", "unsupported-tag", "error", "a YAML tag that floec does not construct"),
    Code("FLC013", "invalid-merge-key", "error", "a `<<` merge key whose value is not a mapping"),
    Code(
        "FLC014", "unknown-file-kind", "error", "a file that is neither floe.yaml nor platform.yaml"
    ),
    Code("FLC015", "not-a-regular-file", "error", "an input is a pipe, a device or a socket"),
    Code("FLC016", "file-too-large", "error", "an input file is over the size limit"),
    Code(
        "FLC017", "path-outside-workspace", "error", "floe.yaml names a file outside the workspace"
    ),
    Code("FLC020", "invalid-interpolation", "error", "a malformed `${...}` interpolation"),
    Code("FLC030", "output-not-writable", "error", "the build output cannot be written there"),
    # FLC1xx: schema
    Code("FLC101", "unknown-field", "error", "a field the schema does not define"),
    Code("FLC102", "wrong-type", "error", "a value of the wrong type"),
    Code("FLC103", "missing-field", "error", "a required field is missing"),
    Code("FLC104", "invalid-value", "error", "a value outside the allowed set"),
    Code("FLC105", "pattern-mismatch", "error", "a string that does not have the required form"),
    Code("FLC106", "out-of-range", "error", "a number or size outside its bounds"),
    Code("FLC107", "forbidden-field", "error", "a field not allowed for this type or mode"),
    Code("FLC108", "schema-violation", "error", "any other schema rule"),
    # FLC2xx: security
    Code("FLC201", "hardcoded-password", "error", "a plaintext value under a password-like key"),
    Code("FLC202", "plaintext-secret-field", "error", "a sensitive field holds a plain value"),
    Code("FLC203", "credential-in-url", "error", "a URL or DSN carries a password or token"),
    Code("FLC204", "aws-access-key-id", "error", "an AWS access key id"),
    Code("FLC205", "aws-secret-access-key", "error", "an AWS secret access key"),
    Code("FLC206", "github-token", "error", "a GitHub token"),
    Code("FLC207", "gitlab-token", "error", "a GitLab token"),
    Code("FLC208", "slack-token", "error", "a Slack token"),
    Code("FLC209", "slack-webhook-url", "error", "a Slack incoming-webhook URL"),
    Code("FLC210", "stripe-key", "error", "a Stripe secret or restricted key"),
    Code("FLC211", "json-web-token", "error", "a JSON Web Token"),
    Code("FLC212", "private-key", "error", "a PEM or OpenSSH private key"),
    Code("FLC213", "gcp-service-account-key", "error", "a Google Cloud service-account key"),
    Code("FLC214", "azure-access-key", "error", "an Azure account key or shared access key"),
    Code("FLC215", "azure-sas-token", "error", "an Azure shared access signature"),
    Code("FLC216", "databricks-token", "error", "a Databricks personal access token"),
    Code("FLC217", "authorization-header", "error", "an HTTP Basic or Bearer credential"),
    Code(
        "FLC218", "high-entropy-string", "warning", "a random-looking value no other rule explains"
    ),
    Code("FLC219", "vendor-api-token", "error", "a token with a vendor's well-known prefix"),
    Code("FLC220", "credential-in-pipeline", "error", "floe.yaml holds a credential"),
    Code("FLC221", "endpoint-in-pipeline", "error", "floe.yaml holds an infrastructure endpoint"),
    Code("FLC222", "secret-in-output", "error", "a flagged value would be written to an output"),
    Code("FLC230", "unused-suppression", "warning", "a `floec: ignore` that suppresses nothing"),
    Code("FLC231", "unknown-suppression", "warning", "a `floec: ignore` naming no known rule"),
    Code("FLC232", "malformed-suppression", "warning", "a `floec:` comment that cannot be read"),
    # FLC3xx: binding
    Code("FLC301", "unknown-profile", "error", "a profile name the environment does not define"),
    Code("FLC302", "unknown-environment", "error", "an environment with no platform.yaml"),
    Code("FLC303", "no-platform-config", "error", "no platform configuration was found"),
    Code(
        "FLC304",
        "platform-from-environment",
        "info",
        "the platform was built from FLOE_* variables",
    ),
    Code("FLC305", "invalid-environment-name", "error", "an environment name of the wrong form"),
    Code("FLC306", "no-inputs", "error", "a path holds no floe.yaml or platform.yaml"),
    Code("FLC307", "no-environment-chosen", "error", "no environment was chosen among several"),
    Code("FLC308", "platform-file-not-found", "error", "a named platform file is missing"),
    Code("FLC309", "registry-unreachable", "error", "a platform registry cannot be reached"),
    Code(
        "FLC310", "registry-authentication-failed", "error", "the registry refused the credentials"
    ),
    Code("FLC311", "unknown-platform-repository", "error", "the registry has no such repository"),
    Code("FLC312", "no-matching-platform-version", "error", "no published version matches"),
    Code(
        "FLC313",
        "platform-digest-mismatch",
        "error",
        "downloaded content does not match its digest",
    ),
    Code("FLC314", "platform-version-exists", "error", "a published version cannot be replaced"),
    Code("FLC315", "lock-out-of-date", "error", "floe.lock and floe.yaml disagree"),
    Code("FLC316", "invalid-platform-reference", "error", "a malformed reference, range or lock"),
    Code("FLC317", "registry-error", "error", "the registry answered something unexpected"),
    Code("FLC320", "unknown-job", "error", "a schedule, sensor or backfill names a missing job"),
    Code("FLC321", "unknown-partition", "error", "an asset config names missing partitions"),
    Code(
        "FLC322",
        "unknown-profile-reference",
        "error",
        "a layer or compute_logs names a profile the platform lacks",
    ),
    Code("FLC323", "invalid-cron", "error", "a cron expression that does not parse"),
    Code("FLC324", "invalid-selection", "error", "an asset selection that does not parse"),
    Code("FLC325", "unknown-timezone", "error", "a time zone the zone database does not know"),
    # FLC4xx: credential modes and secret references
    Code("FLC401", "credential-missing-field", "error", "the credential mode needs this field"),
    Code("FLC402", "credential-forbidden-field", "error", "the credential mode forbids this field"),
    Code("FLC403", "invalid-role-arn", "error", "`role_arn` is not an IAM role ARN"),
    Code("FLC404", "invalid-service-account", "error", "a malformed service-account identity"),
    Code("FLC405", "credential-mode-not-supported", "error", "a mode this profile type cannot use"),
    Code("FLC406", "secret-name-not-kubernetes", "warning", "not a Kubernetes secret name"),
    Code("FLC407", "secret-variable-collision", "error", "two secrets share one variable"),
    # FLC5xx: code generation
    Code("FLC501", "dbt-unsupported", "error", "the dbt adapter cannot express this setting"),
    Code("FLC502", "dbt-setting-ignored", "warning", "a setting the dbt adapter has no field for"),
    Code(
        "FLC503",
        "dbt-profile-name-fallback",
        "warning",
        "the dbt profile is named after the pipeline",
    ),
    # FLC9xx: internal
    Code("FLC901", "internal-error", "error", "a bug in floec"),
)

CODES: dict[str, Code] = {entry.code: entry for entry in _TABLE}
NAMES: dict[str, Code] = {entry.name: entry for entry in _TABLE}


def lookup(code_or_name: str) -> Code:
    """The registered code for `FLC201` or `hardcoded-password`; KeyError when unknown."""
    entry = CODES.get(code_or_name.upper()) or NAMES.get(code_or_name.lower())
    if entry is None:
        raise KeyError(code_or_name)
    return entry

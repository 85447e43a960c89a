"""Unit tests of each pass, on small in-memory inputs."""

from __future__ import annotations

import copy

import pytest

from floec.ast.nodes import CredentialConfig, SecretRef, StorageProfile
from floec.driver import PASS_NAMES, all_profiles, example_environment, example_pipeline
from floec.ir import BoundProfile, LoweredPipeline
from floec.passes.bind_profiles import BindContext, bind_profiles
from floec.passes.check_credentials import CredentialsContext, check_credentials, is_sensitive_key
from floec.passes.lower_secrets import (
    LowerContext,
    env_var,
    is_kubernetes_name,
    lower,
    lower_secrets,
)
from floec.span import Span

SPAN = Span.point("x.yaml", 0, 0)

PLATFORM = """version: 1.0.0
storage:
  default:
    type: s3
    bucket: b
    credentials: {mode: static, secret_ref: minio-credentials}
catalogs:
  default:
    type: polaris
    uri: {secret_ref: polaris, key: uri}
    warehouse: w
    credentials:
      mode: oauth2
      client_id: {secret_ref: polaris-oauth, key: client_id}
      client_secret: {secret_ref: polaris-oauth, key: client_secret}
      scope: PRINCIPAL_ROLE:ALL
  production: {type: sql, uri: "sqlite:///x.db"}
compute:
  default:
    type: postgres
    properties: {host: h, port: 5432, user: floe, dbname: d, schema: s}
    credentials: {mode: static, secret_ref: postgres-dev}
observability:
  traces: true
  lineage: false
  otlp_endpoint: {secret_ref: otel, key: endpoint}
"""


def test_pass_order_matches_the_command_line_choices() -> None:
    from floec.commands import build

    assert PASS_NAMES == build.PASS_NAMES
    assert PASS_NAMES[0] == "bind-profiles"


def test_bind_resolves_every_reference() -> None:
    result = bind_profiles(BindContext(example_pipeline(), example_environment(PLATFORM)))
    assert result.diagnostics == ()
    assert [(p.field, p.name) for p in result.value.profiles] == [  # type: ignore[attr-defined]
        ("catalog", "default"),
        ("storage", "default"),
        ("compute", "default"),
    ]


def test_unknown_profile_names_environment_available_and_nearest() -> None:
    pipeline = example_pipeline(catalog="prodution")
    result = bind_profiles(BindContext(pipeline, example_environment(PLATFORM)))
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "FLC301"
    assert "'prodution'" in diagnostic.message
    assert "environment 'example'" in diagnostic.message
    assert "available: default, production" in diagnostic.message
    assert "did you mean 'production'?" in diagnostic.message
    assert diagnostic.span == pipeline.field_spans["catalog"]
    assert diagnostic.related[0].span.file == "example.yaml"
    assert diagnostic.related[0].span.start.line == 6  # `catalogs:`


def test_implicit_default_points_at_floe_yaml_with_a_note() -> None:
    environment = example_environment(
        PLATFORM.replace("  default:\n    type: postgres", "  pg:\n    type: postgres")
    )
    result = bind_profiles(BindContext(example_pipeline(), environment))
    (diagnostic,) = result.diagnostics
    assert diagnostic.span is not None and diagnostic.span.file == "floe.yaml"
    assert "uses the profile named 'default'" in diagnostic.notes[0]


def _with_credentials(
    credentials: CredentialConfig, kind: str = "storage"
) -> tuple[BoundProfile, ...]:
    span = Span.point("x.yaml", 0, 0)
    profile = StorageProfile(
        type="s3", span=span, field_spans={}, bucket="b", credentials=credentials
    )
    return (BoundProfile("storage", "storage", "default", profile),)


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        ({"mode": "static", "secret_ref": "s3"}, []),
        ({"mode": "static"}, []),  # floe-runtime: a static credential with no secret at all
        ({"mode": "static", "secret_ref": "s3", "scope": "x"}, ["FLC402"]),
        ({"mode": "iam_role", "role_arn": "arn:aws:iam::123456789012:role/ok"}, []),
        ({"mode": "iam_role", "role_arn": "not-an-arn"}, ["FLC403"]),
        ({"mode": "oauth2", "client_id": "a", "scope": "s"}, ["FLC401", "FLC405"]),
        (
            {"mode": "oauth2", "client_id": "a", "client_secret": SecretRef("c", None, SPAN)},
            ["FLC405"],  # s3 takes no oauth2; but no FLC401: scope is optional
        ),
        ({"mode": "service_account", "service_account": "nobody"}, ["FLC404", "FLC405"]),
    ],
)
def test_credential_modes(fields: dict[str, str], codes: list[str]) -> None:
    credentials = CredentialConfig(span=Span.point("x.yaml", 0, 0), field_spans={}, **fields)  # type: ignore[arg-type]
    environment = example_environment(PLATFORM)
    result = check_credentials(CredentialsContext(environment, _with_credentials(credentials)))
    assert sorted(d.code for d in result.diagnostics) == codes


def test_plaintext_in_free_map_is_masked_and_never_echoed() -> None:
    text = PLATFORM.replace(
        '  production: {type: sql, uri: "sqlite:///x.db"}',
        "  production:\n    type: rest\n    uri: https://c\n"
        "    properties: {client.password: hunter2-canary}",
    )
    environment = example_environment(text)
    result = check_credentials(CredentialsContext(environment, all_profiles(environment)))
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "FLC202"
    assert "use secret_ref" in diagnostic.message
    assert "hunter2" not in diagnostic.message + (diagnostic.help or "")
    assert diagnostic.masked == (diagnostic.span,)
    assert "{secret_ref: <name>}" in (diagnostic.help or "")


@pytest.mark.parametrize(
    ("key", "sensitive"),
    [("password", True), ("db_password", True), ("client.secret", True), ("token", True),
     ("token_url", False), ("password_file", False), ("prefix", False), ("warehouse", False)],
)  # fmt: skip
def test_sensitive_keys(key: str, sensitive: bool) -> None:
    assert is_sensitive_key(key) is sensitive


def test_lowering_forms() -> None:
    secret = lower("polaris-oauth", "client_secret")
    assert secret.env_var == "POLARIS_OAUTH_CLIENT_SECRET"
    assert secret.file == "polaris-oauth/client_secret"
    assert secret.dbt == "{{ env_var('POLARIS_OAUTH_CLIENT_SECRET') }}"
    assert secret.dagster == 'EnvVar("POLARIS_OAUTH_CLIENT_SECRET")'
    assert env_var("polaris-oauth", None) == "POLARIS_OAUTH"
    assert lower("tls", None).file == "tls"
    assert is_kubernetes_name("polaris-oauth") and not is_kubernetes_name("Polaris_OAuth")


def _lowered(text: str = PLATFORM) -> tuple[LoweredPipeline, list[str]]:
    bound = bind_profiles(BindContext(example_pipeline(), example_environment(text))).value
    result = lower_secrets(LowerContext(bound))  # type: ignore[arg-type]
    assert isinstance(result.value, LoweredPipeline)
    return result.value, [d.code for d in result.diagnostics]


def test_static_credential_fills_each_slot_and_the_manifest() -> None:
    lowered, codes = _lowered()
    assert codes == []
    slots = lowered.profiles["storage"]["credentials"]["slots"]  # type: ignore[index]
    assert sorted(slots) == ["access_key_id", "secret_access_key"]
    assert slots["access_key_id"]["secret"]["env_var"] == "MINIO_CREDENTIALS_ACCESS_KEY_ID"
    # a database's `user` is already in its properties: only the password comes from the secret
    compute = lowered.profiles["compute"]["credentials"]["slots"]  # type: ignore[index]
    assert list(compute) == ["password"]
    manifest = {(u.secret.name, u.secret.key): u.used_by for u in lowered.secrets}
    assert manifest[("polaris-oauth", "client_secret")] == ("catalog.credentials.client_secret",)
    assert manifest[("polaris", "uri")] == ("catalog.uri",)
    assert manifest[("otel", "endpoint")] == ("observability.otlp_endpoint",)
    assert [u.secret.name for u in lowered.secrets] == sorted(
        u.secret.name for u in lowered.secrets
    )


def test_observability_merges_platform_endpoints_with_pipeline_flags() -> None:
    lowered, _ = _lowered()
    assert lowered.observability["traces"] is True
    assert lowered.observability["metrics"] is False  # the platform does not offer it
    assert lowered.observability["lineage"] is False


def test_non_kubernetes_name_warns_and_collisions_fail() -> None:
    _, codes = _lowered(PLATFORM.replace("secret_ref: postgres-dev", "secret_ref: Postgres_Dev"))
    assert codes == ["FLC406"]
    text = PLATFORM.replace(
        "{secret_ref: polaris, key: uri}", "{secret_ref: polaris-oauth_client, key: id}"
    )
    _, codes = _lowered(text)
    assert "FLC407" in codes


def test_every_pass_has_a_docstring_saying_what_it_reads_writes_reports() -> None:
    import importlib

    for name in PASS_NAMES:
        module = importlib.import_module(f"floec.passes.{name.replace('-', '_')}")
        function = getattr(module, name.replace("-", "_"))
        doc = function.__doc__ or ""
        assert "Reads:" in doc and "Writes:" in doc and "Reports:" in doc, name


def test_doctests() -> None:
    import doctest
    import importlib

    for name in (*PASS_NAMES, "driver"):
        module = importlib.import_module(
            "floec.driver" if name == "driver" else f"floec.passes.{name.replace('-', '_')}"
        )
        failures, _ = doctest.testmod(module)
        assert failures == 0, name


def test_bound_profiles_are_not_mutated() -> None:
    environment = example_environment(PLATFORM)
    before = copy.deepcopy(environment.platform)
    _lowered()
    assert environment.platform == before

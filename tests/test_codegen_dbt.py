"""Pass `codegen-dbt`: profiles.yml for every compute type, and dbt accepting what floec writes.

- golden: `golden/dbt-<type>/platform.yaml` -> the rendered diagnostics and profiles.yml, as
  snapshots under golden/snapshots/ (`pytest --snapshot-update` re-blesses them);
- dbt-core's own profile and credentials parsing loads every generated target
  (tests/support/dbt_profiles.py, in one subprocess);
- `dbt build` of the example project on the local environment's duckdb profile, and `dbt debug`
  against a real PostgreSQL server with the password only in the lowered environment variable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from floec import dbt_env
from floec.codegen.dbt import EXTERNAL_ROOT, GENERATORS, ICEBERG_PLUGIN, render_target, to_dbt
from floec.passes.lower_secrets import lower, to_data
from tests.conftest import GOLDEN, ROOT, run_floec

EXAMPLE = "examples/customer-analytics"
TYPES = ("duckdb", "postgres", "snowflake", "bigquery", "redshift", "databricks", "spark", "trino")
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("FLOE_") or name == "SOURCE_DATE_EPOCH":
            monkeypatch.delenv(name, raising=False)


def _secret(name: str, key: str | None = None) -> dict[str, object]:
    return {"secret": to_data(lower(name, key))}


def _build(platform: Path | str, target_dir: Path, *extra: str, pipeline: str = EXAMPLE) -> Any:
    return run_floec(
        "build", pipeline, "--platform", str(platform), "--env", "ci",
        "--target-dir", str(target_dir), *extra,
    )  # fmt: skip


# -- golden profiles -----------------------------------------------------------------------------


def test_every_compute_type_has_a_generator_and_a_golden_case() -> None:
    from floec.contracts import load_schema

    schema: Any = load_schema("platform")
    schema_types = schema["$defs"]["compute_profile"]["properties"]["type"]["enum"]
    assert sorted(GENERATORS) == sorted(schema_types) == sorted(TYPES)
    assert all((GOLDEN / f"dbt-{t}" / "platform.yaml").is_file() for t in TYPES)


@pytest.mark.parametrize("compute", TYPES)
def test_golden_profiles(compute: str, tmp_cwd: Path, golden) -> None:
    """In a workspace like the repository: the example pipeline, and the case's platform.yaml
    as platform/ci/platform.yaml; built from the workspace root into target/."""
    _copy_workspace(tmp_cwd)
    (tmp_cwd / "platform/ci").mkdir(parents=True)
    shutil.copy(GOLDEN / f"dbt-{compute}/platform.yaml", tmp_cwd / "platform/ci/platform.yaml")
    result = run_floec("build", EXAMPLE, "--env", "ci")
    assert result.code == 0, result.stdout + result.stderr
    profiles = (tmp_cwd / "target/ci/dbt/profiles.yml").read_text()
    text = (
        f"# platform/ci/platform.yaml is golden/dbt-{compute}/platform.yaml\n"
        f"$ floec build {EXAMPLE} --env ci\n"
        f"{result.stdout}--- target/ci/dbt/profiles.yml\n{profiles}"
    )
    assert text == golden


def test_same_bytes_from_any_working_directory(tmp_path: Path, monkeypatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert _build("golden/dbt-duckdb/platform.yaml", first).code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = _build(ROOT / "golden/dbt-duckdb/platform.yaml", second, pipeline=str(ROOT / EXAMPLE))
    assert result.code == 0, result.stdout
    path = Path("ci/dbt/profiles.yml")
    assert (first / path).read_bytes() == (second / path).read_bytes()
    assert not list(second.rglob(".*"))  # no temporaries left by the atomic writer


def test_secrets_appear_only_as_env_var(tmp_path: Path) -> None:
    assert _build("golden/dbt-postgres/platform.yaml", tmp_path).code == 0
    text = (tmp_path / "ci/dbt/profiles.yml").read_text()
    assert "password: \"{{ env_var('PG_CI_PASSWORD') }}\"" in text
    assert "host: \"{{ env_var('PG_CI_HOST') }}\"" in text
    assert "secret_ref" not in text and "pg-ci" not in text
    assert "# Needs the environment variables: PG_CI_HOST, PG_CI_PASSWORD" in text


# -- generators ------------------------------------------------------------------------------------


def _render(compute: str, properties: Mapping[str, object], credentials: object = None) -> Any:
    return render_target({"type": compute, "properties": properties, "credentials": credentials})


def _problems(target: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.level, p.keys) for p in target.problems]


def test_values_secrets_interpolations_and_jinja_text() -> None:
    interpolation = {
        "interpolation": {
            "raw": "${HOST:-db}.x",
            "parts": [{"ref": "HOST", "default": "d'b"}, ".x"],
        }
    }
    assert to_dbt(interpolation) == "{{ env_var('HOST', 'd\\'b') }}.x"
    assert to_dbt({"k": [_secret("a-b", "c")]}) == {"k": ["{{ env_var('A_B_C') }}"]}
    assert to_dbt("{% endraw %}") == (
        "{% raw %}{% endraw %}{{ '{% endraw %}' }}{% raw %}{% endraw %}"
    )
    assert to_dbt({"secret": "not a lowered secret"}) == {"secret": "not a lowered secret"}


def test_relative_paths_are_rebased_onto_the_dbt_project() -> None:
    target = render_target(
        {
            "type": "duckdb",
            "properties": {
                "path": "./target/x.duckdb",
                "external_root": "/abs/out",
                "attach": [{"path": "ref.duckdb"}, {"path": "md:shared"}],
                "module_paths": ["~/plugins", "plugins"],
            },
        },
        to_root="../..",
    )
    project = "{{ flags.PROFILES_DIR }}"
    assert target.output == {
        "type": "duckdb",
        "attach": [{"path": f"{project}/../../ref.duckdb"}, {"path": "md:shared"}],
        "external_root": "/abs/out",
        "module_paths": ["~/plugins", f"{project}/../../plugins"],
        "path": f"{project}/../../target/x.duckdb",
        "plugins": [ICEBERG_PLUGIN],
    }
    assert render_target({"type": "duckdb"}, to_root="..").output == {
        "type": "duckdb",
        "external_root": EXTERNAL_ROOT,
        "plugins": [ICEBERG_PLUGIN],
    }
    memory = render_target({"type": "duckdb", "properties": {"path": ":memory:"}}, to_root="..")
    assert memory.output["path"] == ":memory:"


def test_duckdb_memory_limit_is_a_setting() -> None:
    """floe-runtime writes DuckDB's `memory_limit` among the properties; dbt-duckdb reads it from
    `settings`, beside the settings the profile already has."""
    target = _render("duckdb", {"path": "x.duckdb", "memory_limit": "4GB", "settings": {"a": 1}})
    assert "memory_limit" not in target.output
    assert target.output["settings"] == {"a": 1, "memory_limit": "4GB"}


def test_duckdb_token_is_a_motherduck_token() -> None:
    static = {"mode": "static", "slots": {"token": _secret("md", "token")}}
    good = _render("duckdb", {"path": "md:analytics"}, static)
    assert good.output["motherduck_token"] == "{{ env_var('MD_TOKEN') }}" and not good.problems
    bad = _render("duckdb", {"path": "local.duckdb"}, static)
    assert _problems(bad) == [("error", ("credentials",))]


def test_database_adapters_need_a_password() -> None:
    base = {"host": "h", "port": 5432, "user": "u", "dbname": "d", "schema": "s"}
    assert _problems(_render("postgres", base)) == [("error", ())]
    assert _problems(_render("redshift", base)) == [("error", ())]


def test_schema_is_required_where_dbt_has_no_default() -> None:
    password = {"mode": "static", "slots": {"password": _secret("pg", "password")}}
    target = _render("postgres", {"host": "h", "port": 5432, "user": "u", "dbname": "d"}, password)
    assert _problems(target) == [("error", ("properties",))]
    assert "needs the schema" in target.problems[0].message


def test_redshift_iam_role() -> None:
    credentials = {
        "mode": "iam_role",
        "role_arn": "arn:aws:iam::123456789012:role/x",
        "session_name": "floe",
    }
    properties = {"host": "h", "port": 5439, "user": "u", "dbname": "d", "schema": "s"}
    target = _render("redshift", properties, credentials)
    assert target.output["method"] == "iam_role"
    assert _problems(target) == [
        ("warning", ("credentials", "role_arn")),
        ("warning", ("credentials", "session_name")),
    ]


def test_oauth2_where_the_adapter_has_no_client_credentials_flow() -> None:
    oauth2 = {
        "mode": "oauth2",
        "client_id": "floe",
        "client_secret": _secret("oauth", "client_secret"),
        "scope": "s",
    }
    assert ("error", ("credentials", "mode")) in _problems(
        _render("bigquery", {"method": "oauth", "project": "p", "dataset": "d"}, oauth2)
    )
    trino = {
        "method": "oauth",
        "host": "h",
        "port": 443,
        "user": "u",
        "database": "d",
        "schema": "s",
    }
    assert _problems(_render("trino", trino, oauth2)) == [("error", ("credentials", "mode"))]
    snowflake = {"account": "a", "user": "u", "database": "d", "warehouse": "w", "schema": "s"}
    refused = _render("snowflake", snowflake, oauth2)
    assert ("error", ("credentials", "mode")) in _problems(refused)
    accepted = _render("snowflake", {**snowflake, "token": _secret("sf", "refresh")}, oauth2)
    assert _problems(accepted) == [("warning", ("credentials", "scope"))]
    assert accepted.output["authenticator"] == "oauth"
    assert accepted.output["oauth_client_secret"] == "{{ env_var('OAUTH_CLIENT_SECRET') }}"


def test_bigquery_key_is_parsed_as_a_mapping_and_no_key_means_adc() -> None:
    base = {"project": "p", "dataset": "d"}
    keyed = {
        "mode": "service_account",
        "service_account": "a@b.c",
        "key": _secret("sa", "key.json"),
    }
    target = _render("bigquery", base, keyed)
    assert target.output["method"] == "service-account-json"
    assert target.output["keyfile_json"] == "{{ env_var('SA_KEY_JSON') | as_native }}"
    adc = _render("bigquery", base, {"mode": "service_account", "service_account": "a@b.c"})
    assert adc.output["method"] == "oauth" and "keyfile_json" not in adc.output
    wrong = _render("bigquery", {**base, "method": "oauth"}, keyed)
    assert _problems(wrong) == [("error", ("properties", "method"))]


def test_spark_token_only_over_http_or_odbc_and_trino_static_needs_ldap() -> None:
    static = {"mode": "static", "slots": {"token": _secret("spark", "token")}}
    thrift = _render("spark", {"method": "thrift", "host": "h", "schema": "s"}, static)
    assert _problems(thrift) == [("error", ("credentials",))]
    password = {"mode": "static", "slots": {"password": _secret("t", "password")}}
    trino = {
        "method": "none",
        "host": "h",
        "port": 8080,
        "user": "u",
        "database": "d",
        "schema": "s",
    }
    assert _problems(_render("trino", trino, password)) == [("error", ("properties", "method"))]
    ldap = _render("trino", {**trino, "method": "ldap", "http_scheme": "http"}, password)
    assert _problems(ldap) == [("warning", ("properties", "http_scheme"))]
    assert "http_scheme" not in ldap.output


# -- through `floec build` ----------------------------------------------------------------------


def _workspace(root: Path, platform: str, *, dbt_project: str | None = "profile: shop\n") -> Path:
    """root/platform/ci/platform.yaml and root/pipelines/orders/{floe.yaml, dbt/}."""
    (root / "platform/ci").mkdir(parents=True)
    (root / "platform/ci/platform.yaml").write_text(platform)
    project = root / "pipelines/orders"
    (project / "dbt").mkdir(parents=True)
    (project / "floe.yaml").write_text(
        "name: orders\nversion: 1.0.0\ntransforms:\n  - {type: dbt, path: dbt}\n"
    )
    if dbt_project is not None:
        (project / "dbt/dbt_project.yml").write_text("name: shop\n" + dbt_project)
    return project


LOCAL = """version: 1.0.0
storage: {default: {type: local, path: target/ci/warehouse}}
catalogs: {default: {type: sql, uri: "sqlite:///target/ci/catalog.db"}}
compute: {default: {type: duckdb, properties: {path: target/ci/orders.duckdb}}}
"""


def test_paths_relative_to_the_workspace_root(tmp_cwd: Path) -> None:
    project = _workspace(tmp_cwd, LOCAL)
    result = run_floec("build", str(project), "--env", "ci")
    assert result.code == 0, result.stdout
    text = (tmp_cwd / "target/ci/dbt/profiles.yml").read_text()
    assert "shop:\n  target: ci\n" in text
    assert 'path: "{{ flags.PROFILES_DIR }}/../../../target/ci/orders.duckdb"\n' in text
    assert "from platform/ci/platform.yaml" in text


def test_profile_name_falls_back_to_the_pipeline(tmp_cwd: Path) -> None:
    project = _workspace(tmp_cwd, LOCAL, dbt_project=None)
    result = run_floec("build", str(project), "--env", "ci")
    assert result.code == 0
    assert "warning[FLC503]: dbt/dbt_project.yml does not exist" in result.stdout
    assert "floe.yaml:4:" in result.stdout  # points at the transform's path
    assert (tmp_cwd / "target/ci/dbt/profiles.yml").read_text().count("orders:\n  target: ci") == 1
    (project / "dbt/dbt_project.yml").write_text("name: x\n")
    assert "has no `profile:`" in run_floec("build", str(project), "--env", "ci").stdout


def test_unsupported_setting_fails_the_build_and_points_at_it(tmp_cwd: Path) -> None:
    platform = LOCAL.replace(
        "properties: {path: target/ci/orders.duckdb}}",
        "properties: {path: x.duckdb}, credentials: {mode: static, secret_ref: md}}",
    )
    project = _workspace(tmp_cwd, platform)
    result = run_floec("build", str(project), "--env", "ci")
    assert result.code == 1
    assert "platform/ci/platform.yaml:4:" in result.stdout and "error[FLC501]" in result.stdout
    assert not (tmp_cwd / "target").exists()


def test_several_dbt_projects(tmp_cwd: Path) -> None:
    project = _workspace(tmp_cwd, LOCAL)
    for name, profile in (("more", "shop"), ("finance", "money")):
        (project / name).mkdir()
        (project / name / "dbt_project.yml").write_text(f"name: {name}\nprofile: {profile}\n")
    (project / "floe.yaml").write_text(
        "name: orders\nversion: 1.0.0\ntransforms:\n  - {type: dbt, path: dbt}\n"
        "  - {type: dbt, path: more, target: more}\n  - {type: dbt, path: finance}\n"
    )
    assert run_floec("build", str(project), "--env", "ci").code == 0
    text = (tmp_cwd / "target/ci/dbt/profiles.yml").read_text()
    body = text[text.index("money:") :]
    assert body.startswith("money:\n  target: ci\n  outputs:\n    ci:\n      type: duckdb\n")
    shop = body[body.index("shop:") :]
    assert shop.startswith("shop:\n  target: ci\n  outputs:\n    ci:\n")
    assert "\n    more:\n      type: duckdb\n" in shop
    assert text.count("/../../../target/ci/orders.duckdb") == 3


def test_stop_after_codegen_dbt_writes_its_file(tmp_path: Path) -> None:
    result = run_floec(
        "build", EXAMPLE, "--env", "local", "--stop-after", "codegen-dbt",
        "--target-dir", str(tmp_path),
    )  # fmt: skip
    assert result.code == 0
    assert (tmp_path / "local/dbt/profiles.yml").is_file()


def test_build_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom floec.cli import main\n"
        f"rc = main(['build', '{EXAMPLE}', '--all-envs', '--target-dir', {str(tmp_path)!r}])\n"
        "heavy = [m for m in ('dagster', 'dagster_dbt', 'dbt', 'pyiceberg', 'pygls') "
        "if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "0 []"
    assert (tmp_path / "prod/dbt/profiles.yml").is_file()


# -- dbt_env ---------------------------------------------------------------------------------------


def test_dbt_env_names_the_missing_variable(tmp_path: Path) -> None:
    assert _build("golden/dbt-postgres/platform.yaml", tmp_path).code == 0
    directory = tmp_path / "ci/dbt"
    message = dbt_env.check(directory, {"PG_CI_HOST": "h"})
    assert message is not None
    assert "PG_CI_PASSWORD (secret 'pg-ci', key password)" in message
    assert "PG_CI_HOST" not in message
    assert dbt_env.check(directory, {"PG_CI_HOST": "h", "PG_CI_PASSWORD": ""}) is None
    assert dbt_env.check(directory, {}, target="elsewhere") is None  # no such target: nothing
    assert "cannot read" in str(dbt_env.check(tmp_path / "nowhere", {}))
    text = (
        "p:\n  target: t\n  outputs:\n"
        """    t: {a: "{{ env_var('A', 'x') }}", b: ["{{ env_var(\\"B\\") }}"]}\n"""
    )
    assert dbt_env.required_variables(text) == ["B"]
    environ = dbt_env.dbt_environ({"X": "1"})
    assert environ == {"X": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


# -- dbt itself ------------------------------------------------------------------------------------

# Variants beyond the golden cases, so that every credential mapping meets the real adapter.
VARIANTS: dict[str, str] = {
    "duckdb-motherduck": "{type: duckdb, properties: {path: 'md:analytics'}, "
    "credentials: {mode: static, secret_ref: motherduck}}",
    "redshift-iam-role": "{type: redshift, properties: {host: h, port: 5439, user: u, dbname: d, "
    "schema: s, cluster_id: c, region: eu-west-1}, credentials: {mode: iam_role, "
    "role_arn: 'arn:aws:iam::123456789012:role/x'}}",
    "snowflake-oauth": "{type: snowflake, properties: {account: a, user: u, database: d, "
    "schema: s, warehouse: w, token: {secret_ref: sf, key: refresh_token}}, "
    "credentials: {mode: oauth2, client_id: floe, "
    "client_secret: {secret_ref: sf, key: client_secret}, scope: s}}",
    "bigquery-adc": "{type: bigquery, properties: {method: oauth, project: p, dataset: d}, "
    "credentials: {mode: service_account, service_account: a@p.iam.gserviceaccount.com}}",
    "databricks-token": "{type: databricks, properties: {host: h, http_path: /sql/x, schema: s}, "
    "credentials: {mode: static, secret_ref: databricks}}",
    "postgres-plain": "{type: postgres, properties: {host: h, port: 5432, user: u, dbname: d, "
    "schema: s, password: {secret_ref: pg, key: password}}}",
}

# For an adapter that is not installed: the fields its documentation lists for profiles.yml
# (the "Connect <adapter>" setup pages on docs.getdbt.com; these lists are also the fields of
# the Credentials classes of dbt-duckdb 1.11.1, dbt-postgres 1.11.0, dbt-snowflake 1.12.4,
# dbt-bigquery 1.12.1, dbt-redshift 1.11.2, dbt-databricks 1.12.7, dbt-spark 1.10.3 and
# dbt-trino 1.11.0, with their aliases). Used only when the adapter cannot be imported.
DOCUMENTED: dict[str, set[str]] = {
    "duckdb": {"path", "database", "schema", "extensions", "settings", "config_options",
               "external_root", "use_credential_provider", "attach", "filesystems", "plugins",
               "disable_transactions", "keep_open", "module_paths", "retries", "secrets",
               "remote", "motherduck_token"},
    "postgres": {"host", "port", "user", "password", "pass", "dbname", "database", "schema",
                 "keepalives_idle", "connect_timeout", "retries", "search_path", "role",
                 "sslmode", "sslcert", "sslkey", "sslrootcert", "application_name",
                 "autocommit"},
    "snowflake": {"account", "user", "password", "authenticator", "private_key",
                  "private_key_path", "private_key_passphrase", "token", "oauth_client_id",
                  "oauth_client_secret", "role", "database", "warehouse", "schema",
                  "client_session_keep_alive", "query_tag", "connect_retries", "connect_timeout",
                  "retry_on_database_errors", "retry_all", "reuse_connections", "insecure_mode",
                  "host", "port", "protocol", "proxy_host", "proxy_port"},
    "bigquery": {"method", "project", "database", "dataset", "schema", "execution_project",
                 "quota_project", "location", "priority", "keyfile", "keyfile_json",
                 "impersonate_service_account", "scopes", "refresh_token", "client_id",
                 "client_secret", "token_uri", "token", "job_execution_timeout_seconds",
                 "job_creation_timeout_seconds", "job_retries", "job_retry_deadline_seconds",
                 "maximum_bytes_billed", "dataproc_region", "dataproc_cluster_name",
                 "gcs_bucket", "compute_region"},
    "redshift": {"host", "port", "user", "password", "pass", "dbname", "database", "schema",
                 "method", "cluster_id", "iam_profile", "access_key_id", "secret_access_key",
                 "region", "autocreate", "db_groups", "ra3_node", "is_serverless",
                 "serverless_acct_id", "serverless_work_group", "connect_timeout", "role",
                 "sslmode", "retries", "autocommit", "tcp_keepalive"},
    "databricks": {"host", "http_path", "catalog", "schema", "database", "token", "auth_type",
                   "client_id", "client_secret", "azure_client_id", "azure_client_secret",
                   "connect_retries", "connect_timeout", "session_properties",
                   "connection_parameters"},
    "spark": {"method", "host", "port", "schema", "database", "user", "auth",
              "kerberos_service_name", "token", "cluster", "endpoint", "organization", "driver",
              "use_ssl", "server_side_parameters", "connect_retries", "connect_timeout",
              "retry_all", "poll_interval"},
    "trino": {"method", "host", "port", "user", "password", "database", "catalog", "schema",
              "http_headers", "session_properties", "roles", "client_tags",
              "impersonation_user", "timezone", "cert", "suppress_cert_warning",
              "prepared_statements_enabled", "retries"},
}  # fmt: skip


@pytest.fixture(scope="module")
def dbt_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every golden case and variant built, then loaded by dbt in one subprocess."""
    base = tmp_path_factory.mktemp("dbt-profiles")
    cases: dict[str, Path] = {f"dbt-{t}": GOLDEN / f"dbt-{t}/platform.yaml" for t in TYPES}
    head = (GOLDEN / "dbt-duckdb/platform.yaml").read_text().split("compute:")[0]
    for name, compute in VARIANTS.items():
        (base / f"{name}.yaml").write_text(f"{head}compute:\n  default: {compute}\n")
        cases[name] = base / f"{name}.yaml"
    requests, environ, profiles = [], dict(os.environ), {}
    for name, platform in cases.items():
        out = base / name
        result = run_floec(
            "build", str(ROOT / EXAMPLE), "--platform", str(platform), "--env", "ci",
            "--target-dir", str(out),
        )  # fmt: skip
        assert result.code == 0, result.stdout
        text = (out / "ci/dbt/profiles.yml").read_text()
        profiles[name] = text
        for variable in dbt_env.required_variables(text):
            # A service-account key is JSON; everything else any string.
            environ[variable] = '{"type": "service_account"}' if "KEY_JSON" in variable else "x"
        requests.append(
            {
                "profiles_dir": str(out / "ci/dbt"),
                "profile": "customer_analytics",
                "target": "ci",
            }
        )
    (base / "requests.json").write_text(json.dumps(requests))

    started = time.monotonic()
    script = ROOT / "tests/support/dbt_profiles.py"
    run = subprocess.run(
        [sys.executable, str(script), str(base / "requests.json")],
        capture_output=True, text=True, env=dbt_env.dbt_environ(environ), cwd=base,
        timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(run.stdout.splitlines()[-1])
    print(f"dbt loaded {len(results)} profiles in {time.monotonic() - started:.1f}s")
    return {"names": list(cases), "results": results, "profiles": profiles}


@pytest.mark.slow
@pytest.mark.parametrize("case", [*(f"dbt-{t}" for t in TYPES), *VARIANTS])
def test_dbt_accepts_the_profile(case: str, dbt_results: dict[str, Any]) -> None:
    """dbt-core's own parsing (Profile.from_raw_profiles, the adapter's Credentials validate and
    from_dict, Profile.validate), with the adapter installed; plus: no key that the
    Credentials class would silently drop. An adapter that is not installed is checked against
    its documented fields (DOCUMENTED) instead. dbt-spark without PyHive: its http/thrift
    methods stop at a driver import in `__post_init__`; the Credentials JSON-schema validation
    before it still runs (tests/support/dbt_profiles.py, `_schema_only`)."""
    result = dbt_results["results"][dbt_results["names"].index(case)]
    if not result.get("installed", True) and result.get("error") is None:
        import yaml

        document = yaml.safe_load(dbt_results["profiles"][case])
        fields = document["customer_analytics"]["outputs"]["ci"]
        adapter = fields.pop("type")
        fields.pop("threads", None)
        assert set(fields) <= DOCUMENTED[adapter]
        return
    assert result["ok"], result.get("error")
    assert result["unknown"] == []


@pytest.mark.slow
def test_dbt_reads_secrets_from_the_lowered_variables(dbt_results: dict[str, Any]) -> None:
    by_case = dict(zip(dbt_results["names"], dbt_results["results"], strict=True))
    postgres = by_case["dbt-postgres"]["fields"]
    assert postgres["password"] == "x" and postgres["host"] == "x"
    assert by_case["dbt-bigquery"]["fields"]["keyfile_json"] == {"type": "service_account"}
    # Anchored at the profiles directory dbt was given: the file under golden/dbt-duckdb/.
    path = os.path.normpath(by_case["dbt-duckdb"]["fields"]["path"])
    assert path == str(GOLDEN / "dbt-duckdb/target/ci/analytics.duckdb")
    assert by_case["duckdb-motherduck"]["fields"]["motherduck_token"] == "x"


def _run_dbt(
    args: list[str], cwd: Path, environ: dict[str, str], logs: Path
) -> subprocess.CompletedProcess[str]:
    dbt = BIN / "dbt"
    env = dbt_env.dbt_environ({**environ, "DBT_LOG_PATH": str(logs), "DBT_USE_COLORS": "false"})
    return subprocess.run(
        [str(dbt), *args, "--log-path", str(logs)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _load_bronze(root: Path) -> None:
    """The bronze Iceberg tables the example's dbt sources read (its Python assets write them
    when Dagster runs the pipeline; here dbt runs alone)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyarrow import csv  # type: ignore[import-untyped,unused-ignore]

    from floec.runtime.iceberg import IcebergTables

    IcebergTables.forget()
    tables = IcebergTables.of(root / "target/local/compiled_artifacts.json")
    data = root / EXAMPLE / "data"
    tables.write("raw_customers", csv.read_csv(data / "customers.csv"), layer="bronze")
    orders = csv.read_csv(data / "orders.csv")
    orders = orders.append_column("source_file", pa.array(["orders.csv"] * orders.num_rows))
    tables.write("raw_orders", orders, layer="bronze")
    IcebergTables.forget()


def _copy_workspace(root: Path, *environments: str) -> Path:
    """The example pipeline and the named platform/<env>/ directories, as in the repository."""
    shutil.copytree(ROOT / EXAMPLE, root / EXAMPLE, ignore=shutil.ignore_patterns("target", "logs"))
    for env in environments:
        shutil.copytree(ROOT / "platform" / env, root / "platform" / env)
    return root


@pytest.mark.slow
def test_dbt_build_of_the_example_on_the_local_duckdb_profile(tmp_cwd: Path) -> None:
    """The user's commands, from the workspace root: `floec build --env local`, then
    `dbt build --project-dir ... --profiles-dir target/local/dbt`. The database lands where
    platform/local/platform.yaml says, relative to the workspace root."""
    root = _copy_workspace(tmp_cwd, "local")
    assert run_floec("build", EXAMPLE, "--env", "local").code == 0
    _load_bronze(root)
    result = _run_dbt(
        ["build", "--project-dir", f"{EXAMPLE}/dbt", "--profiles-dir", "target/local/dbt",
         "--target-path", str(tmp_cwd / "dbt-target")],
        root, dict(os.environ), tmp_cwd / "logs",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Completed successfully" in result.stdout
    database = root / "target/local/customer_analytics.duckdb"
    assert database.is_file()
    assert not (root / EXAMPLE / "dbt/target").exists()  # --target-path was honoured
    count = subprocess.run(
        [sys.executable, "-c",
         f"import duckdb; c = duckdb.connect({str(database)!r}, read_only=True); "
         "print(c.execute('select count(*) from customer_orders').fetchall()[0][0])"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert count.returncode == 0, count.stderr
    assert int(count.stdout) > 0
    # As dagster-dbt runs it: inside the project directory, the profiles directory absolute.
    before = database.stat().st_mtime_ns
    again = _run_dbt(
        ["run", "--select", "customer_orders", "--target-path", str(tmp_cwd / "dbt-target")],
        root / EXAMPLE / "dbt",
        {**os.environ, "DBT_PROFILES_DIR": str(root / "target/local/dbt")},
        tmp_cwd / "logs",
    )
    assert again.returncode == 0, again.stdout[-4000:]
    assert database.stat().st_mtime_ns != before  # the same database file
    assert not list((root / EXAMPLE).rglob("*.duckdb"))


POSTGRES_PLATFORM = """version: 1.0.0
storage: {{default: {{type: local, path: target/pg/warehouse}}}}
catalogs: {{default: {{type: sql, uri: "sqlite:///target/pg/catalog.db"}}}}
compute:
  default:
    type: postgres
    properties: {{host: 127.0.0.1, port: {port}, user: floe, dbname: postgres, schema: floe_test,
                  connect_timeout: 5, retries: 0}}
    credentials: {{mode: static, secret_ref: pg-test}}
"""


@pytest.mark.slow
def test_dbt_debug_against_a_real_postgres(tmp_cwd: Path) -> None:
    """`dbt debug` connects with the password given only as PG_TEST_PASSWORD, the variable the
    secret reference lowered to; a wrong password fails; a missing one is named by dbt_env
    before dbt runs (dbt itself would send the template text)."""
    from tests.support.postgres import running_server

    password = "s3cret-" + os.urandom(6).hex()
    root = _copy_workspace(tmp_cwd)
    with running_server(password) as server:
        (root / "platform/pg").mkdir(parents=True)
        (root / "platform/pg/platform.yaml").write_text(POSTGRES_PLATFORM.format(port=server.port))
        built = run_floec("build", EXAMPLE, "--env", "pg")
        assert built.code == 0, built.stdout
        profiles = root / "target/pg/dbt"
        assert password not in (profiles / "profiles.yml").read_text()
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        missing = dbt_env.check(profiles, environ)
        assert (
            missing is not None and "PG_TEST_PASSWORD (secret 'pg-test', key password)" in missing
        )
        args = ["debug", "--project-dir", f"{EXAMPLE}/dbt", "--profiles-dir", str(profiles)]
        good = _run_dbt(args, root, {**environ, "PG_TEST_PASSWORD": password}, tmp_cwd / "l1")
        assert good.returncode == 0, good.stdout[-4000:]
        assert "Connection test: [OK connection ok]" in good.stdout
        bad = _run_dbt(args, root, {**environ, "PG_TEST_PASSWORD": "wrong"}, tmp_cwd / "l2")
        assert bad.returncode != 0
        assert "password authentication failed" in bad.stdout
        assert password not in good.stdout + bad.stdout

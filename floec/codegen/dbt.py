"""dbt `profiles.yml` targets, one generator per compute type.

A generator turns one lowered compute profile (floec/passes/lower_secrets.py: plain data whose
secret references are `{"secret": {..., "dbt": "{{ env_var('X') }}"}}`) into the mapping of one
dbt target (`type: postgres`, `host: ...`). The generators sit in one dispatch table,
`GENERATORS`; each starts from the common rendering (`_common`: every property as it is, secrets
as `env_var`) and adds only what its adapter needs from the profile's `credentials`. Whatever an
adapter cannot express goes through one channel, `Target.unsupported()`: an error when the
profile cannot work as written, a warning when a setting is left out (FLC501, FLC502).

Relative local paths (a DuckDB file, a certificate) are relative to the workspace root in
platform.yaml (docs/platform-config.md, "Relative paths"). dbt opens them relative to its working
directory, which is not the same for the dbt CLI and dagster-dbt, so each is written relative to
the directory of profiles.yml and anchored with dbt's `{{ flags.PROFILES_DIR }}` (`rebase`).

>>> target = render_target(
...     {"type": "duckdb", "properties": {"path": "target/local/x.duckdb", "threads": 4}},
...     to_root="../..",
... )
>>> target.output["path"]
'{{ flags.PROFILES_DIR }}/../../target/local/x.duckdb'

"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from floec.frozen import frozen

Level = Literal["error", "warning"]
Keys = tuple[str, ...]  # where in the compute profile a problem is, e.g. ("credentials", "scope")

# Properties that hold local file paths, per compute type ("attach[].path": each item's `path`).
PATH_FIELDS: dict[str, tuple[str, ...]] = {
    "duckdb": ("path", "external_root", "attach[].path", "module_paths[]"),
    "postgres": ("sslcert", "sslkey", "sslrootcert"),
    "redshift": (),
    "snowflake": ("private_key_path",),
    "bigquery": ("keyfile",),
    "databricks": (),
    "spark": ("driver",),
    "trino": ("cert", "client_certificate", "client_private_key", "keytab", "krb5_config"),
}

# Adapters whose connection has no default schema (the platform schema leaves it optional).
NEEDS_SCHEMA = frozenset({"postgres", "redshift", "snowflake"})

_JINJA = re.compile(r"\{\{|\{%|\{#")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # md:, s3://, http://, C: is not expected
_ENV_VAR = re.compile(r"env_var\(\s*'([^']+)'\s*\)")


@frozen
class Problem:
    """Something a dbt adapter cannot express, found while rendering one target."""

    level: Level
    message: str
    keys: Keys
    help: str | None = None


@attrs.define
class Target:
    """One dbt target being rendered: the lowered profile, the output, and the problems."""

    profile: Mapping[str, object]
    to_root: str  # the workspace root, relative to the directory of profiles.yml
    output: dict[str, object] = attrs.field(factory=dict)
    problems: list[Problem] = attrs.field(factory=list)

    @property
    def type(self) -> str:
        return str(self.profile["type"])

    @property
    def properties(self) -> Mapping[str, object]:
        value = self.profile.get("properties")
        return value if isinstance(value, Mapping) else {}

    @property
    def credentials(self) -> Mapping[str, object] | None:
        value = self.profile.get("credentials")
        return value if isinstance(value, Mapping) else None

    @property
    def slots(self) -> Mapping[str, object]:
        """A static credential's slots (user, password, token...), lowered."""
        credentials = self.credentials or {}
        value = credentials.get("slots")
        return value if isinstance(value, Mapping) else {}

    def unsupported(
        self, message: str, *keys: str, level: Level = "error", help: str | None = None
    ) -> None:
        """The one channel for what the adapter cannot express (FLC501 error, FLC502 warning)."""
        self.problems.append(Problem(level, message, keys, help))

    def put(self, key: str, value: object) -> None:
        """Set a field of the target from lowered data (secrets become `env_var`)."""
        self.output[key] = to_dbt(value)

    def ignore_credential_fields(self, *names: str, why: str) -> None:
        credentials = self.credentials or {}
        for name in names:
            if name in credentials:
                self.unsupported(
                    f"dbt-{self.type} has no setting for the credential's `{name}`; it is left "
                    f"out of profiles.yml ({why})",
                    "credentials",
                    name,
                    level="warning",
                )


# -- values ---------------------------------------------------------------------------------------


def to_dbt(value: object) -> object:
    """Lowered data as a profiles.yml value: a secret as its `{{ env_var('X') }}`, a `${NAME}`
    interpolation as `env_var`, literal text that looks like Jinja protected from rendering.

    >>> to_dbt({"secret": {"env_var": "PG_PASSWORD", "dbt": "{{ env_var('PG_PASSWORD') }}"}})
    "{{ env_var('PG_PASSWORD') }}"
    >>> to_dbt("a{{b}}")
    '{% raw %}a{{b}}{% endraw %}'
    """
    secret = _secret(value)
    if secret is not None:
        return str(secret["dbt"])
    if isinstance(value, Mapping) and set(value) == {"interpolation"}:
        return _interpolation(value["interpolation"])
    if isinstance(value, str):
        return _literal(value)
    if isinstance(value, Mapping):
        return {str(k): to_dbt(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dbt(v) for v in value]
    return value


def _secret(value: object) -> Mapping[str, object] | None:
    if isinstance(value, Mapping) and set(value) == {"secret"}:
        inner = value["secret"]
        if isinstance(inner, Mapping) and "dbt" in inner and "env_var" in inner:
            return inner
    return None


def _literal(text: str) -> str:
    """dbt renders every profile value with Jinja; literal delimiters are kept as they are."""
    if not _JINJA.search(text):
        return text
    return (
        "{% raw %}"
        + text.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}")
        + ("{% endraw %}")
    )


def _interpolation(data: object) -> str:
    parts = data.get("parts", []) if isinstance(data, Mapping) else []
    out = []
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, Mapping):
            name, default = part.get("ref"), part.get("default")
            if default is None:
                out.append(f"{{{{ env_var('{name}') }}}}")
            else:
                out.append(f"{{{{ env_var('{name}', '{_jinja_string(str(default))}') }}}}")
        else:
            out.append(_literal(str(part)))
    return "".join(out)


def _jinja_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def required_variables(value: object) -> set[str]:
    """The environment variables a rendered value needs (`env_var` calls without a default).

    >>> sorted(required_variables({"a": "{{ env_var('X') }}", "b": ["{{ env_var('Y', 'd') }}"]}))
    ['X']
    """
    if isinstance(value, str):
        return set(_ENV_VAR.findall(value))
    if isinstance(value, Mapping):
        return set().union(*(required_variables(v) for v in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(required_variables(v) for v in value))
    return set()


def is_relative_path(value: object) -> bool:
    """A local path that is relative: not absolute, not `~`, not a URL or `md:`, not :memory:."""
    if not isinstance(value, str) or not value or value == ":memory:":
        return False
    if value.startswith(("/", "~", "\\")) or _SCHEME.match(value):
        return False
    return not _JINJA.search(value)


PROFILES_DIR = "{{ flags.PROFILES_DIR }}"


def rebase(path: str, to_root: str) -> str:
    """A workspace-relative path, anchored at the directory of profiles.yml when dbt reads it.

    dbt opens files relative to its working directory, and that differs: the workspace root for
    `dbt build --project-dir ... --profiles-dir target/<env>/dbt`, the project directory under
    dagster-dbt. dbt's `flags.PROFILES_DIR` is the directory it read profiles.yml from, relative
    to that working directory or absolute, so the path names the same file either way, and the
    file holds no absolute path.

    >>> rebase("target/local/x.duckdb", "../../..")
    '{{ flags.PROFILES_DIR }}/../../../target/local/x.duckdb'
    >>> rebase("./db.duckdb", "")
    '{{ flags.PROFILES_DIR }}/db.duckdb'
    """
    relative = posixpath.normpath(posixpath.join(to_root, path) if to_root else path)
    return f"{PROFILES_DIR}/{relative}"


def _rebase_paths(target: Target) -> None:
    for spec in PATH_FIELDS.get(target.type, ()):
        key, each, field = spec.partition("[]")
        value = target.output.get(key)
        if not each:
            if is_relative_path(value):
                target.output[key] = rebase(str(value), target.to_root)
        elif isinstance(value, list):
            target.output[key] = [_rebase_item(v, field[1:], target.to_root) for v in value]


def _rebase_item(item: object, field: str, to_root: str) -> object:
    if not field:
        return rebase(str(item), to_root) if is_relative_path(item) else item
    if isinstance(item, dict) and is_relative_path(item.get(field)):
        return {**item, field: rebase(str(item[field]), to_root)}
    return item


# -- generators -----------------------------------------------------------------------------------


def _common(target: Target) -> None:
    """Every adapter: `type`, then every property as written (secrets as `env_var`)."""
    target.output["type"] = target.type
    for key, value in sorted(target.properties.items()):
        target.put(key, value)
    _rebase_paths(target)


def _mode(target: Target) -> str | None:
    credentials = target.credentials
    mode = credentials.get("mode") if credentials is not None else None
    return str(mode) if mode is not None else None


def _user_password(target: Target) -> None:
    """Static credentials of the database adapters: the secret's `user` and `password` keys."""
    for slot in ("user", "password"):
        if slot in target.slots:
            target.put(slot, target.slots[slot])


# The dbt-duckdb plugin of floec.runtime: reads Iceberg sources and stores `external` models
# into the pipeline's Iceberg catalog, all of it from the compiled artifacts, which sit one level
# above profiles.yml (target/<env>/). External models' files go to target/<env>/dbt-external/.
ICEBERG_PLUGIN = {
    "module": "floec.runtime.dbt_iceberg",
    "alias": "floe",
    "config": {"artifacts": "{{ flags.PROFILES_DIR }}/../compiled_artifacts.json"},
}
EXTERNAL_ROOT = "{{ flags.PROFILES_DIR }}/../dbt-external"


def _duckdb(target: Target) -> None:
    _common(target)
    # floe-runtime's `memory_limit` is a DuckDB setting; dbt-duckdb takes settings in `settings`
    memory_limit = target.output.pop("memory_limit", None)
    if memory_limit is not None:
        settings = target.output.get("settings")
        merged = dict(settings) if isinstance(settings, Mapping) else {}
        merged.setdefault("memory_limit", memory_limit)
        target.output["settings"] = merged
    path = str(target.properties.get("path", ":memory:"))
    if not path.startswith(("md:", "motherduck:")):
        if "plugins" not in target.output:
            target.output["plugins"] = [copy.deepcopy(ICEBERG_PLUGIN)]
        target.output.setdefault("external_root", EXTERNAL_ROOT)
    token = target.slots.get("token")
    if token is None:
        return
    if not path.startswith(("md:", "motherduck:")):
        target.unsupported(
            "a duckdb credential can only be a MotherDuck token, and `path` is not a MotherDuck "
            f"database (md:...): {path!r}",
            "credentials",
            help="remove `credentials` for a local DuckDB file, or set `path: md:<database>`",
        )
        return
    target.put("motherduck_token", token)


def _postgres(target: Target) -> None:
    _common(target)
    _user_password(target)
    if "password" not in target.output:
        target.unsupported(
            "dbt-postgres needs a password, and this profile has none",
            help="add `credentials: {mode: static, secret_ref: NAME}` (keys user and password)",
        )


def _redshift(target: Target) -> None:
    _common(target)
    mode = _mode(target)
    if mode == "static":
        _user_password(target)
        target.output.setdefault("method", "database")
    elif mode == "iam_role":
        target.output.setdefault("method", "iam_role")
        target.ignore_credential_fields(
            "role_arn",
            "external_id",
            "session_name",
            why="dbt-redshift's iam_role method uses the role of the AWS credentials it runs "
            "with; assume the role before dbt starts",
        )
    elif "password" not in target.output and target.output.get("method", "database") == "database":
        target.unsupported(
            "dbt-redshift's database method needs a password, and this profile has none",
            help="add `credentials: {mode: static, secret_ref: NAME}` or use mode iam_role",
        )


def _snowflake(target: Target) -> None:
    _common(target)
    credentials = target.credentials or {}
    mode = _mode(target)
    if mode == "static":
        _user_password(target)
    elif mode == "oauth2":
        # dbt-snowflake's OAuth is the refresh-token flow: client id and secret, and `token`.
        target.output["authenticator"] = "oauth"
        target.put("oauth_client_id", credentials.get("client_id"))
        target.put("oauth_client_secret", credentials.get("client_secret"))
        if "token" not in target.output:
            target.unsupported(
                "dbt-snowflake has no OAuth2 client-credentials flow: its oauth authenticator "
                "needs a refresh token",
                "credentials",
                "mode",
                help="add the refresh token as `token: {secret_ref: NAME, key: KEY}` in "
                "`properties`, or use static credentials",
            )
        target.ignore_credential_fields(
            "scope", "token_uri", why="the refresh token carries its own scope"
        )


def _bigquery(target: Target) -> None:
    _common(target)
    credentials = target.credentials or {}
    mode = _mode(target)
    if mode == "service_account":
        key = credentials.get("key")
        if key is not None:
            target.output.setdefault("method", "service-account-json")
            if target.output["method"] != "service-account-json":
                target.unsupported(
                    f"a service-account key is used with method service-account-json, not "
                    f"{target.output['method']}",
                    "properties",
                    "method",
                    help="set `method: service-account-json`, or remove the key",
                )
            secret = _secret(key)
            if secret is not None:
                # dbt-bigquery wants the key as a mapping: `as_native` parses the JSON text.
                target.output["keyfile_json"] = (
                    f"{{{{ env_var('{secret['env_var']}') | as_native }}}}"
                )
            else:
                target.put("keyfile_json", key)
        else:
            # No key: the application-default credentials (workload identity) are that account.
            target.output.setdefault("method", "oauth")
    elif mode == "oauth2":
        target.unsupported(
            "dbt-bigquery has no OAuth2 client-credentials flow (its oauth-secrets method "
            "takes a refresh token or an access token)",
            "credentials",
            "mode",
            help="use mode service_account, or set method oauth-secrets with `refresh_token` "
            "in `properties`",
        )


def _databricks(target: Target) -> None:
    _common(target)
    credentials = target.credentials or {}
    mode = _mode(target)
    if mode == "static":
        if "token" in target.slots:
            target.put("token", target.slots["token"])
    elif mode == "oauth2":
        target.output.setdefault("auth_type", "oauth")
        target.put("client_id", credentials.get("client_id"))
        target.put("client_secret", credentials.get("client_secret"))
        scope = credentials.get("scope")
        if isinstance(scope, str):
            target.output["oauth_scopes"] = scope.split()
        target.ignore_credential_fields(
            "token_uri", why="dbt-databricks asks the workspace's own token endpoint"
        )


def _spark(target: Target) -> None:
    _common(target)
    token = target.slots.get("token")
    if token is None:
        return
    method = target.output.get("method")
    if method in ("http", "odbc"):
        target.put("token", token)
    else:
        target.unsupported(
            f"dbt-spark's {method} method takes no token; static credentials are used only "
            "by the http and odbc methods",
            "credentials",
            help="remove `credentials`, or use method http or odbc",
        )


def _trino(target: Target) -> None:
    _common(target)
    method = target.output.get("method")
    if method != "none" and "http_scheme" in target.output:
        del target.output["http_scheme"]
        target.unsupported(
            f"dbt-trino's {method} method always uses https; `http_scheme` is left out of "
            "profiles.yml",
            "properties",
            "http_scheme",
            level="warning",
            help="remove `http_scheme`; it applies only to method none",
        )
    mode = _mode(target)
    if mode == "static":
        if target.output.get("method") != "ldap":
            target.unsupported(
                "dbt-trino uses a user and password only with `method: ldap`, not "
                f"{target.output.get('method')}",
                "properties",
                "method",
                help="set `method: ldap` for static credentials",
            )
        _user_password(target)
    elif mode == "oauth2":
        target.unsupported(
            "dbt-trino has no OAuth2 client-credentials flow (its oauth methods open a browser)",
            "credentials",
            "mode",
            help="use `method: jwt` with `jwt_token` in `properties`, or static credentials "
            "with method ldap",
        )


Generator = Callable[[Target], None]

# The dispatch table: compute type -> generator (DESIGN §3: the compute types).
GENERATORS: dict[str, Generator] = {
    "duckdb": _duckdb,
    "postgres": _postgres,
    "redshift": _redshift,
    "snowflake": _snowflake,
    "bigquery": _bigquery,
    "databricks": _databricks,
    "spark": _spark,
    "trino": _trino,
}


def render_target(profile: Mapping[str, object], *, to_root: str = "") -> Target:
    """Render one lowered compute profile as a dbt target (`output` and `problems`)."""
    target = Target(profile, to_root)
    generator = GENERATORS.get(target.type)
    if generator is None:
        target.unsupported(f"floec cannot generate a dbt profile for compute type {target.type}")
        return target
    generator(target)
    if target.type in NEEDS_SCHEMA and "schema" not in target.output:
        target.unsupported(
            f"dbt-{target.type} needs the schema dbt builds into, and `properties` has none",
            "properties",
            help="add `schema: NAME` to `properties`",
        )
    # `type` first, the rest sorted: stable and easy to read.
    rest = sorted((k, v) for k, v in target.output.items() if k != "type")
    target.output = {"type": target.type, **dict(rest)}
    return target


def render_profiles(
    profiles: Mapping[str, tuple[str, Mapping[str, Mapping[str, object]]]], header: str
) -> bytes:
    """profiles.yml: `{profile: (default target, {target: fields})}` as YAML, sorted, with a
    comment header. The same input gives the same bytes.

    >>> print(render_profiles({"p": ("dev", {"dev": {"pw": "{{ env_var('X') }}"}})}, "hi")
    ...       .decode(), end="")
    # hi
    p:
      target: dev
      outputs:
        dev:
          pw: "{{ env_var('X') }}"
    """
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True  # targets shared by several profiles are written out, not as &id001

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Jinja reads best in double quotes: "{{ env_var('X') }}", not '{{ env_var(''X'') }}'.
        style = '"' if _JINJA.search(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    document = {
        name: {"target": default, "outputs": dict(sorted(outputs.items()))}
        for name, (default, outputs) in sorted(profiles.items())
    }
    body = yaml.dump(
        document,
        Dumper=Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return (comment + body).encode()

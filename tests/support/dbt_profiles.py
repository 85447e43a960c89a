"""Load generated profiles.yml targets through dbt-core's own profile and credentials parsing.

Run as a script in a Python that has dbt-core and the adapters (one process for every target, so
dbt is imported once and its global state stays out of pytest):

    python tests/support/dbt_profiles.py REQUESTS.json

REQUESTS.json is a list of `{"profiles_dir", "profile", "target"}`; the environment must hold
the variables the targets read. Prints one JSON object per request, in order:
`{"ok": true, "credentials": "PostgresCredentials", "unknown": [...], "fields": {...}}`, or
`{"ok": false, "error": "..."}`; `"installed": false` when the type's adapter is not installed.

This is what `dbt debug` does before it connects: `read_profile`, `Profile.from_raw_profiles`
with dbt's `ProfileRenderer` (which renders `env_var`), the adapter's `Credentials.validate` and
`from_dict`, then `Profile.validate`. dbt accepts keys its Credentials class does not know and
drops them silently, so `unknown` lists every key of the target that is neither a field of the
Credentials dataclass (after the adapter's aliases) nor `type`/`threads`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import sys
from argparse import Namespace
from typing import Any

# The message of a Credentials class whose connection driver is missing (dbt-spark).
DRIVER_MISSING = "requires additional dependencies"
# Keys an adapter reads before building its Credentials (dbt-trino picks the class by `method`).
CONSUMED: dict[str, set[str]] = {"trino": {"method"}}


def _installed(adapter_type: str) -> bool:
    return importlib.util.find_spec(f"dbt.adapters.{adapter_type}") is not None


def _check(request: dict[str, str], raw: dict[str, Any]) -> dict[str, Any]:
    from dbt.config.profile import Profile
    from dbt.config.renderer import ProfileRenderer

    outputs = raw.get(request["profile"], {}).get("outputs", {})
    target = dict(outputs.get(request["target"], {}))
    adapter_type = str(target.get("type"))
    if not _installed(adapter_type):
        return {"ok": False, "installed": False, "type": adapter_type}
    try:
        profile = Profile.from_raw_profiles(
            raw, request["profile"], ProfileRenderer({}), target_override=request["target"]
        )
        profile.validate()  # type: ignore[no-untyped-call]
    except Exception as error:  # dbt's errors are many classes; the message is what matters
        if DRIVER_MISSING not in str(error):
            return {"ok": False, "installed": True, "type": adapter_type, "error": str(error)}
        return _schema_only(adapter_type, target, str(error))
    credentials_class = type(profile.credentials)
    return {
        "ok": True,
        "installed": True,
        "type": adapter_type,
        "credentials": credentials_class.__name__,
        "unknown": _unknown(credentials_class, adapter_type, target),
        "threads": profile.threads,
        "fields": json.loads(json.dumps(profile.credentials.to_dict(omit_none=True), default=str)),
    }


def _unknown(credentials_class: Any, adapter_type: str, target: dict[str, Any]) -> list[str]:
    known = {f.name for f in dataclasses.fields(credentials_class)} | CONSUMED.get(
        adapter_type, set()
    )
    data = credentials_class.translate_aliases(
        {k: v for k, v in target.items() if k not in ("type", "threads")}
    )
    return sorted(set(data) - known)


def _schema_only(adapter_type: str, target: dict[str, Any], error: str) -> dict[str, Any]:
    """dbt-spark checks in `__post_init__` that the driver of the method is importable (PyHive
    for thrift and http, pyodbc for odbc); PyHive's extra cannot be installed next to
    dbt-databricks (thrift<0.17 against thrift>=0.24). Everything before that check still
    runs: dbt's rendering and the Credentials class's own JSON-schema validation."""
    from dbt.adapters.factory import load_plugin
    from dbt.config.renderer import ProfileRenderer

    credentials_class = load_plugin(adapter_type)
    rendered = ProfileRenderer({}).render_data(target)
    data = credentials_class.translate_aliases(
        {k: v for k, v in rendered.items() if k not in ("type", "threads")}
    )
    try:
        credentials_class.validate(data)
    except Exception as failure:
        return {"ok": False, "installed": True, "type": adapter_type, "error": str(failure)}
    return {
        "ok": True,
        "installed": True,
        "type": adapter_type,
        "credentials": credentials_class.__name__,
        "unknown": _unknown(credentials_class, adapter_type, target),
        "schema_only": error.strip().splitlines()[-1].strip(),
    }


def main(path: str) -> int:
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    from dbt.config.profile import read_profile
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))
    with open(path, encoding="utf-8") as handle:
        requests = json.load(handle)
    results = []
    for request in requests:
        # As `dbt --profiles-dir D` sets it: floec anchors relative paths at flags.PROFILES_DIR.
        set_from_args(
            Namespace(send_anonymous_usage_stats=False, profiles_dir=request["profiles_dir"]), None
        )
        raw = read_profile(request["profiles_dir"])
        results.append(_check(request, raw))
    sys.stdout.write(json.dumps(results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

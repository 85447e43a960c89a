"""Check the environment before running dbt on a generated `profiles.yml`.

dbt tolerates a missing `env_var(...)` in a field whose key contains "password": it sends the
literal template text and fails later with "password authentication failed" (STACK.md). Whatever
runs dbt for the user calls `check()` first, which names every variable the chosen target needs
and does not find, with the secret it stands for when `compiled_artifacts.json` lies beside the
`dbt/` directory. `dbt_environ()` is the environment to run dbt with: telemetry off.

Only the standard library and PyYAML are imported: this runs before dbt, and must not cost its
start-up.

>>> text = "p:\\n  target: dev\\n  outputs:\\n    dev: {password: \\"{{ env_var('PW') }}\\"}\\n"
>>> required_variables(text)
['PW']
>>> check_text(text, {}) is None, check_text(text, {"PW": "x"}) is None
(False, True)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

# env_var('NAME') or env_var("NAME"), and whether a default follows.
_CALL = re.compile(r"""env_var\(\s*(['"])([^'"]+)\1\s*(,)?""")

TELEMETRY_OFF = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def _load(text: str) -> Mapping[str, object]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)
    return document if isinstance(document, Mapping) else {}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def required_variables(
    text: str, profile: str | None = None, target: str | None = None
) -> list[str]:
    """The variables (without a default) that `profile`'s `target` reads; every profile and
    each one's default target when not given. Sorted, without duplicates."""
    document = _load(text)
    names: set[str] = set()
    for name, body in document.items():
        if name == "config" or (profile is not None and name != profile):
            continue
        if not isinstance(body, Mapping):
            continue
        outputs = body.get("outputs")
        chosen = target if target is not None else body.get("target")
        if not isinstance(outputs, Mapping) or chosen not in outputs:
            continue
        for string in _strings(outputs[chosen]):
            names |= {m.group(2) for m in _CALL.finditer(string) if not m.group(3)}
    return sorted(names)


def _secrets(profiles_dir: Path) -> dict[str, str]:
    """env var -> a description of the secret, from compiled_artifacts.json beside dbt/."""
    try:
        document = json.loads((profiles_dir.parent / "compiled_artifacts.json").read_text())
        entries = document["secrets"]["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    out = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and "env_var" in entry:
            key = f", key {entry['key']}" if entry.get("key") else ""
            out[str(entry["env_var"])] = f"secret '{entry.get('name')}'{key}"
    return out


def check_text(
    text: str,
    environ: Mapping[str, str],
    *,
    profile: str | None = None,
    target: str | None = None,
    secrets: Mapping[str, str] | None = None,
) -> str | None:
    """None when every variable is set, else a message that names each missing one."""
    missing = [v for v in required_variables(text, profile, target) if v not in environ]
    if not missing:
        return None
    described = [
        f"{name} ({secrets[name]})" if secrets and name in secrets else name for name in missing
    ]
    plural = "s" if len(missing) > 1 else ""
    return (
        f"dbt needs the environment variable{plural} {', '.join(described)}, not set; dbt reads "
        "secrets only from the environment (a missing password would be sent as its template "
        "text). Set them, e.g. from the files under $FLOE_SECRETS_DIR."
    )


def check(
    profiles_dir: str | Path,
    environ: Mapping[str, str],
    *,
    profile: str | None = None,
    target: str | None = None,
) -> str | None:
    """`check_text` on `<profiles_dir>/profiles.yml` (a message also when it is missing)."""
    directory = Path(profiles_dir)
    try:
        text = (directory / "profiles.yml").read_text(encoding="utf-8")
    except OSError as error:
        return f"cannot read {directory / 'profiles.yml'}: {error.strerror or error}"
    return check_text(text, environ, profile=profile, target=target, secrets=_secrets(directory))


def dbt_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment to run dbt with: `environ`, with anonymous usage statistics off."""
    return {**environ, **TELEMETRY_OFF}

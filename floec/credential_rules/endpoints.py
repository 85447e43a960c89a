"""Infrastructure endpoints: URLs with a host and `host:port` pairs.

Only floe.yaml forbids them (it must build unchanged in every environment), so this is a separate
question from "is this a secret"; it never looks at key names alone, since `catalog: default` is
the portable way to name an endpoint.
"""

from __future__ import annotations

import re

from floec.credential_rules.keys import split_words

_URL = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s/?#'\"<>]+")
_HOST_PORT = re.compile(
    r"^(?:\[[0-9A-Fa-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3}|"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)"
    r":(\d{2,5})(?:/\S*)?$"
)
_ENDPOINT_WORDS = frozenset(
    {"endpoint", "endpoints", "uri", "url", "host", "hostname", "server", "address", "addr",
     "dsn", "broker", "brokers", "bootstrap"}
)  # fmt: skip
_TEMPLATE = re.compile(r"\$\{|\{\{")


def find_endpoint(value: str, key: str | None = None) -> tuple[int, int] | None:
    """The range of an endpoint in `value`, or None. `key` adds `host: db.internal`-style slots."""
    match = _URL.search(value)
    if match is not None:
        return match.start(), match.end()
    stripped = value.strip()
    host_port = _HOST_PORT.match(stripped)
    if (
        host_port is not None
        and any(c.isalpha() or c == "." for c in stripped.split(":")[0])
        and int(host_port.group(1)) <= 65535
    ):
        start = len(value) - len(value.lstrip())
        return start, start + len(stripped)
    if key and stripped and not _TEMPLATE.search(stripped):
        words = split_words(key)
        if words and words[-1] in _ENDPOINT_WORDS and ("." in stripped or stripped == "localhost"):
            start = len(value) - len(value.lstrip())
            return start, start + len(stripped)
    return None

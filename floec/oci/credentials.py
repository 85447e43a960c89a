"""Registry credentials, found as the container tools find them; never printed, never stored.

In order, first match wins:

1. `FLOEC_REGISTRY_USERNAME` and `FLOEC_REGISTRY_PASSWORD` (CI), for every registry;
2. the docker/oras config file, `$DOCKER_CONFIG/config.json` else `~/.docker/config.json`:
   `credHelpers[host]`, else `auths[host]` (`auth` = base64 `user:password`, or `username` and
   `password`, or `identitytoken`), else the `credsStore` helper. A helper is the program
   `docker-credential-NAME`, asked with `get` and the host on its stdin.

No credentials is not an error: the registry may allow anonymous reads.
"""

from __future__ import annotations

import base64
import binascii
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import attrs

USERNAME_VARIABLE = "FLOEC_REGISTRY_USERNAME"
PASSWORD_VARIABLE = "FLOEC_REGISTRY_PASSWORD"


@attrs.frozen(repr=False)
class Credentials:
    """A username and secret; `repr` shows where they came from, never the secret."""

    username: str
    secret: str = attrs.field(repr=False)
    source: str
    identity_token: bool = False  # the secret is an OAuth2 refresh token (docker `identitytoken`)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, source={self.source!r})"


def config_file(environ: Mapping[str, str]) -> Path:
    directory = environ.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    return Path(environ.get("HOME") or Path.home()) / ".docker" / "config.json"


def _host_keys(entry: str) -> str:
    """`https://host:5000/v1/` -> `host:5000`: docker writes `auths` keys in both forms."""
    text = entry.split("://", 1)[-1]
    return text.split("/", 1)[0]


def find(host: str, environ: Mapping[str, str]) -> Credentials | None:
    username = environ.get(USERNAME_VARIABLE)
    password = environ.get(PASSWORD_VARIABLE)
    if username and password:
        return Credentials(username, password, f"{USERNAME_VARIABLE}/{PASSWORD_VARIABLE}")
    path = config_file(environ)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict):
        return None
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict) and isinstance(helpers.get(host), str):
        return _from_helper(helpers[host], host)
    auths = config.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if _host_keys(str(key)) != host or not isinstance(entry, dict):
                continue
            found = _from_entry(entry, f"{path} auths[{key}]")
            if found is not None:
                return found
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return _from_helper(store, host)
    return None


def _from_entry(entry: Mapping[str, object], source: str) -> Credentials | None:
    token = entry.get("identitytoken")
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, secret = decoded.partition(":")
        if isinstance(token, str) and token:
            return Credentials(user or "<token>", token, source, identity_token=True)
        return Credentials(user, secret, source) if secret else None
    name, password = entry.get("username"), entry.get("password")
    if isinstance(token, str) and token:
        return Credentials(str(name or "<token>"), token, source, identity_token=True)
    if isinstance(name, str) and isinstance(password, str) and password:
        return Credentials(name, password, source)
    return None


def _from_helper(name: str, host: str) -> Credentials | None:
    program = shutil.which(f"docker-credential-{name}")
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "get"],
            input=host.encode(),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None  # "credentials not found in native keychain": anonymous, as docker does
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        return None
    user, secret = answer.get("Username"), answer.get("Secret")
    if not isinstance(user, str) or not isinstance(secret, str) or not secret:
        return None
    source = f"docker-credential-{name}"
    if user == "<token>":
        return Credentials(user, secret, source, identity_token=True)
    return Credentials(user, secret, source)

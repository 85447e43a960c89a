"""Resolving secrets at run time (DESIGN §5), with core dependencies only.

A secret reference was lowered by `floec build` into an environment variable (NAME_KEY in upper
snake case) and a file (NAME[/KEY] under $FLOE_SECRETS_DIR, default /var/run/secrets). The
resolver tries the variable, then the file; a miss fails fast with the secret's name and both
places it looked. `floec secrets check` uses `locate` too, so the two never disagree on where a
secret is. Values are wrapped in `SecretValue`: `repr`, `str`, formatting, logs and exceptions
show a mask, never the value; `.reveal()` returns it where it must be used.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from typing import Literal, NoReturn

from floec.ir import DEFAULT_SECRETS_DIR, SECRETS_DIR_VARIABLE

MASK = "**********"
Found = Literal["environment", "file"]


class SecretValue:
    """A secret's value that does not show itself.

    >>> value = SecretValue("hunter2", "db/password")
    >>> value, str(value), f"{value}", value.reveal()
    (SecretValue('db/password', '**********'), '**********', '**********', 'hunter2')
    """

    __slots__ = ("_value", "found_in", "name")

    def __init__(self, value: str, name: str, found_in: Found | None = None) -> None:
        self._value = value
        self.name = name  # NAME or NAME/KEY: safe to show
        self.found_in = found_in

    def reveal(self) -> str:
        """The value itself: pass it straight to the client that needs it, never to a log."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretValue({self.name!r}, {MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretValue):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> NoReturn:
        # Pickling would carry the value into event logs, run storage or another process.
        raise TypeError(f"secret {self.name!r} cannot be pickled")

    def __copy__(self) -> SecretValue:
        return self

    def __deepcopy__(self, memo: object) -> SecretValue:
        return self


class SecretError(LookupError):
    """A secret the runtime could not get; the message names it, never shows a value."""


class SecretNotFoundError(SecretError):
    """A secret that is neither in its environment variable nor in its file."""

    def __init__(self, name: str, env_var: str, path: str) -> None:
        self.secret = name
        self.env_var = env_var
        self.path = path
        super().__init__(
            f"secret {name!r} not found: neither the environment variable {env_var} is set "
            f"nor the file {path} exists (set {SECRETS_DIR_VARIABLE} to change the directory)"
        )


def secrets_dir(environ: Mapping[str, str] | None = None) -> str:
    """The directory of mounted secrets: $FLOE_SECRETS_DIR, default /var/run/secrets."""
    environ = os.environ if environ is None else environ
    return environ.get(SECRETS_DIR_VARIABLE) or DEFAULT_SECRETS_DIR


def secret_path(file: str, environ: Mapping[str, str] | None = None) -> str:
    """The absolute path of a lowered secret's `file` (NAME or NAME/KEY)."""
    return os.path.join(secrets_dir(environ), *file.split("/"))


def locate(env_var: str, file: str, environ: Mapping[str, str] | None = None) -> Found | None:
    """Where a secret is, without reading it: its variable when set and not empty, else its file
    when it exists, else None."""
    environ = os.environ if environ is None else environ
    if environ.get(env_var):
        return "environment"
    if os.path.isfile(secret_path(file, environ)):
        return "file"
    return None


def resolve_secret(
    name: str,
    key: str | None = None,
    *,
    env_var: str | None = None,
    file: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SecretValue:
    """The value of `{secret_ref: name, key: key}`: the environment variable, then the file.

    `env_var` and `file` are the lowered forms (as in compiled_artifacts.json); when omitted
    they are derived by the same rule as `floec build`. A file's trailing newline is dropped.
    Raises SecretNotFoundError (naming the secret, the variable and the file, never a value), or
    SecretError when the file exists but cannot be read.
    """
    environ = os.environ if environ is None else environ
    if env_var is None or file is None:
        from floec.passes.lower_secrets import lower

        lowered = lower(name, key)
        env_var = env_var or lowered.env_var
        file = file or lowered.file
    label = name if key is None else f"{name}/{key}"
    found = locate(env_var, file, environ)
    if found == "environment":
        return SecretValue(environ[env_var], label, found)
    path = secret_path(file, environ)
    if found is None:
        raise SecretNotFoundError(label, env_var, path)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        _unreadable(label, path, error)
    return SecretValue(text.rstrip("\r\n"), label, found)


def _unreadable(label: str, path: str, error: Exception) -> NoReturn:
    # The original error is not chained: a decoding error would quote the bytes it choked on.
    message = f"secret {label!r}: the file {path} exists but cannot be read"
    raise SecretError(f"{message} ({type(error).__name__})") from None


def resolve_reference(
    reference: Mapping[str, object], environ: Mapping[str, str] | None = None
) -> SecretValue:
    """Resolve a lowered reference from compiled_artifacts.json: `{"secret": {...}}` or its inner
    object (name, key, env_var, file)."""
    inner = reference.get("secret", reference)
    assert isinstance(inner, Mapping)
    key = inner.get("key")
    return resolve_secret(
        str(inner["name"]),
        None if key is None else str(key),
        env_var=str(inner["env_var"]),
        file=str(inner["file"]),
        environ=environ,
    )

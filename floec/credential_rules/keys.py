"""Which key names hold credentials, in every spelling: `db_password`, `DB-PASSWORD`,
`dbPassword`, `PGPASSWORD`, `password.prod`, `apiKey`, `X-Api-Key`, `--client-secret`...

A key is split into lower-case words at separators and case changes, then judged on its words:
a *password* word makes it FLC201, a *secret* word (or pair such as `api key`) makes it FLC202.
A compound names what its last word names, so a *neutral* word after the sensitive one (`file`,
`path`, `ref`, `name`, `length`, `url`...) means the key describes a credential without holding
one (`password_file`, `secretKeyRef`, `token_url`, `passwordKey`), while the same word before it
only qualifies it (`key-store-password`, `keyStorePassword`, `vault_token` hold one). A few
*modifiers* say that the value is not the credential wherever they stand (`existingSecret`,
`encrypted_password`, `min_password_length`). The result is cached: configuration repeats its
keys endlessly.
"""

from __future__ import annotations

import enum
import functools
import re


class KeyKind(enum.Enum):
    NONE = "none"
    PASSWORD = "password"  # FLC201: any plain value is a leak
    SECRET = "secret"  # FLC202: any plain value is a leak
    WEAK = "weak"  # FLC202 only when the value itself looks like a secret (`auth`, `secret`)


_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Words that make a whole key a password slot, also glued to others (`PGPASSWORD`, `dbpasswd`).
_PASSWORD_SUBSTRINGS = ("password", "passwd", "passphrase", "passcode")
_PASSWORD_WORDS = frozenset({"pwd", "pw", "pass", "passwords", "pword", "pswd", "pgpass"})
# Glued `...pass` words (`requirepass`, `rootpass`, `dbpass`) that are not passwords.
_NOT_PASS = frozenset(
    {"bypass", "compass", "surpass", "overpass", "underpass", "trespass", "encompass", "sidepass"}
)

_SECRET_WORDS = frozenset(
    {
        "token", "tokens", "bearer", "apikey", "apikeys", "apitoken", "secretkey", "accesskey",
        "privatekey", "clientsecret", "authtoken", "accesstoken", "refreshtoken", "sessiontoken",
        "webhooksecret", "sastoken", "accountkey", "masterkey", "authkey", "appkey", "privkey",
        "licensekey",
    }
)  # fmt: skip
# `<word> key` pairs that are secrets; a bare `key` is not (`secretKeyRef: {key: password}`).
_KEY_QUALIFIERS = frozenset(
    {
        "api", "access", "secret", "private", "account", "master", "signing", "encryption",
        "shared", "sas", "storage", "license", "auth", "app", "client", "admin", "write",
        "subscription", "service", "primary", "secondary", "hmac", "crypto", "root", "ingest",
        "sign", "session", "cookie", "jwt", "webhook", "consumer", "decryption", "fernet",
        "secure", "oauth", "bot", "deploy", "registration", "upload", "publish", "mailgun",
    }
)  # fmt: skip
_WEAK_WORDS = frozenset(
    {
        "secret",
        "secrets",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "creds",
        "cred",
        "cookie",
        "cookies",
    }
)
# `<word> secret`, `<word> token`, `<word> credential` are secrets unless the word is neutral.
_STRONG_SUFFIXES = frozenset({"secret", "token"})
# Present anywhere, these words mean the key is *about* a credential, not one.
_NEUTRAL_WORDS = frozenset(
    {
        "file", "files", "path", "paths", "dir", "directory", "env", "envvar", "var", "vars",
        "variable", "ref", "refs", "reference", "name", "names", "command", "cmd", "policy",
        "length", "len", "min", "max", "minimum", "maximum", "enabled", "enable", "disable",
        "disabled", "required", "require", "requires", "prompt", "hint", "field", "fields",
        "type", "mode", "hash", "hashed", "rotation", "rotate", "expiry", "expires", "expire",
        "expiration", "ttl", "age", "url", "urls", "uri", "endpoint", "reset", "label",
        "placeholder", "regex", "pattern", "format", "header", "param", "parameter", "location",
        "source", "provider", "store", "id", "ids", "arn", "count", "size", "timeout", "retries",
        "mount", "template", "validation", "strength", "complexity", "method", "strategy",
        "scheme", "version", "prefix", "suffix", "lifetime", "duration", "interval", "limit",
        "usage", "exists", "existing", "generate", "generated", "generator", "description",
        "desc", "help", "doc", "docs", "link", "audience", "scope", "scopes", "issuer",
        "algorithm", "alg", "encoding", "encrypted", "less", "selector", "annotation", "chars",
        "characters", "special", "history", "attempts", "lockout", "days", "hours", "seconds",
        "option", "options", "flag", "stdin", "plugin", "backend", "manager", "keyref", "kms",
        "ssm", "vault", "class", "kind", "enc", "namespace", "key", "keys", "lookup", "mapping",
        "bucket", "provided", "set", "change", "changed", "used", "auto", "volume",
        "secretname", "secretref", "keyname", "properties", "config", "settings", "output",
        "rule", "rules", "check", "verify", "validate", "cache", "cached", "stores",
    }
)  # fmt: skip
# Neutral wherever they stand: the value is a name, a hash, a bound or a switch, never the secret.
_MODIFIER_WORDS = frozenset(
    {
        "existing", "exists", "encrypted", "enc", "hashed", "hash", "min", "max", "minimum",
        "maximum", "provided", "enabled", "enable", "disable", "disabled", "required", "require",
        "requires", "use", "generate", "generated", "secretname", "secretref", "keyref",
        "keyname", "less", "public", "pub",
    }
)  # fmt: skip
# `key` at the end is neutral (a key *name*) except after a qualifier (`api_key`, `access key`).


def split_words(key: str) -> tuple[str, ...]:
    """`dbPassword` -> ('db', 'password'); `X-API-Key` -> ('x', 'api', 'key')."""
    return tuple(word.lower() for word in _SPLIT.split(key) if word)


@functools.lru_cache(maxsize=4096)
def classify_key(key: str) -> KeyKind:
    """How sensitive the slot named `key` is. Leading dashes of command-line flags are ignored."""
    words = split_words(key)
    if not words or len(key) > 80:
        return KeyKind.NONE
    kind = KeyKind.NONE
    for index, word in enumerate(words):
        found = _word_kind(word, words, index)
        if found is KeyKind.NONE:
            continue
        if found is KeyKind.PASSWORD:
            kind = KeyKind.PASSWORD
        elif found is KeyKind.SECRET and kind is not KeyKind.PASSWORD:
            kind = KeyKind.SECRET
        elif found is KeyKind.WEAK and kind is KeyKind.NONE:
            kind = KeyKind.WEAK
    if kind is KeyKind.NONE:
        return kind
    first = next(i for i, w in enumerate(words) if _word_kind(w, words, i) is not KeyKind.NONE)
    for index, word in enumerate(words):
        if word in _MODIFIER_WORDS or (index > first and _is_neutral(word, words, index)):
            return KeyKind.NONE
    return kind


def _word_kind(word: str, words: tuple[str, ...], index: int) -> KeyKind:
    if word in _PASSWORD_WORDS or any(part in word for part in _PASSWORD_SUBSTRINGS):
        if word.endswith("less"):  # passwordless
            return KeyKind.NONE
        return KeyKind.PASSWORD
    if word.endswith("pass") and len(word) > 6 and word not in _NOT_PASS:
        return KeyKind.PASSWORD  # requirepass, rootpass
    if word in _SECRET_WORDS:
        return KeyKind.SECRET
    if word == "key" and index > 0 and words[index - 1] in _KEY_QUALIFIERS:
        return KeyKind.SECRET
    if word in _STRONG_SUFFIXES and index > 0:
        return KeyKind.SECRET
    if word in _STRONG_SUFFIXES and index + 1 < len(words) and words[index + 1] in ("key",):
        return KeyKind.SECRET  # secret_key, token_key... (neutral words still win below)
    if word == "token":
        return KeyKind.SECRET
    if word in _WEAK_WORDS:
        return KeyKind.WEAK
    if word.endswith(("secret", "token")) and len(word) > 6 and word not in ("tokenizer",):
        return KeyKind.SECRET  # clientsecret, slacktoken, ghtoken
    return KeyKind.NONE


def _is_neutral(word: str, words: tuple[str, ...], index: int) -> bool:
    if word == "key" or word == "keys":
        # `password_key` names the key that holds a password; `api_key` is one.
        return not (index > 0 and words[index - 1] in _KEY_QUALIFIERS)
    if word == "id" and index >= 2 and words[index - 2 : index] == ("access", "key"):
        return False  # aws_access_key_id: half of a static credential
    return word in _NEUTRAL_WORDS

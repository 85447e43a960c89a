"""The detectors in order of specificity, for one string at a time.

1. a well-known shape (`shapes`): says exactly what the secret is;
2. an assignment inside the string (`password=...` in a DSN or a command line, `"token": "..."`
   in embedded JSON, `--client-secret ...`);
3. the key the value sits under (`keys`): FLC201 for password slots, FLC202 for other secrets;
4. entropy (`entropy`), only in value positions and only when nothing above explains the value.

A later detector never reports a range that an earlier one already covers, so one secret gives
one finding with the most precise name.
"""

from __future__ import annotations

import base64
import binascii
import re

import attrs

from floec.credential_rules.entropy import looks_random
from floec.credential_rules.hits import Hit
from floec.credential_rules.keys import KeyKind, classify_key, split_words
from floec.credential_rules.shapes import find_shapes
from floec.credential_rules.values import is_exempt, is_placeholder, looks_secret

_SENSITIVE_HINT = re.compile(
    r"pass|pwd|secret|token|key|auth|cred|bearer|cookie|pw\b|-u\b|--user\b", re.IGNORECASE
)
_ASSIGN = re.compile(
    r"""(?<![\w.-])["']?(-{0,2}[A-Za-z_][\w.-]{0,62}?)["']?[ \t]*(?:=|:(?=[ \t"']))[ \t]*"""
    r"""(?:"([^"\n]*)"|'([^'\n]*)'|([^\s;&,"'<>(){}\[\]]+))"""
)
_ENV_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=([^=\s].*)$")
_USER_PASSWORD = re.compile(r"""(?<![\w-])(?:-u|--user)[ \t=]+["']?[^\s:'"]+:([^\s'"@]+)""")
_FLAG = re.compile(
    r"""(?<![\w-])--?([A-Za-z][\w-]{1,60})[ \t]+(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'-][^\s"']*))"""
)
# Words of a key under which a random-looking value is expected and public.
_ENTROPY_EXEMPT_WORDS = frozenset(
    {
        "id", "ids", "uid", "uuid", "guid", "sha", "sha1", "sha256", "sha512", "hash", "digest",
        "checksum", "integrity", "fingerprint", "etag", "image", "tag", "version", "ref",
        "revision", "commit", "rev", "cert", "certificate", "certs", "ca", "bundle", "crt",
        "pub", "public", "publickey", "encrypted", "ciphertext", "nonce", "name", "namespace",
        "path", "file", "selector", "thumbprint", "kid", "salt", "signature", "known", "hosts",
        "hostkey", "cabundle", "sum", "md5", "crc", "crc32", "oid", "tenant", "subscription",
        "account", "project", "build", "run", "trace", "span", "correlation", "request",
        "resource", "instance", "cluster", "node", "pod", "container", "client", "object",
        "key", "keys", "encrypteddata", "sealed", "enc", "mac", "iv", "lastmodified", "url",
        "uri", "link", "href", "src", "host", "hostname", "pin", "pinned",
        "workspace", "dataset", "table", "pipeline", "job", "warehouse", "catalog",
    }
)  # fmt: skip


def _first_group(match: re.Match[str], first: int) -> tuple[str, int, int]:
    for group in range(first, first + 3):
        if match.group(group) is not None:
            return match.group(group), match.start(group), match.end(group)
    return "", match.end(), match.end()


def _assignment_value_ok(value: str, kind: KeyKind, *, strict_values: bool) -> bool:
    if is_exempt(value):
        return False
    if kind is KeyKind.WEAK and not looks_secret(value):
        return False
    if strict_values:
        # In comments and prose, `password: required` is a sentence, not a leak.
        has_signal = any(not c.isalpha() and c not in "-_." for c in value) or (
            any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
        )
        return len(value) >= 6 and has_signal
    return True


def find_assignments(text: str, *, prose: bool = False) -> list[Hit]:
    """`password=...`, `"token": "..."`, `--client-secret ...` inside a longer string."""
    if not _SENSITIVE_HINT.search(text):
        return []
    hits: list[Hit] = []
    for match in _USER_PASSWORD.finditer(text):  # curl -u user:password
        value = match.group(1)
        if not is_exempt(value):
            hits.append(Hit("FLC201", match.start(1), match.end(1), "hardcoded password in '-u'"))
    for pattern in (_ASSIGN, _FLAG):
        position = 0
        while (found := pattern.search(text, position)) is not None:
            value, start, end = _first_group(found, 2)
            # `text: password: x`: a value can hold the next assignment, so resume inside it
            position = start if start > found.start() else found.end()
            kind = classify_key(found.group(1))
            if kind is KeyKind.NONE:
                continue
            position = max(end, position + 1)
            stripped = value.strip()
            colon_form = pattern is _ASSIGN and "=" not in found.group(0)[: start - found.start()]
            if not _assignment_value_ok(stripped, kind, strict_values=prose or colon_form):
                continue
            start += len(value) - len(value.lstrip())
            hit = _slot_hit(kind, start, start + len(stripped), found.group(1))
            if not any(hit.overlaps(other) for other in hits):
                hits.append(hit)
    return hits


def _slot_hit(kind: KeyKind, start: int, end: int, key: str) -> Hit:
    if kind is KeyKind.PASSWORD:
        return Hit("FLC201", start, end, f"hardcoded password in '{key}'")
    return Hit("FLC202", start, end, f"plaintext secret in the sensitive field '{key}'")


def _add(hits: list[Hit], new: list[Hit]) -> None:
    for hit in new:
        if not any(hit.overlaps(other) for other in hits):
            hits.append(hit)


def scan_value(
    text: str,
    key: str | None = None,
    *,
    strict: bool = False,
    value_position: bool = True,
) -> list[Hit]:
    """Credentials in a value `text` found under `key` (None in a list or a document root).

    `strict` is for platform.yaml, where a sensitive field must be a `secret_ref`: placeholders
    like `changeme` are then still a plain value in the wrong place.
    """
    kind = classify_key(key) if key else KeyKind.NONE
    if kind is KeyKind.NONE and len(text) < 12:
        return []  # too short for any shape, assignment or random token: most scalars stop here
    assignment = _ENV_ASSIGNMENT.match(text)
    if assignment is not None:  # `- DB_PASSWORD=...` in a list of environment variables
        offset = assignment.start(2)
        inner = scan_value(assignment.group(2), assignment.group(1), strict=strict)
        return [attrs.evolve(h, start=h.start + offset, end=h.end + offset) for h in inner]
    hits = find_shapes(text, key or "")
    _add(hits, find_assignments(text))
    if hits:
        return hits
    stripped = text.strip()
    if kind is not KeyKind.NONE and not is_exempt(stripped, strict=strict):
        if kind is not KeyKind.WEAK or looks_secret(stripped):
            start = len(text) - len(text.lstrip())
            return [_slot_hit(kind, start, start + len(stripped), key or "")]
        return []
    if (
        value_position
        and len(stripped) >= 20
        and kind is KeyKind.NONE
        and not (key and _ENTROPY_EXEMPT_WORDS.intersection(split_words(key)))
        and looks_random(stripped)
        and not is_placeholder(stripped)
        and not _encoded_document(stripped)
    ):
        start = len(text) - len(text.lstrip())
        return [
            Hit("FLC218", start, start + len(stripped), "random-looking value that may be a secret")
        ]
    return []


def _encoded_document(token: str) -> bool:
    """Base64 of JSON or YAML-ish text (encoded configuration), not of random bytes."""
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        text = decoded.decode("ascii")
    except UnicodeDecodeError:
        return False
    return text.isprintable() and text.lstrip()[:1] in ("{", "[")


def scan_key(text: str) -> list[Hit]:
    """A mapping key can hold a token too (`{ghp_...: admin}`); only shapes are trusted there."""
    return find_shapes(text)


def scan_comment(text: str) -> list[Hit]:
    """A comment: shapes, and `password: ...`-style assignments that look like real values."""
    hits = find_shapes(text)
    _add(hits, find_assignments(text, prose=True))
    return hits

"""The detectors in order of specificity, for one string at a time.

1. a well-known shape (`shapes`): says exactly what the secret is;
2. an assignment inside the string (`password=...` in a DSN or a command line, `"token": "..."`
   in embedded JSON, `--client-secret ...`);
3. the key the value sits under (`keys`): FLC201 for password slots, FLC202 for other secrets;
4. a credential named in prose (`the password is ...`, `token for this is ...`);
5. a base64 document (a Kubernetes `.dockerconfigjson`) decoded and scanned as text;
6. entropy (`entropy`), only in value positions and only when nothing above explains the value.

A later detector never reports a range that an earlier one already covers, so one secret gives
one finding with the most precise name.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re

import attrs

from floec.credential_rules.entropy import looks_random, looks_random_hex
from floec.credential_rules.hits import Hit
from floec.credential_rules.keys import KeyKind, classify_key, split_words
from floec.credential_rules.shapes import find_shapes
from floec.credential_rules.values import (
    is_algorithm_name,
    is_exempt,
    is_placeholder,
    is_template,
    looks_secret,
    strong_value,
)

_SENSITIVE_HINT = re.compile(
    r"pass|pwd|secret|token|key|auth|cred|bearer|cookie|pw\b|-u\b|--user\b", re.IGNORECASE
)
# The same over ASCII text lower-cased first: several times faster than case folding in the
# regex, and the same answer (only non-ASCII letters fold differently: `ſ`, the Kelvin sign).
_SENSITIVE_HINT_LOW = re.compile(_SENSITIVE_HINT.pattern)
_ASSIGN = re.compile(
    r"""(?<![\w.-])["']?(-{0,2}[A-Za-z_][\w.-]{0,62}?)["']?[ \t]*(?:=|:(?=[ \t"']))[ \t]*"""
    r"""(?:"([^"\n]*)"|'([^'\n]*)'|([^\s;&,"'<>(){}\[\]]+))"""
)
_ENV_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=([^=\s].*)$")
_USER_PASSWORD = re.compile(r"""(?<![\w-])(?:-u|--user)[ \t=]+["']?[^\s:'"]+:([^\s'"@]+)""")
# `docker login -u bot -p VALUE`, `mysql -uroot -pVALUE`: `-p` is a password next to a user.
_LOGIN_CONTEXT = re.compile(r"(?<![\w-])(?:-u|--user(?:name)?)\b|\blogin\b")
_SHORT_P = re.compile(r"""(?<![\w-])-p[ \t]*(?:"([^"\n]+)"|'([^'\n]+)'|([^\s"'-][^\s"';&|]*))""")
_PORTISH = re.compile(r"^[\d:./-]+$")
# A credential named in prose: `the password is X`, `API token for this is X`, `password X`.
_PROSE = re.compile(
    r"""(?i)(?<![\w.$/-])(pass(?:word|phrase|wd)|pwd|token|api[ _-]?key|secret(?:[ _-]key)?)s?"""
    r"""(?![\w.-])"""
    r"""(?:(?:[ \t\n]+[\w'-]+){0,4}?[ \t\n]+(?:is|was|are|reads|=)|[ \t]*[:=]|)[ \t\n]+"""
    r"""["'`]?([^\s"'`]{8,200})"""
)
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
        "encrypteddata", "sealed", "enc", "mac", "iv", "lastmodified", "url",
        "uri", "link", "href", "src", "host", "hostname", "pin", "pinned",
        "workspace", "dataset", "table", "pipeline", "job", "warehouse", "catalog",
        "digests", "checksums", "hashes", "cache", "source", "etags", "shasum", "parent",
        "traceparent", "sha1sum", "sha256sum", "lock", "lockfile", "resolved", "commits",
    }
)  # fmt: skip


# Every detector needs one of these somewhere in its string, once lower-cased: a sensitive word
# (of a key, an assignment, a flag or a sentence), a login command's context, the few shapes that
# can be shorter than 16 characters (a URL's or a JDBC string's user-info, a SAS signature, Slack
# tokens, a Basic header), or a token long enough for every other shape, for entropy and for
# base64. The shape anchors of `shapes.ANCHORS` are all covered by these. One regex without case
# folding over lower-cased text is several times faster than any case-insensitive alternation.
CANDIDATE = re.compile(
    r"pass|pw|pswd|secret|token|key|auth|cred|cookie|bearer|-u\b|--user|login|"
    r"basic |://|thin:|sig=|xox|xapp-|[a-z0-9+/=_.~-]{16,}"
)


def lowered(text: str) -> str:
    """`text` lower-cased with every character where it was (`CANDIDATE`'s offsets hold), or, for
    the rare text whose case folding changes its length, with only ASCII letters folded."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# Under a key that names no credential (or none), a shorter value is never reported.
MIN_UNKEYED = 12


def has_candidate(text: str) -> bool:
    """False when no detector can report anything in `text` (whatever key it sits under, as long
    as the key is in `text` too): a whole file can then be passed over without parsing it."""
    return CANDIDATE.search(lowered(text)) is not None


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
    if text.isascii():
        if not _SENSITIVE_HINT_LOW.search(text.lower()):
            return []
    elif not _SENSITIVE_HINT.search(text):
        return []
    hits: list[Hit] = []
    for match in _USER_PASSWORD.finditer(text) if "-u" in text else ():  # curl -u user:password
        value = match.group(1)
        if not is_exempt(value):
            hits.append(Hit("FLC201", match.start(1), match.end(1), "hardcoded password in '-u'"))
    if "-p" in text and _LOGIN_CONTEXT.search(text):
        for match in _SHORT_P.finditer(text):
            value, start, end = _first_group(match, 1)
            if not is_exempt(value) and not _PORTISH.match(value):
                hits.append(Hit("FLC201", start, end, "hardcoded password in '-p'"))
    # an assignment needs '=' or ':', a flag '-'
    patterns: tuple[re.Pattern[str], ...] = (_ASSIGN,) if "-" not in text else (_ASSIGN, _FLAG)
    if "=" not in text and ":" not in text:
        patterns = patterns[1:]
    for pattern in patterns:
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
            hit = _slot_hit(kind, start, start + len(stripped), found.group(1), stripped)
            if not any(hit.overlaps(other) for other in hits):
                hits.append(hit)
    return hits


def _b64_text(token: str) -> str | None:
    """`token` decoded as base64 (standard or URL-safe) when that gives printable text."""
    if len(token) < 8 or len(token) % 4 == 1 or not _B64.match(token):
        return None
    try:
        decoded = base64.b64decode(
            token.replace("-", "+").replace("_", "/") + "=" * (-len(token) % 4), validate=True
        )
        text = decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if not text or not all(c.isprintable() or c in "\n\r\t" for c in text):
        return None
    return text


_B64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_BASIC_PAIR = re.compile(r"^[^\s:]{1,64}:(\S{4,})$")


def _basic_pair(value: str) -> bool:
    """base64 of `user:password`, as in an `auth` field of a Docker config or a Basic header."""
    text = _b64_text(value)
    if text is None:
        return False
    match = _BASIC_PAIR.match(text)
    return match is not None and not is_exempt(match.group(1))


def _slot_hit(kind: KeyKind, start: int, end: int, key: str, value: str = "") -> Hit:
    if value and _basic_pair(value):
        return Hit("FLC217", start, end, f"hardcoded HTTP Basic credentials in '{key}'")
    if kind is KeyKind.PASSWORD:
        return Hit("FLC201", start, end, f"hardcoded password in '{key}'")
    return Hit("FLC202", start, end, f"plaintext secret in the sensitive field '{key}'")


def find_in_prose(text: str) -> list[Hit]:
    """A credential written into a sentence: `the admin password is X until Friday`."""
    hits: list[Hit] = []
    for match in _PROSE.finditer(text):
        value = match.group(2).rstrip(".,;:!?)]}")
        if value[:1] == "-" or "=" in value or not strong_value(value):
            continue  # a flag or an assignment is not a word of the sentence
        if is_exempt(value) or is_template(value):
            continue
        word = match.group(1).lower()
        kind = KeyKind.PASSWORD if word.startswith("pass") or word == "pwd" else KeyKind.SECRET
        start = match.start(2)
        hit = (
            Hit("FLC201", start, start + len(value), "hardcoded password in text")
            if kind is KeyKind.PASSWORD
            else Hit("FLC202", start, start + len(value), f"plaintext {word} in text")
        )
        if not any(hit.overlaps(other) for other in hits):
            hits.append(hit)
    return hits


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
    if kind is KeyKind.NONE and (len(text) < MIN_UNKEYED or not has_candidate(text)):
        return []  # nothing any detector could report: most scalars stop here
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
    start = len(text) - len(text.lstrip())
    end = start + len(stripped)
    if kind is not KeyKind.NONE:
        if (
            kind is KeyKind.PASSWORD
            and stripped.isalpha()
            and classify_key(stripped) is KeyKind.PASSWORD
        ):
            # `POSTGRES_PASSWORD: password` is the weakest password of all, not a field's name
            return [_slot_hit(kind, start, end, key or "")]
        if is_exempt(stripped, strict=strict):
            return []
        if strict and kind is not KeyKind.WEAK and is_placeholder(stripped):
            # platform.yaml: a placeholder is no leak, but the field still needs a secret_ref
            return [Hit("FLC202", start, end, f"a plain value in the sensitive field '{key}'")]
        if kind is KeyKind.SECRET and not strict and _MODE_WORD.match(stripped):
            return []  # `id-token: write`, `token: none`: a mode word, not a token
        if kind is not KeyKind.WEAK or looks_secret(stripped):
            return [_slot_hit(kind, start, end, key or "", stripped)]
        return []
    if _SPACE.search(stripped) is not None:
        return find_in_prose(text)
    if not value_position or len(stripped) < 16:
        return []
    if key and _ENTROPY_EXEMPT_WORDS.intersection(split_words(key)):
        return []
    decoded = _b64_text(stripped)
    if decoded is not None:
        inner = scan_value(decoded, key, value_position=False)
        if inner:  # `.dockerconfigjson: eyJhdXRocyI6...`: report the encoded token whole
            return [Hit(inner[0].code, start, end, f"{inner[0].what} (base64-encoded)")]
        if _readable(decoded):
            return []  # base64 of settings, a banner, a JSON document: encoded, not random
    if (
        len(stripped) >= 20
        and looks_random(stripped)
        and not is_placeholder(stripped)
        and not is_algorithm_name(stripped)
    ) or (key and looks_random_hex(stripped)):
        return [Hit("FLC218", start, end, "random-looking value that may be a secret")]
    return []


_MODE_WORD = re.compile(r"^[a-z]{1,10}$")
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"[A-Za-z]{3,}")


def _readable(text: str) -> bool:
    """Decoded base64 that is text people wrote (a JSON or YAML document, `key=value` settings,
    a sentence, a command line), as opposed to a random string that happens to be printable."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") or any(c.isspace() for c in stripped):
        return True
    if "=" in stripped[1:-1] or ":" in stripped[1:-1]:
        return True
    words = sum(len(w) for w in _WORD.findall(stripped))
    return words * 10 >= len(stripped) * 8


def scan_key(text: str) -> list[Hit]:
    """A mapping key can hold a token too (`{ghp_...: admin}`); only shapes are trusted there."""
    return list(_scan_key(text)) if len(text) < 256 else find_shapes(text)


@functools.lru_cache(maxsize=4096)
def _scan_key(text: str) -> tuple[Hit, ...]:
    return tuple(find_shapes(text))  # configuration repeats its keys endlessly


def scan_comment(text: str) -> list[Hit]:
    """A comment: shapes, `password: ...`-style assignments that look like real values, and
    credentials named in sentences."""
    hits = find_shapes(text)
    _add(hits, find_assignments(text, prose=True))
    if not hits:
        _add(hits, find_in_prose(text))
    return hits


def split_comment(line: str) -> tuple[str, int | None]:
    """The code part of a line and the column of its comment's '#', tracking quotes."""
    if "#" not in line:
        return line, None
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (index == 0 or line[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index], index
    return line, None

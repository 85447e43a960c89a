"""Random-looking strings: the last resort for secrets with no known shape and no telling key.

Shannon entropy alone flags every digest, UUID, image tag and base64 certificate in a repository,
which is why secret scanners are noisy. So a candidate must first be one unbroken token of
base64/base62 characters, mix letter cases and digits the way generated keys do (and identifiers
do not: `ThisIsACamelCaseName2` changes class rarely), and not be one of the random-but-public
things configuration is full of: hex digests and git SHAs, UUIDs, ARNs, versions, paths, domain
names, image references, base64 certificates, publishable (public) vendor keys.
"""

from __future__ import annotations

import math
import re
from collections import Counter

MIN_LENGTH = 20
MAX_LENGTH = 1024

_TOKEN = re.compile(r"^[A-Za-z0-9+/=_.~-]+$")
_HEXISH = re.compile(
    r"^(?:0x)?[0-9a-fA-F]+$|^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
)
_BENIGN = re.compile(
    r"^(?:sha\d+[:-]|md5[:-]|[a-z0-9.-]+@sha\d+:|LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS|"
    r"LS0tLS1CRUdJTiBQVUJMSUMgS0VZ|LS0tLS1CRUdJTiBSU0EgUFVCTElD|LS0tLS1CRUdJTiBPUEVOU1NIIFBVQkxJQyBLRVk|"
    r"c3NoLXJzYSBB|c3NoLWVkMjU1MTkgQUFBQU|AAAA[BC]3NzaC|MII[A-Za-z0-9+/]{2}CCA|AgA|AgB|arn:|"
    r"ENC\[|v\d+\.\d+|\d+\.\d+\.\d+|pk_(?:live|test)_)"
)
_WORDY = re.compile(r"[a-z]{5,}|[A-Z][a-z]{3,}")


def shannon(text: str) -> float:
    """Bits of entropy per character of `text`'s own character distribution."""
    if not text:
        return 0.0
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in Counter(text).values())


_CLASS_LETTERS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=_.~-\n",
    "a" * 26 + "A" * 26 + "0" * 10 + "." * 8,
)
_RUNS = re.compile(r"(.)\1*")


def looks_random(token: str) -> bool:
    """True when `token` is most likely a generated secret rather than any public identifier."""
    length = len(token)
    if length < MIN_LENGTH or length > MAX_LENGTH or not _TOKEN.match(token):
        return False
    if _HEXISH.match(token) or _BENIGN.match(token):
        return False
    if token.count(".") >= 2 and not any(c in token for c in "+/="):
        return False  # domain names, dotted identifiers, versions
    if "/" in token and token.count("/") >= 3 and _WORDY.search(token):
        return False  # a path
    # Each character's class (lower, upper, digit, other) as one letter, by C code rather than
    # a Python call per character: `_TOKEN` lets in ASCII only (and a final newline).
    kinds = token.translate(_CLASS_LETTERS)
    classes = set(kinds)
    if not {"a", "A", "0"} <= classes and not (
        len(classes) >= 2 and length >= 32 and "." in classes
    ):
        return False
    if token.count("-") + token.count("_") > length // 6:
        return False  # words-joined-by-separators
    changes = len(_RUNS.findall(kinds)) - 1
    if changes < length // 4:
        return False
    wordy = sum(len(word) for word in _WORDY.findall(token))
    if wordy > length // 2:
        return False
    threshold = min(4.5, math.log2(length) * 0.82)
    return shannon(token) >= threshold


_PURE_HEX = re.compile(r"^[0-9a-f]{32,128}$|^[0-9A-F]{32,128}$")


def looks_random_hex(token: str) -> bool:
    """A hex string of key length (32 to 128 digits) with the spread of random bytes. Digests
    have this shape too, so the caller asks only for values under a key that does not name a
    digest, an id or a commit."""
    if not _PURE_HEX.match(token):
        return False
    letters = sum(1 for c in token if c.isalpha())
    if not 0.15 * len(token) <= letters <= 0.6 * len(token):
        return False
    return shannon(token) >= 3.3

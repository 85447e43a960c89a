"""`oci://HOST[:PORT]/REPOSITORY[:TAG][@DIGEST]`: where a platform lives in a registry.

The repository name follows the distribution spec (lowercase path components separated by `/`);
a tag is `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`; a digest is `sha256:<64 hex>`.
"""

from __future__ import annotations

import ipaddress
import re

import attrs

SCHEME = "oci://"
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$"
)
_REPOSITORY = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


class InvalidReference(ValueError):
    """A reference that cannot be parsed; the message says what is wrong."""


@attrs.frozen
class Reference:
    host: str  # with the port, as written
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = f"{SCHEME}{self.host}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def bare(self) -> Reference:
        return Reference(self.host, self.repository)

    def child(self, name: str) -> Reference:
        return Reference(self.host, f"{self.repository}/{name}")

    def with_tag(self, tag: str | None) -> Reference:
        return attrs.evolve(self, tag=tag)

    def with_digest(self, digest: str | None) -> Reference:
        return attrs.evolve(self, digest=digest)

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.host)


def is_reference(text: str | None) -> bool:
    return bool(text) and str(text).startswith(SCHEME)


def is_loopback(host: str) -> bool:
    name = host
    if name.startswith("["):
        name = name[1 : name.index("]")]
    elif name.count(":") == 1:
        name = name.split(":")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse(text: str, *, allow_tag: bool = True) -> Reference:
    """Parse `oci://...`; raises InvalidReference with what to write instead."""
    if not text.startswith(SCHEME):
        raise InvalidReference(
            f"'{text}' is not an OCI reference: write oci://HOST/REPOSITORY[:VERSION]"
        )
    rest = text[len(SCHEME) :]
    if "@" in rest.split("/", 1)[0]:
        # Not echoed: the part before '@' is a username and password.
        raise InvalidReference(
            "an OCI reference cannot carry credentials before its host: remove them and use "
            "`docker login` or FLOEC_REGISTRY_USERNAME/FLOEC_REGISTRY_PASSWORD"
        )
    digest = None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not DIGEST.match(digest):
            raise InvalidReference(f"'{digest}' is not a digest: write sha256: and 64 hex digits")
    host, _, path = rest.partition("/")
    if not host or not _HOST.match(host) or "@" in host:
        raise InvalidReference(f"'{text}': '{host}' is not a registry host[:port]")
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = path.rsplit(":", 1)
        if not allow_tag:
            raise InvalidReference(f"'{text}': give the repository without a tag or version")
        if not _TAG.match(tag):
            raise InvalidReference(f"'{text}': '{tag}' is not a valid tag")
    path = path.rstrip("/")
    if not path or not _REPOSITORY.match(path):
        raise InvalidReference(
            f"'{text}': '{path}' is not a repository name (lowercase letters, digits, '.', '_', "
            "'-', separated by '/')"
        )
    return Reference(host, path, tag, digest)

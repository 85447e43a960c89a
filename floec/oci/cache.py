"""The content cache: blobs (manifests and platform.yaml layers) by digest.

Where: `$FLOEC_CACHE_DIR`, else `$XDG_CACHE_HOME/floec`, else `~/.cache/floec`; the blobs are
`oci/blobs/sha256/<hex>`. An entry is written atomically and only after its digest was checked,
and checked again when read: a corrupted entry is removed and fetched again. Anything may delete
the directory at any time; a locked build then needs the registry once more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from floec.cache_home import cache_home
from floec.oci.reference import DIGEST
from floec.write import replace_atomically


def directory(environ: Mapping[str, str]) -> Path:
    if environ.get("FLOEC_CACHE_DIR"):
        return Path(environ["FLOEC_CACHE_DIR"])
    return Path(cache_home(environ))


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_environ(cls, environ: Mapping[str, str]) -> Cache:
        return cls(directory(environ))

    def path(self, digest: str) -> Path:
        if not DIGEST.match(digest):
            raise ValueError(f"not a sha256 digest: {digest!r}")
        return self.root / "oci" / "blobs" / "sha256" / digest.split(":", 1)[1]

    def get(self, digest: str) -> bytes | None:
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            path.unlink(missing_ok=True)
            return None
        return data

    def put(self, digest: str, data: bytes) -> Path:
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"refusing to cache bytes that do not match {digest}")
        path = self.path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, data)
        return path

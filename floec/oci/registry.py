"""Reading platforms from registries: versions, range resolution and fetches by digest, with the
content cache in front so that a fetch by digest needs no network once cached.

Every byte returned here was checked against its digest (by the client, or by the cache).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from floec.oci import semver
from floec.oci.artifact import ArtifactError, platform_layer
from floec.oci.cache import Cache
from floec.oci.client import Client, RegistryError
from floec.oci.reference import Reference


class NoMatchingVersion(RegistryError):
    def __init__(self, repository: Reference, wanted: str, available: list[str]) -> None:
        listed = ", ".join(available) if available else "none"
        super().__init__(
            "version",
            f"no version of {repository} matches '{wanted}'; available: {listed}",
            "widen the range, or publish a matching version (floec platform publish)"
            if available
            else "publish a first version (floec platform publish)",
        )
        self.available = available


@attrs.frozen
class Resolved:
    repository: Reference  # without tag or digest
    version: str | None  # the version the tag named, when known
    manifest: str
    layer: str
    size: int
    data: bytes = attrs.field(repr=False)
    path: Path  # the platform.yaml in the cache
    annotations: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def pinned(self) -> Reference:
        tag = semver.tag_for(semver.parse(self.version)) if self.version else None
        return attrs.evolve(self.repository, tag=tag, digest=self.manifest)


class Registries:
    """A client per host, made on first use, and the cache."""

    def __init__(
        self, environ: Mapping[str, str], *, plain_http: bool = False, cache: Cache | None = None
    ) -> None:
        self.environ = environ
        self.plain_http = plain_http
        self.cache = cache or Cache.for_environ(environ)
        self._clients: dict[str, Client] = {}

    def client(self, host: str) -> Client:
        if host not in self._clients:
            self._clients[host] = Client(host, self.environ, plain_http=self.plain_http)
        return self._clients[host]

    def versions(self, repository: Reference) -> list[tuple[semver.Version, str]]:
        """Every semver tag of the repository, lowest first; other tags are ignored."""
        found = []
        for tag in self.client(repository.host).tags(repository.repository):
            version = semver.from_tag(tag)
            if version is not None:
                found.append((version, tag))
        return sorted(found, key=lambda item: item[0]._key())

    def resolve(self, repository: Reference, wanted: str, *, prereleases: bool = False) -> Resolved:
        """The highest version matching the range `wanted`, fetched and verified."""
        range_ = semver.parse_range(wanted)
        available = self.versions(repository.bare)
        best = range_.best((v for v, _ in available), prereleases=prereleases)
        if best is None:
            raise NoMatchingVersion(repository.bare, wanted, [str(v) for v, _ in available])
        tag = next(t for v, t in available if v.same_precedence(best) and v == best)
        return self.fetch(repository.bare.with_tag(tag))

    def fetch(self, reference: Reference) -> Resolved:
        """A platform by tag or digest (a digest wins: it is what was reviewed)."""
        if reference.digest is not None:
            return self.fetch_digest(reference.bare, reference.digest, _version(reference.tag))
        if reference.tag is None:
            raise RegistryError(
                "reference",
                f"{reference} names no version",
                f"add :VERSION or @sha256:..., or list them: floec platform versions {reference}",
            )
        client = self.client(reference.host)
        digest, data = client.get_manifest(reference.repository, reference.tag)
        self.cache.put(digest, data)
        return self._layer(reference.bare, _version(reference.tag), digest, data)

    def fetch_digest(
        self, repository: Reference, digest: str, version: str | None = None
    ) -> Resolved:
        """By manifest digest: from the cache when it has both blobs, else the registry."""
        data = self.cache.get(digest)
        if data is None:
            _, data = self.client(repository.host).get_manifest(repository.repository, digest)
            self.cache.put(digest, data)
        return self._layer(repository, version, digest, data)

    def _layer(
        self, repository: Reference, version: str | None, digest: str, manifest: bytes
    ) -> Resolved:
        try:
            layer, annotations = platform_layer(manifest)
        except ArtifactError as error:
            raise RegistryError(
                "artifact", f"{repository}@{digest} is not a floe platform: {error}"
            ) from None
        data = self.cache.get(layer.digest)
        if data is None:
            client = self.client(repository.host)
            data = client.get_blob(repository.repository, layer.digest, layer.size)
            self.cache.put(layer.digest, data)
        if version is None:
            version = annotations.get("org.opencontainers.image.version")
        return Resolved(
            repository,
            version if version and semver.try_parse(version) else None,
            digest,
            layer.digest,
            layer.size,
            data,
            self.cache.path(layer.digest),
            annotations,
        )


def _version(tag: str | None) -> str | None:
    if tag is None:
        return None
    version = semver.from_tag(tag)
    return str(version) if version is not None else None

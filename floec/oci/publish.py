"""Publishing a platform.yaml as a version: blobs first, then the manifest under the version's
tag. Versions are immutable: a tag that already holds other content is refused."""

from __future__ import annotations

import attrs

from floec.oci import artifact, semver
from floec.oci.client import Client, RegistryError, sha256_digest
from floec.oci.reference import Reference


@attrs.frozen
class Published:
    reference: Reference  # with tag and digest
    layer: str
    size: int
    unchanged: bool  # the version already held exactly this platform.yaml


def publish(
    client: Client,
    repository: Reference,
    data: bytes,
    *,
    version: semver.Version,
    created: str,
    source: str,
    environment: str,
) -> Published:
    tag = semver.tag_for(version)
    name = repository.repository
    layer = sha256_digest(data)
    existing = client.manifest_exists(name, tag)
    if existing is not None:
        _, old = client.get_manifest(name, existing)
        try:
            old_layer, _ = artifact.platform_layer(old)
        except artifact.ArtifactError:
            old_layer = None
        if old_layer is not None and old_layer.digest == layer:
            return Published(repository.with_tag(tag).with_digest(existing), layer, len(data), True)
        taken = {str(v) for v in map(semver.from_tag, client.tags(name)) if v is not None}
        bump = semver.Version(version.major, version.minor, version.patch + 1)
        while str(bump) in taken:
            bump = semver.Version(bump.major, bump.minor, bump.patch + 1)
        raise RegistryError(
            "exists",
            f"version {version} of {repository} already exists with other content "
            f"({existing}); published versions are immutable",
            f"bump the version in platform.yaml (e.g. {bump}) or pass --version, and publish again",
        )
    manifest = artifact.manifest(
        data, version=str(version), created=created, source=source, environment=environment
    )
    client.push_blob(name, artifact.EMPTY_DATA)
    client.push_blob(name, data)
    digest = client.put_manifest(name, tag, manifest)
    return Published(repository.with_tag(tag).with_digest(digest), layer, len(data), False)

"""The platform artifact: an OCI image manifest (image-spec 1.1) around one platform.yaml.

    artifactType  application/vnd.floe.platform.v1
    config        the empty descriptor (application/vnd.oci.empty.v1+json, `{}`)
    layers[0]     the platform.yaml bytes, application/vnd.floe.platform.v1+yaml, titled
    annotations   version, creation time, source, environment

The manifest is serialised with sorted keys and no spaces, and its creation time comes from
`SOURCE_DATE_EPOCH` when set, so the same file published twice has the same digest.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping

import attrs

from floec.oci.client import MANIFEST_TYPE, sha256_digest

ARTIFACT_TYPE = "application/vnd.floe.platform.v1"
LAYER_TYPE = "application/vnd.floe.platform.v1+yaml"
EMPTY_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_DATA = b"{}"
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
TITLE = "platform.yaml"

VERSION_KEY = "org.opencontainers.image.version"
CREATED_KEY = "org.opencontainers.image.created"
SOURCE_KEY = "org.opencontainers.image.source"
TITLE_KEY = "org.opencontainers.image.title"
ENVIRONMENT_KEY = "dev.floe.platform.environment"


class ArtifactError(ValueError):
    """A manifest that is not a floe platform artifact."""


@attrs.frozen
class Layer:
    digest: str
    size: int


def created_at(environ: Mapping[str, str]) -> str:
    """RFC 3339 UTC; `SOURCE_DATE_EPOCH` makes it reproducible."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    else:
        moment = datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def manifest(
    platform: bytes, *, version: str, created: str, source: str, environment: str
) -> bytes:
    document = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "artifactType": ARTIFACT_TYPE,
        "config": {"mediaType": EMPTY_TYPE, "digest": EMPTY_DIGEST, "size": 2, "data": "e30="},
        "layers": [
            {
                "mediaType": LAYER_TYPE,
                "digest": sha256_digest(platform),
                "size": len(platform),
                "annotations": {TITLE_KEY: TITLE},
            }
        ],
        "annotations": {
            VERSION_KEY: version,
            CREATED_KEY: created,
            SOURCE_KEY: source,
            ENVIRONMENT_KEY: environment,
        },
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def platform_layer(data: bytes) -> tuple[Layer, Mapping[str, str]]:
    """The platform.yaml layer of a manifest and the manifest's annotations."""
    try:
        document = json.loads(data)
    except ValueError:
        raise ArtifactError("the manifest is not JSON") from None
    if not isinstance(document, dict):
        raise ArtifactError("the manifest is not a JSON object")
    kind = document.get("artifactType") or (document.get("config") or {}).get("mediaType")
    if kind != ARTIFACT_TYPE:
        raise ArtifactError(
            f"it is not a floe platform (artifactType {kind!r}, expected {ARTIFACT_TYPE!r})"
        )
    layers = [
        item
        for item in document.get("layers") or []
        if isinstance(item, dict) and item.get("mediaType") == LAYER_TYPE
    ]
    if len(layers) != 1:
        raise ArtifactError(f"it has {len(layers)} platform.yaml layers, expected one")
    digest, size = layers[0].get("digest"), layers[0].get("size")
    if not isinstance(digest, str) or not digest.startswith("sha256:") or not isinstance(size, int):
        raise ArtifactError("its platform.yaml layer has no sha256 digest or size")
    annotations = document.get("annotations")
    notes = (
        {str(k): str(v) for k, v in annotations.items()} if isinstance(annotations, dict) else {}
    )
    return Layer(digest, size), notes

"""Platform configurations as OCI artifacts: references, versions, the registry client, the
content cache and floe.lock (docs/platform-registry.md).

Nothing here is imported by `floec check`, or by `floec build` unless a platform comes from a
registry: the client pulls in urllib's HTTP stack.
"""

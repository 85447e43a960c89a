"""A small client for the OCI distribution API, on urllib (no dependency).

What floec needs and no more: the `/v2/` ping, blob upload (POST then one monolithic PUT), blob
and manifest GET with the digest verified before anything is returned, manifest PUT, and the tags
list with `Link` pagination. Authentication follows the registry's `WWW-Authenticate` challenge:
HTTP basic, or the bearer-token flow (a token from the realm, scoped to the repository).

Why not oras-py: it cannot set `artifactType`, does not verify what it pulls, and its login
writes `~/.docker/config.json`; the protocol subset here is a few hundred lines.

HTTPS always, except for a loopback registry (127.0.0.1, ::1, localhost) or when the caller asks
for plain HTTP. Credentials go in an `Authorization` header that urllib does not forward on a
redirect (blob storage often redirects to another host), and never into a message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message

import attrs

from floec.oci import credentials as creds
from floec.oci.reference import is_loopback

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
MAX_MANIFEST = 4 * 1024 * 1024  # the size registries themselves accept
MAX_BLOB = 64 * 1024 * 1024  # far above any platform.yaml; a bound on a hostile server


class RegistryError(Exception):
    """A failure a user can act on. `kind`: unreachable, auth, repository, manifest, blob,
    digest, protocol. The message names the registry and repository, never a credential."""

    def __init__(self, kind: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.help = help


@attrs.frozen
class Response:
    status: int
    headers: Message
    body: bytes


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
    return scheme.lower(), params


class _NoAuthRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects for GET/HEAD only (blob storage); the Authorization header is added as an
    unredirected header, so it never reaches the other host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        if req.get_method() not in ("GET", "HEAD"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


class Client:
    """One registry host. `plain_http` is needed only for a non-loopback HTTP registry."""

    def __init__(
        self,
        host: str,
        environ: Mapping[str, str],
        *,
        plain_http: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        scheme = "http" if plain_http or is_loopback(host) else "https"
        self.base = f"{scheme}://{host}"
        self.timeout = timeout
        self._environ = environ
        self._credentials: creds.Credentials | None = None
        self._looked_up = False
        self._basic = False
        self._tokens: dict[str, str] = {}
        self._opener = urllib.request.build_opener(_NoAuthRedirect())

    # -- authentication -------------------------------------------------------------------

    @property
    def credentials(self) -> creds.Credentials | None:
        if not self._looked_up:
            self._credentials = creds.find(self.host, self._environ)
            self._looked_up = True
        return self._credentials

    def _auth_header(self, scope: str) -> str | None:
        if scope in self._tokens:
            return f"Bearer {self._tokens[scope]}"
        found = self.credentials
        if self._basic and found is not None and not found.identity_token:
            pair = f"{found.username}:{found.secret}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None

    def _who(self) -> str:
        found = self.credentials
        if found is None:
            return "without credentials"
        return f"as '{found.username}' (credentials from {found.source})"

    def _auth_failed(self, repository: str) -> RegistryError:
        found = self.credentials
        if found is None:
            return RegistryError(
                "auth",
                f"registry {self.host} requires authentication for {repository}, and no "
                "credentials were found",
                f"set {creds.USERNAME_VARIABLE} and {creds.PASSWORD_VARIABLE}, or log in with "
                f"`docker login {self.host}` (or `oras login`)",
            )
        return RegistryError(
            "auth",
            f"registry {self.host} refused the credentials for {repository}: authentication "
            f"failed {self._who()}",
            "check the username and password (or token) and that they may access this "
            "repository; the password is not shown",
        )

    def _authenticate(self, header: str, scope: str, repository: str) -> None:
        scheme, params = _challenge(header)
        if scheme == "basic":
            if self.credentials is None or self._basic:
                raise self._auth_failed(repository)
            self._basic = True
            return
        if scheme != "bearer" or "realm" not in params:
            raise RegistryError(
                "protocol", f"registry {self.host} asked for an unsupported authentication"
            )
        if scope in self._tokens:  # a token we already used was refused
            raise self._auth_failed(repository)
        self._tokens[scope] = self._token(params, scope, repository)

    def _token(self, params: dict[str, str], scope: str, repository: str) -> str:
        realm = params["realm"]
        parsed = urllib.parse.urlsplit(realm)
        if parsed.scheme != "https" and not (
            parsed.scheme == "http" and self.base.startswith("http:")
        ):
            raise RegistryError(
                "protocol",
                f"registry {self.host} sent a token realm that is not HTTPS ({parsed.netloc})",
            )
        query = {"service": params.get("service", ""), "scope": scope}
        found = self.credentials
        data = None
        headers = {"User-Agent": "floec"}
        if found is not None and found.identity_token:
            data = urllib.parse.urlencode(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": found.secret,
                    "client_id": "floec",
                    **query,
                }
            ).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            url = realm
        else:
            separator = "&" if "?" in realm else "?"
            url = realm + separator + urllib.parse.urlencode(query)
        request = urllib.request.Request(url, data=data, headers=headers)
        if found is not None and not found.identity_token:
            pair = f"{found.username}:{found.secret}".encode()
            request.add_unredirected_header(
                "Authorization", "Basic " + base64.b64encode(pair).decode("ascii")
            )
        response = self._send(request, f"the token server of {self.host}")
        if response.status in (401, 403):
            raise self._auth_failed(repository)
        if response.status != 200:
            raise RegistryError(
                "auth",
                f"the token server of {self.host} answered HTTP {response.status}",
            )
        try:
            answer = json.loads(response.body)
            token = answer.get("token") or answer.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError("protocol", f"the token server of {self.host} sent no token")
        return token

    # -- transport ------------------------------------------------------------------------

    def _send(self, request: urllib.request.Request, what: str) -> Response:
        try:
            with self._opener.open(request, timeout=self.timeout) as handle:
                return Response(handle.status, handle.headers, handle.read(MAX_BLOB + 1))
        except urllib.error.HTTPError as error:
            body = error.read(MAX_MANIFEST) if error.fp is not None else b""
            return Response(error.code, error.headers, body)
        except urllib.error.URLError as error:
            reason = getattr(error, "reason", error)
            raise RegistryError(
                "unreachable",
                f"{what} is unreachable at {self.base}: {_reason(reason)}",
                "check the address and your network; a locked build works offline from the "
                "cache (floec lock while the registry is reachable)",
            ) from None
        except (OSError, ValueError) as error:
            raise RegistryError(
                "unreachable", f"{what} is unreachable at {self.base}: {_reason(error)}"
            ) from None

    def request(
        self,
        method: str,
        path: str,
        repository: str,
        *,
        push: bool = False,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """One API call, authenticating as the registry's challenge asks (at most twice)."""
        scope = f"repository:{repository}:{'pull,push' if push else 'pull'}"
        url = path if path.startswith(("http://", "https://")) else self.base + path
        for _ in range(3):
            request = urllib.request.Request(url, data=body, method=method)
            request.add_header("User-Agent", "floec")
            for key, value in (headers or {}).items():
                request.add_header(key, value)
            auth = self._auth_header(scope)
            if auth is not None:
                request.add_unredirected_header("Authorization", auth)
            response = self._send(request, f"registry {self.host}")
            if response.status != 401:
                return response
            challenge = response.headers.get("WWW-Authenticate") if response.headers else None
            if not challenge:
                raise self._auth_failed(repository)
            self._authenticate(challenge, scope, repository)
        raise self._auth_failed(repository)

    # -- the API ------------------------------------------------------------------------------

    def ping(self) -> None:
        response = self.request("GET", "/v2/", "")
        if response.status != 200:
            raise RegistryError(
                "protocol", f"{self.base} is not an OCI registry (GET /v2/: {response.status})"
            )

    def tags(self, repository: str, *, page: int = 1000) -> list[str]:
        """Every tag of the repository, following `Link: <...>; rel="next"` pages."""
        out: list[str] = []
        path: str | None = f"/v2/{repository}/tags/list?n={page}"
        pages = 0
        while path is not None and pages < 1000:
            pages += 1
            response = self.request("GET", path, repository)
            if response.status == 404:
                raise self._not_found(repository, response)
            self._expect(response, 200, f"listing the tags of {repository}")
            try:
                document = json.loads(response.body)
            except ValueError:
                raise RegistryError("protocol", "the tags list is not JSON") from None
            out += [t for t in (document.get("tags") or []) if isinstance(t, str)]
            path = _next_link(response.headers.get("Link", ""))
        return out

    def get_manifest(self, repository: str, reference: str) -> tuple[str, bytes]:
        """(digest, bytes) of a manifest by tag or digest; the digest is checked."""
        response = self.request(
            "GET",
            f"/v2/{repository}/manifests/{reference}",
            repository,
            headers={"Accept": MANIFEST_TYPE},
        )
        if response.status == 404:
            raise self._not_found(repository, response, reference)
        self._expect(response, 200, f"reading the manifest {repository}:{reference}")
        if len(response.body) > MAX_MANIFEST:
            raise RegistryError("protocol", f"the manifest of {repository} is too large")
        digest = sha256_digest(response.body)
        claimed = response.headers.get("Docker-Content-Digest")
        expected = reference if reference.startswith("sha256:") else claimed
        if expected and expected != digest:
            raise RegistryError(
                "digest",
                f"the manifest {repository}@{expected} from {self.host} does not match its "
                f"digest (the bytes received hash to {digest}); it was not used",
                "the registry's storage may be corrupt or the content was tampered with: tell "
                "the registry's operators",
            )
        return digest, response.body

    def manifest_exists(self, repository: str, reference: str) -> str | None:
        """The digest of the manifest `reference` names, or None when there is none."""
        try:
            digest, _ = self.get_manifest(repository, reference)
        except RegistryError as error:
            if error.kind in ("manifest", "repository"):
                return None
            raise
        return digest

    def get_blob(self, repository: str, digest: str, size: int | None = None) -> bytes:
        """A blob's bytes, returned only if they hash to `digest`."""
        response = self.request("GET", f"/v2/{repository}/blobs/{digest}", repository)
        if response.status == 404:
            raise RegistryError(
                "blob", f"registry {self.host} has no blob {digest} in {repository}"
            )
        self._expect(response, 200, f"reading the blob {digest}")
        data = response.body
        actual = sha256_digest(data)
        if actual != digest or (size is not None and len(data) != size):
            raise RegistryError(
                "digest",
                f"the blob {digest} from {self.host}/{repository} does not match its digest "
                f"(the {len(data)} bytes received hash to {actual}); it was not used",
                "the registry's storage may be corrupt or the content was tampered with: tell "
                "the registry's operators",
            )
        return data

    def push_blob(self, repository: str, data: bytes) -> str:
        """Upload `data` (POST then one PUT) unless the registry has it; returns its digest."""
        digest = sha256_digest(data)
        head = self.request("HEAD", f"/v2/{repository}/blobs/{digest}", repository, push=True)
        if head.status == 200:
            return digest
        started = self.request(
            "POST", f"/v2/{repository}/blobs/uploads/", repository, push=True, body=b""
        )
        self._expect(started, 202, f"starting an upload to {repository}")
        location = started.headers.get("Location")
        if not location:
            raise RegistryError("protocol", "the registry started an upload without a Location")
        url = urllib.parse.urljoin(self.base + "/", location)
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"digest": digest})
        done = self.request(
            "PUT",
            url,
            repository,
            push=True,
            body=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        self._expect(done, 201, f"uploading the blob {digest} to {repository}")
        return digest

    def put_manifest(self, repository: str, tag: str, data: bytes) -> str:
        done = self.request(
            "PUT",
            f"/v2/{repository}/manifests/{tag}",
            repository,
            push=True,
            body=data,
            headers={"Content-Type": MANIFEST_TYPE},
        )
        self._expect(done, 201, f"pushing the manifest {repository}:{tag}")
        digest = sha256_digest(data)
        claimed = done.headers.get("Docker-Content-Digest")
        if claimed and claimed != digest:
            raise RegistryError(
                "digest", f"the registry stored the manifest under {claimed}, not {digest}"
            )
        return digest

    # -- errors ---------------------------------------------------------------------------

    def _not_found(
        self, repository: str, response: Response, reference: str | None = None
    ) -> RegistryError:
        codes = _error_codes(response.body)
        if "NAME_UNKNOWN" in codes or reference is None:
            return RegistryError(
                "repository",
                f"registry {self.host} has no repository {repository}",
                "check the reference; a repository exists once a first version is published "
                "(floec platform publish)",
            )
        return RegistryError(
            "manifest", f"registry {self.host} has no version {reference} of {repository}"
        )

    def _expect(self, response: Response, status: int, what: str) -> None:
        if response.status == status:
            return
        if response.status == 403:
            raise RegistryError(
                "auth",
                f"registry {self.host} denied {what} {self._who()} (HTTP 403)",
                "the credentials are valid but lack permission for this repository",
            )
        codes = ", ".join(_error_codes(response.body)) or "no error code"
        raise RegistryError(
            "protocol", f"registry {self.host} failed {what}: HTTP {response.status} ({codes})"
        )


def _error_codes(body: bytes) -> list[str]:
    try:
        document = json.loads(body)
        return [str(e.get("code")) for e in document.get("errors", []) if isinstance(e, dict)]
    except (ValueError, AttributeError):
        return []


def _next_link(header: str) -> str | None:
    match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', header)
    return match.group(1) if match else None


def _reason(reason: object) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return text.strip() or type(reason).__name__

"""A loopback Iceberg REST catalog for tests: the endpoints pyiceberg's `RestCatalog` uses, over
pyiceberg's own request models and a `SqlCatalog` backend, with an OAuth2 client-credentials
token endpoint whose tokens expire.

No Iceberg REST server installs here (STACK.md); this one serves 127.0.0.1 only, on a free port,
in a thread, and records what it saw (token grants, refused requests) for the tests.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import attrs


@attrs.define
class Stats:
    grants: int = 0  # tokens issued
    refused_tokens: int = 0  # requests with a missing, unknown or expired token
    refused_clients: int = 0  # token requests with wrong client credentials
    requests: list[str] = attrs.field(factory=list)


class RestCatalogServer:
    def __init__(
        self, directory: Path, client_id: str, client_secret: str, expires_in: int = 3600
    ) -> None:
        from pyiceberg.catalog.sql import SqlCatalog

        directory.mkdir(parents=True, exist_ok=True)
        (directory / "warehouse").mkdir(exist_ok=True)
        self.backend = SqlCatalog(
            "backend",
            uri=f"sqlite:///{directory / 'rest.db'}",
            warehouse=(directory / "warehouse").as_uri(),
        )
        self.client = (client_id, client_secret)
        self.expires_in = expires_in
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.stats = Stats()
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[RestCatalogServer]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)

    # -- OAuth2 -----------------------------------------------------------------------------------

    def grant(self, header: str | None, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        client = (form.get("client_id"), form.get("client_secret"))
        if header and header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client = tuple(decoded.split(":", 1))  # type: ignore[assignment]
        if form.get("grant_type") != "client_credentials" or client != self.client:
            with self.lock:
                self.stats.refused_clients += 1
            return 401, {"error": "invalid_client", "error_description": "bad client credentials"}
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.expires_in
            self.stats.grants += 1
        return 200, {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        }

    def authorised(self, header: str | None) -> bool:
        token = header[7:] if header and header.startswith("Bearer ") else None
        with self.lock:
            ok = token is not None and self.tokens.get(token, 0) > time.monotonic()
            if not ok:
                self.stats.refused_tokens += 1
        return ok

    # -- the catalog ------------------------------------------------------------------------------

    def route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        from pyiceberg.catalog.rest import CreateTableRequest
        from pyiceberg.exceptions import (
            NamespaceAlreadyExistsError,
            NoSuchNamespaceError,
            NoSuchTableError,
            TableAlreadyExistsError,
        )
        from pyiceberg.table import CommitTableRequest

        parts = [unquote(p) for p in path.strip("/").split("/")][1:]  # drop "v1"
        backend = self.backend
        try:
            if parts == ["config"]:
                return 200, {"defaults": {}, "overrides": {}}
            if parts == ["namespaces"]:
                if method == "GET":
                    return 200, {"namespaces": [list(n) for n in backend.list_namespaces()]}
                request = json.loads(body)
                namespace = tuple(request["namespace"])
                backend.create_namespace(namespace, request.get("properties") or {})
                return 200, {
                    "namespace": list(namespace),
                    "properties": request.get("properties") or {},
                }
            namespace = tuple(parts[1].split("\x1f"))
            if len(parts) == 2:
                if method == "HEAD":
                    return (204 if backend.namespace_exists(namespace) else 404), None
                if method == "GET":
                    properties = backend.load_namespace_properties(namespace)
                    return 200, {"namespace": list(namespace), "properties": properties}
            if len(parts) == 3 and parts[2] == "tables":
                if method == "GET":
                    names = backend.list_tables(namespace)
                    return 200, {
                        "identifiers": [{"namespace": list(n[:-1]), "name": n[-1]} for n in names]
                    }
                request = {"location": None, "partition-spec": None, "write-order": None}
                create = CreateTableRequest.model_validate({**request, **json.loads(body)})
                kwargs: dict[str, Any] = {"properties": create.properties}
                if create.partition_spec is not None:
                    kwargs["partition_spec"] = create.partition_spec
                if create.write_order is not None:
                    kwargs["sort_order"] = create.write_order
                table = backend.create_table(
                    (*namespace, create.name), create.table_schema, **kwargs
                )
                return 200, _table(table)
            if len(parts) == 4 and parts[2] == "tables":
                identifier = (*namespace, parts[3])
                if method == "HEAD":
                    return (204 if backend.table_exists(identifier) else 404), None
                if method == "GET":
                    return 200, _table(backend.load_table(identifier))
                if method == "POST":
                    commit = CommitTableRequest.model_validate_json(body)
                    table = backend.load_table(identifier)
                    response = backend.commit_table(table, commit.requirements, commit.updates)
                    return 200, json.loads(response.model_dump_json(by_alias=True))
        except (NoSuchTableError, NoSuchNamespaceError) as error:
            return 404, _error(404, type(error).__name__, str(error))
        except (TableAlreadyExistsError, NamespaceAlreadyExistsError) as error:
            return 409, _error(409, "AlreadyExistsException", str(error))
        return 404, _error(404, "NotFound", f"{method} {path}")


def _table(table: Any) -> dict[str, Any]:
    return {
        "metadata-location": table.metadata_location,
        "metadata": json.loads(table.metadata.model_dump_json(by_alias=True)),
        "config": {},
    }


def _error(code: int, kind: str, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code}}


def _handler(server: RestCatalogServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, payload: Any) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlparse(self.path).path
            with server.lock:
                server.stats.requests.append(f"{self.command} {path}")
            if path == "/v1/oauth/tokens":
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                self._reply(*server.grant(self.headers.get("Authorization"), form))
                return
            if not server.authorised(self.headers.get("Authorization")):
                self._reply(401, _error(401, "NotAuthorizedException", "token missing or expired"))
                return
            self._reply(*server.route(self.command, path, body))

        do_GET = do_POST = do_HEAD = do_DELETE = _handle

    return Handler

"""Loopback receivers for the telemetry tests: an OTLP/HTTP collector that decodes what the
exporter sends (opentelemetry-proto's ExportTraceServiceRequest), an OpenLineage server that
collects the events, and the two bad endpoints: a closed port and a server that accepts
connections and never answers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

R = TypeVar("R", bound="Receiver")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, receiver: Receiver) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.receiver = receiver


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, reply, kind = self.server.receiver.handle(self.path, self.headers, body)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver:
    """A loopback HTTP server; subclasses decode the requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.server = _Server(self)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        raise NotImplementedError

    def __enter__(self: R) -> R:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class OtlpReceiver(Receiver):
    """Collects spans posted to .../v1/traces, decoded from protobuf."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[dict[str, Any]] = []

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        if not path.endswith("/v1/traces"):
            return 404, b"", "text/plain"
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        decoded = []
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    decoded.append(
                        {
                            "name": span.name,
                            "trace_id": span.trace_id.hex(),
                            "span_id": span.span_id.hex(),
                            "parent_span_id": span.parent_span_id.hex() or None,
                            "attributes": _attributes(span.attributes),
                            "status": span.status.code,  # 0 unset, 1 ok, 2 error
                            "status_message": span.status.message,
                            "events": [
                                {"name": e.name, "attributes": _attributes(e.attributes)}
                                for e in span.events
                            ],
                            "start": span.start_time_unix_nano,
                            "end": span.end_time_unix_nano,
                            "resource": resource,
                            "scope": scope.scope.name,
                        }
                    )
        with self.lock:
            self.requests.append((path, dict(headers)))
            self.spans.extend(decoded)
        return 200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf"


def _attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        value = item.value
        kind = value.WhichOneof("value")
        if kind == "array_value":
            out[item.key] = [getattr(v, v.WhichOneof("value")) for v in value.array_value.values]
        elif kind is not None:
            out[item.key] = getattr(value, kind)
    return out


class LineageReceiver(Receiver):
    """Collects OpenLineage events posted as JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, bytes, str]:
        with self.lock:
            self.requests.append((path, dict(headers)))
            self.events.append(json.loads(body))
        return 201, b"", "application/json"


@contextmanager
def closed_port() -> Iterator[str]:
    """The URL of a port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


@contextmanager
def silent_server() -> Iterator[str]:
    """The URL of a server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(1)
        for connection in held:
            connection.close()
        listener.close()

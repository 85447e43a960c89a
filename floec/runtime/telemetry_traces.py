"""Traces with the OpenTelemetry SDK (needs `floec[observability]`).

A private TracerProvider (the global one stays the user's): the service name and resource
attributes from the artifacts, the platform's sampler, and one span processor that hands ended
spans to a `BackgroundSender`, whose thread exports them over OTLP (HTTP or gRPC, with a short
timeout), or writes them as JSON lines when the platform names no collector. Every span of one
Dagster run shares a trace id derived from the run id, so a run is one trace and sampling keeps
or drops a run whole (`trace_id_of`).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Span, Status, StatusCode

from floec.runtime.telemetry_queue import CAPTURED, BackgroundSender

_RUN_TRACE: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "floec_run_trace", default=None
)


def trace_id_of(run_id: str) -> int:
    """The trace id of a Dagster run: 128 bits of a hash of its id. (Not the UUID's own bits:
    a UUID4's variant bits sit at the top of the low 64 bits that ratio sampling compares, so
    no run would ever be sampled at 0.5.)"""
    value = int.from_bytes(hashlib.sha256(f"floec:{run_id}".encode()).digest()[:16], "big")
    return value or 1


class RunIdGenerator(RandomIdGenerator):
    """Root spans opened inside `run_trace(...)` take the run's trace id."""

    def generate_trace_id(self) -> int:
        chosen = _RUN_TRACE.get()
        return chosen if chosen is not None else super().generate_trace_id()


class RateLimitingSampler(Sampler):
    """At most `per_second` new traces a second (a token bucket); children follow their parent."""

    def __init__(self, per_second: float) -> None:
        self._rate = max(per_second, 0.0)
        self._tokens = self._rate
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def should_sample(self, *args: Any, **kwargs: Any) -> SamplingResult:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._rate, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return SamplingResult(Decision.RECORD_AND_SAMPLE)
        return SamplingResult(Decision.DROP)

    def get_description(self) -> str:
        return f"RateLimitingSampler{{{self._rate}}}"


def sampler(config: Mapping[str, Any] | None) -> Sampler:
    """The platform's `tracing.sampling` (always_on when absent)."""
    config = config or {}
    kind = str(config.get("sampling_type") or "always_on")
    if kind == "always_off":
        return ALWAYS_OFF
    if kind == "probabilistic":
        probability = config.get("probability")
        return ParentBased(TraceIdRatioBased(1.0 if probability is None else float(probability)))
    if kind == "rate_limiting":
        return ParentBased(RateLimitingSampler(float(config.get("rate_limit") or 1)))
    return ALWAYS_ON


class ExportFailed(RuntimeError):
    pass


class JsonLinesSpanExporter(SpanExporter):
    """One JSON object a line per span, appended to a file (the embedded default)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for span in spans:
                handle.write(json.dumps(span_record(span), sort_keys=True, default=str) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


def span_record(span: ReadableSpan) -> dict[str, Any]:
    context = span.get_span_context()
    assert context is not None
    start, end = span.start_time or 0, span.end_time or 0
    return {
        "name": span.name,
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_span_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "start_time": _iso(start),
        "end_time": _iso(end),
        "duration_ms": round((end - start) / 1e6, 3),
        "status": {"code": span.status.status_code.name, "description": span.status.description},
        "attributes": dict(span.attributes or {}),
        "events": [
            {"name": e.name, "time": _iso(e.timestamp), "attributes": dict(e.attributes or {})}
            for e in span.events
        ],
        "resource": dict(span.resource.attributes),
    }


def _iso(nanoseconds: int) -> str:
    moment = datetime.fromtimestamp(nanoseconds / 1e9, tz=timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


def otlp_exporter(url: str, protocol: str, timeout: float) -> SpanExporter:
    if protocol == "http":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=http_traces_url(url), timeout=timeout)
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
        OTLPSpanExporter as GrpcSpanExporter,
    )

    return GrpcSpanExporter(endpoint=url, timeout=timeout)


def http_traces_url(url: str) -> str:
    """OTLP/HTTP posts to <base>/v1/traces; a URL that already ends so is taken as it is."""
    stripped = url.rstrip("/")
    return stripped if stripped.endswith("/v1/traces") else stripped + "/v1/traces"


class _QueueProcessor(SpanProcessor):
    def __init__(self, sender: BackgroundSender[ReadableSpan]) -> None:
        self.sender = sender

    def on_end(self, span: ReadableSpan) -> None:
        context = span.get_span_context()
        if context is not None and context.trace_flags.sampled:
            self.sender.put(span)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.sender.flush(timeout_millis / 1000)

    def shutdown(self) -> None:
        pass


class SpanHandle:
    """An open span and the context token that made it current."""

    def __init__(self, span: Span, token: object, run_token: contextvars.Token[int | None]) -> None:
        self.span = span
        self.token = token
        self.run_token = run_token


class TraceBackend:
    def __init__(
        self,
        *,
        service: str,
        resource: Mapping[str, Any],
        sampling: Mapping[str, Any] | None,
        url: str | None,
        protocol: str,
        file: Path,
        timeout: float,
        on_failure: Callable[[str], None],
    ) -> None:
        self.file = None if url else file
        exporter = otlp_exporter(url, protocol, timeout) if url else JsonLinesSpanExporter(file)

        def send(batch: Sequence[ReadableSpan]) -> None:
            CAPTURED.take()
            if exporter.export(batch) is not SpanExportResult.SUCCESS:
                raise ExportFailed(CAPTURED.take() or "the exporter reported a failure")

        def failed(error: BaseException) -> None:
            on_failure(
                str(error)
                if isinstance(error, ExportFailed)
                else f"{type(error).__name__}: {error}"
            )

        self.sender: BackgroundSender[ReadableSpan] = BackgroundSender("traces", send, failed)
        self.provider = TracerProvider(
            resource=Resource.create({"service.name": service, **resource}),
            sampler=sampler(sampling),
            id_generator=RunIdGenerator(),
            shutdown_on_exit=False,
        )
        self.provider.add_span_processor(_QueueProcessor(self.sender))
        self.tracer = self.provider.get_tracer("floec.runtime")

    def start(
        self,
        name: str,
        attributes: Mapping[str, Any],
        run_id: str | None,
        *,
        parent: SpanHandle | None = None,
        start: datetime | None = None,
        current: bool = True,
    ) -> SpanHandle:
        """Open a span (a child of `parent`, else of the current span, else a root in the run's
        trace) and, when `current`, make it the current span for code that runs inside it."""
        run_token = _RUN_TRACE.set(trace_id_of(run_id) if run_id else None)
        parent_context = trace.set_span_in_context(parent.span) if parent else None
        span = self.tracer.start_span(
            name,
            context=parent_context,
            attributes=clean_attributes(attributes),
            start_time=_ns(start),
        )
        token = otel_context.attach(trace.set_span_in_context(span)) if current else None
        return SpanHandle(span, token, run_token)

    def end(
        self,
        handle: SpanHandle,
        *,
        error: BaseException | None = None,
        failure: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        end: datetime | None = None,
    ) -> None:
        span = handle.span
        if attributes:
            span.set_attributes(clean_attributes(attributes))
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        elif failure is not None:
            span.set_status(Status(StatusCode.ERROR, failure))
        else:
            span.set_status(Status(StatusCode.OK))
        span.end(end_time=_ns(end))
        if handle.token is not None:
            otel_context.detach(handle.token)  # type: ignore[arg-type]
        _RUN_TRACE.reset(handle.run_token)

    def flush(self, timeout: float) -> bool:
        return self.sender.flush(timeout)

    def settle(self, timeout: float) -> bool:
        return self.sender.settle(timeout)

    def close(self, timeout: float) -> int:
        return self.sender.close(timeout)


def clean_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """OpenTelemetry takes str, bool, int, float and sequences of one of them; None is left out,
    anything else becomes its text."""
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, (str, bool, int, float)):
            out[key] = value
        elif isinstance(value, (list, tuple)):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def _ns(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1e9)

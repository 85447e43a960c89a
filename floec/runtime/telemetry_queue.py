"""Sending telemetry off the pipeline's path: a queue, one daemon thread, a circuit breaker.

Telemetry must never break or stall a run. The caller only appends to a queue; a daemon thread
sends batches. A failed send (the endpoint is down, slow, or refuses) opens the breaker: what is
queued is dropped, nothing more is sent for `cooldown` seconds (no retry storm), and `on_failure`
is called once with the reason. `flush(timeout)` waits for the queue to drain, never longer than
its timeout, so the orchestrator can bound what telemetry costs a run. Core dependencies only.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

THREAD_PREFIX = "floec-telemetry"
# What the exporters and their HTTP clients log while sending: on our threads it is kept as the
# reason of the one warning a failure gives, never printed (a log line per failed batch, and
# debug lines that show an endpoint that may be a secret).
QUIET_LOGGERS = (
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.common.http",
    "openlineage.client.transport.http",
    "urllib3.connectionpool",
    "urllib3.util.retry",
)


class CapturedLog(logging.Filter):
    """Keeps what is logged from the senders' threads (per thread), and hides it."""

    def __init__(self) -> None:
        super().__init__()
        self._messages: dict[int, list[str]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not (record.threadName or "").startswith(THREAD_PREFIX):
            return True
        if record.levelno >= logging.WARNING:
            try:
                message = record.getMessage()
            except Exception:
                message = str(record.msg)
            self._messages.setdefault(threading.get_ident(), []).append(message)
        return False

    def take(self) -> str | None:
        """The warnings and errors logged on this thread since the last `take`."""
        messages = self._messages.pop(threading.get_ident(), [])
        return "; ".join(dict.fromkeys(messages)) or None


# One filter for the process: a logger's filters stop at the first that refuses a record.
CAPTURED = CapturedLog()
_installed = False
_install_lock = threading.Lock()


def quiet_third_party_logs() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            for name in QUIET_LOGGERS:
                logging.getLogger(name).addFilter(CAPTURED)
            _installed = True


class BackgroundSender(Generic[T]):
    """Items are appended by any thread and sent in batches by one daemon thread."""

    def __init__(
        self,
        name: str,
        send: Callable[[Sequence[T]], None],
        on_failure: Callable[[BaseException], None],
        *,
        batch_size: int = 256,
        max_queue: int = 10_000,
        cooldown: float = 60.0,
        warmup: Callable[[], None] | None = None,
    ) -> None:
        quiet_third_party_logs()
        self.name = name
        self._send = send
        self._on_failure = on_failure
        self._batch_size = batch_size
        self._max_queue = max_queue
        self._cooldown = cooldown
        self._queue: deque[T] = deque()
        self._in_flight = 0
        self._open_until = 0.0  # the breaker is open (everything dropped) until this monotonic time
        self._closed = False
        self.sent = 0
        self.dropped = 0
        self.failures = 0
        self._lock = threading.Condition()
        self._warmup = warmup
        self.ready = threading.Event()  # set once the warm-up (imports, connections) is done
        self._thread = threading.Thread(
            target=self._work, name=f"{THREAD_PREFIX}-{name}", daemon=True
        )
        self._thread.start()

    @property
    def broken(self) -> bool:
        return time.monotonic() < self._open_until

    def settle(self, timeout: float) -> bool:
        """`flush`, but only once the sender is warmed up: a unit of work does not wait for the
        sender's imports (the exit's `close` does, within its own bound)."""
        return self.flush(timeout) if self.ready.is_set() else False

    def put(self, item: T) -> None:
        """Queue an item; never blocks. Dropped while the breaker is open or the queue is full."""
        with self._lock:
            if self._closed or self.broken or len(self._queue) >= self._max_queue:
                self.dropped += 1
                return
            self._queue.append(item)
            self._lock.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued so far is sent or dropped, at most `timeout` seconds.
        True when drained."""
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._lock:
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    def close(self, timeout: float) -> int:
        """Flush (bounded), then stop the thread; what is still queued after that is dropped.
        Returns how many items were dropped so (in flight included)."""
        self.flush(timeout)
        with self._lock:
            self._closed = True
            left = len(self._queue) + self._in_flight
            self.dropped += len(self._queue)
            self._queue.clear()
            self._lock.notify_all()
        return left

    def _work(self) -> None:
        if self._warmup is not None:
            try:
                self._warmup()
            except BaseException as error:
                with self._lock:
                    self.failures += 1
                    self._open_until = float("inf")
                    self.dropped += len(self._queue)
                    self._queue.clear()
                    self._lock.notify_all()
                self.ready.set()
                self._report(error)
                return
        self.ready.set()
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if self._closed and not self._queue:
                    return
                count = min(self._batch_size, len(self._queue))
                batch = [self._queue.popleft() for _ in range(count)]
                self._in_flight = count
            failure: BaseException | None = None
            try:
                self._send(batch)
            except BaseException as error:  # telemetry must never take the process down
                failure = error
            with self._lock:
                self._in_flight = 0
                if failure is None:
                    self.sent += count
                else:
                    self.failures += 1
                    self._open_until = time.monotonic() + self._cooldown
                    self.dropped += count + len(self._queue)
                    self._queue.clear()
                self._lock.notify_all()
            if failure is not None:
                self._report(failure)

    def _report(self, failure: BaseException) -> None:
        with contextlib.suppress(Exception):  # a broken warning must not kill the sender
            self._on_failure(failure)

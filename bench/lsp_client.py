"""A minimal JSON-RPC client for `floec lsp` over stdio, for the benchmark and the transcript:
raw messages in and out, each one recorded with the time it was sent or received."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Message = dict[str, Any]


class RawClient:
    def __init__(self, command: Sequence[str] | None = None, cwd: Path | None = None) -> None:
        command = command or [sys.executable, "-m", "floec", "lsp"]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.inbox: queue.Queue[tuple[float, Message]] = queue.Queue()
        self.log: list[tuple[str, float, Message]] = []
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = json.loads(stream.read(length))
            now = time.perf_counter()
            self.log.append(("<-", now, body))
            self.inbox.put((now, body))

    def send(self, message: Message) -> float:
        data = json.dumps(message).encode()
        assert self.process.stdin is not None
        now = time.perf_counter()
        self.log.append(("->", now, message))
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()
        return now

    def notify(self, method: str, params: Message) -> float:
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Message | None) -> Message:
        self._next_id += 1
        ident = self._next_id
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        _, message = self.wait(lambda m: m.get("id") == ident and "method" not in m)
        return message

    def wait(
        self, match: Callable[[Message], bool], timeout: float = 30.0
    ) -> tuple[float, Message]:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no matching message from floec lsp")
            when, message = self.inbox.get(timeout=left)
            if match(message):
                return when, message

    def diagnostics(
        self, uri: str, version: int | None = None, timeout: float = 30.0
    ) -> tuple[float, list[Message]]:
        def match(message: Message) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            return bool(
                params["uri"] == uri and (version is None or params.get("version") == version)
            )

        when, message = self.wait(match, timeout)
        return when, list(message["params"]["diagnostics"])

    def initialize(self, root: Path, options: Message | None = None) -> Message:
        result = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {},
                "initializationOptions": options or {},
            },
        )
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "yaml",
                    "version": 1,
                    "text": text,
                }
            },
        )

    def change(self, path: Path, version: int, text: str) -> float:
        return self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": path.as_uri(), "version": version},
                "contentChanges": [{"text": text}],
            },
        )

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", {})
            self.process.wait(timeout=10)
        except (TimeoutError, OSError):
            self.process.kill()

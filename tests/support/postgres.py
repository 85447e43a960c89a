"""A real, throwaway PostgreSQL server on 127.0.0.1 for integration tests.

Installed from Debian's packages when missing (tests/support/install-postgres.sh), initialised in
a temporary directory owned by the `postgres` user (initdb refuses to run as root), listening on
loopback only, on a free high port, with its socket inside the temporary directory. Stopped and
removed when the test session ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent


@attrs.frozen
class Server:
    host: str
    port: int
    user: str
    password: str
    dbname: str


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        subprocess.run(["bash", str(HERE / "install-postgres.sh")], check=True)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_postgres(command: list[str], *, as_root: bool) -> list[str]:
    if not as_root:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quote(c) for c in command)]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _run(command: list[str]) -> None:
    """Run a server command; on failure, raise with its output (initdb and pg_ctl explain)."""
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(
            f"{command[0]} exited with {done.returncode}: {done.stdout}{done.stderr}".strip()
        )


@contextmanager
def running_server(password: str) -> Iterator[Server]:
    """Start a server whose user `floe` has `password`; yield how to reach it; stop it."""
    bin_dir = _bin_dir()
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="floec-pg-"))
    data, sockets = base / "data", base / "sockets"
    data.mkdir()
    sockets.mkdir()
    password_file = base / "pwfile"
    password_file.write_text(password + "\n")
    if as_root:
        shutil.chown(base, "postgres")
        for path in (data, sockets, password_file):
            shutil.chown(path, "postgres")
    os.chmod(base, 0o755)
    port = _free_port()
    _run(
        _as_postgres(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "floe", "-A", "scram-sha-256",
             f"--pwfile={password_file}", "--no-sync"],
            as_root=as_root,
        )
    )  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    _run(
        _as_postgres(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", options,
             "-w", "-t", "30", "start"],
            as_root=as_root,
        )
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield Server("127.0.0.1", port, "floe", password, "postgres")
    finally:
        subprocess.run(
            _as_postgres(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                as_root=as_root,
            ),
            check=False,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)

"""A real, throwaway OCI registry on 127.0.0.1 for integration tests: the CNCF distribution
registry from Debian's `docker-registry` package (installed by scripts/ensure-registry.sh when
missing, as `make test` does), with htpasswd authentication (bcrypt cost 4: the registry checks
the hash on every request, ~3 ms instead of ~250 ms at cost 12), filesystem storage in a
temporary directory, on a free port; stopped when the `with` block ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent.parent
USER = "platform-team"
PASSWORD = "canary-Registry-Pa55word-7f3a"  # a canary: no output may ever contain it


@attrs.frozen
class Registry:
    host: str  # 127.0.0.1:PORT
    storage: Path
    process: subprocess.Popen[bytes] = attrs.field(eq=False, repr=False)

    def blob_file(self, digest: str) -> Path:
        """Where the filesystem driver keeps a blob's bytes (to corrupt it on purpose)."""
        hex_ = digest.split(":", 1)[1]
        return self.storage / "docker/registry/v2/blobs/sha256" / hex_[:2] / hex_ / "data"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def ensure_installed() -> None:
    if shutil.which("docker-registry") and shutil.which("htpasswd"):
        return
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure-registry.sh")], check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _htpasswd(user: str, password: str) -> str:
    """A bcrypt entry at cost 4; the password goes through stdin, never the command line."""
    done = subprocess.run(
        ["htpasswd", "-niB", "-C", "4", user],
        input=password.encode(),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().strip() + "\n"


@contextmanager
def running(auth: str = "htpasswd", extra: str = "") -> Iterator[Registry]:
    """Start a registry; `auth` is `htpasswd` or a ready-made `auth:` YAML block."""
    ensure_installed()
    with tempfile.TemporaryDirectory(prefix="floec-registry-") as temporary:
        base = Path(temporary)
        storage = base / "storage"
        storage.mkdir()
        port = _free_port()
        if auth == "htpasswd":
            (base / "htpasswd").write_text(_htpasswd(USER, PASSWORD))
            auth = f"auth:\n  htpasswd:\n    realm: floec-test\n    path: {base / 'htpasswd'}\n"
        (base / "config.yml").write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{port}\n  secret: floec-test-secret\n"
            f"{auth}{extra}"
        )
        log = (base / "registry.log").open("wb")
        process = subprocess.Popen(
            ["docker-registry", "serve", str(base / "config.yml")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        registry = Registry(f"127.0.0.1:{port}", storage, process)
        try:
            _wait_ready(registry, base / "registry.log")
            yield registry
        finally:
            registry.stop()
            log.close()


def _wait_ready(registry: Registry, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if registry.process.poll() is not None:
            raise RuntimeError(f"docker-registry exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"http://{registry.host}/v2/", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # 401: up, and asking for credentials
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"docker-registry did not answer on {registry.host} within 30 s")

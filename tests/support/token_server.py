"""A loopback token server for the registry's bearer-token flow (the docker token spec).

The distribution registry, configured with `auth: token`, answers 401 with
`WWW-Authenticate: Bearer realm=...,service=...,scope=...`; the client asks this server for a
token with basic credentials, and the registry checks the token's ES256 signature against the
certificate it was given (`rootcertbundle`), finding the key by its libtrust key id (`kid`).
Signing uses `cryptography`, which the test extra already installs (snowflake's dependency).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.server
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

SERVICE = "floec-test-registry"
ISSUER = "floec-test-token-server"
REFRESH_TOKEN = "canary-refresh-token-5b1e"  # the identity token a docker login would store


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key_id(key: ec.EllipticCurvePrivateKey) -> str:
    """libtrust's key id: base32 of the first 240 bits of SHA-256 of the DER public key,
    in groups of four separated by ':'."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    text = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(text[i : i + 4] for i in range(0, len(text), 4))


@attrs.frozen
class TokenServer:
    realm: str
    certificate: Path
    issued: list[str] = attrs.field(eq=False)  # the scopes tokens were issued for

    def auth_block(self) -> str:
        return (
            "auth:\n  token:\n"
            f"    realm: {self.realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n"
            f"    rootcertbundle: {self.certificate}\n"
        )


@contextmanager
def running(directory: Path, user: str, password: str) -> Iterator[TokenServer]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    bundle = directory / "token-root.pem"
    bundle.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    kid = _key_id(key)
    issued: list[str] = []
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def token(scope: str) -> str:
        access = []
        if scope:
            kind, repository, actions = scope.split(":")
            access.append({"type": kind, "name": repository, "actions": actions.split(",")})
        moment = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": user,
            "aud": SERVICE,
            "iat": moment,
            "nbf": moment - 60,
            "exp": moment + 300,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        header = {"typ": "JWT", "alg": "ES256", "kid": kid}
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            if query.get("service") != [SERVICE]:
                self.send_response(400)
                self.end_headers()
                return
            scope = (query.get("scope") or [""])[0]
            issued.append(scope)
            body = json.dumps({"token": token(scope), "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            """The OAuth2 form (docker `identitytoken`): a refresh token instead of a password."""
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            good = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [
                REFRESH_TOKEN
            ]
            if not good or form.get("service") != [SERVICE]:
                self.send_response(401)
                self.end_headers()
                return
            scope = (form.get("scope") or [""])[0]
            issued.append(f"oauth2 {scope}")
            body = json.dumps({"access_token": token(scope), "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TokenServer(f"http://127.0.0.1:{server.server_address[1]}/token", bundle, issued)
    finally:
        server.shutdown()
        server.server_close()

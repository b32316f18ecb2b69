"""Stand-ins for the services signing talks to, as separate HTTP processes (tests, demos).

``python -m motcua.signatures.standin remote --p12 F --passphrase-file F --client-id ID
--client-secret-file F [--port 0] [--approve-after 0.3] [--user NAME=BEHAVIOUR ...]``
serves the remote-signing protocol of ``motcua.signatures.remote`` with a development key
(``motcua documents dev-ca``). Each user behaves as told: ``approve`` (after
``--approve-after`` seconds, as if tapped in the mobile app), ``reject``, ``never`` (stays
pending), ``error`` (HTTP 503 when a signature is asked for), ``malformed`` (a non-JSON answer
while polling), ``bad-signature`` (signs something else). Without ``--user`` every user
approves; a user not listed is unknown (404).

``python -m motcua.signatures.standin tsa --p12 F --passphrase-file F [--port 0]`` is an
RFC 3161 time-stamping authority: pyHanko's ``DummyTimeStamper`` over HTTP
(``application/timestamp-query`` in, ``application/timestamp-reply`` out) with the
development TSA certificate.

Both listen on 127.0.0.1 only and print ``READY http://127.0.0.1:PORT`` once they accept
connections. No Django here: the process needs only the key files. These signatures and
timestamps have no legal value.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12

BEHAVIOURS = ("approve", "reject", "never", "error", "malformed", "bad-signature")
MAX_BODY = 64 * 1024
DIGESTS: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _load_p12(path: Path, passphrase_file: Path) -> tuple[Any, Any, list[Any]]:
    passphrase = passphrase_file.read_bytes().strip()
    key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
    if key is None or certificate is None:
        raise SystemExit(f"{path}: no key or certificate")
    return key, certificate, list(chain)


@dataclass
class RemoteService:
    """The state of the remote-signing stand-in: one key, its transactions."""

    key: Any
    certificate: Any
    chain: list[Any]
    client_id: str
    client_secret: str
    approve_after: float
    users: dict[str, str]
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def behaviour(self, user: str) -> str | None:
        if not self.users:
            return "approve"
        return self.users.get(user)

    def authorised(self, header: str | None) -> bool:
        expected = "Basic " + base64.b64encode(
            f"{self.client_id}:{self.client_secret}".encode()
        ).decode("ascii")
        return header is not None and hmac.compare_digest(header, expected)

    def sign(self, digest: bytes, algorithm: str) -> bytes:
        chosen = DIGESTS[algorithm]
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return bytes(self.key.sign(digest, ec.ECDSA(utils.Prehashed(chosen))))
        if isinstance(self.key, rsa.RSAPrivateKey):
            return bytes(self.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(chosen)))
        raise ValueError("unsupported key")


def _der_b64(certificate: Any) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


class RemoteHandler(BaseHTTPRequestHandler):
    """The remote-signing protocol (see ``motcua.signatures.remote``)."""

    service: RemoteService

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _raw(self, status: int, data: bytes, content_type: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _allowed(self) -> bool:
        if self.service.authorised(self.headers.get("Authorization")):
            return True
        self._json(401, {"error": "invalid client credentials"})
        return False

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/health":
            self._json(200, {"status": "ok"})
            return
        if not self._allowed():
            return
        prefix = "/transactions/"
        if not self.path.startswith(prefix):
            self._json(404, {"error": "not found"})
            return
        with self.service.lock:
            transaction = self.service.transactions.get(self.path[len(prefix) :])
        if transaction is None:
            self._json(404, {"error": "unknown transaction"})
            return
        behaviour = transaction["behaviour"]
        if behaviour == "malformed":
            self._raw(200, b"<html>Service temporarily unavailable</html>")
        elif behaviour == "reject":
            self._json(200, {"status": "rejected"})
        elif behaviour == "never" or time.monotonic() < transaction["ready_at"]:
            self._json(200, {"status": "pending"})
        else:
            digest = transaction["digest"]
            if behaviour == "bad-signature":
                digest = bytes(len(digest))  # the signature of some other document
            signature = self.service.sign(digest, transaction["algorithm"])
            self._json(
                200, {"status": "approved", "signature": base64.b64encode(signature).decode()}
            )

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if not self._allowed():
            return
        body = self._body()
        if body is None:
            self._json(400, {"error": "the body must be a JSON object"})
            return
        user = str(body.get("user_id", ""))
        behaviour = self.service.behaviour(user)
        if behaviour is None:
            self._json(404, {"error": "unknown user"})
            return
        if self.path == "/certificates":
            self._json(
                200,
                {
                    "certificate": _der_b64(self.service.certificate),
                    "chain": [_der_b64(item) for item in self.service.chain],
                },
            )
            return
        if self.path != "/transactions":
            self._json(404, {"error": "not found"})
            return
        if behaviour == "error":
            self._json(503, {"error": "signing backend unavailable"})
            return
        algorithm = body.get("digest_algorithm")
        try:
            digest = base64.b64decode(str(body.get("digest", "")), validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if algorithm not in DIGESTS or len(digest) != DIGESTS[str(algorithm)].digest_size:
            self._json(400, {"error": "digest and digest_algorithm do not match"})
            return
        transaction = secrets.token_hex(16)
        with self.service.lock:
            self.service.transactions[transaction] = {
                "behaviour": behaviour,
                "digest": digest,
                "algorithm": algorithm,
                "ready_at": time.monotonic() + self.service.approve_after,
            }
        self._json(201, {"transaction_id": transaction, "status": "pending"})


class TsaHandler(BaseHTTPRequestHandler):
    """RFC 3161 over HTTP (RFC 3161 §3.4): a DER TimeStampReq in, a TimeStampResp out."""

    stamper: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass

    def _reply(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._reply(200, b"ok", "text/plain")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self._reply(415, b"expected application/timestamp-query", "text/plain")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._reply(400, b"bad length", "text/plain")
            return
        try:
            request = tsp.TimeStampReq.load(self.rfile.read(length))
            answer = self.stamper.request_tsa_response(request)
        except (ValueError, TypeError, KeyError):
            self._reply(400, b"not a TimeStampReq", "text/plain")
            return
        self._reply(200, answer.dump(), "application/timestamp-reply")


def _serve(handler: type[BaseHTTPRequestHandler], port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"READY http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _user(text: str) -> tuple[str, str]:
    name, _sep, behaviour = text.partition("=")
    if not name or behaviour not in BEHAVIOURS:
        raise argparse.ArgumentTypeError(f"expected NAME=one of {', '.join(BEHAVIOURS)}")
    return name, behaviour


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted (SIGTERM/SIGINT)."""
    parser = argparse.ArgumentParser(prog="python -m motcua.signatures.standin")
    sub = parser.add_subparsers(dest="service", required=True)
    remote = sub.add_parser("remote", help="a remote signing service (SmartCA/MySign style)")
    tsa = sub.add_parser("tsa", help="an RFC 3161 time-stamping authority")
    for command in (remote, tsa):
        command.add_argument("--p12", type=Path, required=True)
        command.add_argument("--passphrase-file", type=Path, required=True)
        command.add_argument("--port", type=int, default=0, help="0: any free port")
    remote.add_argument("--client-id", required=True)
    remote.add_argument("--client-secret-file", type=Path, required=True)
    remote.add_argument("--approve-after", type=float, default=0.3, help="seconds")
    remote.add_argument("--user", type=_user, action="append", default=[])
    options = parser.parse_args(argv)
    key, certificate, chain = _load_p12(options.p12, options.passphrase_file)
    if options.service == "remote":
        RemoteHandler.service = RemoteService(
            key=key,
            certificate=certificate,
            chain=chain,
            client_id=options.client_id,
            client_secret=options.client_secret_file.read_text(encoding="utf-8").strip(),
            approve_after=options.approve_after,
            users=dict(options.user),
        )
        _serve(RemoteHandler, options.port)
        return
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    embedded = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    for item in chain:
        embedded.register(asn1_x509.Certificate.load(item.public_bytes(der)))
    TsaHandler.stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        certs_to_embed=embedded,
    )
    _serve(TsaHandler, options.port)


if __name__ == "__main__":
    main(sys.argv[1:])

"""A webhook receiver for the tests: a separate process, a real HTTP server on 127.0.0.1.

    python -m motcua.api.tests.webhook_receiver DIR

Writes its port to DIR/port; appends every request it receives to DIR/requests.jsonl (path,
headers, body, whether the signature verified, what it answered). Its behaviour is read from
DIR/mode at each request: ``200`` (default), ``500``, ``hang`` (answers after 30 s),
``redirect`` (302 to another address). The secrets it accepts are the lines of DIR/secrets.

Standalone on purpose (standard library only, nothing of motcua imported): its signature check
is a receiver's own, written from docs/api.md, not the sender's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TOLERANCE = 300  # seconds: an older (or future) timestamp is refused


def verify(secrets: list[str], headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks, hex: HMAC-SHA256(secret, "{id}.{timestamp}.{body}") == a v1=."""
    message_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not message_id or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    given = [s.removeprefix("v1=") for s in headers.get("webhook-signature", "").split()]
    for secret in secrets:
        signed = f"{message_id}.{timestamp}.".encode() + body
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, g) for g in given):
            return True
    return False


def main(directory: Path) -> None:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            mode_file = directory / "mode"
            mode = mode_file.read_text().strip() if mode_file.exists() else "200"
            secrets_file = directory / "secrets"
            secrets = secrets_file.read_text().split() if secrets_file.exists() else []
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = {
                "path": self.path,
                "headers": headers,
                "body": body.decode("utf-8", "replace"),
                "verified": verify(secrets, headers, body),
                "mode": mode,
                "at": time.time(),
            }
            with lock, (directory / "requests.jsonl").open("a") as log:
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
            if mode == "hang":
                time.sleep(30)
            if mode == "redirect":
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            else:
                self.send_response(500 if mode == "500" else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    (directory / "port.tmp").write_text(str(server.server_address[1]))
    (directory / "port.tmp").rename(directory / "port")
    server.serve_forever()


if __name__ == "__main__":
    main(Path(sys.argv[1]))

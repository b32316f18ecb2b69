"""A stand-in OpenTelemetry collector for the tests: a separate process on 127.0.0.1 that
answers every OTLP/HTTP POST with 200 and appends it (path, content type, body in base64)
as a JSON line to the file named on the command line. Prints its port, then serves until
terminated.

    python -m motcua.ops.tests.otlp_receiver /tmp/received.jsonl
"""

from __future__ import annotations

import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver(BaseHTTPRequestHandler):
    log_file = ""

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 16 * 1024 * 1024))
        entry = {
            "path": self.path,
            "content_type": self.headers.get("Content-Type", ""),
            "body": base64.b64encode(body).decode(),
        }
        with open(self.log_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    Receiver.log_file = sys.argv[1]
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

"""The shipped nginx configuration (deploy/nginx/motcua.conf), rendered for given addresses.

The tests (motcua/ops/tests/nginx.py) and the production smoke test run the repository's own
file, not a copy: :func:`nginx_config` replaces only the lines marked ``# render: NAME`` (each
group of consecutive lines with one name becomes the lines for the given values) and keeps
every other line as shipped. A marked group missing from the file is an error, so the file
and the renderer cannot drift apart silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "motcua.conf"
MARK = re.compile(r"\s*# render: (?P<name>[a-z_]+)\s*$")
NAMES = (
    "upstreams",
    "http_listen",
    "https_redirect",
    "https_listen",
    "ssl_certificate",
    "ssl_certificate_key",
    "request_max_bytes",
    "submission_max_bytes",
    "static",
)


def _port(listen: str) -> int:
    text = listen.rsplit(":", 1)[-1]
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"listen: expected PORT or ADDRESS:PORT, got {listen!r}")
    return int(text)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def nginx_config(
    *,
    upstreams: Sequence[str],
    https_listen: str = "443",
    http_listen: str | None = "80",
    certificate: str | Path = "/etc/ssl/motcua/fullchain.pem",
    certificate_key: str | Path = "/etc/ssl/motcua/privkey.pem",
    static_root: str | Path | None = None,
    request_max_bytes: int | None = None,
    submission_max_bytes: int | None = None,
    template: str | None = None,
) -> str:
    """deploy/nginx/motcua.conf (or ``template``) for these values, as http-context text.

    ``upstreams``: the web processes' ``HOST:PORT`` (or ``unix:/path``); ``https_listen`` and
    ``http_listen``: nginx's ``listen`` values (``http_listen=None``: no redirecting server);
    ``static_root``: serve /static/ from ``motcua collectstatic``'s folder instead of the app;
    the body limits default to the settings (MOTCUA_REQUEST_MAX_BYTES,
    MOTCUA_PORTAL_SUBMISSION_MAX_BYTES, the API's submission and action limits), so nginx lets
    through what the app decides on and refuses what no page takes."""
    if not upstreams:
        raise ValueError("upstreams: at least one web process address is needed")
    for address in upstreams:
        if not address.startswith("unix:"):
            _port(address)
    https_port = _port(https_listen)
    if http_listen is not None:
        _port(http_listen)
    uploads: dict[str, Any] = settings.MOTCUA_UPLOADS
    if request_max_bytes is None:
        request_max_bytes = int(uploads["REQUEST_MAX_BYTES"])
    if submission_max_bytes is None:
        # The portal's form and the API's submissions and actions (files as base64).
        api: dict[str, Any] = settings.MOTCUA_API
        submission_max_bytes = max(
            int(uploads["VIEW_MAX_BYTES"].get("portal:submit", 0)),
            int(api["SUBMISSION_MAX_BODY_BYTES"]),
            int(api["ACTION_MAX_BODY_BYTES"]),
            request_max_bytes,
        )
    redirect_host = "$host" if https_port == 443 else f"$host:{https_port}"

    def lines_for(name: str) -> list[str]:
        if name == "upstreams":
            return [f"server {a} max_fails=3 fail_timeout=10s;" for a in upstreams]
        if name == "http_listen":
            return [f"listen {http_listen};"]
        if name == "https_redirect":
            return [f"return 301 https://{redirect_host}$request_uri;"]
        if name == "https_listen":
            return [f"listen {https_listen} ssl http2;"]
        if name == "ssl_certificate":
            return [f"ssl_certificate {certificate};"]
        if name == "ssl_certificate_key":
            return [f"ssl_certificate_key {certificate_key};"]
        if name == "request_max_bytes":
            return [f"client_max_body_size {request_max_bytes};"]
        if name == "submission_max_bytes":
            return [f"client_max_body_size {submission_max_bytes};"]
        if name == "static":
            if static_root is None:
                return ["location /static/ {", "    proxy_pass http://motcua_web;", "}"]
            root = str(Path(static_root).resolve())
            return [
                "location /static/ {",
                f"    alias {root}/;",
                # Hashed names (ManifestStaticFilesStorage): a file never changes, cache it.
                "    expires max;",
                '    add_header Cache-Control "public, immutable";',
                "    gzip_static on;",
                "}",
            ]
        raise AssertionError(name)

    text = SHIPPED.read_text(encoding="utf-8") if template is None else template
    out: list[str] = []
    seen: set[str] = set()
    previous = ""
    for line in text.splitlines():
        match = MARK.search(line)
        if match is None:
            out.append(line)
            previous = ""
            continue
        name = match["name"]
        if name not in NAMES:
            raise ValueError(f"nginx configuration: unknown render mark {name!r}")
        if name == previous:
            continue  # the rest of a group already rendered
        if name in seen:
            raise ValueError(f"nginx configuration: render mark {name!r} in two places")
        seen.add(name)
        previous = name
        indent = _indent(line)
        out.extend(indent + rendered for rendered in lines_for(name))
    missing = [name for name in NAMES if name not in seen]
    if http_listen is None:
        # No plain-HTTP server: drop the redirecting server block altogether.
        out = _without_server_containing(out, "return 301 https://")
    if missing:
        raise ValueError(f"nginx configuration: render marks missing: {', '.join(missing)}")
    return "\n".join(out) + "\n"


def _without_server_containing(lines: list[str], needle: str) -> list[str]:
    """The lines less the top-level ``server { ... }`` block containing ``needle``."""
    result: list[str] = []
    block: list[str] = []
    depth = 0
    for line in lines:
        stripped = line.strip()
        if depth == 0 and stripped.startswith("server {"):
            block = [line]
            depth = 1
            continue
        if depth:
            block.append(line)
            depth += stripped.count("{") - stripped.count("}")
            if depth == 0 and not any(needle in item for item in block):
                result.extend(block)
            continue
        result.append(line)
    return result

"""A test OpenID Connect provider: the national identity's side in one HTTP process on
127.0.0.1, for the tests, the demo and a developer's machine (docs/citizens.md).

    python -m motcua.citizens.testprovider --port 8702 --client-id motcua --client-secret S

Endpoints: ``/.well-known/openid-configuration``, ``/jwks``, ``/authorize`` (signs in at once
as the chosen test citizen, or answers ``error=access_denied``), ``/token`` (the code once,
the PKCE verifier and the client's secret checked), ``/userinfo`` (bearer) and
``/end_session``. The ID token is RS256-signed with a key made at start (joserfc); the
personal data come as the national SSO's claims (``SoDinhDanh``, ``HoVaTen``,
``NgayThangNamSinh``, ``ThuongTru``, ``loAs``, ``TechID``).

Control (JSON): ``GET /_control/health``, ``POST /_control/reset``, ``POST /_control/mode``
``{"mode": …, "citizen": …}`` where mode is one of ``ok``, ``tamper`` (the ID token's
signature altered), ``wrong_audience``, ``replay`` (the previous ID token again), ``expired``
and ``deny`` (the citizen refuses), applied to the next sign-ins until changed;
``GET /_control/log`` (the end-session calls).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

MODES = ("ok", "tamper", "wrong_audience", "replay", "expired", "deny")
CITIZENS: dict[str, dict[str, Any]] = {
    "an": {
        "sub": "vneid-0001",
        "SoDinhDanh": "006090001234",
        "HoVaTen": "Nguyễn Văn An",
        "NgayThangNamSinh": "12/05/1990",
        "ThuongTru": "Tổ 1, phường Đức Xuân, tỉnh Thái Nguyên",
        "loAs": "2",
        "TechID": "TECH-0001",
        "LoaiTaiKhoan": "1",
    },
    "binh": {
        "sub": "vneid-0002",
        "SoDinhDanh": "006185004321",
        "HoVaTen": "Trần Thị Bình",
        "NgayThangNamSinh": "1985-03-02",
        "ThuongTru": "Thôn Nà Pài, xã Chợ Mới, tỉnh Bắc Kạn",
        "loAs": "2",
        "TechID": "TECH-0002",
        "LoaiTaiKhoan": "1",
    },
}


class Provider:
    """The provider's state: keys, codes issued, access tokens, mode, the last ID token."""

    def __init__(self, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.mode = "ok"
            self.citizen = "an"
            self.codes: dict[str, dict[str, Any]] = {}
            self.access: dict[str, dict[str, Any]] = {}
            self.last_id_token = ""
            self.log: list[dict[str, Any]] = []

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/end_session",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        return {"keys": [public | {"use": "sig", "alg": "RS256"}]}

    def id_token(self, grant: dict[str, Any], mode: str) -> str:
        person = CITIZENS[grant["citizen"]]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": person["sub"],
            "aud": "another-service" if mode == "wrong_audience" else self.client_id,
            "iat": now - (7200 if mode == "expired" else 0),
            "exp": now + (-3600 if mode == "expired" else 300),
            "nonce": grant["nonce"],
            # The personal data in the token too: a provider may give them here only.
            **{k: v for k, v in person.items() if k != "sub"},
        }
        token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        if mode == "tamper":
            head, body, signature = token.split(".")
            raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
            raw[len(raw) // 2] ^= 0x01
            token = ".".join([head, body, base64.urlsafe_b64encode(raw).decode().rstrip("=")])
        return token


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests read answers
        return

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self._send(302, None, {"Location": url})

    def _form(self) -> dict[str, str]:
        length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
        text = self.rfile.read(length).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            loaded = json.loads(text or "{}")
            return {k: str(v) for k, v in loaded.items()}
        return {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        provider = self.provider
        if url.path == "/.well-known/openid-configuration":
            self._send(200, provider.discovery())
        elif url.path == "/jwks":
            self._send(200, provider.jwks())
        elif url.path == "/authorize":
            self._authorize(query)
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            grant = provider.access.get(token)
            if grant is None:
                self._send(401, {"error": "invalid_token"})
                return
            person = CITIZENS[grant["citizen"]]
            self._send(200, dict(person))
        elif url.path == "/end_session":
            with provider.lock:
                provider.log.append({"end_session": query})
            target = query.get("post_logout_redirect_uri")
            if target:
                self._redirect(target)
            else:
                self._send(200, {"signed_out": True})
        elif url.path == "/_control/health":
            self._send(200, {"ok": True})
        elif url.path == "/_control/log":
            self._send(200, provider.log)
        else:
            self._send(404, {"error": "not_found"})

    def _authorize(self, query: dict[str, str]) -> None:
        provider = self.provider
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != provider.client_id or not redirect_uri:
            self._send(400, {"error": "invalid_client"})
            return
        state = query.get("state", "")
        if provider.mode == "deny":
            answer = {"error": "access_denied", "state": state}
        elif query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            answer = {"error": "invalid_request", "state": state}
        else:
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {
                    "citizen": query.get("login_hint") or provider.citizen,
                    "nonce": query.get("nonce", ""),
                    "challenge": query["code_challenge"],
                    "redirect_uri": redirect_uri,
                }
            answer = {"code": code, "state": state}
        separator = "&" if "?" in redirect_uri else "?"
        self._redirect(redirect_uri + separator + urllib.parse.urlencode(answer))

    def do_POST(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        provider = self.provider
        if url.path == "/token":
            self._token(self._form())
        elif url.path == "/_control/reset":
            provider.reset()
            self._send(200, {"ok": True})
        elif url.path == "/_control/mode":
            form = self._form()
            mode = form.get("mode", "ok")
            citizen = form.get("citizen", provider.citizen)
            if mode not in MODES or citizen not in CITIZENS:
                self._send(400, {"error": "unknown mode or citizen"})
                return
            with provider.lock:
                provider.mode, provider.citizen = mode, citizen
            self._send(200, {"mode": mode, "citizen": citizen})
        else:
            self._send(404, {"error": "not_found"})

    def _client(self, form: dict[str, str]) -> tuple[str, str]:
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _sep, secret = decoded.partition(":")
            return urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def _token(self, form: dict[str, str]) -> None:
        provider = self.provider
        client_id, secret = self._client(form)
        if client_id != provider.client_id or secret != provider.client_secret:
            self._send(401, {"error": "invalid_client"})
            return
        with provider.lock:
            grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
            mode = provider.mode
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            self._send(400, {"error": "invalid_grant"})
            return
        if _challenge(form.get("code_verifier", "")) != grant["challenge"]:
            self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
            return
        if mode == "replay" and provider.last_id_token:
            id_token = provider.last_id_token
        else:
            id_token = provider.id_token(grant, mode)
        access = secrets.token_urlsafe(24)
        with provider.lock:
            provider.access[access] = grant
            if mode != "replay":
                provider.last_id_token = id_token
        self._send(
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
            {"Cache-Control": "no-store"},
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", default="motcua")
    parser.add_argument("--client-secret", default="motcua-test-secret")
    args = parser.parse_args(argv)
    issuer = f"http://127.0.0.1:{args.port}"
    Handler.provider = Provider(issuer, args.client_id, args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

"""Strict headers in production (issue 16, "Strict headers and sessions"): a
Content-Security-Policy with a fresh nonce per response, Permissions-Policy, HSTS without
``preload`` unless MOTCUA_HSTS_PRELOAD=true, and no start with DEBUG on. Each case runs the
production settings in a child process (settings are read once per process), as
tests/test_settings.py does."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tests.test_settings import SECRET, run_motcua

HOST = "motcua.backan.gov.vn"

# Two requests of the sign-in page through the production stack, over HTTPS as the proxy
# says; the headers and the page's nonces printed as JSON.
PROBE = f"""
import json, re
from django.test import Client
client = Client()
out = []
for _ in range(2):
    r = client.get("/dang-nhap/", HTTP_HOST="{HOST}", HTTP_X_FORWARDED_PROTO="https")
    out.append({{"status": r.status_code, "headers": dict(r.headers),
                "nonces": re.findall(r'nonce="([^"]+)"', r.content.decode())}})
print(json.dumps(out))
"""


def production(data_dir: str, **extra: str) -> dict[str, str]:
    return {
        "MOTCUA_ENV": "production",
        "MOTCUA_SECRET_KEY": SECRET,
        "MOTCUA_ALLOWED_HOSTS": HOST,
        "MOTCUA_BASE_URL": f"https://{HOST}/",
        "MOTCUA_DATA_DIR": data_dir,
        # The probe says https as nginx does: trusted only behind a configured proxy. No
        # collectstatic in the probe's data folder: the plain static storage renders the page.
        "MOTCUA_BEHIND_PROXY": "true",
        "MOTCUA_STATIC_MANIFEST": "false",
        **extra,
    }


def probe(data_dir: str, **extra: str) -> list[dict]:
    result = run_motcua("shell", "-c", PROBE, **production(data_dir, **extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_responses_carry_the_policy_headers_and_a_fresh_nonce(tmp_path):
    first, second = probe(str(tmp_path))
    assert first["status"] == second["status"] == 200
    headers = first["headers"]
    policy = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert nonce is not None, policy
    # The page's inline script and styles carry the header's nonce; the next response another.
    assert first["nonces"]
    assert set(first["nonces"]) == {nonce[1]}
    second_nonce = re.search(r"'nonce-([^']+)'", second["headers"]["Content-Security-Policy"])
    assert second_nonce is not None
    assert set(second["nonces"]) == {second_nonce[1]}
    assert set(first["nonces"]) != set(second["nonces"])
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_preload_only_when_asked_for(tmp_path):
    (response, _) = probe(str(tmp_path), MOTCUA_HSTS_PRELOAD="true", MOTCUA_HSTS_SECONDS="600")
    assert response["headers"]["Strict-Transport-Security"] == (
        "max-age=600; includeSubDomains; preload"
    )
    (response, _) = probe(str(tmp_path), MOTCUA_HSTS_INCLUDE_SUBDOMAINS="false")
    assert response["headers"]["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("preload", ["", "true"])
def test_the_deploy_check_is_clean_with_or_without_preload(tmp_path, preload):
    result = run_motcua(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(str(tmp_path), MOTCUA_HSTS_PRELOAD=preload),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_with_debug_on(tmp_path):
    result = run_motcua("check", **production(str(tmp_path), MOTCUA_DEBUG="true"))
    assert result.returncode != 0
    assert "MOTCUA_DEBUG=true is refused in production" in result.stderr
    # Development may still turn it on.
    development = run_motcua("check", MOTCUA_DEBUG="true", MOTCUA_DATA_DIR=str(tmp_path))
    assert development.returncode == 0, development.stderr


def test_every_response_in_tests_has_a_policy_with_a_new_nonce(client: Client):
    first = client.get("/dang-nhap/")
    second = client.get("/dang-nhap/")
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"])[1]
        for r in (first, second)
    ]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.content.decode()
    assert "Permissions-Policy" in first.headers

"""The shipped nginx configuration (deploy/nginx/motcua.conf, rendered by
motcua.ops.deploy.nginx_config) in front of a real ``motcua serve``: Debian's nginx as a
foreground process on 127.0.0.1 with a self-signed certificate (issue 15, "A serving stack").

Checked from the outside, as a browser sees it: HTTPS pages with their CSS and the dashboard's
script, plain HTTP redirected, a body over MOTCUA_REQUEST_MAX_BYTES refused by nginx itself,
a client's own X-Forwarded-For replaced (the sign-in record names the real address), the app
seeing https (no redirect, secure cookies) only through the proxy."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from motcua.ops.deploy import nginx_config
from motcua.ops.tests.nginx import (
    MOTCUA,
    ROOT,
    Nginx,
    Web,
    fetch,
    migrated_data_dir,
    nginx_process,
    production_env,
    require_nginx,
    web_process,
)

PASSWORD = "nginx-test-password-1"
SPOOFED = "203.0.113.9"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    require_nginx()
    data_dir = migrated_data_dir(tmp_path_factory, "behind-nginx")
    subprocess.run(
        [*MOTCUA, "createsuperuser", "--noinput", "--username", "lan", "--email", "l@x.vn"],
        env={**production_env(data_dir), "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    env = {"MOTCUA_BEHIND_PROXY": "true", "MOTCUA_TRUSTED_PROXIES": "127.0.0.1"}
    with (
        web_process(data_dir=data_dir, env=env) as web,
        nginx_process(tmp_path_factory.mktemp("nginx"), upstreams=[web.address]) as proxy,
    ):
        yield web, proxy


def cookies_of(set_cookie: list[str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for line in set_cookie:
        jar.load(line)
    return {name: morsel.value for name, morsel in jar.items()}


def test_https_pages_and_their_static_files(stack: tuple[Web, Nginx]):
    _, proxy = stack
    context = proxy.ssl_context()
    status, headers, body, set_cookie = fetch(proxy.https_url + "/dang-nhap/", context=context)
    assert status == 200, proxy.error_log()
    # The app saw https: HSTS on, the CSRF cookie marked Secure.
    assert "max-age=" in headers["strict-transport-security"]
    assert any("csrftoken=" in c and "Secure" in c for c in set_cookie)
    css = re.search(r'href="(/static/css/motcua\.[0-9a-f]{12}\.css)"', body.decode())
    assert css
    status, headers, _, _ = fetch(proxy.https_url + css[1], context=context)
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert fetch(proxy.https_url + "/static/css/nope.css", context=context)[0] == 404


def test_plain_http_redirects_to_https(stack: tuple[Web, Nginx]):
    _, proxy = stack
    status, headers, _, _ = fetch(proxy.http_url + "/dich-vu-cong/?q=ho%20tich")
    assert status == 301
    assert headers["location"] == f"{proxy.https_url}/dich-vu-cong/?q=ho%20tich"


def test_the_app_reached_directly_sees_plain_http(stack: tuple[Web, Nginx]):
    web, _ = stack
    # No proxy in between: no https claimed, so the app itself redirects to https.
    status, headers, _, _ = fetch(web.url + "/dang-nhap/")
    assert status == 301
    assert headers["location"].startswith("https://")


def test_a_body_over_the_limit_is_refused_by_nginx(stack: tuple[Web, Nginx]):
    from django.conf import settings

    _, proxy = stack
    limit = int(settings.MOTCUA_UPLOADS["REQUEST_MAX_BYTES"])
    status, _, body, _ = fetch(
        proxy.https_url + "/dang-nhap/",
        context=proxy.ssl_context(),
        method="POST",
        data=b"x" * (limit + 1),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 413
    assert b"nginx" in body  # nginx's own page: the web process never read the body


def _sign_in(proxy: Nginx, password: str) -> tuple[int, dict[str, str], list[str]]:
    context = proxy.ssl_context()
    _, _, body, set_cookie = fetch(proxy.https_url + "/dang-nhap/", context=context)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())
    assert token
    cookies = cookies_of(set_cookie)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token[1], "username": "lan", "password": password}
    ).encode()
    status, headers, _, set_cookie = fetch(
        proxy.https_url + "/dang-nhap/",
        context=context,
        method="POST",
        data=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Origin": proxy.https_url,
            "Referer": proxy.https_url + "/dang-nhap/",
            # A client claiming to be someone else: nginx replaces it with what it saw.
            "X-Forwarded-For": SPOOFED,
        },
    )
    return status, headers, set_cookie


def test_a_spoofed_forwarded_for_is_replaced_by_nginx(stack: tuple[Web, Nginx]):
    web, proxy = stack
    status, _, _ = _sign_in(proxy, "wrong-password")
    assert status == 200  # the form again, with the error
    database = web.env["MOTCUA_DATA_DIR"] + "/motcua.sqlite3"
    with sqlite3.connect(database) as connection:
        addresses = {
            row[0] for row in connection.execute("SELECT ip_address FROM axes_accessattempt")
        }
    assert addresses == {"127.0.0.1"}


def test_sign_in_sets_a_secure_session_and_the_dashboard_loads_its_script(
    stack: tuple[Web, Nginx],
):
    web, proxy = stack
    status, headers, set_cookie = _sign_in(proxy, PASSWORD)
    assert status == 302, headers
    session = [c for c in set_cookie if c.startswith("sessionid=")]
    assert session
    assert "Secure" in session[0]
    assert "HttpOnly" in session[0]
    cookie = "; ".join(f"{k}={v}" for k, v in cookies_of(set_cookie).items())
    context = proxy.ssl_context()
    # Signed in through the proxy: the admin (its own CSS) answers.
    status, _, body, _ = fetch(
        proxy.https_url + "/admin/", context=context, headers={"Cookie": cookie}
    )
    assert status == 200
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', body.decode())
    assert css
    # The dashboard's chart script (the page itself needs units: the smoke test loads the demo).
    manifest = json.loads((Path(web.env["MOTCUA_STATIC_ROOT"]) / "staticfiles.json").read_text())
    for url in (css[1], "/static/" + manifest["paths"]["reports/dashboard.js"]):
        status, headers, _, _ = fetch(proxy.https_url + url, context=context)
        assert status == 200, url
        assert headers["content-type"].split(";")[0] in ("text/css", "text/javascript"), url


def test_the_rendered_configuration_is_the_shipped_file_with_test_values():
    text = nginx_config(
        upstreams=["127.0.0.1:9001", "127.0.0.1:9002"],
        https_listen="127.0.0.1:8443",
        http_listen="127.0.0.1:8080",
        certificate="/tmp/c.pem",
        certificate_key="/tmp/k.pem",
        request_max_bytes=1000,
        submission_max_bytes=3000,
    )
    assert "server 127.0.0.1:9001 max_fails=3 fail_timeout=10s;" in text
    assert "server 127.0.0.1:9002 max_fails=3 fail_timeout=10s;" in text
    assert "10.0.0.11" not in text
    assert "listen 127.0.0.1:8443 ssl http2;" in text
    assert "return 301 https://$host:8443$request_uri;" in text
    assert "client_max_body_size 1000;" in text
    assert "client_max_body_size 3000;" in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    with pytest.raises(ValueError, match="missing"):
        nginx_config(upstreams=["127.0.0.1:9001"], template="server {}\n")
    with pytest.raises(ValueError, match="upstreams"):
        nginx_config(upstreams=[])

"""Every page of the page list (``motcua.lib.tests.pages``) under the Content-Security-Policy
(issue 16, "Strict headers and sessions"): no inline event handler, ``javascript:`` address or
``style`` attribute is left (a CSP without 'unsafe-inline' would block them), every inline
``<script>``/``<style>`` carries the response's nonce, and a visitor's page views create no
session row. Rendered by Django's test client (the browser check is test_phone_layout.py).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

import motcua
from motcua.accounts.models import User
from motcua.lib.tests.pages import PAGES, Follow, Page
from motcua.lib.tests.pages import demo_site as demo_site  # noqa: F401 (the fixture)

HANDLER = re.compile(r"<[^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
INLINE_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
NONCE = re.compile(r"'nonce-([^']+)'")
MODEL_BACKEND = "motcua.accounts.backends.StaffBackend"


def address(client: Client, where: str | Follow) -> str:
    """The page's address; a ``Follow`` opens its page and takes the first matching link."""
    if isinstance(where, str):
        return where
    source = address(client, where.page)
    html = client.get(source, follow=True).content.decode()
    main = html.split('id="main"', 1)[-1].split('id="content"', 1)[-1]
    for link in re.findall(r'<a[^>]*\shref="([^"]+)"', main):
        link = unescape(link)
        if re.search(where.pattern, link):
            return link
    raise AssertionError(f"no link matching {where.pattern} on {source}")


def problems(html: str, policy: str) -> list[str]:
    """What on the page the policy would block, or that escapes it."""
    found = []
    nonces = NONCE.findall(policy)
    for match in HANDLER.finditer(html):
        found.append(f"inline handler {match[1]}: {match[0][:80]}")
    for match in JAVASCRIPT_URL.finditer(html):
        found.append(f"javascript: address: {match[0][:80]}")
    for match in STYLE_ATTRIBUTE.finditer(html):
        found.append(f"style attribute: {match[0][:80]}")
    for match in INLINE_TAG.finditer(html):
        attributes = match[2]
        if match[1].lower() == "script" and re.search(r"\ssrc\s*=", attributes):
            continue
        if 'type="application/json"' in attributes:
            continue  # json_script's data: never run, outside the policy
        nonce = re.search(r'\snonce="([^"]+)"', attributes)
        if nonce is None or nonce[1] not in nonces:
            found.append(f"inline <{match[1]}> without the response's nonce")
    return found


@pytest.mark.django_db
def test_no_page_has_inline_handlers_styles_or_scripts_without_the_nonce(demo_site):
    roles: dict[str, list[Page]] = {}
    for entry in PAGES:
        roles.setdefault(entry.role, []).append(entry)
    failures = []
    for role, entries in roles.items():
        client = Client()
        if role:
            client.force_login(User.objects.get(username=role), backend=MODEL_BACKEND)
        for entry in entries:
            url = address(client, entry.where)
            response = client.get(url, follow=True)
            assert response.status_code == (404 if entry.name == "not-found" else 200), url
            policy = response.headers["Content-Security-Policy"]
            assert "'unsafe-inline'" not in policy
            for problem in problems(response.content.decode(), policy):
                failures.append(f"{entry.name} ({url}): {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_visitors_page_views_create_no_session_row(demo_site):
    client = Client()
    before = Session.objects.count()
    visited = []
    for entry in PAGES:
        if entry.role:
            continue
        url = address(client, entry.where)
        response = client.get(url)
        assert response.status_code in (200, 404), url
        visited.append(url)
    # The language switch keeps the choice in a cookie, not a session.
    client.post("/i18n/setlang/", {"language": "en", "next": "/dich-vu-cong/"})
    client.get("/dich-vu-cong/")
    assert any("/nop-truc-tuyen/" in url for url in visited)
    assert Session.objects.count() == before
    assert "sessionid" not in client.cookies


def test_no_template_writes_an_inline_style_or_script_without_the_nonce():
    # The pages above are those of the page list; a template shown only on some pages (the
    # declaration's answers on a dossier that has one) escaped it with an inline <style>,
    # which the browser refused. Every template's source is read here.
    found = []
    for template in Path(motcua.__file__).parent.rglob("templates/**/*.html"):
        source = template.read_text(encoding="utf-8")
        for match in INLINE_TAG.finditer(source):
            tag, attributes = match[1].lower(), match[2]
            if "nonce" not in attributes and not (tag == "script" and "src=" in attributes):
                found.append(f"{template.relative_to(Path(motcua.__file__).parent)}: <{tag}>")
        if STYLE_ATTRIBUTE.search(source):
            found.append(f"{template.name}: style attribute")
    assert found == []

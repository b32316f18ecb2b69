"""The interface language: Vietnamese unless the person switches, whatever the browser asks;
the switch is in the layout; the choice is kept in the browser (cookie) and, for a signed-in
person, in her profile (issue 10, item 6 and "An English browser gets an English interface")."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.models import User

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def page(client: Client, url: str = "/dang-nhap/") -> str:
    response = client.get(url, **ENGLISH_BROWSER)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_english_browser_gets_the_vietnamese_interface():
    html = page(Client())
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập</h1>" in html
    admin = page(Client(), "/admin/login/")
    assert 'lang="vi"' in admin
    assert "Đăng nhập" in admin


@pytest.mark.django_db
def test_the_switch_is_in_the_layout_and_marks_the_current_language():
    html = page(Client(), "/dich-vu-cong/")
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="vi" lang="vi" aria-pressed="true"' in html
    assert 'name="language" value="en" lang="en" aria-pressed="false"' in html


@pytest.mark.django_db
def test_a_visitor_who_switches_keeps_her_choice_in_this_browser():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dang-nhap/"
    assert response.cookies["django_language"]["max-age"] == 365 * 24 * 60 * 60  # not per session
    html = page(client)
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/dang-nhap/"})
    assert "<h1>Đăng nhập</h1>" in page(client)
    # Another browser is not affected.
    assert "<h1>Đăng nhập</h1>" in page(Client())


@pytest.mark.django_db
def test_a_signed_in_persons_choice_follows_her_to_another_browser(django_user_model):
    user = django_user_model.objects.create_user(username="lan", password="x", is_staff=True)
    office = Client()
    office.force_login(user)
    office.post("/i18n/setlang/", {"language": "en", "next": "/dich-vu-cong/"})
    assert User.objects.get(pk=user.pk).language == "en"
    phone = Client()  # no language cookie
    phone.force_login(user)
    assert '<html lang="en">' in page(phone, "/dich-vu-cong/")
    # Signed out, that browser is Vietnamese again.
    assert '<html lang="vi">' in page(Client(), "/dich-vu-cong/")


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(django_user_model):
    user = django_user_model.objects.create_user(username="minh", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/dich-vu-cong/"})
    client.post("/i18n/setlang/", {"language": "x" * 5000, "next": "/dich-vu-cong/"})
    assert User.objects.get(pk=user.pk).language == ""
    assert '<html lang="vi">' in page(client, "/dich-vu-cong/")
    # A forged cookie is ignored too.
    client.cookies["django_language"] = "de"
    assert '<html lang="vi">' in page(client, "/dich-vu-cong/")


def test_no_other_catalogue_turns_an_apps_vietnamese_back_into_english():
    """Django merges every catalogue and Django's own win over the apps': its Vietnamese for
    "version" is "version", for "sessions" "session", for "History" "Bản ghi nhớ" (a memo).
    motcua/overrides/locale settles those; no app's translated string may come out English."""
    from pathlib import Path

    from babel.messages.pofile import read_po
    from django.utils import translation

    root = Path(__file__).resolve().parent.parent
    english = []
    with translation.override("vi"):
        for po in sorted(root.glob("motcua/*/locale/vi/LC_MESSAGES/django.po")):
            with po.open("rb") as handle:
                for message in read_po(handle):
                    if not isinstance(message.id, str) or not message.id or not message.string:
                        continue
                    if message.string == message.id:
                        continue
                    got = (
                        translation.pgettext(message.context, message.id)
                        if message.context
                        else translation.gettext(message.id)
                    )
                    if got == message.id:
                        english.append(f"{po.parts[-5]}: {message.id!r}")
        assert translation.gettext("History") == "Quá trình xử lý"
    assert not english, english

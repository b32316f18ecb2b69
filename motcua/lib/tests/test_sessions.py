"""Staff sessions end when idle and after their lifetime (issue 16: "staff sessions last two
weeks with no idle timeout"). Time is moved by writing the session's own timestamps, as
many minutes back as the case needs, and the next request is served normally."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from motcua.accounts.services import user_create_or_update
from motcua.lib.sessions import LAST_SEEN, SIGNED_IN_AT

PAGE = "/mot-cua/hang-doi/"
MODEL_BACKEND = "motcua.accounts.backends.StaffBackend"


@pytest.fixture
def signed_in(db) -> Client:
    user = user_create_or_update(username="tiepnhan.thu", full_name="Cán bộ Thử", password="x")
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def move_back(client: Client, **minutes: int) -> None:
    """Pretend the session's moments happened that many minutes ago."""
    session = client.session
    now = timezone.now()
    for key, ago in minutes.items():
        session[key] = (now - timedelta(minutes=ago)).isoformat()
    session.save()


def signed_out(client: Client) -> str:
    """The page a signed-out request lands on: the sign-in page, with its message."""
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={PAGE}"
    page = client.get(response["Location"]).content.decode()
    assert "_auth_user_id" not in client.session
    return page


def test_the_limits_are_settings_with_their_defaults():
    assert settings.MOTCUA_SESSIONS == {"IDLE_MINUTES": 30, "MAX_HOURS": 10}
    # The cookie and the row last no longer than the absolute lifetime (was two weeks).
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60


def test_a_session_idle_for_the_limit_is_signed_out_with_a_vietnamese_message(signed_in):
    assert signed_in.get(PAGE).status_code != 302
    move_back(signed_in, **{LAST_SEEN: 30})
    page = signed_out(signed_in)
    assert 'id="signed-out"' in page
    assert "Bạn đã được đăng xuất sau 30 phút không thao tác" in page


def test_a_session_used_within_the_limit_stays_signed_in(signed_in):
    move_back(signed_in, **{LAST_SEEN: 29})
    assert signed_in.get(PAGE).status_code == 200
    # The request counted as activity: 29 more minutes later it is still open.
    seen = timezone.datetime.fromisoformat(signed_in.session[LAST_SEEN])
    assert timezone.now() - seen < timedelta(minutes=1)
    move_back(signed_in, **{LAST_SEEN: 29})
    assert signed_in.get(PAGE).status_code == 200


def test_a_busy_session_ends_at_its_absolute_lifetime(signed_in):
    move_back(signed_in, **{SIGNED_IN_AT: 10 * 60 - 1, LAST_SEEN: 1})
    assert signed_in.get(PAGE).status_code == 200
    move_back(signed_in, **{SIGNED_IN_AT: 10 * 60, LAST_SEEN: 1})
    page = signed_out(signed_in)
    assert "Bạn đã được đăng xuất sau 10 giờ kể từ lúc đăng nhập" in page


def test_signing_in_again_starts_a_new_lifetime(db):
    user = user_create_or_update(username="lanhdao.thu", full_name="Lãnh đạo Thử", password="x")
    client = Client()
    response = client.post("/dang-nhap/", {"username": "lanhdao.thu", "password": "x"})
    assert response.status_code == 302
    signed_in_at = timezone.datetime.fromisoformat(client.session[SIGNED_IN_AT])
    assert timezone.now() - signed_in_at < timedelta(minutes=1)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_the_limits_follow_the_settings(signed_in, settings):
    settings.MOTCUA_SESSIONS = {"IDLE_MINUTES": 5, "MAX_HOURS": 1}
    move_back(signed_in, **{LAST_SEEN: 4})
    assert signed_in.get(PAGE).status_code == 200
    move_back(signed_in, **{LAST_SEEN: 5})
    assert "sau 5 phút không thao tác" in signed_out(signed_in)

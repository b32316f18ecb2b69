"""The sign-in throttle (motcua.accounts.throttle, issue 16 item 2): repeated failures slow an
account down across addresses and an address down across accounts, and never lock anyone out.

Django's clock is held still by the ``clock`` fixture and moved by hand: no test sleeps.
Until issue 16 the lockout (django-axes) was per user name *and* address, 15 minutes long:
the first test keeps its assertion (right after five failures even the right password is
refused) but is held on a still clock, since the wait is now seconds, not minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from motcua.accounts import ratelimit
from motcua.accounts.models import RateCounter
from motcua.accounts.services import user_create_or_update
from motcua.accounts.throttle import throttle_config

pytestmark = pytest.mark.django_db

PASSWORD = "Đúng-mật-khẩu-1"


class Clock:
    """Django's ``timezone.now``, standing still until moved."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock()
    monkeypatch.setattr(timezone, "now", lambda: held.now)
    return held


def login(client, password, username="lan", address="10.0.0.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def site_login(password, username="lan", address="10.0.0.7"):
    client = Client()
    response = client.post(
        "/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response, client


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def make_user(username="lan"):
    return user_create_or_update(
        username=username, full_name="Hoàng Thị Lan", password=PASSWORD, is_staff=True
    )


def test_it_locks_a_login_after_repeated_failures(clock):
    make_user()
    client = Client()
    for _ in range(settings.MOTCUA_LOCKOUT["FAILURES"]):
        response = login(client, "sai-mat-khau")
        assert response.status_code in (200, 429)
    # Held now: even the right password is refused (for a few seconds).
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_logs_in_with_the_right_password(clock):
    make_user()
    client = Client()
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_failures_from_one_address_delay_the_account_elsewhere_but_never_lock_it(clock):
    """Issue 16: five failures from address A, then the owner from address B: delayed (429,
    Retry-After, the wait in Vietnamese on the login page), and signed in after the wait."""
    make_user()
    for _ in range(5):
        response, _client = site_login("sai-mat-khau", address="203.0.113.5")
        assert response.status_code == 200
    response, client = site_login(PASSWORD, address="198.51.100.20")
    assert response.status_code == 429
    assert response["Retry-After"] == "2"
    text = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần với tài khoản này. Vui lòng chờ 2 giây" in text
    assert not signed_in(client)
    clock.move(seconds=2)
    response, client = site_login(PASSWORD, address="198.51.100.20")
    assert response.status_code == 302
    assert signed_in(client)
    # A success forgets the failures: the next mistake costs nothing.
    assert not RateCounter.objects.filter(scope="login-account").exists()


def test_the_delay_doubles_up_to_its_cap_and_the_right_password_then_works(clock):
    make_user()
    waits = []
    for _ in range(12):
        response, _client = site_login("sai-mat-khau", address="203.0.113.5")
        if response.status_code == 429:
            waits.append(int(response["Retry-After"]))
            clock.move(seconds=int(response["Retry-After"]))
            response, _client = site_login("sai-mat-khau", address="203.0.113.5")
        assert response.status_code == 200
    assert waits == [2, 4, 8, 16, 32, 60, 60]
    clock.move(seconds=60)
    response, client = site_login(PASSWORD, address="198.51.100.20")
    assert response.status_code == 302
    assert signed_in(client)


def test_a_user_name_in_other_letters_counts_for_the_same_account(clock):
    make_user()
    for name in ["lan", "LAN", " Lan", "lAn ", "LaN"]:
        site_login("sai-mat-khau", username=name, address="203.0.113.5")
    response, _client = site_login(PASSWORD, address="198.51.100.20")
    assert response.status_code == 429


def test_few_wrong_passwords_on_many_accounts_throttle_the_address(clock):
    """Issue 16: four wrong passwords on each of ten accounts from one address."""
    for n in range(10):
        make_user(f"user{n}")
    answers = []
    for n in range(10):
        for _ in range(4):
            response, _client = site_login("sai-mat-khau", username=f"user{n}", address="10.9.9.9")
            answers.append(response.status_code)
    limit = settings.MOTCUA_LOCKOUT["ADDRESS_FAILURES"]
    assert answers[:limit] == [200] * limit
    assert set(answers[limit:]) == {429}
    response, client = site_login(PASSWORD, username="user0", address="10.9.9.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "Đăng nhập sai quá nhiều lần từ địa chỉ này" in response.content.decode()
    assert not signed_in(client)
    # The accounts themselves are not held: their owner elsewhere signs in at once.
    response, client = site_login(PASSWORD, username="user0", address="10.1.1.1")
    assert response.status_code == 302
    # And the address is free again when its window has passed.
    clock.move(minutes=15)
    response, client = site_login(PASSWORD, username="user1", address="10.9.9.9")
    assert response.status_code == 302


def test_successes_behind_one_office_address_do_not_add_up(clock):
    """Forty colleagues signing in from one office address are never throttled."""
    for n in range(40):
        make_user(f"staff{n}")
        response, _client = site_login(PASSWORD, username=f"staff{n}", address="10.2.2.2")
        assert response.status_code == 302


def test_throttled_attempts_are_not_checked_nor_counted(clock):
    make_user()
    for _ in range(5):
        site_login("sai-mat-khau")
    for _ in range(20):
        response, _client = site_login("sai-mat-khau")
        assert response.status_code == 429
    assert RateCounter.objects.get(scope="login-account").count == 5


def test_sign_in_counters_expire_and_the_cleanup_removes_them(clock):
    make_user()
    for _ in range(3):
        site_login("sai-mat-khau")
    assert RateCounter.objects.count() == 2  # the account and the address
    window = throttle_config().address.window
    assert ratelimit.cleanup() == 0
    clock.move(seconds=window.total_seconds())
    assert ratelimit.cleanup() == 2
    assert not RateCounter.objects.exists()


def test_the_throttle_backend_never_holds_a_session(clock):
    """``force_login`` and the session take the first backend with ``get_user``: never the
    throttle's (a session of it would find no user on the next page)."""
    client = Client()
    client.force_login(make_user())
    assert client.get("/admin/").status_code == 200

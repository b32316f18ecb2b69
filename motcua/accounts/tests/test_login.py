"""Repeated failed logins lock the account for a while (django-axes)."""

import pytest
from django.conf import settings
from django.test import Client

from motcua.accounts.services import user_create_or_update

pytestmark = pytest.mark.django_db


def login(client, password):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "lan", "password": password},
        REMOTE_ADDR="10.0.0.7",
    )


def test_it_locks_a_login_after_repeated_failures():
    user_create_or_update(username="lan", full_name="Hoàng Thị Lan", password="Đúng-mật-khẩu-1")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "sai-mat-khau")
        assert response.status_code in (200, 429)
    # Locked now: even the right password is refused.
    response = login(client, "Đúng-mật-khẩu-1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_logs_in_with_the_right_password():
    user_create_or_update(username="lan", full_name="Hoàng Thị Lan", password="Đúng-mật-khẩu-1")
    client = Client()
    response = login(client, "Đúng-mật-khẩu-1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]

"""Tokens (issue, expiry, revocation, rotation, wrong secret), scopes, rate limit, call log,
staff sessions."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from motcua.accounts.ratelimit import Rate, take
from motcua.api import tokens
from motcua.api.choices import Scope
from motcua.api.models import ApiCall, ApiClient
from motcua.api.services import calls_prune, client_revoke, client_rotate
from motcua.api.tests.helpers import FORM, bearer, make_client, token_response
from motcua.jobs.housekeeping import STEPS

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _world(bac_kan_world):
    return None


def test_token_then_a_call_is_logged_with_its_client():
    http = Client()
    client, secret = make_client(["catalog:read"], [])
    answer = token_response(http, client.client_id, secret)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert body["scope"] == "catalog:read"
    assert answer["Cache-Control"] == "no-store"
    units = http.get(
        "/api/v1/units", {"limit": 2}, headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert units.status_code == 200
    assert len(units.json()["items"]) == 2
    assert units["Cache-Control"] == "private, no-cache"
    assert "Authorization" in units["Vary"]
    call = ApiCall.objects.filter(route="unit_list").get()
    assert (call.client_id, call.method, call.status, call.outcome) == (client.pk, "GET", 200, "")
    token_call = ApiCall.objects.filter(route="token").get()
    assert token_call.client_id == client.pk


def test_credentials_in_the_body_and_a_scope_subset():
    http = Client()
    client, secret = make_client(["catalog:read", "figures:read"], ["01840"])
    body = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
            "scope": "figures:read",
        }
    )
    answer = http.post("/api/v1/oauth/token", body, content_type=FORM)
    assert answer.status_code == 200
    assert answer.json()["scope"] == "figures:read"
    # A token without catalog:read is refused by the units route: 403 naming the scope.
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    refused = http.get("/api/v1/units", headers=headers)
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["type"] == "urn:motcua:problem:scope"
    assert refused.json()["required_scope"] == "catalog:read"
    assert ApiCall.objects.filter(route="unit_list", outcome="scope", client=client).exists()


@pytest.mark.parametrize(
    ("form", "status", "error", "field"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type", "grant_type"),
        ({"scope": "dossiers:act"}, 400, "invalid_scope", "scope"),
    ],
)
def test_token_refusals_name_the_field(form, status, error, field):
    http = Client()
    client, secret = make_client(["catalog:read"], [])
    answer = token_response(http, client.client_id, secret, **form)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert answer.json()["errors"][0]["field"] == field


def test_wrong_secret_unknown_client_and_revoked_client_alike():
    http = Client()
    client, secret = make_client(["catalog:read"], [])
    wrong = token_response(http, client.client_id, secret + "x")
    unknown = token_response(http, "mcl_nobody", secret)
    client_revoke(client_id=client.client_id)
    revoked = token_response(http, client.client_id, secret)
    for answer in (wrong, unknown, revoked):
        assert answer.status_code == 401
        assert answer["WWW-Authenticate"].startswith("Basic")
        assert answer.json()["error"] == "invalid_client"
        assert answer.json()["detail"] == wrong.json()["detail"]


def test_token_endpoint_wants_a_form():
    http = Client()
    answer = http.post(
        "/api/v1/oauth/token", {"grant_type": "client_credentials"}, content_type="application/json"
    )
    assert answer.status_code == 415
    assert answer.json()["errors"][0]["field"] == "Content-Type"


def test_revocation_and_rotation_kill_live_tokens():
    http = Client()
    client, secret = make_client(["catalog:read"], [])
    headers = bearer(http, client, secret)
    assert http.get("/api/v1/units", headers=headers).status_code == 200
    _client, new_secret = client_rotate(client_id=client.client_id)
    stale = http.get("/api/v1/units", headers=headers)
    assert stale.status_code == 401
    assert stale.json()["type"] == "urn:motcua:problem:invalid-token"
    assert 'error="invalid_token"' in stale["WWW-Authenticate"]
    assert token_response(http, client.client_id, secret).status_code == 401
    headers = bearer(http, client, new_secret)
    assert http.get("/api/v1/units", headers=headers).status_code == 200
    client_revoke(client_id=client.client_id)
    assert http.get("/api/v1/units", headers=headers).status_code == 401


def test_expired_forged_and_foreign_tokens(settings):
    http = Client()
    client, _secret = make_client(["catalog:read"], [])
    past = timezone.now() - timedelta(minutes=11)
    expired, _claims = tokens.issue(
        client_id=client.client_id,
        scopes=["catalog:read"],
        grant=client.grant,
        now=past,
        seconds=600,
    )
    forged = expired.replace("mct1.", "mct1.x", 1)
    fresh, _claims = tokens.issue(
        client_id=client.client_id,
        scopes=["catalog:read"],
        grant=client.grant,
        now=timezone.now(),
        seconds=600,
    )
    for token in (expired, forged, "abc"):
        answer = http.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token
    assert (
        http.get("/api/v1/units", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    )
    # Another signing key (another deployment, or the key changed): refused.
    settings.MOTCUA_API = {**settings.MOTCUA_API, "TOKEN_KEY": "another key"}
    answer = http.get("/api/v1/units", headers={"Authorization": f"Bearer {fresh}"})
    assert answer.status_code == 401


def test_no_credentials_is_401_with_a_challenge_in_vietnamese_or_english():
    http = Client()
    vi = http.get("/api/v1/units")
    en = http.get("/api/v1/units", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert vi.status_code == en.status_code == 401
    assert vi["WWW-Authenticate"] == 'Bearer realm="motcua"'
    assert vi["Content-Language"] == "vi"
    assert "Accept-Language" in vi["Vary"]
    assert en["Content-Language"] == "en"
    assert vi.json()["title"] != en.json()["title"]
    assert en.json()["title"] == "Authentication required"


def test_rate_limit_answers_429_with_retry_after():
    http = Client()
    client, secret = make_client(["catalog:read"], [], rate_per_minute=2)
    headers = bearer(http, client, secret)
    assert http.get("/api/v1/units", headers=headers).status_code == 200
    assert http.get("/api/v1/units", headers=headers).status_code == 200
    third = http.get("/api/v1/units", headers=headers)
    assert third.status_code == 429
    assert 1 <= int(third["Retry-After"]) <= 60
    assert third.json()["type"] == "urn:motcua:problem:rate-limited"
    assert ApiCall.objects.filter(client=client, status=429).count() == 1


def test_failed_token_requests_are_limited_per_address(settings):
    settings.MOTCUA_API = {**settings.MOTCUA_API, "TOKEN_FAILURES_PER_MINUTE": 2}
    http = Client()
    client, secret = make_client(["catalog:read"], [])
    assert token_response(http, client.client_id, "wrong").status_code == 401
    assert token_response(http, client.client_id, "wrong").status_code == 401
    limited = token_response(http, client.client_id, secret)
    assert limited.status_code == 429
    assert "Retry-After" in limited


def test_staff_session_reads_and_needs_csrf_for_unsafe_methods(django_user_model):
    user = django_user_model.objects.create_user("staff", password="pw-motcua-123")
    http = Client(enforce_csrf_checks=True)
    http.force_login(user)
    answer = http.get("/api/v1/units", {"limit": 1})
    assert answer.status_code == 200
    assert ApiCall.objects.filter(user=user, route="unit_list", client=None).exists()
    # An unsafe method without the CSRF token: 403 csrf (the token endpoint is public: its
    # own form, no session).
    refused = http.post("/api/v1/units", {}, content_type="application/json")
    assert refused.status_code in (403, 405)


def test_call_log_is_pruned_after_its_days(settings):
    now = timezone.now()
    old = ApiCall.objects.create(
        route="x", method="GET", status=200, duration_ms=1, at=now - timedelta(days=91)
    )
    kept = ApiCall.objects.create(
        route="x", method="GET", status=200, duration_ms=1, at=now - timedelta(days=89)
    )
    assert calls_prune(now=now) == 1
    assert ("old API calls", calls_prune) in STEPS  # the worker's daily housekeeping
    assert not ApiCall.objects.filter(pk=old.pk).exists()
    assert ApiCall.objects.filter(pk=kept.pk).exists()


def test_rate_counter_scope_is_the_clients(settings):
    # The per-client counter is accounts.ratelimit's, keyed by the client id.
    client, _secret = make_client(["catalog:read"], [], rate_per_minute=1)
    take(Rate("api", 1, timedelta(minutes=1)), client.client_id)


def test_the_demo_client_has_its_documented_credentials_and_not_in_production(settings):
    from io import StringIO

    from django.core.management import call_command

    from motcua.demo.services import (
        DEMO_API_CLIENT_ID,
        DEMO_API_CLIENT_SECRET,
        demo_api_client_load,
    )

    assert demo_api_client_load() == 1
    assert demo_api_client_load() == 0
    http = Client()
    answer = token_response(http, DEMO_API_CLIENT_ID, DEMO_API_CLIENT_SECRET)
    assert answer.status_code == 200
    assert set(answer.json()["scope"].split()) == {s.value for s in Scope}
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    assert DEMO_API_CLIENT_ID in out.getvalue()
    assert DEMO_API_CLIENT_SECRET in out.getvalue()
    settings.PRODUCTION = True
    assert http.get("/api/v1/units", headers=headers).status_code == 401
    assert token_response(http, DEMO_API_CLIENT_ID, DEMO_API_CLIENT_SECRET).status_code == 401


def test_the_command_line_creates_lists_rotates_and_revokes():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "api",
        "clients",
        "create",
        "LGSP Bắc Kạn",
        "--scope",
        "dossiers:read",
        "--scope",
        "figures:read",
        "--unit",
        "01840",
        "--rate",
        "60",
        stdout=out,
    )
    text = out.getvalue()
    client_id = text.split("client_id: ")[1].split()[0]
    secret = text.split("client_secret: ")[1].split()[0]
    stored = ApiClient.objects.get(client_id=client_id)
    assert secret not in stored.secret_hash
    assert stored.rate_per_minute == 60
    assert [u.code for u in stored.units.all()] == ["01840"]
    assert list(stored.user.assignments.values_list("role", flat=True)) == ["clerk"]
    assert stored.user.has_usable_password() is False
    assert token_response(Client(), client_id, secret).status_code == 200
    listing = StringIO()
    call_command("api", "clients", "list", stdout=listing)
    assert client_id in listing.getvalue()
    rotated = StringIO()
    call_command("api", "clients", "rotate", client_id, stdout=rotated)
    assert token_response(Client(), client_id, secret).status_code == 401
    call_command("api", "clients", "revoke", client_id, stdout=StringIO())
    stored.refresh_from_db()
    assert stored.active is False
    assert stored.user.is_active is False
    for args, option in [
        (["--scope", "dossiers:fly", "--unit", "01840"], "--scope"),
        (["--unit", "01840"], "--scope"),
        (["--scope", "dossiers:read"], "--unit"),
        (["--scope", "dossiers:read", "--unit", "99999"], "--unit"),
        (["--scope", "dossiers:read", "--unit", "01840", "--role", "leader"], "--role"),
        (["--scope", "dossiers:read", "--unit", "01840", "--rate", "lots"], "--rate"),
        (["--scope", "dossiers:read", "--unit", "01840", "--rate", "0"], "--rate"),
    ]:
        before = ApiClient.objects.count()
        with pytest.raises(CommandError) as refused:
            call_command("api", "clients", "create", "X", *args, stdout=StringIO())
        assert str(refused.value).startswith(option), (args, str(refused.value))
        assert ApiClient.objects.count() == before
    with pytest.raises(CommandError, match="^CLIENT_ID"):
        call_command("api", "clients", "revoke", "mcl_nobody", stdout=StringIO())


def test_update_changes_scopes_units_and_roles_and_stops_tokens_it_must():
    from io import StringIO

    from django.core.management import CommandError, call_command

    http = Client()
    client, secret = make_client(["catalog:read", "dossiers:read"], ["01840"])
    headers = bearer(http, client, secret)
    assert http.get("/api/v1/dossiers", headers=headers).status_code == 200
    # Fewer scopes: the live token loses the scope at once, keeps the others.
    call_command(
        "api", "clients", "update", client.client_id, "--scope", "catalog:read", stdout=StringIO()
    )
    refused = http.get("/api/v1/dossiers", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:motcua:problem:scope"
    assert http.get("/api/v1/units", headers=headers).status_code == 200
    # New units and roles: the grants are replaced and tokens issued before stop working.
    out = StringIO()
    call_command(
        "api",
        "clients",
        "update",
        client.client_id,
        "--scope",
        "dossiers:read",
        "--unit",
        "01843",
        "--role",
        "officer",
        "--rate",
        "30",
        stdout=out,
    )
    assert "01843" in out.getvalue()
    client.refresh_from_db()
    assert (client.rate_per_minute, client.roles) == (30, ["officer"])
    assert sorted(client.user.assignments.values_list("role", "unit__code")) == [
        ("officer", "01843")
    ]
    assert http.get("/api/v1/units", headers=headers).status_code == 401
    assert http.get("/api/v1/dossiers", headers=bearer(http, client, secret)).status_code == 200
    # Bad input names the option and changes nothing.
    for args, option in [
        (["--unit", "99999"], "--unit"),
        (["--scope", "dossiers:fly"], "--scope"),
        (["--role", "leader"], "--role"),
        (["--rate", "0"], "--rate"),
        (["--rate", "many"], "--rate"),
    ]:
        with pytest.raises(CommandError) as error:
            call_command("api", "clients", "update", client.client_id, *args, stdout=StringIO())
        assert str(error.value).startswith(option), (args, str(error.value))
        before = (client.scopes, client.roles, client.grant, client.rate_per_minute)
        client.refresh_from_db()
        assert (client.scopes, client.roles, client.grant, client.rate_per_minute) == before
    with pytest.raises(CommandError, match="^CLIENT_ID"):
        call_command("api", "clients", "update", "mcl_nobody", "--rate", "5", stdout=StringIO())
    client_revoke(client_id=client.client_id)
    with pytest.raises(CommandError, match="^CLIENT_ID"):
        call_command("api", "clients", "update", client.client_id, "--rate", "5", stdout=StringIO())

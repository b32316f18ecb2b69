"""Sign-in with the national identity against the test provider, a real HTTP process: the
browser's leg to the provider over HTTP (requests), ours through Django's test client."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from motcua.citizens.choices import Refusal
from motcua.citizens.models import CitizenAccount, UsedNonce
from motcua.citizens.selectors import IDENTITY, PENDING

pytestmark = pytest.mark.usefixtures("oidc_on")


def to_provider(client, **params):
    """Begin a sign-in: our answer must send the browser to the provider."""
    response = client.get(reverse("citizens:sign_in"), params)
    assert response.status_code == 302
    return response["Location"]


def provider_answer(url: str) -> str:
    """The browser at the provider: it answers with a redirect back to our callback."""
    answer = requests.get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("citizens:callback")
    return back.path + "?" + back.query


def sign_in(client, **params):
    return client.get(provider_answer(to_provider(client, **params)))


def refused(response, message: str) -> None:
    assert response.status_code == 400
    text = response.content.decode()
    assert str(_("Sign-in refused")) in text
    assert escape(message) in text
    assert IDENTITY not in response.wsgi_request.session


def test_the_authorization_request_carries_pkce_state_and_nonce(client, db, oidc_on):
    query = parse_qs(urlsplit(to_provider(client)).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert "openid" in query["scope"][0].split()
    state, nonce = query["state"][0], query["nonce"][0]
    pending = client.session[PENDING][state]
    assert pending["nonce"] == nonce
    assert pending["verifier"] not in urlsplit(to_provider(client)).query  # never sent


def test_a_citizen_signs_in_and_the_session_holds_the_verified_identity(client, db):
    client.get(reverse("portal:catalog"))
    before = client.session.session_key
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("citizens:my_dossiers")
    session = client.session
    assert session.session_key != before  # rotated at sign-in
    identity = session[IDENTITY]
    assert identity["id_number"] == "006090001234"
    assert identity["name"] == "Nguyễn Văn An"
    assert identity["birth_date"] == "1990-05-12"  # "12/05/1990" in the claims
    account = CitizenAccount.objects.get()
    assert account.subject == "vneid-0001"
    assert account.level_of_assurance == "2"
    assert account.tech_id == "TECH-0001"
    assert account.address == "Tổ 1, phường Đức Xuân, tỉnh Thái Nguyên"
    assert UsedNonce.objects.count() == 1


def test_signing_in_again_updates_the_same_account(client, db):
    sign_in(client)
    first = CitizenAccount.objects.get().last_signed_in_at
    client.post(reverse("citizens:sign_out"))
    sign_in(client)
    account = CitizenAccount.objects.get()
    assert account.last_signed_in_at >= first
    assert UsedNonce.objects.count() == 2


def test_the_portal_header_offers_sign_in_then_shows_the_name_and_sign_out(client, db):
    page = client.get(reverse("portal:catalog")).content.decode()
    assert str(_("Sign in with VNeID")) in page
    assert 'id="citizen-signed-in"' not in page
    sign_in(client)
    page = client.get(reverse("portal:catalog")).content.decode()
    assert '<span id="citizen-signed-in">Nguyễn Văn An</span>' in page
    assert str(_("Sign out")) in page
    assert str(_("Sign in with VNeID")) not in page


def test_no_sign_in_link_when_not_configured(client, db, settings):
    settings.MOTCUA_OIDC_ISSUER = ""
    page = client.get(reverse("portal:catalog")).content.decode()
    assert 'id="citizen-sign-in"' not in page
    response = client.get(reverse("citizens:sign_in"))
    assert response.status_code == 404
    assert "sessionid" not in response.cookies  # nothing stored


def test_a_stray_callback_creates_no_session(client, db):
    response = client.get(reverse("citizens:callback"), {"state": "x", "code": "y"})
    assert response.status_code == 400
    assert "sessionid" not in response.cookies


def test_sign_out_clears_the_session_and_goes_to_the_providers_end_session(client, db, oidc_on):
    sign_in(client)
    id_token = client.session[IDENTITY]["id_token"]
    assert client.get(reverse("citizens:sign_out")).status_code == 405  # POST only
    response = client.post(reverse("citizens:sign_out"))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}" == oidc_on.url
    assert target.path == "/end_session"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    # The browser follows: the provider ends its session and comes back to the portal.
    answer = requests.get(response["Location"], allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).path == reverse("portal:catalog")
    assert oidc_on.log()[-1]["end_session"]["id_token_hint"] == id_token
    assert IDENTITY not in client.session
    assert client.get(reverse("citizens:my_dossiers")).status_code == 302


def test_the_sign_in_goes_back_to_the_page_asked_for_and_never_elsewhere(client, db):
    wanted = reverse("portal:track")
    assert sign_in(client, next=wanted)["Location"] == wanted
    client.post(reverse("citizens:sign_out"))
    response = sign_in(client, next="https://evil.example/")
    assert response["Location"] == reverse("citizens:my_dossiers")


# -- refusals: each with a clear Vietnamese message and no one signed in ----------------------


def test_a_tampered_id_token_signature_is_refused(client, db, oidc_on):
    oidc_on.mode("tamper")
    refused(
        sign_in(client), _("The identity token's signature is not valid: the sign-in was refused.")
    )
    assert not CitizenAccount.objects.exists()
    assert not UsedNonce.objects.exists()


def test_a_token_for_another_audience_is_refused(client, db, oidc_on):
    oidc_on.mode("wrong_audience")
    refused(
        sign_in(client),
        _("The identity token was issued for another service: the sign-in was refused."),
    )
    assert not CitizenAccount.objects.exists()


def test_an_expired_id_token_is_refused(client, db, oidc_on):
    oidc_on.mode("expired")
    refused(sign_in(client), _("The identity token has expired: please sign in again."))


def test_a_replayed_id_token_of_another_sign_in_is_refused(client, db, oidc_on):
    sign_in(client)
    client.post(reverse("citizens:sign_out"))
    oidc_on.mode("replay")  # the provider (or someone between) answers the old token again
    refused(
        sign_in(client),
        _("The identity token does not belong to this sign-in: please sign in again."),
    )


def test_a_replayed_nonce_is_refused_even_when_the_session_expects_it(client, db, oidc_on):
    """Someone who planted their own nonce in a victim's session (or replays a whole
    sign-in) still cannot use an ID token twice: used nonces are kept until they expire."""
    url = to_provider(client)
    first_nonce = parse_qs(urlsplit(url).query)["nonce"][0]
    assert client.get(provider_answer(url)).status_code == 302
    client.post(reverse("citizens:sign_out"))
    oidc_on.mode("replay")
    url = to_provider(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    session = client.session
    pending = session[PENDING]
    pending[state]["nonce"] = first_nonce
    session[PENDING] = pending
    session.save()
    response = client.get(provider_answer(url))
    refused(response, _("This identity token has already been used: please sign in again."))
    assert UsedNonce.objects.count() == 1


def test_a_bad_or_reused_state_is_refused(client, db):
    callback = provider_answer(to_provider(client))
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    refused(
        client.get(forged),
        _("This sign-in has expired or was already completed: please sign in again."),
    )
    assert client.get(callback).status_code == 302  # the real one still works, once
    client.post(reverse("citizens:sign_out"))
    refused(
        client.get(callback),
        _("This sign-in has expired or was already completed: please sign in again."),
    )


def test_an_error_from_the_provider_is_refused_with_its_code(client, db, oidc_on):
    oidc_on.mode("deny")
    response = sign_in(client)
    refused(
        response,
        _(
            "The national identity service did not sign you in (%(error)s). "
            "You can sign in again or continue without signing in."
        )
        % {"error": "access_denied"},
    )
    assert not client.session.get(PENDING)


def test_a_refused_callback_signs_out_whoever_was_signed_in(client, db):
    sign_in(client)
    refused(
        client.get(reverse("citizens:callback") + "?error=access_denied&state=x"),
        _(
            "The national identity service did not sign you in (%(error)s). "
            "You can sign in again or continue without signing in."
        )
        % {"error": "access_denied"},
    )


def test_the_refusal_is_in_vietnamese(client, db, oidc_on):
    oidc_on.mode("tamper")
    text = sign_in(client).content.decode()
    assert "Đăng nhập không thành công" in text
    assert "Chữ ký của mã định danh" in text


def test_an_unreachable_provider_answers_a_clear_page(client, db, settings):
    settings.MOTCUA_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.get(reverse("citizens:sign_in"))
    assert response.status_code == 503
    message = _("The national identity service cannot be reached now. Please try again later.")
    assert escape(message) in response.content.decode()


def test_the_refusal_reasons_are_logged(client, db, oidc_on, caplog):
    oidc_on.mode("wrong_audience")
    with caplog.at_level("WARNING", logger="motcua.citizens.views"):
        sign_in(client)
    assert Refusal.AUDIENCE.value in caplog.text

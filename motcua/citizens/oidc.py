"""The OpenID Connect relying party: discovery, the authorization address (code flow with PKCE,
state and nonce), the token exchange, the ID token's verification and the user-info claims.

Authlib's ``OAuth2Session`` (over ``requests``) builds the address and exchanges the code;
joserfc verifies the ID token against the provider's JWKS. Everything the provider answers
is read with a time-out and a size limit, and any failure raises :class:`SignInRefused` with
a message for the citizen (docs/citizens.md).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error
from django.conf import settings
from django.utils.translation import gettext as _
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import KeySet

from motcua.citizens.choices import Refusal
from motcua.citizens.errors import SignInRefused

log = logging.getLogger(__name__)

# Answers larger than this are not read (a discovery document or a JWKS is a few kB).
MAX_ANSWER_BYTES = 256 * 1024
# How long discovery and keys are reused; an unknown key id fetches the keys again at once.
CACHE_SECONDS = 3600
# Clock difference tolerated between the provider and us when checking exp / iat.
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "PS256", "ES256"]

_cache: dict[str, tuple[float, Any]] = {}


@dataclass(frozen=True)
class Provider:
    """The provider's endpoints, from its discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    end_session_endpoint: str


def enabled() -> bool:
    """Whether sign-in is configured (issuer and client id)."""
    return bool(settings.MOTCUA_OIDC_ISSUER and settings.MOTCUA_OIDC_CLIENT_ID)


def _unreachable() -> SignInRefused:
    return SignInRefused(
        _("The national identity service cannot be reached now. Please try again later."),
        reason=Refusal.UNREACHABLE,
    )


def _get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    """GET a JSON document, bounded in time and size."""
    try:
        with requests.get(
            url,
            headers=headers or {},
            timeout=settings.MOTCUA_OIDC_TIMEOUT_SECONDS,
            stream=True,
            allow_redirects=False,
        ) as response:
            body = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
            if response.status_code != 200 or len(body) > MAX_ANSWER_BYTES:
                log.warning("oidc: %s answered %s", url, response.status_code)
                raise _unreachable()
            return json.loads(body)
    except (requests.RequestException, ValueError):
        log.warning("oidc: %s could not be read", url, exc_info=True)
        raise _unreachable() from None


def _cached(key: str, load: Any, *, fresh: bool = False) -> Any:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and not fresh and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    _cache[key] = (now, value)
    return value


def provider() -> Provider:
    """The configured provider, discovered (``/.well-known/openid-configuration``)."""
    if not enabled():
        raise SignInRefused(
            _("Sign-in with the national identity is not available on this site."),
            reason=Refusal.NOT_CONFIGURED,
        )
    issuer = settings.MOTCUA_OIDC_ISSUER

    def load() -> Provider:
        document = _get_json(issuer + "/.well-known/openid-configuration")
        if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
            log.warning("oidc: the discovery document names another issuer")
            raise _unreachable()
        try:
            return Provider(
                issuer=document["issuer"],
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                userinfo_endpoint=str(document.get("userinfo_endpoint") or ""),
                end_session_endpoint=str(document.get("end_session_endpoint") or ""),
            )
        except KeyError:
            log.warning("oidc: the discovery document lacks an endpoint")
            raise _unreachable() from None

    found: Provider = _cached("discovery " + issuer, load)
    return found


def _session(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.MOTCUA_OIDC_CLIENT_ID,
        client_secret=settings.MOTCUA_OIDC_CLIENT_SECRET,
        token_endpoint_auth_method=settings.MOTCUA_OIDC_TOKEN_AUTH_METHOD,
        scope=" ".join(settings.MOTCUA_OIDC_SCOPES),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=settings.MOTCUA_OIDC_TIMEOUT_SECONDS,
    )


def authorization_url(*, redirect_uri: str, state: str, nonce: str, verifier: str) -> str:
    """Where the citizen's browser goes to sign in (S256 challenge of ``verifier``)."""
    endpoint = provider().authorization_endpoint
    url, _state = _session(redirect_uri).create_authorization_url(
        endpoint, state=state, code_verifier=verifier, nonce=nonce
    )
    return str(url)


def token_exchange(*, redirect_uri: str, code: str, verifier: str) -> dict[str, Any]:
    """The tokens for ``code`` (the PKCE verifier proves this browser began the sign-in)."""
    endpoint = provider().token_endpoint
    try:
        token = _session(redirect_uri).fetch_token(
            endpoint, grant_type="authorization_code", code=code, code_verifier=verifier
        )
    except OAuth2Error as error:
        log.warning("oidc: token request refused: %s", error)
        raise SignInRefused(
            _("The national identity service refused this sign-in. Please sign in again."),
            reason=Refusal.TOKEN,
        ) from None
    except (requests.RequestException, ValueError):
        log.warning("oidc: token request failed", exc_info=True)
        raise _unreachable() from None
    if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
        raise SignInRefused(
            _("The national identity service refused this sign-in. Please sign in again."),
            reason=Refusal.TOKEN,
        )
    return dict(token)


def _keys(*, fresh: bool = False) -> KeySet:
    uri = provider().jwks_uri

    def load() -> KeySet:
        document = _get_json(uri)
        try:
            return KeySet.import_key_set(document)
        except (jose_errors.JoseError, ValueError, KeyError, TypeError):
            log.warning("oidc: the provider's JWKS is not usable")
            raise _unreachable() from None

    keys: KeySet = _cached("jwks " + uri, load, fresh=fresh)
    return keys


def _bad_signature() -> SignInRefused:
    return SignInRefused(
        _("The identity token's signature is not valid: the sign-in was refused."),
        reason=Refusal.SIGNATURE,
    )


def id_token_verify(id_token: str, *, nonce: str, now: int | None = None) -> dict[str, Any]:
    """The ID token's claims once its signature (JWKS), ``iss``, ``aud``, ``exp`` and
    ``nonce`` are checked; :class:`SignInRefused` naming the failed check otherwise."""
    if len(id_token) > 16 * 1024:
        raise _bad_signature()
    try:
        try:
            token = jwt.decode(id_token, _keys(), algorithms=ALGORITHMS)
        except jose_errors.InvalidKeyIdError:
            # The provider rotated its keys since we last read them.
            token = jwt.decode(id_token, _keys(fresh=True), algorithms=ALGORITHMS)
    except (jose_errors.JoseError, ValueError):
        log.warning("oidc: ID token signature refused", exc_info=True)
        raise _bad_signature() from None
    claims = dict(token.claims)
    issuer = provider().issuer
    if str(claims.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
        raise SignInRefused(
            _("The identity token was issued by another provider: the sign-in was refused."),
            reason=Refusal.ISSUER,
        )
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    client_id = settings.MOTCUA_OIDC_CLIENT_ID
    if client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != client_id):
        raise SignInRefused(
            _("The identity token was issued for another service: the sign-in was refused."),
            reason=Refusal.AUDIENCE,
        )
    moment = int(time.time()) if now is None else now
    expires = claims.get("exp")
    if not isinstance(expires, int) or expires + LEEWAY_SECONDS < moment:
        raise SignInRefused(
            _("The identity token has expired: please sign in again."), reason=Refusal.EXPIRED
        )
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused(
            _("The identity token names no account: the sign-in was refused."),
            reason=Refusal.CLAIMS,
        )
    if claims.get("nonce") != nonce:
        raise SignInRefused(
            _("The identity token does not belong to this sign-in: please sign in again."),
            reason=Refusal.NONCE,
        )
    return claims


def userinfo(access_token: str, *, subject: str) -> dict[str, Any]:
    """The user-info claims (the national SSO gives the personal data there), or nothing when
    the provider has no user-info endpoint. Claims of another subject are refused."""
    endpoint = provider().userinfo_endpoint
    if not endpoint or not access_token:
        return {}
    claims = _get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if not isinstance(claims, dict) or claims.get("sub") != subject:
        raise SignInRefused(
            _("The identity service answered for another account: the sign-in was refused."),
            reason=Refusal.CLAIMS,
        )
    return claims


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str:
    """The provider's sign-out address, or "" when it has none (or is not reachable)."""
    if not enabled():
        return ""
    try:
        endpoint = provider().end_session_endpoint
    except SignInRefused:
        return ""
    if not endpoint:
        return ""
    query = {
        "client_id": settings.MOTCUA_OIDC_CLIENT_ID,
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    if id_token:
        query["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode(query)


def cache_clear() -> None:
    """Forget discovery and keys (tests; a provider whose configuration changed)."""
    _cache.clear()

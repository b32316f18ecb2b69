"""Short-lived signed bearer tokens (OAuth2 client credentials; docs/api.md "Tokens").

A token is ``mct1.<payload>:<signature>``: Django's ``signing`` (HMAC-SHA256) over the client
id, the scopes granted, a digest of the client's units and roles, the issue and expiry moments
and a random token id, under a key derived from ``MOTCUA_API["TOKEN_KEY"]`` (else the
``SECRET_KEY``) whose short id (``kid``) travels in the payload, so a changed key refuses old
tokens with a clear message.

Nothing is stored when a token is issued. Each call reads the client's row anyway (scopes, rate
limit, service account), and that read revokes: the token is refused when the client is
inactive, when it was issued before the client's ``not_before`` (moved by ``revoke`` and
``rotate``), or when the client's units or roles changed since (the digest differs).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing

from motcua.api.conf import api_setting

PREFIX = "mct1."
SALT = "motcua.api.tokens"


class TokenRejected(Exception):
    """The token is not one of ours, has expired, or its client no longer allows it."""


def _key() -> str:
    configured = str(api_setting("TOKEN_KEY") or "")
    return configured or f"motcua.api.tokens:{settings.SECRET_KEY}"


def key_id() -> str:
    """The short id of the signing key in force."""
    return hashlib.sha256(_key().encode()).hexdigest()[:8]


def grant_digest(unit_ids: Iterable[int], roles: Iterable[str]) -> str:
    """A digest of what a client reaches: its units and roles (a change refuses old tokens)."""
    text = ",".join(str(u) for u in sorted(unit_ids)) + "|" + ",".join(sorted(roles))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says."""

    client_id: str
    scopes: frozenset[str]
    grant: str
    issued_at: datetime
    expires_at: datetime
    token_id: str


def issue(
    *, client_id: str, scopes: Iterable[str], grant: str, now: datetime, seconds: int
) -> tuple[str, TokenClaims]:
    """A new token and its claims, valid ``seconds`` from ``now``."""
    claims = TokenClaims(
        client_id=client_id,
        scopes=frozenset(scopes),
        grant=grant,
        issued_at=now,
        expires_at=now + timedelta(seconds=seconds),
        token_id=secrets.token_hex(8),
    )
    payload: dict[str, Any] = {
        "kid": key_id(),
        "cid": claims.client_id,
        "scp": sorted(claims.scopes),
        "grt": claims.grant,
        # Milliseconds: a token issued in the second of a revocation must compare correctly.
        "iat": int(claims.issued_at.timestamp() * 1000),
        "exp": int(claims.expires_at.timestamp() * 1000),
        "jti": claims.token_id,
    }
    return PREFIX + signing.dumps(payload, key=_key(), salt=SALT), claims


def verify(token: str, *, now: datetime) -> TokenClaims:
    """The claims of a genuine, unexpired token; :class:`TokenRejected` otherwise (the
    message says why, in English for the log; the caller shows its own)."""
    if not token.startswith(PREFIX) or len(token) > 2000:
        raise TokenRejected("not a motcua token")
    try:
        payload = signing.loads(token[len(PREFIX) :], key=_key(), salt=SALT)
    except signing.BadSignature:
        raise TokenRejected("bad signature (or the signing key changed)") from None
    try:
        if payload["kid"] != key_id():
            raise TokenRejected("signed with another key")
        claims = TokenClaims(
            client_id=str(payload["cid"]),
            scopes=frozenset(str(s) for s in payload["scp"]),
            grant=str(payload["grt"]),
            issued_at=datetime.fromtimestamp(int(payload["iat"]) / 1000, tz=UTC),
            expires_at=datetime.fromtimestamp(int(payload["exp"]) / 1000, tz=UTC),
            token_id=str(payload["jti"]),
        )
    except (KeyError, TypeError, ValueError):
        raise TokenRejected("malformed payload") from None
    if claims.expires_at <= now:
        raise TokenRejected("expired")
    return claims

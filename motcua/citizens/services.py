"""Writes of the citizens app: beginning and completing a sign-in with the national identity,
signing out, and the record of used ID-token nonces (docs/citizens.md).

The session holds the sign-ins begun (state, nonce, PKCE verifier; a few at once, for a few
minutes) and, once signed in, the verified identity. Nothing the browser sends is trusted
except the authorization code, which only the token endpoint turns into claims.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.citizens import oidc
from motcua.citizens.choices import Refusal
from motcua.citizens.errors import SignInRefused
from motcua.citizens.models import CitizenAccount, UsedNonce
from motcua.citizens.selectors import IDENTITY, PENDING
from motcua.core.identity import InvalidValue, check_personal_id

log = logging.getLogger(__name__)

# A sign-in begun must end within this many seconds; at most this many at once (tabs).
PENDING_SECONDS = 600
PENDING_MAX = 5
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BIRTH_LAYOUTS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|T| )"), "ymd"),
    (re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})$"), "dmy"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})$"), "ymd"),
)


def sign_in_begin(*, session: Any, redirect_uri: str, next_url: str = "") -> str:
    """Start a sign-in: a new state, nonce and PKCE verifier kept in ``session``; returns the
    provider's authorization address to send the browser to."""
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)  # 64 characters, within RFC 7636's 43..128
    url = oidc.authorization_url(
        redirect_uri=redirect_uri, state=state, nonce=nonce, verifier=verifier
    )
    now = time.time()
    pending = {
        key: entry
        for key, entry in (session.get(PENDING) or {}).items()
        if isinstance(entry, dict) and now - float(entry.get("at", 0)) < PENDING_SECONDS
    }
    # The oldest sign-ins begun are forgotten first: a session never grows without bound.
    kept = sorted(pending.items(), key=lambda item: float(item[1]["at"]))[-(PENDING_MAX - 1) :]
    session[PENDING] = dict(kept) | {
        state: {"nonce": nonce, "verifier": verifier, "next": next_url, "at": now}
    }
    return url


def _clean(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return CONTROL.sub("", text).strip()[:limit]


def _birth_date(value: Any) -> date | None:
    # The national SSO's date layout is not documented (docs/citizens.md): the usual ones,
    # yyyy-mm-dd (perhaps with a time), dd/mm/yyyy, dd-mm-yyyy and yyyymmdd.
    text = _clean(value, 40)
    for pattern, order in BIRTH_LAYOUTS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = dict(zip(order, map(int, match.groups()), strict=True))
        try:
            return date(parts["y"], parts["m"], parts["d"])
        except ValueError:
            return None
    return None


def _mapped(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Our fields from the provider's claims, by ``MOTCUA_OIDC_CLAIMS``."""
    names: dict[str, str] = settings.MOTCUA_OIDC_CLAIMS
    id_number = re.sub(r"\s", "", _clean(claims.get(names["id_number"]), 40))
    try:
        check_personal_id(id_number)
    except InvalidValue:
        raise SignInRefused(
            _(
                "Your national identity account gives no valid 12-digit personal ID number: "
                "the sign-in was refused."
            ),
            reason=Refusal.CLAIMS,
        ) from None
    name = _clean(claims.get(names["name"]), 300)
    if not name:
        raise SignInRefused(
            _("Your national identity account gives no name: the sign-in was refused."),
            reason=Refusal.CLAIMS,
        )
    loa = claims.get(names["level_of_assurance"])
    return {
        "id_number": id_number,
        "name": name,
        "birth_date": _birth_date(claims.get(names["birth_date"])),
        "address": _clean(claims.get(names["address"]), 500),
        "level_of_assurance": _clean(",".join(map(str, loa)) if isinstance(loa, list) else loa, 40),
        "tech_id": _clean(claims.get(names["tech_id"]), 100),
    }


def nonce_use(*, nonce: str, expires_at: datetime) -> None:
    """Record ``nonce`` as used until ``expires_at``; :class:`SignInRefused` if it already was
    (a replayed ID token). Must run inside the sign-in's transaction."""
    digest = hashlib.sha256(nonce.encode()).hexdigest()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(digest=digest, expires_at=expires_at)
    except IntegrityError:
        raise SignInRefused(
            _("This identity token has already been used: please sign in again."),
            reason=Refusal.REPLAY,
        ) from None


def used_nonces_delete(*, now: datetime) -> int:
    """Forget the nonces of tokens expired before ``now``; returns how many."""
    deleted, _by_model = UsedNonce.objects.filter(expires_at__lt=now).delete()
    return deleted


def _pending_forget(session: Any, state: str) -> Any:
    """The sign-in begun with ``state``, removed from the session (written only when it was
    there: a stray callback creates no session)."""
    pending = session.get(PENDING) or {}
    if not state or state not in pending:
        return None
    session[PENDING] = {key: entry for key, entry in pending.items() if key != state}
    return pending[state]


def _pending_take(session: Any, state: str) -> dict[str, Any]:
    entry = _pending_forget(session, state)
    if not isinstance(entry, dict) or time.time() - float(entry.get("at", 0)) >= PENDING_SECONDS:
        raise SignInRefused(
            _("This sign-in has expired or was already completed: please sign in again."),
            reason=Refusal.STATE,
        )
    return entry


def sign_in_complete(
    *, session: Any, redirect_uri: str, params: Mapping[str, str]
) -> tuple[CitizenAccount, str]:
    """Complete the sign-in the provider sent the browser back from (``params``: the
    callback's query). On success the session's key is rotated and holds the verified
    identity; returns the account and where to go next. Any failed check raises
    :class:`SignInRefused` with nothing recorded and no one signed in."""
    state = _clean(params.get("state"), 200)
    if params.get("error"):
        # The sign-in begun ends here: its state cannot be used again.
        _pending_forget(session, state)
        error = _clean(params.get("error"), 60)
        log.info("citizens: the provider refused the sign-in: %s", error)
        raise SignInRefused(
            _(
                "The national identity service did not sign you in (%(error)s). "
                "You can sign in again or continue without signing in."
            )
            % {"error": error},
            reason=Refusal.PROVIDER_ERROR,
        )
    entry = _pending_take(session, state)
    code = _clean(params.get("code"), 2000)
    if not code:
        raise SignInRefused(
            _("This sign-in has expired or was already completed: please sign in again."),
            reason=Refusal.STATE,
        )
    token = oidc.token_exchange(redirect_uri=redirect_uri, code=code, verifier=entry["verifier"])
    id_token = token["id_token"]
    claims = oidc.id_token_verify(id_token, nonce=entry["nonce"])
    extra = oidc.userinfo(str(token.get("access_token") or ""), subject=claims["sub"])
    fields = _mapped({**claims, **extra})
    now = timezone.now()
    expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    issuer = str(claims["iss"])
    # Token lifetimes are on the provider's (real) clock, not the site's business clock.
    real_now = datetime.fromtimestamp(time.time(), tz=UTC)
    with transaction.atomic():
        nonce_use(nonce=entry["nonce"], expires_at=max(expires_at, real_now))
        used_nonces_delete(now=real_now)
        account = _account_save(issuer, claims["sub"], fields, now)
    # A new session key at sign-in: a key planted before (session fixation) is worthless.
    session.cycle_key()
    session[IDENTITY] = {
        "account": account.pk,
        "sub": account.subject,
        "id_number": account.id_number,
        "name": account.name,
        "birth_date": account.birth_date.isoformat() if account.birth_date else "",
        "address": account.address,
        "loa": account.level_of_assurance,
        "at": now.isoformat(),
        "id_token": id_token,
    }
    log.info("citizens: account %s signed in", account.pk)
    return account, str(entry.get("next") or "")


def _account_save(
    issuer: str, subject: str, fields: dict[str, Any], now: datetime
) -> CitizenAccount:
    """Create or refresh the account; two first sign-ins at once make one account."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                account, _created = CitizenAccount.objects.update_or_create(
                    issuer=issuer,
                    subject=subject,
                    defaults={**fields, "last_signed_in_at": now},
                    create_defaults={**fields, "last_signed_in_at": now, "created_at": now},
                )
                return account
        except IntegrityError:
            continue  # the other sign-in created it: update it now
    raise SignInRefused(
        _("The sign-in could not be completed: please try again."), reason=Refusal.CLAIMS
    )


def sign_out(*, session: Any, post_logout_redirect_uri: str) -> str:
    """Sign the citizen out: the whole session is cleared (a shared computer). Returns the
    provider's end-session address to send the browser to, or "" when it has none."""
    entry = session.get(IDENTITY)
    id_token = str(entry.get("id_token", "")) if isinstance(entry, dict) else ""
    session.flush()
    if not id_token:
        return ""
    return oidc.end_session_url(
        id_token=id_token, post_logout_redirect_uri=post_logout_redirect_uri
    )

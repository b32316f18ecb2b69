"""The sign-in throttle (docs/limits.md): it slows guessing without letting
anyone lock a person out.

- **Per account, across addresses**: the first ``FAILURES`` failed sign-ins of a user name cost
  nothing; after that each attempt must wait 2, 4, 8 … seconds since the previous one, at most
  ``DELAY_CAP_SECONDS``. Never a lockout: the right password after the short wait signs in,
  and forgets the failures.
- **Per address, across accounts**: at most ``ADDRESS_FAILURES`` failed sign-ins in
  ``WINDOW_MINUTES`` (four wrong passwords on each of many accounts is caught here).

Every attempt is counted *before* the password is checked (``motcua.accounts.ratelimit``), so
parallel attempts cannot slip past the count; a success gives its count back. A refused
attempt is not checked at all and answers 429 with ``Retry-After`` and the wait in words on
the login page (the site's and the admin's). Settings: ``MOTCUA_LOCKOUT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from motcua.accounts import ratelimit
from motcua.lib import clientip

ACCOUNT = "login-account"
ADDRESS = "login-address"
DEFAULTS: dict[str, Any] = {
    "ENABLED": True,
    "FAILURES": 5,
    "DELAY_CAP_SECONDS": 60,
    "WINDOW_MINUTES": 15,
    "ADDRESS_FAILURES": 30,
}
# Request attributes set by the backend for the middleware and the signal.
REFUSED = "motcua_login_refused"
CLAIMED = "motcua_login_claimed"


@dataclass(frozen=True)
class ThrottleConfig:
    """``settings.MOTCUA_LOCKOUT`` as the two rules of the throttle."""

    enabled: bool
    account: ratelimit.Backoff
    address: ratelimit.Rate


def throttle_config() -> ThrottleConfig:
    configured = {**DEFAULTS, **getattr(settings, "MOTCUA_LOCKOUT", {})}
    window = timedelta(minutes=int(configured["WINDOW_MINUTES"]))
    return ThrottleConfig(
        enabled=bool(configured["ENABLED"]),
        account=ratelimit.Backoff(
            ACCOUNT,
            free=int(configured["FAILURES"]),
            cap_seconds=int(configured["DELAY_CAP_SECONDS"]),
            window=window,
        ),
        address=ratelimit.Rate(ADDRESS, int(configured["ADDRESS_FAILURES"]), window),
    )


def client_ip(request: HttpRequest) -> str:
    # One rule for every limit: X-Forwarded-For only from MOTCUA_TRUSTED_PROXIES.
    return clientip.client_ip(request)


def account_key(username: str) -> str:
    """One counter for "Lan", "lan " and "LAN": a guesser cannot dodge it by the case."""
    return username.strip().casefold()


@dataclass(frozen=True)
class Claim:
    """An attempt counted before its password is checked; :func:`login_succeeded` undoes it."""

    username: str
    address: ratelimit.Taken


def login_attempt_claim(*, username: str, client_ip: str, now: datetime | None = None) -> Claim:
    """Count a sign-in attempt of ``username`` from ``client_ip``, or raise
    :class:`~motcua.accounts.ratelimit.RateLimited` (nothing counted, the password not to be
    checked) while the address's or the account's wait has not passed."""
    config = throttle_config()
    taken = ratelimit.take(config.address, client_ip, now=now)
    try:
        ratelimit.backoff_claim(config.account, account_key(username), now=now)
    except ratelimit.RateLimited:
        ratelimit.give_back([taken], now=now)
        raise
    return Claim(username, taken)


def login_succeeded(claim: Claim) -> None:
    """The right password: the account's failures are forgotten and the address's use given
    back (colleagues behind one office address do not add up their successes)."""
    ratelimit.reset(ACCOUNT, account_key(claim.username))
    ratelimit.give_back([claim.address])


def refusal_message(refused: ratelimit.RateLimited) -> str:
    """The login page's words for a refused attempt: how long to wait."""
    if refused.scope == ACCOUNT:
        return _(
            "Too many failed sign-ins for this account. Please wait %(seconds)s seconds, "
            "then sign in again."
        ) % {"seconds": refused.retry_after}
    return _(
        "Too many failed sign-ins from this address. Please try again in %(minutes)s minutes."
    ) % {"minutes": refused.minutes}


class ThrottleBackend:
    """First of ``AUTHENTICATION_BACKENDS``: counts the attempt, or stops authentication
    (``PermissionDenied``) before any password is checked. It never signs anyone in, and has
    no ``get_user`` on purpose: ``Client.force_login`` and the session take the first
    backend that has one, and this one must never be it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None or username is None or not throttle_config().enabled:
            return
        try:
            claim = login_attempt_claim(username=username, client_ip=client_ip(request))
        except ratelimit.RateLimited as refused:
            setattr(request, REFUSED, refused)
            raise PermissionDenied from None
        setattr(request, CLAIMED, claim)
        return


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    claim = getattr(request, CLAIMED, None) if request is not None else None
    if isinstance(claim, Claim):
        login_succeeded(claim)


class ThrottleMiddleware:
    """A login page answering an attempt the throttle refused: 429, ``Retry-After``, and the
    wait in place of "wrong user name or password" (the password was not even checked)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        refused = getattr(request, REFUSED, None)
        if isinstance(refused, ratelimit.RateLimited) and response.status_code == 200:
            response.status_code = 429
            response["Retry-After"] = str(refused.retry_after)
        return response

    def process_template_response(self, request: HttpRequest, response: Any) -> Any:
        refused = getattr(request, REFUSED, None)
        form = (response.context_data or {}).get("form")
        if isinstance(refused, ratelimit.RateLimited) and form is not None:
            form._errors[NON_FIELD_ERRORS] = form.error_class(
                [refusal_message(refused)], error_class="nonfield"
            )
        return response

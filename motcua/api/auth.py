"""Who is calling: a machine client's bearer token or a staff member's session.

Every route declares the scope it needs with ``auth=scoped(Scope.X)``; ninja tries the bearer
token, then the session, and hands the route ``request.auth``, a :class:`Caller`::

    from motcua.api.auth import Caller, scoped
    from motcua.api.choices import Scope

    @router.get("/things", auth=scoped(Scope.DOSSIERS_READ))
    def things(request):
        caller: Caller = request.auth
        rows = dossier_list_for_user(caller.user)   # the same unit rules as the pages

- ``caller.user``: the person, or the client's service account (models.py): pass it wherever
  the pages pass ``request.user`` (``accounts.access``, ``dossiers.access``, services'
  ``actor``).
- ``caller.client``: the :class:`~motcua.api.models.ApiClient`, None for a staff session.
- ``caller.scopes``: what this call may do; ``caller.require(Scope.X)`` for a second scope.

Refusals: no or unknown credentials 401 (``WWW-Authenticate: Bearer``), a scope the token lacks
403 ``scope``, a session's unsafe method without its CSRF token 403 ``csrf``, over the client's
rate 429 with ``Retry-After``. A staff session holds ``choices.STAFF_SCOPES`` and is not rate
limited per client (the pages' own limits apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from motcua.accounts.models import User
from motcua.accounts.ratelimit import Rate, RateLimited, take
from motcua.api import tokens
from motcua.api.choices import STAFF_SCOPES, Scope
from motcua.api.models import ApiClient
from motcua.api.problems import Problem, unauthenticated
from motcua.api.services import client_touch

RATE_SCOPE = "api"


@dataclass(frozen=True)
class Caller:
    """The caller of one API call (``request.auth``)."""

    user: User
    client: ApiClient | None
    scopes: frozenset[str]
    token_id: str | None = None

    @property
    def label(self) -> str:
        return self.client.client_id if self.client is not None else self.user.username

    def require(self, scope: Scope) -> None:
        """403 ``scope`` unless this call holds ``scope``."""
        if scope.value not in self.scopes:
            raise Problem(
                403,
                "scope",
                detail=_("this operation needs the scope %(scope)s") % {"scope": scope.value},
                errors=[],
                extra={"required_scope": scope.value},
            )


def _token_url() -> str:
    return "/api/v1/oauth/token"


class BearerToken(HttpBearer):
    """A machine client's token (``Authorization: Bearer mct1.…``), from the OAuth2 client
    credentials grant at ``POST /api/v1/oauth/token``."""

    openapi_type = "oauth2"
    openapi_scheme = "bearer"

    def __init__(self, *scopes: Scope) -> None:
        self.scopes = tuple(scopes)
        # The OpenAPI security scheme: the client credentials flow and every scope.
        self.openapi_flows = {
            "clientCredentials": {
                "tokenUrl": _token_url(),
                "scopes": {s.value: str(s.label) for s in Scope},
            }
        }
        super().__init__()
        # ninja copies every openapi_* attribute; "scheme" is not a member of an OAuth2 one.
        self.openapi_security_schema.pop("scheme", None)

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        now = timezone.now()
        try:
            claims = tokens.verify(token.strip(), now=now)
        except tokens.TokenRejected as rejected:
            raise self._rejected(str(rejected)) from None
        client = ApiClient.objects.filter(client_id=claims.client_id).select_related("user").first()
        if client is None or not client.active or not client.user.is_active:
            raise self._rejected("client revoked")
        if client.demo and settings.PRODUCTION:
            raise self._rejected("a demo client in production")
        if claims.issued_at < client.not_before:
            raise self._rejected("issued before the client's revocation or rotation")
        if claims.grant != client.grant:
            raise self._rejected("the client's units or roles changed")
        # A scope taken from the client since the token was issued is gone at once.
        scopes = claims.scopes & frozenset(client.scopes)
        caller = Caller(user=client.user, client=client, scopes=scopes, token_id=claims.token_id)
        # Set before the checks below, so a refused call is still logged with its client.
        request._motcua_caller = caller  # type: ignore[attr-defined]
        for scope in self.scopes:
            caller.require(scope)
        try:
            take(Rate(RATE_SCOPE, client.rate_per_minute, _MINUTE), client.client_id, now=now)
        except RateLimited as limited:
            raise Problem(
                429,
                "rate-limited",
                detail=_("this client may make %(rate)d calls a minute; retry in %(wait)d s")
                % {"rate": client.rate_per_minute, "wait": limited.retry_after},
                headers={"Retry-After": str(limited.retry_after)},
                extra={"retry_after": limited.retry_after},
            ) from None
        client_touch(client, now)
        return caller

    @staticmethod
    def _rejected(reason: str) -> Problem:
        problem = unauthenticated(
            _("The access token is not valid (expired, revoked or not ours): get a new one."),
            kind="invalid-token",
        )
        problem.extra = {"reason": reason}
        return problem


class StaffSession(SessionAuth):
    """A signed-in staff member's session (the pages' own calls): her roles and units,
    ``STAFF_SCOPES``; unsafe methods need the CSRF token (``X-CSRFToken``)."""

    def __init__(self, *scopes: Scope) -> None:
        self.scopes = tuple(scopes)
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        # No session cookie: not this scheme (the bearer's 401 applies), before any CSRF check.
        if self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        # A service account has no usable password, hence never a session; be explicit.
        if not user.has_usable_password() and user.username.startswith("api-"):
            return None
        caller = Caller(user=user, client=None, scopes=frozenset(s.value for s in STAFF_SCOPES))
        request._motcua_caller = caller  # type: ignore[attr-defined]
        for scope in self.scopes:
            caller.require(scope)
        return caller


_MINUTE = timedelta(minutes=1)


def scoped(*scopes: Scope) -> list[Any]:
    """The ``auth=`` of a route needing ``scopes``: a bearer token or a staff session."""
    return [BearerToken(*scopes), StaffSession(*scopes)]

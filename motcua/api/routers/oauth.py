"""``POST /api/v1/oauth/token``: the OAuth2 client credentials grant (RFC 6749 §4.4).

Form-encoded ``grant_type=client_credentials``; the client's id and secret in HTTP Basic
(preferred, §2.3.1) or as ``client_id`` / ``client_secret`` in the body; ``scope`` (space
separated) may ask for a subset of the client's scopes. Answers ``access_token`` (a signed
token, tokens.py), ``token_type`` ``Bearer``, ``expires_in`` and ``scope``; refusals are problem
documents carrying OAuth2's ``error`` code as well. Failed attempts are rate limited per
address (``MOTCUA_API["TOKEN_FAILURES_PER_MINUTE"]``).
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Form, Router, Schema, Status

from motcua.accounts.ratelimit import Rate, RateLimited, give_back, take
from motcua.api.auth import Caller
from motcua.api.conf import api_int
from motcua.api.errors import CredentialsRefused, ScopeRefused
from motcua.api.problems import FieldError, Problem
from motcua.api.schemas import ProblemOut
from motcua.api.services import client_authenticate, token_issue

router = Router(tags=["oauth"])


class TokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


def _oauth_problem(status: int, error: str, field: str, message: str) -> Problem:
    kind = "invalid-client" if error == "invalid_client" else "validation"
    headers = {"WWW-Authenticate": 'Basic realm="motcua"'} if status == 401 else {}
    return Problem(
        status,
        kind,
        detail=message,
        errors=[FieldError(field, message)],
        headers=headers,
        extra={"error": error},
    )


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        text = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        client_id, secret = text.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _oauth_problem(
            401, "invalid_client", "Authorization", _("the Basic credentials cannot be read")
        ) from None
    # RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return unquote(client_id), unquote(secret)


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 400: ProblemOut, 401: ProblemOut, 415: ProblemOut, 429: ProblemOut},
    summary="Get an access token (OAuth2 client credentials)",
)
def token(
    request: HttpRequest,
    response: HttpResponse,
    grant_type: Form[str] = "",
    client_id: Form[str] = "",
    client_secret: Form[str] = "",
    scope: Form[str] = "",
) -> Status[TokenOut]:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Problem(
            415,
            "unsupported-media-type",
            detail=_("send the form as application/x-www-form-urlencoded"),
            errors=[FieldError("Content-Type", _("must be application/x-www-form-urlencoded"))],
            extra={"error": "invalid_request"},
        )
    if grant_type != "client_credentials":
        raise _oauth_problem(
            400,
            "unsupported_grant_type",
            "grant_type",
            _("grant_type must be client_credentials"),
        )
    basic = _basic(request)
    if basic is not None:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        raise _oauth_problem(
            401, "invalid_client", "client_id", _("give the client id and secret (HTTP Basic)")
        )
    failures = Rate(
        "api-token",
        api_int("TOKEN_FAILURES_PER_MINUTE"),
        timedelta(minutes=1),
    )
    address = request.META.get("REMOTE_ADDR", "")
    now = timezone.now()
    try:
        taken = take(failures, address, now=now)
    except RateLimited as limited:
        raise Problem(
            429,
            "rate-limited",
            detail=_("too many failed attempts; retry in %(wait)d s")
            % {"wait": limited.retry_after},
            headers={"Retry-After": str(limited.retry_after)},
            extra={"retry_after": limited.retry_after, "error": "slow_down"},
        ) from None
    try:
        client = client_authenticate(client_id=client_id, secret=client_secret)
    except CredentialsRefused as refused:
        raise _oauth_problem(401, "invalid_client", "client_id", refused.message) from None
    # Right credentials: the attempt does not count against the address.
    give_back([taken], now=now)
    request._motcua_caller = Caller(  # type: ignore[attr-defined]
        user=client.user, client=client, scopes=frozenset(client.scopes)
    )
    wanted = scope.split() if scope.strip() else None
    try:
        text, claims = token_issue(client=client, scopes=wanted, now=now)
    except ScopeRefused as refused:
        raise _oauth_problem(400, "invalid_scope", "scope", refused.message) from None
    # RFC 6749 §5.1: a token response is never cached.
    response["Cache-Control"] = "no-store"
    seconds = int((claims.expires_at - claims.issued_at).total_seconds())
    return Status(
        200,
        TokenOut(access_token=text, expires_in=seconds, scope=" ".join(sorted(claims.scopes))),
    )

"""RFC 9457 problem documents: every refusal of the API, in the caller's language.

A refusal answers ``application/problem+json``::

    {"type": "urn:motcua:problem:validation", "title": "…", "status": 400,
     "detail": "…", "instance": "/api/v1/…",
     "errors": [{"field": "/applicant/phone", "message": "…"}]}

``type`` is one of :data:`KINDS` (a URN, listed in docs/api.md); ``errors`` names each field at
fault: a JSON pointer into the body (``/applicant/phone``), or a query, path or header
parameter by its name (``limit``). Extension members (``retry_after``, ``error`` for OAuth2)
are added where a standard says so.

**Language** (docs/api.md "Language"): the site's rule is "Vietnamese unless the person
switched"; a machine cannot switch, so the API follows ``Accept-Language``: English when the
caller prefers ``en``, else Vietnamese. :func:`api_language` decides; the API's view wrapper
(``motcua.api.api``) activates it for the whole call.

Raising from a route (the interface other helpers build on)::

    raise Problem(409, "conflict", detail=_("…"), errors=[FieldError("version", _("…"))])
    raise Problem.not_found(_("no dossier %(code)s") % …, field="code")

A ``DomainError`` raised by a service needs no wrapping: it answers 422 ``refused`` naming its
field (``not_found_errors`` ones answer 404); a ``lib.http.BadParameter`` answers 400.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:motcua:problem:"

# Each kind of refusal: its title (a short, fixed summary) in the caller's language.
KINDS: dict[str, Promise] = {
    "validation": gettext_lazy("The request has invalid fields"),
    "malformed": gettext_lazy("The request body is not valid JSON"),
    "unsupported-media-type": gettext_lazy("Unsupported content type"),
    "refused": gettext_lazy("The request was refused"),
    "not-found": gettext_lazy("Not found"),
    "method-not-allowed": gettext_lazy("Method not allowed"),
    "unauthenticated": gettext_lazy("Authentication required"),
    "invalid-token": gettext_lazy("The access token is not valid"),
    "invalid-client": gettext_lazy("The client credentials are not valid"),
    "scope": gettext_lazy("The token lacks a scope this operation needs"),
    "forbidden": gettext_lazy("Forbidden"),
    "csrf": gettext_lazy("The CSRF check failed"),
    "conflict": gettext_lazy("Conflict"),
    "too-large": gettext_lazy("The request body is too large"),
    "rate-limited": gettext_lazy("Too many requests"),
    "server-error": gettext_lazy("Internal error"),
}


def api_language(request: HttpRequest) -> str:
    """The language of the API's answers: the first of the caller's ``Accept-Language``
    choices that the site speaks, else Vietnamese (``LANGUAGE_CODE``)."""
    supported = {code for code, _name in settings.LANGUAGES}
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    # Bounded: a header of megabytes is not parsed (Django's own parser stops at 500 chars).
    for tag, quality in parse_accept_lang_header(header[:500]):
        primary = tag.split("-")[0].lower()
        if quality > 0 and primary in supported:
            return primary
    return str(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class FieldError:
    """One field at fault: a JSON pointer into the body, or a parameter's name."""

    field: str
    message: str


@dataclass
class Problem(Exception):
    """A refusal as a problem document; raise it from any route or dependency."""

    status: int
    kind: str
    detail: str = ""
    errors: Sequence[FieldError] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown problem kind {self.kind!r}")
        super().__init__(self.kind, self.detail)

    @classmethod
    def not_found(cls, detail: str, field: str | None = None) -> Problem:
        """404: no such thing, or not one the caller may see (the two look the same)."""
        errors = [FieldError(field, detail)] if field else []
        return cls(404, "not-found", detail=detail, errors=errors)

    @classmethod
    def invalid(cls, field: str, message: str) -> Problem:
        """400: one field (a parameter or a JSON pointer into the body) is wrong."""
        return cls(400, "validation", detail=message, errors=[FieldError(field, message)])

    @classmethod
    def conflict(cls, detail: str, field: str | None = None) -> Problem:
        """409: the request conflicts with the resource's current state (a stale version, an
        idempotency key reused with another body)."""
        errors = [FieldError(field, detail)] if field else []
        return cls(409, "conflict", detail=detail, errors=errors)


def problem_body(request: HttpRequest | None, problem: Problem) -> dict[str, Any]:
    """The document's members, translated in the active language."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + problem.kind,
        "title": str(KINDS[problem.kind]),
        "status": problem.status,
        "detail": str(problem.detail or KINDS[problem.kind]),
    }
    if request is not None:
        body["instance"] = request.path
    body["errors"] = [{"field": e.field, "message": str(e.message)} for e in problem.errors]
    body.update(problem.extra)
    return body


def problem_response(request: HttpRequest | None, problem: Problem) -> HttpResponse:
    """The ``application/problem+json`` response of ``problem``, never cached."""
    text = json.dumps(problem_body(request, problem), ensure_ascii=False)
    response = HttpResponse(text, status=problem.status, content_type=CONTENT_TYPE)
    for name, value in problem.headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def pointer(parts: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901): ``("applicant", "phone")`` → ``/applicant/phone``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def unauthenticated(detail: str = "", *, kind: str = "unauthenticated") -> Problem:
    """401 with the ``WWW-Authenticate`` challenge a bearer client expects (RFC 6750 §3)."""
    challenge = 'Bearer realm="motcua"'
    if kind == "invalid-token":
        challenge += ', error="invalid_token"'
    return Problem(
        401,
        kind,
        detail=detail or _("Send a bearer token (POST /api/v1/oauth/token) or sign in."),
        headers={"WWW-Authenticate": challenge},
    )

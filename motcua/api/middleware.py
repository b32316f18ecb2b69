"""The API's body limit: a body over ``MOTCUA_API["MAX_BODY_BYTES"]`` answers 413 as a problem
document, before any byte of it is read. Online submissions and actions carry files as base64
and have limits of their own (``SUBMISSION_MAX_BODY_BYTES``, ``ACTION_MAX_BODY_BYTES``).

Listed in ``settings.MIDDLEWARE`` just before ``lib.limits.RequestSizeMiddleware``, which
answers the pages' 413 with the site's HTML page; this one answers the API's addresses
(``/api/``) and leaves the rest to it. A chunked body (no ``Content-Length``) is read only up
to the limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from motcua.api.conf import api_int
from motcua.api.problems import FieldError, Problem, api_language, problem_response
from motcua.lib.limits import Body, body_within

PREFIX = "/api/"
SUBMISSIONS = re.compile(r"^/api/v1/submissions(/multipart)?/?$")
ACTIONS = re.compile(r"^/api/v1/dossiers/[^/]+/actions/?$")


def body_limit(path: str) -> int:
    """The largest body the API address ``path`` takes, in bytes."""
    if SUBMISSIONS.match(path):
        return api_int("SUBMISSION_MAX_BODY_BYTES")
    if ACTIONS.match(path):
        return api_int("ACTION_MAX_BODY_BYTES")
    return api_int("MAX_BODY_BYTES")


def _too_large(request: HttpRequest, most: int) -> HttpResponse:
    with translation.override(api_language(request)):
        message = _("the body is larger than %(most)s bytes") % {
            "most": number_format(most, force_grouping=True)
        }
        response = problem_response(
            request,
            Problem(
                413,
                "too-large",
                detail=message,
                errors=[FieldError("Content-Length", message)],
                extra={"max_bytes": most},
            ),
        )
    # No ``Connection: close``: a hop-by-hop header is the server's to set, and WSGI refuses
    # it from the application (wsgiref answers 500 instead).
    response["Content-Length"] = str(len(response.content))
    return response


class ApiBodyLimitMiddleware:
    """413 problem for an API body over the limit (decided from ``Content-Length``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        most = body_limit(request.path_info)
        found = body_within(request, most)
        if found is Body.BAD_LENGTH:
            declared = request.META.get("CONTENT_LENGTH") or ""
            return problem_response(
                request, Problem.invalid("Content-Length", "Content-Length: " + declared[:40])
            )
        if found is Body.TOO_LARGE:
            return _too_large(request, most)
        return self.get_response(request)

"""Project-wide middleware: the interface language, and friendly error pages even with DEBUG on.

Both are listed in ``settings.MIDDLEWARE`` after Django's authentication middleware (the
language may come from the signed-in user's profile; the error page shows the user's menu)
and before the messages middleware (docs/architecture.md, "Middleware").
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response

from motcua.lib import errors


def chosen_language(request: HttpRequest) -> str:
    """The interface language: the signed-in user's saved choice, else the choice this browser
    made (the language cookie that ``/i18n/setlang/`` sets), else Vietnamese.

    The browser's Accept-Language is deliberately ignored: motcua serves Vietnamese
    administrations, and a clerk whose browser happens to be in English must still get the
    Vietnamese interface and the Vietnamese legal terms unless she switches.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
    if saved in supported:
        return str(saved)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in supported:
        return cookie
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Activates :func:`chosen_language` for the request (replaces Django's LocaleMiddleware,
    which would follow Accept-Language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The same address answers in another language after a switch: caches must look at
        # the cookie (the session cookie already varies it for signed-in users).
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class FriendlyErrorsMiddleware:
    """403, 404 and 500 answered with the site's own pages, in the layout, whatever DEBUG is.

    The demo runs with DEBUG on, and Django's technical pages would show a citizen a list of
    every address of the site or a traceback. Without DEBUG Django already calls the handlers
    of ``motcua/urls.py`` (the same views), so this middleware only changes the DEBUG case:

    - an exception raised by a view (``Http404``, ``PermissionDenied``, ``BadRequest``, anything
      else) is
      answered by :mod:`motcua.lib.errors`; an unexpected one is still logged with its
      traceback (``django.request``) and signalled (``got_request_exception``) as Django does;
    - an address that matches no URL pattern (Django's resolver answers before any view
      middleware runs) is recognised by the absence of ``request.resolver_match``.

    A view that deliberately returns its own 404 page (e.g. "no such report") keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            return errors.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG:
            return None  # Django calls the same handlers itself (handler403/404/500).
        if isinstance(exception, Http404):
            return errors.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return errors.permission_denied(request, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return errors.bad_request(request, exception)
        # Anything else is a bug: keep the traceback for the developer, not for the visitor
        # (logged once, as Django logs it without DEBUG).
        got_request_exception.send(sender=None, request=request)
        response = errors.server_error(request)
        log_response(
            "Internal Server Error: %s",
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response

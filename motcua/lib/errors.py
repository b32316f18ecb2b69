"""The site's own error pages (400, 403, 404, 413, 500, CSRF failure), in the layout and the
interface language.

``motcua/urls.py`` names these views as Django's ``handler400/403/404/500`` (used when DEBUG is
off) and :class:`motcua.lib.middleware.FriendlyErrorsMiddleware` calls them when DEBUG is on, so
a visitor never sees Django's technical pages (the list of every address, a traceback).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_number

logger = logging.getLogger(__name__)

TEMPLATE = "errors/error.html"


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context = {"status": status, "title": title, "message": message}
    try:
        html: str = render_to_string(TEMPLATE, context, request=request)
    except Exception:
        # The layout reads the signed-in user (the database): if that is what failed, answer
        # with a page that needs nothing.
        logger.exception("the error page could not be rendered in the layout")
        html = (
            f'<!doctype html><html lang="vi"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="/">{escape(_("Back to the home page"))}</a></p></html>'
        )
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _("Something in the address or the form is not valid. Go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You may not open this page"),
        _(
            "Your account has no right to this page or this record. If you think it should, "
            "ask the administrator of your unit."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _("The address may be mistyped, or the page was moved or removed."),
    )


def request_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413: the body is larger than the page takes (motcua.lib.limits, before it was read)."""
    megabytes = limit / (1024 * 1024)
    return _page(
        request,
        413,
        _("The files sent are too large"),
        _(
            "This page accepts at most %(limit)s MB at once. Send smaller files (a scan at "
            "150–200 dpi is enough), or fewer files at a time."
        )
        % {"limit": format_number(megabytes, 0 if megabytes == int(megabytes) else 1)},
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        500,
        _("Something went wrong on our side"),
        _(
            "The error has been recorded. Try again in a moment; if it happens again, tell "
            "the administrator the time and what you were doing."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (a page open too long, cookies off)."""
    return _page(
        request,
        403,
        _("The form has expired"),
        _(
            "For your safety the form could not be accepted. Reload the page, fill it in "
            "again and send it; cookies must be allowed for this site."
        ),
    )

"""One mapping from refusals to responses, for the staff pages and their JSON.

- :class:`BadParameter` (a query parameter missing or malformed) answers 400 naming the
  parameter;
- :class:`NotVisible` (no such thing, or one outside the user's units: the two look the same,
  as netbox's ``restrict``) answers 404;
- a domain refusal (``core.errors.DomainError``) on a form goes next to its field
  (:func:`add_form_error`), in JSON as ``{"code", "message", "fields"}`` (:func:`json_error`).

:func:`page_view` and :func:`api_view` are the one guard: sign-in required, then the mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.core.clock import LOCAL_TZ
from motcua.core.errors import DomainError
from motcua.lib.formatting import format_date
from motcua.lib.parsing import (
    CALENDAR_FIRST,
    CALENDAR_LAST,
    DateOutOfRange,
    parse_date,
    parse_moment,
)

View = Callable[..., HttpResponseBase]
T = TypeVar("T")
# A message, or one translated when shown (gettext_lazy).
StrOrPromise = str | Promise


class BadParameter(DomainError):
    """A query parameter is missing or malformed; ``field`` is the parameter."""


class NotVisible(DomainError):
    """No such unit or record, or not one the user may see: the two answer alike (404)."""


def out_of_calendar(name: str, text: str) -> BadParameter:
    """``text`` (parameter ``name``) falls outside the working-day calendar's years: deadlines
    and figures are counted in working days, so only those years make sense."""
    return BadParameter(
        _(
            "%(name)s: %(value)s is outside the years the working-day calendar covers "
            "(%(first)s–%(last)s)"
        )
        % {
            "name": name,
            "value": text,
            "first": format_date(CALENDAR_FIRST),
            "last": format_date(CALENDAR_LAST),
        },
        field=name,
    )


def date_parameter(name: str, text: str) -> date:
    """Query parameter ``name`` as a day (dd/mm/yyyy) of the calendar's years, or
    :class:`BadParameter` naming it."""
    try:
        return parse_date(text, earliest=CALENDAR_FIRST, latest=CALENDAR_LAST)
    except DateOutOfRange:
        raise out_of_calendar(name, text) from None
    except ValueError:
        raise BadParameter(
            _("%(name)s: %(value)s is not a date (dd/mm/yyyy)") % {"name": name, "value": text},
            field=name,
        ) from None


def at_parameter(text: str) -> datetime:
    """The ``at`` parameter, a Vietnam moment (dd/mm/yyyy HH:MM) of the calendar's years, or
    :class:`BadParameter` naming it."""
    try:
        return parse_moment(text, LOCAL_TZ, earliest=CALENDAR_FIRST, latest=CALENDAR_LAST)
    except DateOutOfRange:
        raise out_of_calendar("at", text) from None
    except ValueError:
        raise BadParameter(
            _("at: %(value)s is not a date and time (dd/mm/yyyy HH:MM)") % {"value": text},
            field="at",
        ) from None


class DayParameter(forms.CharField):
    """A query parameter holding a day (dd/mm/yyyy) of the calendar's years; empty is None.
    ``parameter`` is its name in the address, which its messages start with."""

    def __init__(self, parameter: str, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.parameter = parameter

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return date_parameter(self.parameter, text)
        except BadParameter as error:
            raise forms.ValidationError(error.message) from None


class MomentParameter(DayParameter):
    """The ``at`` query parameter: a Vietnam moment (dd/mm/yyyy HH:MM); empty is None."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = forms.CharField.to_python(self, value)
        if not text:
            return None
        try:
            return at_parameter(text)
        except BadParameter as error:
            raise forms.ValidationError(error.message) from None


def parameters(form: forms.BaseForm) -> dict[str, Any]:
    """A form of query parameters (bound to ``request.GET``) read: its cleaned data, or
    :class:`BadParameter` naming the first parameter at fault with its first message. Fields
    are checked in their order, so the first one wrong is the one named."""
    if form.is_valid():
        return form.cleaned_data
    name, errors = next(iter(form.errors.items()))
    raise BadParameter(str(errors[0]), field=None if name == NON_FIELD_ERRORS else name)


@dataclass(frozen=True)
class ProblemPage:
    """How an app's pages show a refusal: where the page links back to, and what a 404 says
    (``not_found_message``, when set, replaces every 404's own message)."""

    back: str  # a URL name
    back_label: StrOrPromise
    not_found_title: StrOrPromise
    not_found_message: StrOrPromise | None = None


def problem(
    request: HttpRequest, page: ProblemPage, title: StrOrPromise, message: StrOrPromise, status: int
) -> HttpResponse:
    """The app's problem page (``templates/problem.html``) with ``status``."""
    context = {
        "title": title,
        "message": message,
        "back_url": reverse(page.back),
        "back_label": page.back_label,
    }
    return render(request, "problem.html", context, status=status)


Answer = Callable[[HttpRequest, Exception], HttpResponseBase]


def signed_in(catch: tuple[type[Exception], ...], answer: Answer) -> Callable[[View], View]:
    """The guard every staff page shares: not signed in, the sign-in page; an exception of
    ``catch`` raised by the view, ``answer(request, error)``; never cached."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                return view(request, *args, **kwargs)
            except catch as error:
                return answer(request, error)

        return never_cache(wrapper)

    return decorate


def page_view(
    page: ProblemPage, *, not_found: tuple[type[Exception], ...] = ()
) -> Callable[[View], View]:
    """Sign-in required; a bad parameter answers 400, something not visible 404 (also the
    app's own ``not_found`` errors), as the app's problem page; never cached."""

    def answer(request: HttpRequest, error: Exception) -> HttpResponseBase:
        if isinstance(error, BadParameter):
            title = _("The request cannot be answered")
            return problem(request, page, title, error.message, 400)
        message = page.not_found_message or getattr(error, "message", None) or str(error)
        return problem(request, page, page.not_found_title, message, 404)

    return signed_in((BadParameter, NotVisible, *not_found), answer)


def json_error(code: str, message: str, fields: list[str], status: int) -> JsonResponse:
    """A refusal as JSON: ``{"code", "message", "fields"}`` (house style R12)."""
    body = {"code": code, "message": message, "fields": fields}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def api_view(view: View) -> View:
    """:func:`page_view`'s guard as JSON: 401 without sign-in, 400 ``bad_parameter`` naming
    the parameter, 404 ``not_found``; never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return json_error("not_authenticated", _("Sign in first."), [], 401)
        try:
            return view(request, *args, **kwargs)
        except BadParameter as error:
            return json_error("bad_parameter", error.message, [error.field or ""], 400)
        except NotVisible as error:
            return json_error("not_found", error.message, [error.field or ""], 404)

    return never_cache(wrapper)


def add_form_error(
    form: forms.BaseForm,
    error: DomainError,
    *,
    aliases: dict[str, str] | None = None,
    fallback: str | None = None,
) -> None:
    """Show a domain refusal next to its field (``aliases`` maps a service's field name to the
    form's), else next to ``fallback``, else above the form."""
    field = error.field or ""
    field = (aliases or {}).get(field, field)
    if field not in form.fields:
        field = fallback if fallback in form.fields else ""
    form.add_error(field or None, error.message)


def attempt(
    form: forms.BaseForm,
    write: Callable[[], T],
    *,
    refusals: type[DomainError] = DomainError,
    aliases: dict[str, str] | None = None,
    fallback: str | None = None,
) -> T | None:
    """What ``write()`` returns, or None with its refusal (one of ``refusals``) shown on
    ``form`` by :func:`add_form_error`: a page's write in one line, refusals where they belong."""
    try:
        return write()
    except refusals as error:
        add_form_error(form, error, aliases=aliases, fallback=fallback)
        return None

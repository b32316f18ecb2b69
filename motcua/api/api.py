"""The API's one NinjaAPI instance (/api/v1, docs at /api/v1/docs) and its error mapping.

Adding a router (one line each, at the end of this module):
``api.add_router("/things", "motcua.api.routers.things.router")``. A router module defines
``router = Router(tags=[...])``; its routes declare
``auth=scoped(Scope.X)`` (``motcua.api.auth``), take bodies subclassing
``schemas.StrictSchema``, page with ``motcua.api.paging`` and refuse with
``problems.Problem`` or a service's ``DomainError``.

Every call goes through :func:`_around_call`: the caller's language (``Accept-Language``,
problems.api_language) is active for the whole call, and the call is logged (``ApiCall``:
client or user, route, method, status, problem type, duration). Every refusal is a problem
document (problems.py): ninja's validation errors (400 naming each field as a JSON pointer),
malformed JSON 400, a body that is not JSON 415, a ``DomainError`` 422 naming its field
(404 for the "not found" ones), 401 with ``WWW-Authenticate``, 403, 404 (also for unknown
addresses under /api/v1/), 405, 429 with ``Retry-After``, 500 without a trace. 413 is
answered before the body is read (middleware.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, cast

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from motcua.api.auth import BearerToken
from motcua.api.problems import (
    CONTENT_TYPE,
    TYPE_PREFIX,
    FieldError,
    Problem,
    api_language,
    pointer,
    problem_response,
    unauthenticated,
)
from motcua.api.services import call_record
from motcua.core.errors import DomainError
from motcua.lib.http import BadParameter, NotVisible

logger = logging.getLogger("motcua.api")


class UnsupportedMediaType(Exception):
    """A request body that is not JSON."""


class JsonOnlyParser(Parser):
    """Bodies are JSON (``application/json`` or ``…+json``); anything else answers 415."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(content_type)
        return json.loads(request.body)


class Utf8Renderer(JSONRenderer):
    """JSON in UTF-8 as it is (Vietnamese readable in the body, not \\u escapes)."""

    json_dumps_params = {"ensure_ascii": False}


# Service errors meaning "no such thing, or not yours": answered 404, not 422. Other apps'
# routers add theirs (``not_found_errors.append(DossierNotFound)``) at import time.
not_found_errors: list[type[Exception]] = [NotVisible]


class MotcuaAPI(NinjaAPI):
    """NinjaAPI answering unknown addresses and methods under its root with problems too."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = [self._problem_methods(p) for p in super()._get_urls()]
        patterns.append(re_path(r"^.*$", _unknown_address, name="unknown"))
        return patterns

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """ninja's document, with each operation's OAuth2 scopes in its security requirement
        (ninja leaves the list empty)."""
        schema = super().get_openapi_schema(**kwargs)
        needed: dict[str, list[str]] = {}
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    scopes = [
                        scope.value
                        for callback in operation.auth_callbacks
                        if isinstance(callback, BearerToken)
                        for scope in callback.scopes
                    ]
                    needed[self.get_openapi_operation_id(operation)] = scopes
        problem = {CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemOut"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for requirement in operation.get("security", []):
                    if "BearerToken" in requirement:
                        requirement["BearerToken"] = needed.get(operation.get("operationId"), [])
                # Every refusal is a problem document, sent as application/problem+json
                # (problems.py), whatever the route declared; and any operation may answer
                # these (bad parameters, sign-in, scope, missing, method, size, media type,
                # a service's refusal, the rate limit).
                responses = operation.setdefault("responses", {})
                declared = {str(status) for status in responses}
                for status in (400, 401, 403, 404, 405, 413, 415, 422, 429):
                    if str(status) not in declared:
                        responses[status] = {"description": HTTPStatus(status).phrase}
                if "414" not in declared:
                    # A path or query longer than the server takes: the server's own answer
                    # (gunicorn's or nginx's page), before the app.
                    responses[414] = {"description": HTTPStatus(414).phrase}
                for status, answer in responses.items():
                    if str(status).isdigit() and int(status) >= 400 and int(status) != 414:
                        answer["content"] = problem
        return schema

    @staticmethod
    def _problem_methods(pattern: Any) -> Any:
        if not isinstance(pattern, URLPattern) or pattern.name in ("openapi-json", "openapi-view"):
            return pattern
        view = pattern.callback

        @wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response: HttpResponseBase = view(request, *args, **kwargs)
            # ninja's own 405 (no operation for this method) is plain text.
            if response.status_code == 405 and response.get("Content-Type") != CONTENT_TYPE:
                with translation.override(api_language(request)):
                    problem = Problem(
                        405,
                        "method-not-allowed",
                        detail=_("%(method)s is not allowed here") % {"method": request.method},
                        headers={"Allow": response.get("Allow", "")},
                    )
                    return problem_response(request, problem)
            return response

        answer.csrf_exempt = True  # type: ignore[attr-defined]
        pattern.callback = answer
        return pattern


def _unknown_address(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    with translation.override(api_language(request)):
        return problem_response(
            request,
            Problem.not_found(_("No such address in the API: %(path)s") % {"path": request.path}),
        )


_unknown_address.csrf_exempt = True  # type: ignore[attr-defined]


class StaffSwagger(Swagger):
    """Swagger UI (ninja's vendored copy) that sends a signed-in staff member's CSRF token with
    the calls she tries from the page (her session is an authentication of the API)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": json.dumps(settings, indent=1),
            "api": api,
            "add_csrf": request.user.is_authenticated,
        }
        return render(request, self.template, context)


api = MotcuaAPI(
    title="motcua API",
    version="1",
    description=(
        "The versioned JSON API of motcua for integrators (docs/api.md). Authenticate with "
        "OAuth2 client credentials at /api/v1/oauth/token; errors are RFC 9457 problem "
        "documents in Vietnamese, or English with Accept-Language: en."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=JsonOnlyParser(),
    renderer=Utf8Renderer(),
    docs=StaffSwagger(),
)


def _around_call(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Every operation: the caller's language, then the call logged (refusals too)."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        started = time.perf_counter()
        language = api_language(request)
        with translation.override(language):
            response = run(request, *args, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        # Answers depend on the caller: no shared cache keeps them.
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-cache"
        _log_call(request, response, started)
        return response

    return wrapper


def _log_call(request: HttpRequest, response: HttpResponseBase, started: float) -> None:
    caller = getattr(request, "_motcua_caller", None)
    outcome = ""
    if response.status_code >= 400 and response.get("Content-Type") == CONTENT_TYPE:
        try:
            outcome = str(json.loads(cast(HttpResponse, response).content)["type"])
            outcome = outcome.removeprefix(TYPE_PREFIX)
        except (ValueError, KeyError, AttributeError):
            outcome = ""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    user_id = caller.user.pk if caller is not None else None
    if user_id is None and user is not None and user.is_authenticated:
        user_id = user.pk
    try:
        call_record(
            client_id=caller.client.pk if caller is not None and caller.client else None,
            user_id=user_id,
            route=match.url_name if match is not None and match.url_name else request.path[:100],
            method=request.method or "",
            status=response.status_code,
            outcome=outcome,
            duration_ms=int((time.perf_counter() - started) * 1000),
            at=timezone.now(),
        )
    except DatabaseError:
        # The answer stands (a write it reports has committed); the lost entry is logged.
        logger.exception("API call not logged: %s %s", request.method, request.path)


api.add_decorator(_around_call, mode="view")


# -- The error mapping ---------------------------------------------------------------------


def _validation_field(location: tuple[Any, ...]) -> str:
    """The field of a ninja validation error: a JSON pointer into the body (the body
    parameter's own name left out), else the parameter's name."""
    source, *rest = location
    if source == "body":
        return pointer(rest[1:]) or "/"
    return ".".join(str(p) for p in rest[1:] or rest) if rest else str(source)


# pydantic's error types, said in the caller's language (its own messages are English).
def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("this field is required")
    if kind == "extra_forbidden":
        return _("unknown field: this body has no such field")
    if kind in ("string_too_long", "too_long"):
        return _("too long: at most %(most)s") % {"most": ctx.get("max_length", "?")}
    if kind in ("string_too_short", "too_short"):
        return _("too short: at least %(least)s") % {"least": ctx.get("min_length", "?")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least %(least)s") % {"least": ctx.get("ge", ctx.get("gt", "?"))}
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most %(most)s") % {"most": ctx.get("le", ctx.get("lt", "?"))}
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("must be a whole number")
    if kind in ("string_type",):
        return _("must be a string")
    if kind in ("bool_type", "bool_parsing"):
        return _("must be true or false")
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return _("must be a date (YYYY-MM-DD)")
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return _("must be a moment with its offset (YYYY-MM-DDThh:mm:ss+07:00)")
    if kind in ("enum", "literal_error"):
        return _("must be one of: %(allowed)s") % {"allowed": ctx.get("expected", "?")}
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return _("wrong type: %(expected)s expected") % {
            "expected": {"list_type": "array"}.get(kind, "object")
        }
    return str(error.get("msg", _("invalid value")))


def _on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        FieldError(_validation_field(tuple(e.get("loc", ()))), _message(e)) for e in exc.errors
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem_response(request, Problem(400, "validation", detail=detail, errors=errors))


def _on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(request, exc)


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    field = exc.field or ""
    errors = [FieldError(field, exc.message)] if field else []
    if isinstance(exc, tuple(not_found_errors)):
        return problem_response(
            request, Problem(404, "not-found", detail=exc.message, errors=errors)
        )
    if isinstance(exc, BadParameter):
        return problem_response(
            request, Problem(400, "validation", detail=exc.message, errors=errors)
        )
    return problem_response(request, Problem(422, "refused", detail=exc.message, errors=errors))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        problem = Problem(
            415,
            "unsupported-media-type",
            detail=_("send the body as application/json (Content-Type: %(got)s)")
            % {"got": str(cause) or "-"},
            errors=[FieldError("Content-Type", _("must be application/json"))],
        )
    elif isinstance(cause, json.JSONDecodeError):
        problem = Problem(
            400,
            "malformed",
            detail=_("the body is not valid JSON (line %(line)d, column %(column)d)")
            % {"line": cause.lineno, "column": cause.colno},
            errors=[FieldError("/", cause.msg)],
        )
    elif isinstance(exc, AuthenticationError):
        problem = unauthenticated()
    elif exc.status_code == 403 and "CSRF" in exc.message:
        problem = Problem(403, "csrf", detail=_("send the CSRF token in the X-CSRFToken header"))
    elif exc.status_code == 400:
        problem = Problem(400, "malformed", detail=_("the body cannot be read"))
    elif exc.status_code == 404:
        problem = Problem.not_found(_("Not found"))
    else:
        status = exc.status_code if exc.status_code in (403, 409) else 400
        problem = Problem(status, "refused", detail=exc.message)
    return problem_response(request, problem)


def _on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, Problem.not_found(_("Not found")))


def _on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The trace goes to the log, never to the caller.
    logger.exception("API call failed: %s %s", request.method, request.path)
    return problem_response(
        request,
        Problem(500, "server-error", detail=_("An internal error occurred; it has been logged.")),
    )


api.add_exception_handler(Exception, _on_exception)  # type: ignore[arg-type]
api.add_exception_handler(ValidationError, _on_validation)  # type: ignore[arg-type]
api.add_exception_handler(Problem, _on_problem)  # type: ignore[arg-type]
api.add_exception_handler(DomainError, _on_domain_error)  # type: ignore[arg-type]
api.add_exception_handler(HttpError, _on_http_error)  # type: ignore[arg-type]
api.add_exception_handler(Http404, _on_404)  # type: ignore[arg-type]


def _on_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body Django cannot split (no boundary, a broken part): the caller's fault.
    problem = Problem(
        400,
        "malformed",
        detail=_("the multipart body cannot be read (%(why)s)") % {"why": str(exc)[:200]},
        errors=[FieldError("Content-Type", _("must be multipart/form-data with its boundary"))],
    )
    return problem_response(request, problem)


api.add_exception_handler(MultiPartParserError, _on_multipart)  # type: ignore[arg-type]

# -- Routers: one line each ----------------------------------------------------------------
api.add_router("/oauth", "motcua.api.routers.oauth.router")
api.add_router("/units", "motcua.api.routers.units.router")
api.add_router("/agencies", "motcua.api.routers.agencies.router")
api.add_router("/procedures", "motcua.api.routers.procedures.router")
api.add_router("/figures", "motcua.api.routers.figures.router")
# Before the dossiers router: /dossiers/changes is not a dossier code (/dossiers/{code}).
api.add_router("/dossiers", "motcua.api.routers.feed.router")
api.add_router("/dossiers", "motcua.api.routers.dossiers.router")
api.add_router("/dossiers", "motcua.api.routers.actions.router")
api.add_router("/submissions", "motcua.api.routers.submissions.router")
api.add_router("/webhooks", "motcua.api.routers.webhooks.router")

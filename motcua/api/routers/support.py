"""What the dossier, action and submission routers share: the caller's user and name, and
their refusals as problem documents (``motcua.api.problems``).

Thin on purpose: authentication and scopes are ``motcua.api.auth``'s, units are
``accounts.access``'s; this module only names what the three routers use.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict

from motcua.api.auth import Caller
from motcua.api.problems import CONTENT_TYPE, FieldError, Problem

PROBLEM_REF = "#/components/schemas/ProblemOut"
# The refusals every route of these routers may answer, and those of the writes.
READ_PROBLEMS = (400, 401, 403, 404, 429)
WRITE_PROBLEMS = (*READ_PROBLEMS, 409, 413, 415, 422)

KIND_OF_STATUS = {
    400: "validation",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "too-large",
    422: "refused",
    429: "rate-limited",
    500: "server-error",
}


def refusal(status: int, message: str, field: str | None = None, **extra: Any) -> Problem:
    """A problem document of ``status`` naming ``field`` (a JSON pointer into the body, or a
    parameter's or header's name)."""
    errors = [FieldError(field, message)] if field else []
    return Problem(status, KIND_OF_STATUS[status], detail=message, errors=errors, extra=dict(extra))


class StrictQuery(Schema):
    """Query parameters: an unknown one is refused, naming it."""

    model_config = ConfigDict(extra="forbid")


def caller(request: HttpRequest) -> Caller:
    found: Caller = request.auth  # type: ignore[attr-defined]
    return found


def caller_user(request: HttpRequest) -> Any:
    """The user the caller acts as (a client's service account, or the staff member):
    whatever the pages pass as ``request.user``."""
    return caller(request).user


def caller_key(request: HttpRequest) -> str:
    """A stable name of the caller ("client:7", "user:12"): idempotency keys and file links
    are the caller's own."""
    found = caller(request)
    if found.client is not None:
        return f"client:{found.client.pk}"
    return f"user:{found.user.pk}"


def only_known_parameters(request: HttpRequest, schema: type[Schema]) -> None:
    """400 naming the first query parameter ``schema`` does not declare: a misspelt filter
    (``stauts=``) must not silently list everything."""
    known = set(schema.model_fields)
    for name in request.GET:
        if name not in known:
            raise refusal(400, _("unknown parameter: this list has no such filter"), name)


def _clean_text(value: str) -> str:
    """Refuses what no column can store: a NUL, or a lone surrogate (JSON's ``\\ud800``)."""
    if "\x00" in value:
        raise ValueError(_("a NUL character is not allowed"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("this is not valid Unicode text")) from None
    return value


# Every text of the dossier, action and submission schemas: a value PostgreSQL would refuse
# is a 400 naming the field, not a database error.
Text = Annotated[str, AfterValidator(_clean_text)]


def documented(*statuses: int, **responses: Any) -> dict[str, Any]:
    """``openapi_extra`` of a route: each of ``statuses`` answered as
    ``application/problem+json`` (what the problems are sent as), and ``responses`` (a status
    as ``s200=…``) merged in."""
    merged: dict[Any, Any] = {
        status: {"content": {CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}}}
        for status in statuses
    }
    for name, extra in responses.items():
        merged.setdefault(int(name.removeprefix("s")), {}).update(extra)
    return {"responses": merged}

"""Actions on a dossier for integrators: ``POST /api/v1/dossiers/{code}/actions`` (issue 12).

The same write path as the dossier page and the command line: the page's form
(``backoffice.forms.ActionForm``, with the fields each action takes, ``ACTION_FIELDS``) reads
the values, and ``dossiers.actions.dossier_decide_with_result`` takes the action (lock,
version, lifecycle table, role and unit, event) in one transaction. ``version`` is the one the
caller read (the dossier's ``version``, raised by every change): another writer in between
answers 409 and nothing is changed, so of two writers exactly one wins.

``Idempotency-Key`` (``motcua.api.idempotency``): the same key and body replays the first
answer without acting twice; the same key with another body is refused (422).
"""

from __future__ import annotations

import base64
import binascii
import enum
import io
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from pydantic import ConfigDict

from motcua.api import idempotency
from motcua.api.auth import scoped
from motcua.api.choices import Scope
from motcua.api.routers.dossiers import (
    CODE,
    DossierSummary,
    dossier_for,
    dossier_links,
    dossier_summary,
)
from motcua.api.routers.support import (
    WRITE_PROBLEMS,
    Text,
    caller_key,
    caller_user,
    documented,
    refusal,
)
from motcua.api.schemas import PROBLEMS, ProblemOut
from motcua.backoffice.forms import ActionForm
from motcua.backoffice.views import ACTION_FIELDS, FIELD_ALIASES
from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.actions import dossier_decide_with_result
from motcua.dossiers.choices import ResultForm, ReturnMethod
from motcua.dossiers.errors import DossierError, NotPermitted, StaleVersion
from motcua.dossiers.services import upload_limit
from motcua.payments.choices import PaymentMethod
from motcua.signatures.errors import SignatureError
from motcua.signatures.services import result_signed

router = Router(tags=["actions"], auth=scoped(Scope.DOSSIERS_ACT))

# The actions an integrator may take: those of the dossier page (its form's fields), so the
# document lists no action the API cannot take (create, rate and import are not actions).
ActionName = enum.StrEnum(  # type: ignore[misc]
    "ActionName", {action.name: action.value for action in ACTION_FIELDS}
)


IDEMPOTENCY: Any = Header(  # type: ignore[type-arg]
    None, alias="Idempotency-Key", max_length=255
)


class ResultFile(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(..., min_length=1, max_length=255)
    content_base64: Text = Field(..., min_length=4, description="The file's bytes, base64")


class ActionIn(Schema):
    """An action and the fields it takes (those of the dossier page's form for it)."""

    model_config = ConfigDict(extra="forbid")

    action: ActionName
    version: int = Field(..., ge=1, le=2**31 - 1, description="The dossier's version read")
    reason: Text | None = Field(None, max_length=2000)
    to_agency: Text | None = Field(None, max_length=40, description="Agency code")
    assignee: Text | None = Field(None, max_length=150, description="Officer's user name")
    step: Text | None = Field(None, max_length=200)
    amount: int | None = Field(None, ge=0, le=10**12, description="In đồng")
    payment_method: PaymentMethod | None = None
    payment_reference: Text | None = Field(None, max_length=100)
    result_form: ResultForm | None = None
    result_file: ResultFile | None = None
    return_method: ReturnMethod | None = None
    new_due_at: datetime | None = None
    signed_by: Text | None = Field(None, max_length=200)


class ActionOut(Schema):
    dossier: DossierSummary
    action: str
    replayed: bool = False


def _form_data(body: ActionIn) -> dict[str, str]:
    """The body as the page's form posts it (text), for ``ActionForm``."""
    data: dict[str, str] = {}
    for name, value in body.model_dump(exclude={"action", "version", "result_file"}).items():
        if value is None:
            continue
        if name == "new_due_at":
            if value.tzinfo is None:
                raise refusal(
                    422, _("give the moment with its offset (+07:00)"), field="/new_due_at"
                )
            value = value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
        data[name] = str(getattr(value, "value", value))
    return data


def _check_fields(body: ActionIn) -> None:
    """A field the action does not take is refused, naming it (never silently dropped)."""
    taken = {*ACTION_FIELDS[workflow.Action(body.action)], "reason"}
    if "payment_method" in taken:
        taken.add("payment_reference")
    for name in ActionIn.model_fields:
        if name in ("action", "version") or getattr(body, name) is None:
            continue
        if name not in taken:
            raise refusal(
                422,
                _("%(field)s: the action %(action)s does not take this field")
                % {"field": name, "action": body.action.value},
                field="/" + name,
            )


def _result_upload(body: ActionIn) -> tuple[io.BytesIO | None, str | None]:
    if body.result_file is None:
        return None, None
    limit = upload_limit()
    if len(body.result_file.content_base64) > (limit * 4) // 3 + 8:
        raise refusal(413, _("the file is larger than allowed"), field="/result_file")
    try:
        data = base64.b64decode(body.result_file.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise refusal(422, _("this is not base64"), field="/result_file/content_base64") from None
    return io.BytesIO(data), body.result_file.name


def _pointer(field: str | None) -> str | None:
    """A service's field as a JSON pointer into the body (the page's names, ``FIELD_ALIASES``)."""
    if not field:
        return None
    return "/" + FIELD_ALIASES.get(field, field)


def take_action(request: HttpRequest, code: str, body: ActionIn) -> idempotency.Answer:
    """Take the action with the page's rules; the answer to record (or a refusal raised)."""
    user = caller_user(request)
    dossier = dossier_for(request, code)
    _check_fields(body)
    read = ActionForm(_form_data(body), fields=ACTION_FIELDS[workflow.Action(body.action)])
    if not read.is_valid():
        first = read.first_error()
        raise refusal(422, first.message, field=_pointer(first.field))
    details, reason = read.details()
    upload, name = _result_upload(body)
    try:
        result = result_signed(upload)
    except SignatureError as error:
        raise refusal(422, error.message, field="/result_file") from None
    try:
        changed = dossier_decide_with_result(
            dossier_id=dossier.pk,
            action=workflow.Action(body.action),
            actor=user,
            expected_version=body.version,
            reason=reason,
            details=details,
            result=result,
            result_name=name,
        )
    except StaleVersion as error:
        raise refusal(409, error.message, field="/version") from None
    except NotPermitted as error:
        raise refusal(403, error.message, field=_pointer(error.field)) from None
    except DossierError as error:
        raise refusal(422, error.message, field=_pointer(error.field)) from None
    return idempotency.Answer(
        200,
        {"dossier": dossier_summary(changed.pk), "action": body.action.value, "replayed": False},
    )


@router.post(
    "/{code}/actions",
    response={200: ActionOut, **PROBLEMS, **{s: ProblemOut for s in (409, 413, 415, 422)}},
    summary="Take an action on a dossier",
    operation_id="dossiers_act",
    openapi_extra=documented(
        *WRITE_PROBLEMS, s200={"links": dossier_links("$response.body#/dossier/code")}
    ),
)
def act(
    request: HttpRequest,
    body: ActionIn,
    code: str = CODE,
    idempotency_key: str | None = IDEMPOTENCY,
) -> HttpResponse:
    """Take ``action`` with the ``version`` read: 409 when the dossier changed since, 422
    naming the field when a value is refused, 404 when the caller does not see the dossier.
    With ``Idempotency-Key``, a repeat replays the first answer (``replayed: true``)."""
    answer = idempotency.once(
        caller=caller_key(request),
        key=idempotency_key,
        route=f"POST /dossiers/{code}/actions",
        body=body.model_dump(mode="json"),
        act=lambda: take_action(request, code, body),
    )
    payload: Any = answer.body
    if answer.replayed:
        payload = {**payload, "replayed": True}
    response = JsonResponse(payload, status=answer.status)
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response

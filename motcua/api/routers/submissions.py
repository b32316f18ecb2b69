"""Online submission for integrated front ends: ``POST /api/v1/submissions`` (issue 12,
scope ``dossiers:submit``).

The portal's rules, not a copy of them: the applicant's fields and the desk are read by the
portal's own form (``portal.forms.SubmissionForm``: one phone rule, one ID rule, the desks
that accept the procedure online today), the per-phone limit is the portal's
(``portal.services.submission_uses_take``; the per-address limit is the API's per-client
rate instead, as a front end sends every citizen's submission from one address), and the
submission itself is ``portal.services.online_submission_create`` (the files checked by
content and size, the desk checked again, everything in one transaction). It answers the
dossier code and the tracking secret, shown once.

Files come base64 in the JSON body (``POST /submissions``) or as multipart parts
(``POST /submissions/multipart``: the same JSON in the ``data`` part, each file a ``files``
part in the order of ``data.files``). ``Idempotency-Key`` makes a retry safe: the same key
and body answers the same dossier (without the secret, which is never stored in clear).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
from typing import IO, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Router, Schema, UploadedFile
from pydantic import ConfigDict, ValidationError

from motcua.api import idempotency
from motcua.api.auth import scoped
from motcua.api.choices import Scope
from motcua.api.problems import Problem
from motcua.api.routers.dossiers import dossier_links
from motcua.api.routers.support import WRITE_PROBLEMS, Text, caller_key, documented, refusal
from motcua.api.schemas import PROBLEMS, ProblemOut
from motcua.catalog.models import ComponentRequirement
from motcua.catalog.selectors import procedure_in_force
from motcua.dossiers.errors import DossierError
from motcua.dossiers.services import Applicant, upload_limit
from motcua.lib import validators
from motcua.portal import selectors as portal_selectors
from motcua.portal import services as portal_services
from motcua.portal.errors import PortalError, SubmissionLimited
from motcua.portal.forms import SubmissionForm

router = Router(tags=["submissions"], auth=scoped(Scope.DOSSIERS_SUBMIT))

MAX_FILES = 30
# The services' field names, as places in the body (a refused file is named by its name in
# the message: the service checks them one by one).
SERVICE_FIELDS = {"file": "files", "component": "files", "applicant_phone": "applicant/phone"}


class ApplicantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(..., max_length=300)
    id_number: Text = Field("", max_length=12, description="Personal ID number, 12 digits")
    phone: Text = Field(..., max_length=20)
    email: Text = Field("", max_length=254)
    address: Text = Field("", max_length=500)


class FileIn(Schema):
    model_config = ConfigDict(extra="forbid")

    component: int = Field(..., ge=1, description="Component requirement id (procedures API)")
    name: Text = Field(..., min_length=1, max_length=255)
    content_base64: Text | None = Field(
        None, description="The bytes, base64 (JSON submissions only; PDF, JPEG or PNG)"
    )


class SubmissionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    procedure: Text = Field(..., min_length=1, max_length=40, description="National code")
    desk: Text = Field(..., min_length=1, max_length=40, description="Receiving agency code")
    applicant: ApplicantIn
    files: list[FileIn] = Field(..., min_length=1, max_length=MAX_FILES)


class SubmissionOut(Schema):
    code: str
    secret: str | None = Field(
        description="Tracking secret, shown once (null when the answer is a replay)"
    )
    status: str
    submitted_at: str
    warnings: list[str]
    replayed: bool = False


def _refuse(field: str, message: str, status: int = 422) -> Problem:
    """A refusal naming ``field`` of the body (``applicant/phone``) as a JSON pointer."""
    return refusal(status, message, field="/" + field)


def _files(
    body: SubmissionIn, version: Any, parts: list[IO[bytes]] | None
) -> list[tuple[ComponentRequirement, IO[bytes], str]]:
    """(requirement, bytes, name) per file, each component once; sizes bounded before any
    decoding (a file over the limit is refused by its encoded length)."""
    requirements = {r.pk: r for r in version.components.all()}
    limit = upload_limit()
    seen: set[int] = set()
    read: list[tuple[ComponentRequirement, IO[bytes], str]] = []
    if parts is not None and len(parts) != len(body.files):
        raise _refuse("files", _("send one file part for each entry of data.files"))
    for index, item in enumerate(body.files):
        place = f"files/{index}"
        requirement = requirements.get(item.component)
        if requirement is None:
            raise _refuse(f"{place}/component", _("A file belongs to another procedure."))
        if item.component in seen:
            raise _refuse(f"{place}/component", _("one file per component"))
        seen.add(item.component)
        if parts is not None:
            if item.content_base64 is not None:
                raise _refuse(f"{place}/content_base64", _("send the file as its own part"))
            read.append((requirement, parts[index], item.name))
            continue
        text = item.content_base64
        if text is None:
            raise _refuse(f"{place}/content_base64", _("This field is required."))
        if len(text) > (limit * 4) // 3 + 8:
            raise _refuse(f"{place}/content_base64", _("the file is larger than allowed"), 413)
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise _refuse(f"{place}/content_base64", _("this is not base64")) from None
        read.append((requirement, io.BytesIO(data), item.name))
    return read


def _submission_key(caller: str, key: str | None) -> str:
    """The portal's one-time form key: from the caller's ``Idempotency-Key`` (a retry finds
    the first dossier), else random."""
    if key is None:
        import secrets

        return secrets.token_urlsafe(24)
    return hashlib.sha256(f"{caller}\x00{key}".encode()).hexdigest()[:43]


def submit(
    request: HttpRequest,
    body: SubmissionIn,
    parts: list[IO[bytes]] | None,
    key: str | None,
) -> idempotency.Answer:
    today = timezone.localdate()
    version = procedure_in_force(body.procedure.strip(), today)
    if version is None:
        raise _refuse(
            "procedure",
            _("No procedure with the code %(code)s is in force today.") % {"code": body.procedure},
        )
    if not version.offered_online:
        raise _refuse(
            "procedure",
            _("This procedure is not offered online: submit it at the one-stop desk."),
        )
    desks = portal_selectors.receiving_desks(version, today)
    desk = desks.filter(code=body.desk.strip()).first()
    # The portal's form reads the applicant and the desk: the same fields, rules and messages.
    form = SubmissionForm(
        {
            "desk": str(desk.pk) if desk else "",
            "applicant_name": body.applicant.name,
            "applicant_id_number": body.applicant.id_number,
            "applicant_phone": body.applicant.phone,
            "applicant_email": body.applicant.email,
            "applicant_address": body.applicant.address,
            "submission_key": _submission_key(caller_key(request), key),
        },
        desks=desks,
    )
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        field = "desk" if name == "desk" else "applicant/" + name.removeprefix("applicant_")
        raise _refuse(field, str(errors[0]))
    data = form.cleaned_data
    files = _files(body, version, parts)
    applicant = Applicant(
        name=data["applicant_name"],
        id_number=data["applicant_id_number"].strip(),
        phone=data["applicant_phone"],
        email=data["applicant_email"],
        address=data["applicant_address"],
    )
    try:
        # The phone's limit only: the per-address one is the client's own rate (auth.py).
        submitted = portal_services.online_submission_limited(
            client_ip=None,
            procedure=version,
            receiving_agency=data["desk"],
            applicant=applicant,
            files=files,
            submission_key=data["submission_key"],
        )
    except SubmissionLimited as error:
        raise refusal(429, error.message, field="/applicant/phone") from None
    except (PortalError, DossierError) as error:
        place = SERVICE_FIELDS.get(error.field or "", error.field or "")
        raise refusal(422, error.message, field="/" + place if place else None) from None
    dossier = submitted.dossier
    return idempotency.Answer(
        201,
        {
            "code": dossier.code,
            "secret": portal_services.secret_format(submitted.secret) if submitted.secret else None,
            "status": dossier.status,
            "submitted_at": timezone.localtime(dossier.submitted_at).isoformat(),
            "warnings": [str(validators.warning_text(w)) for w in submitted.warnings],
            "replayed": submitted.duplicate,
        },
    )


def _answer(request: HttpRequest, body: SubmissionIn, parts: Any, key: str | None) -> HttpResponse:
    fingerprint_body = body.model_dump(mode="json")
    if parts is not None:
        fingerprint_body["parts"] = [hashlib.sha256(_read_all(part)).hexdigest() for part in parts]
    answer = idempotency.once(
        caller=caller_key(request),
        key=key,
        route="POST /submissions",
        body=fingerprint_body,
        act=lambda: submit(request, body, parts, key),
        # The secret is shown once and stored only hashed: a replay answers without it.
        recorded=lambda a: {**a.body, "secret": None},
    )
    payload = {**answer.body, "replayed": True} if answer.replayed else answer.body
    response = JsonResponse(payload, status=answer.status)
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _read_all(part: IO[bytes]) -> bytes:
    part.seek(0)
    data = part.read(upload_limit() + 1)
    part.seek(0)
    return data


# ninja's parameter markers (called, not subscripted: they carry an alias or a limit).
MULTIPART_DATA: Any = Form(  # type: ignore[type-arg]
    ..., max_length=100_000, description="SubmissionIn as JSON"
)
MULTIPART_FILES: Any = File(  # type: ignore[type-arg]
    ..., description="One part per entry of data.files, in order"
)
IDEMPOTENCY: Any = Header(  # type: ignore[type-arg]
    None, alias="Idempotency-Key", max_length=255
)


@router.post(
    "",
    response={201: SubmissionOut, **PROBLEMS, **{s: ProblemOut for s in (409, 413, 415, 422)}},
    summary="Submit a dossier online (files base64)",
    operation_id="submissions_create",
    openapi_extra=documented(
        *WRITE_PROBLEMS, s201={"links": dossier_links("$response.body#/code")}
    ),
)
def create_submission(
    request: HttpRequest,
    body: SubmissionIn,
    idempotency_key: str | None = IDEMPOTENCY,
) -> HttpResponse:
    """Submit a dossier as the portal does; 201 with the code and the tracking secret."""
    return _answer(request, body, None, idempotency_key)


@router.post(
    "/multipart",
    response={201: SubmissionOut, **PROBLEMS, **{s: ProblemOut for s in (409, 413, 415, 422)}},
    summary="Submit a dossier online (files as multipart parts)",
    operation_id="submissions_create_multipart",
    openapi_extra=documented(
        *WRITE_PROBLEMS, s201={"links": dossier_links("$response.body#/code")}
    ),
)
def create_submission_multipart(
    request: HttpRequest,
    data: str = MULTIPART_DATA,
    files: list[UploadedFile] = MULTIPART_FILES,
    idempotency_key: str | None = IDEMPOTENCY,
) -> HttpResponse:
    """The same submission, the files as parts (``files``, in the order of ``data.files``)."""
    try:
        body = SubmissionIn.model_validate(json.loads(data))
    except json.JSONDecodeError:
        raise _refuse("data", _("this is not JSON")) from None
    except ValidationError as error:
        first = error.errors()[0]
        place = "/".join(str(p) for p in first["loc"])
        raise _refuse(f"data/{place}", first["msg"]) from None
    if len(files) > MAX_FILES:
        raise _refuse("files", _("too many files"))
    for part in files:
        if part.size is not None and part.size > upload_limit():
            raise _refuse("files", _("the file is larger than allowed"), 413)
    return _answer(request, body, list(files), idempotency_key)

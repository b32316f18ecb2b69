"""Dossiers for integrators: the list (filters, keyset cursor), the detail (timeline,
components, files, payments, rating), a file by a signed short-lived link, and the history in
the JSON Lines format of docs/dossier-history-format.md (integrations-vn.md §5, issue 12).

Every read goes through ``dossiers.access`` with the caller's user (a machine client acts as
its service user, whose role grants are its units), so a client sees exactly what a person
with the same grants sees; "missing" and "not yours" answer alike (404).

A page costs a fixed number of queries whatever the volume: the caller's scope (two queries,
once per request: ``accounts.access.user_unit_ids``), one query for the page (the dossier's own
columns, in the order of an index: ``lib.paging``), one for the codes they name, nothing per
row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import CharField, IntegerField, Prefetch, QuerySet, Value
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import BaseModel

from motcua.api.auth import scoped
from motcua.api.choices import Scope
from motcua.api.paging import PageQuery, api_page
from motcua.api.routers.support import (
    READ_PROBLEMS,
    Text,
    caller_key,
    caller_user,
    documented,
    only_known_parameters,
    refusal,
)
from motcua.api.schemas import PROBLEMS, PageOut, StrictSchema
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.access import dossier_get_for_user, dossier_list_for_user
from motcua.dossiers.choices import Channel, Status
from motcua.dossiers.errors import DossierNotFound
from motcua.dossiers.history.exporter import dossier_record, dossiers_with_history
from motcua.dossiers.history.schema import HEADER
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.selectors import procedure_versions, received_by_q
from motcua.lib.http import BadParameter
from motcua.lib.paging import Ordering, keyset_chunks
from motcua.lib.uploads import StoredFileUnreadable, open_checked
from motcua.payments.models import Payment
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_lineage, unit_versions

router = Router(tags=["dossiers"], auth=scoped(Scope.DOSSIERS_READ))

# The two orders a list is read in, each served by an index (dossiers migration 0010): by id
# (the primary key) unless the caller narrows by receipt moment, then by (received_at, id).
BY_ID = Ordering.of("id")
BY_RECEIPT = Ordering.of("received_at", "id")
# How long a file link works (seconds); the link names the file and the caller.
FILE_LINK_SALT = "motcua.api.dossier-file"
HISTORY_CHUNK = 200
# What django.core.signing writes (URL-safe base64, ":" between parts, "." when compressed).
SIGNED = r"^[A-Za-z0-9_:.\-]+$"
# A dossier code in a path: the column's length (an imported code may be anything else).
CODE: Any = Path(..., max_length=40, description="The dossier code")  # type: ignore[type-arg]

_LIST_COLUMNS = {
    "id": "id",
    "code": "code",
    "version": "version",
    "status": "status",
    "channel": "channel",
    "procedure": "procedure_version__procedure__code",
    "procedure_version": "procedure_version__version",
    "procedure_name": "procedure_version__name",
    "receiving_agency": "receiving_agency__code",
    "competent_agency": "competent_agency__code",
    "current_agency": "current_agency__code",
    "receiving_unit": "receiving_unit__code",
    "handling_unit": "handling_unit__code",
    "applicant_kind": "applicant_kind",
    "applicant_name": "applicant_name",
    "submitted_at": "submitted_at",
    "received_at": "received_at",
    "due_at": "due_at",
    "effective_due_at": "effective_due_at",
    "reappointed_due_at": "reappointed_due_at",
    "resolved_at": "resolved_at",
    "outcome": "outcome",
    "timeliness": "timeliness",
    "returned_at": "returned_at",
    "ended_at": "ended_at",
    "updated_at": "last_event_at",
    "last_event_seq": "last_event_seq",
}


def file_link_seconds() -> int:
    return int(settings.MOTCUA_API_FILE_LINK_SECONDS)


# -- schemas ------------------------------------------------------------------------------


class DossierFilters(PageQuery):
    """The list's filters; every one optional, all of them combined (AND)."""

    unit: Text | None = Field(None, max_length=20, description="Receiving unit code (and below)")
    status: Status | None = None
    procedure: Text | None = Field(None, max_length=40, description="National procedure code")
    channel: Channel | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    # A signed position (lib.paging): URL-safe characters only, so a request line stays short.
    cursor: str | None = Field(None, max_length=1000, pattern=SIGNED)


class DossierSummary(BaseModel):
    # A plain pydantic model, not ninja's Schema: the list's items are dicts, and Schema's
    # attribute getter on each of 26 fields of 50 rows was a quarter of a page's time.
    code: str
    version: int = Field(description="Send it back with an action (409 when stale)")
    status: Status
    channel: Channel
    procedure: str
    procedure_version: int
    procedure_name: str
    receiving_agency: str
    competent_agency: str | None
    current_agency: str | None
    receiving_unit: str | None
    handling_unit: str | None
    applicant_kind: str
    applicant_name: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    effective_due_at: datetime | None
    reappointed_due_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None
    timeliness: str | None
    returned_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime | None = Field(description="Moment of the last event")
    last_event_seq: int


class DossierPage(PageOut):
    items: list[DossierSummary]


class EventOut(Schema):
    seq: int
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    reason: str
    data: dict[str, Any]


class DossierComponentOut(Schema):
    id: int
    name: str
    originals: int
    certified_copies: int
    photocopies: int
    digitised: bool


class FileOut(Schema):
    id: int
    kind: str
    component: int | None
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download: str = Field(description="A signed link for this caller, valid a few minutes")


class PaymentEventOut(Schema):
    kind: str
    amount: int
    method: str
    reference: str
    at: datetime


class PaymentOut(Schema):
    amount: int
    description: str
    created_at: datetime
    events: list[PaymentEventOut]


class RatingOut(Schema):
    level: str
    comment: str
    at: datetime


class DossierDetail(DossierSummary):
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    summary: str
    sets_count: int
    current_step: str
    denial_reason: str
    result_form: str | None
    return_method: str | None
    events: list[EventOut]
    components: list[DossierComponentOut]
    files: list[FileOut]
    payments: list[PaymentOut]
    rating: RatingOut | None


# -- reads --------------------------------------------------------------------------------


def _unit_ids(code: str) -> list[int]:
    """The lineage of the newest unit carrying ``code``, or 400 naming ``unit``. Ids, not a
    sub-query: PostgreSQL then reads the units' own entries of an index (a commune's 180
    dossiers received), where through a sub-query it joined the province's 44.930 after
    reading them (107 ms at 10 M dossiers, issue 17)."""
    found = unit_versions(code.strip()).last()
    if found is None:
        raise BadParameter(_("there is no unit %(code)s") % {"code": code}, field="unit")
    return list(unit_lineage(found).values_list("id", flat=True))


def dossiers_filtered(user: Any, filters: DossierFilters) -> QuerySet[Dossier]:
    """The caller's dossiers narrowed by ``filters`` (not yet ordered)."""
    rows = dossier_list_for_user(user)
    if filters.unit:
        rows = rows.filter(received_by_q(_unit_ids(filters.unit)))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.procedure:
        rows = rows.filter(procedure_version_id__in=procedure_versions(filters.procedure))
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    for name, column, lookup in (
        ("received_from", "received_at", "gte"),
        ("received_to", "received_at", "lt"),
        ("updated_from", "last_event_at", "gte"),
        ("updated_to", "last_event_at", "lt"),
    ):
        value = getattr(filters, name)
        if value is not None:
            if value.tzinfo is None:
                raise BadParameter(
                    _("%(name)s: give the moment with its offset (+07:00)") % {"name": name},
                    field=name,
                )
            try:
                # In UTC: PostgreSQL refuses offsets past ±15:59 (a valid ISO 8601 +21:16).
                value = value.astimezone(UTC)
            except OverflowError:
                raise BadParameter(
                    _("%(name)s: this moment is out of range") % {"name": name}, field=name
                ) from None
            rows = rows.filter(**{f"{column}__{lookup}": value})
    return rows


def _ordering(filters: DossierFilters) -> Ordering:
    narrowed = filters.received_from is not None or filters.received_to is not None
    return BY_RECEIPT if narrowed else BY_ID


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    item = {name: row[column] for name, column in _LIST_COLUMNS.items() if name != "id"}
    for name in ("outcome", "timeliness"):
        item[name] = item[name] or None
    return item


# The page's own columns: the dossier's, its foreign keys as ids. The codes they point to are
# read by one small query per page (_with_codes): joined into the page's statement, the
# eight tables cost PostgreSQL ~130 ms to plan, on every page, for 1 ms of work
# (docs/performance.md, "bench/api").
_OWN_COLUMNS = [column for column in _LIST_COLUMNS.values() if "__" not in column] + [
    "procedure_version_id",
    "receiving_agency_id",
    "competent_agency_id",
    "current_agency_id",
    "receiving_unit_id",
    "handling_unit_id",
]
_AGENCY_KEYS = ("receiving_agency", "competent_agency", "current_agency")
_UNIT_KEYS = ("receiving_unit", "handling_unit")


def _tag(table: str) -> Value:
    """A constant column naming the table a row of :func:`_with_codes`'s union comes from."""
    return Value(table, output_field=CharField())


def _with_codes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (the page's own columns) with the codes of the list: one query (the procedure
    versions, agencies and units of the page, as a UNION ALL), whatever the page's size."""
    if not rows:
        return rows
    agency_ids = {row[f"{key}_id"] for row in rows for key in _AGENCY_KEYS} - {None}
    unit_ids = {row[f"{key}_id"] for row in rows for key in _UNIT_KEYS} - {None}
    no_number = Value(0, output_field=IntegerField())
    no_name = Value("", output_field=CharField())
    # .order_by(): no model's default order (a compound statement's parts may not have one).
    found = (
        ProcedureVersion.objects.filter(pk__in={row["procedure_version_id"] for row in rows})
        .order_by()
        .values_list(_tag("p"), "pk", "procedure__code", "version", "name")
    )
    found = found.union(
        Agency.objects.filter(pk__in=agency_ids)
        .order_by()
        .values_list(_tag("a"), "pk", "code", no_number, no_name),
        AdministrativeUnit.objects.filter(pk__in=unit_ids)
        .order_by()
        .values_list(_tag("u"), "pk", "code", no_number, no_name),
        all=True,
    )
    versions: dict[int, tuple[str, int, str]] = {}
    codes: dict[tuple[str, int], str] = {}
    for table, pk, code, number, name in found:
        if table == "p":
            versions[pk] = (code, number, name)
        else:
            codes[table, pk] = code
    for row in rows:
        code, number, name = versions[row["procedure_version_id"]]
        row["procedure_version__procedure__code"] = code
        row["procedure_version__version"] = number
        row["procedure_version__name"] = name
        for relation in _AGENCY_KEYS:
            row[f"{relation}__code"] = codes.get(("a", row[f"{relation}_id"]))
        for relation in _UNIT_KEYS:
            row[f"{relation}__code"] = codes.get(("u", row[f"{relation}_id"]))
    return rows


def dossier_page(user: Any, filters: DossierFilters) -> dict[str, Any]:
    """One page of the caller's dossiers: one query for the rows and one for the codes they
    name, whatever the volume."""
    ordering = _ordering(filters)
    rows = dossiers_filtered(user, filters).values(*_OWN_COLUMNS)
    if ordering is BY_RECEIPT:
        rows = rows.filter(received_at__isnull=False)
    page = api_page(rows, ordering, filters)
    return {
        "items": [_summary(row) for row in _with_codes(page.rows)],
        "next": page.next_cursor,
        "previous": page.previous_cursor,
    }


def dossier_summary(dossier_id: int) -> dict[str, Any]:
    """One dossier as a list item, JSON-ready (an action's answer, kept for replays)."""
    row = Dossier.objects.filter(pk=dossier_id).values(*_LIST_COLUMNS.values()).get()
    return DossierSummary.model_validate(_summary(row)).model_dump(mode="json")


def file_link(request: HttpRequest, stored: DossierFile, code: str) -> str:
    """The signed link to one file, good for this caller for a few minutes."""
    token = signing.dumps([stored.pk, caller_key(request)], salt=FILE_LINK_SALT, compress=True)
    return f"/api/v1/dossiers/{code}/files/{stored.pk}?link={token}"


def dossier_for(request: HttpRequest, code: str) -> Dossier:
    """The caller's dossier ``code`` (404 naming ``code`` when missing or not theirs)."""
    if "\x00" in code or len(code) > 40:  # never stored: not found, not a database error
        raise refusal(404, _("no dossier %(code)s") % {"code": code[:40]}, field="code")
    try:
        return dossier_get_for_user(user=caller_user(request), code=code)
    except DossierNotFound as error:
        # Raised here rather than registered with motcua.api.api: a router imports nothing of
        # the API instance (which imports the routers), so any module may import this one.
        raise refusal(404, error.message, field="code") from None


def dossier_detail(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The dossier with its timeline, components, files, payments and rating (a fixed number
    of queries: one per relation)."""
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "competent_agency",
            "current_agency",
            "receiving_unit",
            "handling_unit",
            "rating",
        )
        .prefetch_related(
            Prefetch("events", queryset=DossierEvent.objects.order_by("seq")),
            "components",
            "files",
            Prefetch("payments", queryset=Payment.objects.prefetch_related("events")),
        )
        .get(pk=dossier.pk)
    )
    version = dossier.procedure_version
    detail: dict[str, Any] = {
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status,
        "channel": dossier.channel,
        "procedure": version.procedure.code,
        "procedure_version": version.version,
        "procedure_name": version.name,
        "receiving_agency": dossier.receiving_agency.code,
        "competent_agency": dossier.competent_agency.code if dossier.competent_agency else None,
        "current_agency": dossier.current_agency.code if dossier.current_agency else None,
        "receiving_unit": dossier.receiving_unit.code if dossier.receiving_unit else None,
        "handling_unit": dossier.handling_unit.code if dossier.handling_unit else None,
        "updated_at": dossier.last_event_at,
    }
    for name in (
        "applicant_kind",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "summary",
        "sets_count",
        "current_step",
        "denial_reason",
        "submitted_at",
        "received_at",
        "due_at",
        "effective_due_at",
        "reappointed_due_at",
        "resolved_at",
        "returned_at",
        "ended_at",
        "last_event_seq",
    ):
        detail[name] = getattr(dossier, name)
    for name in ("outcome", "timeliness", "result_form", "return_method"):
        detail[name] = getattr(dossier, name) or None
    detail["events"] = [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor_name,
            "action": e.action,
            "from_status": e.from_status or None,
            "to_status": e.to_status,
            "reason": e.reason,
            "data": e.data,
        }
        for e in dossier.events.all()
    ]
    detail["components"] = list(
        {
            "id": c.pk,
            "name": c.name,
            "originals": c.originals,
            "certified_copies": c.certified_copies,
            "photocopies": c.photocopies,
            "digitised": c.digitised,
        }
        for c in dossier.components.all()
    )
    detail["files"] = [
        {
            "id": f.pk,
            "kind": f.kind,
            "component": f.component_id,
            "name": f.original_name,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
            "uploaded_at": f.uploaded_at,
            "download": file_link(request, f, dossier.code),
        }
        for f in dossier.files.all()
    ]
    detail["payments"] = [
        {
            "amount": p.amount,
            "description": p.description,
            "created_at": p.created_at,
            "events": [
                {
                    "kind": e.kind,
                    "amount": e.amount,
                    "method": e.method,
                    "reference": e.reference,
                    "at": e.at,
                }
                for e in p.events.all()
            ],
        }
        for p in dossier.payments.all()
    ]
    rating = getattr(dossier, "rating", None) if _has_rating(dossier) else None
    detail["rating"] = (
        {"level": rating.level, "comment": rating.comment, "at": rating.at} if rating else None
    )
    return detail


def _has_rating(dossier: Dossier) -> bool:
    from motcua.feedback.models import Rating

    try:
        dossier.rating  # noqa: B018 (select_related: no query)
    except Rating.DoesNotExist:
        return False
    return True


# -- routes -------------------------------------------------------------------------------


def dossier_links(code: str) -> dict[str, Any]:
    """OpenAPI links from an answer naming a dossier ``code`` (a runtime expression) to the
    operations on it: how a client (and the stateful contract test) goes from a list or a
    submission to the dossier, its actions and its history."""
    return {
        name: {"operationId": operation, "parameters": {"code": code}}
        for name, operation in (
            ("GetDossier", "dossiers_get"),
            ("ActOnDossier", "dossiers_act"),
            ("DossierHistory", "dossiers_history_one"),
        )
    }


@router.get(
    "",
    response={200: DossierPage, **PROBLEMS},
    summary="List dossiers",
    operation_id="dossiers_list",
    openapi_extra=documented(
        *READ_PROBLEMS, s200={"links": dossier_links("$response.body#/items/0/code")}
    ),
)
def list_dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> dict[str, Any]:
    """The caller's dossiers, a page at a time: follow ``next_cursor`` (keyset pages, stable
    under inserts). Ordered by id, or by receipt moment when ``received_from``/``received_to``
    narrow the list."""
    only_known_parameters(request, DossierFilters)
    return dossier_page(caller_user(request), filters)


def _history_lines(rows: QuerySet[Dossier]) -> Iterator[str]:
    yield json.dumps(HEADER) + "\n"
    chunk: list[Dossier]
    dossier: Dossier
    for chunk in keyset_chunks(rows, BY_ID, HISTORY_CHUNK):
        for dossier in chunk:
            yield json.dumps(dossier_record(dossier), ensure_ascii=False) + "\n"


HISTORY_RESPONSE = documented(
    *READ_PROBLEMS,
    s200={
        "description": "JSON Lines (docs/dossier-history-format.md): the header, then one "
        "dossier a line",
        "content": {"application/jsonl": {"schema": {"type": "string"}}},
    },
)


@router.get(
    "/history",
    summary="Dossiers with their whole history (JSON Lines)",
    response={200: str, **PROBLEMS},
    openapi_extra=HISTORY_RESPONSE,
)
def list_history(request: HttpRequest, filters: Query[DossierFilters]) -> StreamingHttpResponse:
    """The filtered dossiers (as the list; ``cursor`` and ``limit`` are not used) in the
    history file format, streamed a chunk at a time (bounded memory)."""
    only_known_parameters(request, DossierFilters)
    scoped = dossiers_filtered(caller_user(request), filters).values("id")
    rows = dossiers_with_history().filter(id__in=scoped)
    return StreamingHttpResponse(_history_lines(rows), content_type="application/jsonl")


@router.get(
    "/{code}",
    response={200: DossierDetail, **PROBLEMS},
    summary="One dossier",
    operation_id="dossiers_get",
    openapi_extra=documented(*READ_PROBLEMS, s200={"links": dossier_links("$response.body#/code")}),
)
def get_dossier(request: HttpRequest, code: str = CODE) -> dict[str, Any]:
    """The dossier with its timeline, components, files (metadata and a signed download
    link), payments and rating. ``version`` is what an action must send back."""
    dossier = dossier_for(request, code)
    return dossier_detail(request, dossier)


class FileLink(StrictSchema):
    link: str = Field(..., max_length=1000, pattern=SIGNED)


@router.get(
    "/{code}/files/{file_id}",
    summary="Download a dossier file",
    response={200: bytes, **PROBLEMS},
    openapi_extra=documented(
        *READ_PROBLEMS,
        s200={
            "description": "The file's bytes (checked against its SHA-256)",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("application/pdf", "image/jpeg", "image/png")
            },
        },
    ),
)
def download_file(
    request: HttpRequest, params: Query[FileLink], file_id: int, code: str = CODE
) -> FileResponse:
    """A file of the dossier, by the signed link of the detail: the link must be this
    caller's and fresh, the caller must still see the dossier, and the bytes must match the
    SHA-256 recorded at upload."""
    only_known_parameters(request, FileLink)
    try:
        linked_id, owner = signing.loads(
            params.link, salt=FILE_LINK_SALT, max_age=file_link_seconds()
        )
    except signing.SignatureExpired:
        raise BadParameter(
            _("this link has expired: read the dossier again"), field="link"
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadParameter(_("this is not a link to a file"), field="link") from None
    if linked_id != file_id or owner != caller_key(request):
        raise BadParameter(_("this link was given for another file or caller"), field="link")
    dossier = dossier_for(request, code)
    stored = dossier.files.filter(pk=file_id).first()
    if stored is None:
        raise refusal(404, _("No such file."), field="file_id")
    try:
        # The checksum rule is lib.uploads' (the pages' downloads use it too); bounded memory.
        body = open_checked(stored.file, stored.sha256)
    except StoredFileUnreadable as error:
        raise refusal(500, error.message, field="file_id") from None
    return FileResponse(
        body,
        content_type=stored.content_type,
        filename=stored.original_name,
        as_attachment=True,
    )


@router.get(
    "/{code}/history",
    summary="One dossier with its whole history (JSON Lines)",
    operation_id="dossiers_history_one",
    response={200: str, **PROBLEMS},
    openapi_extra=HISTORY_RESPONSE,
)
def get_history(request: HttpRequest, code: str = CODE) -> StreamingHttpResponse:
    """The dossier in the history file format: the header line, then the dossier's line."""
    dossier = dossier_for(request, code)
    rows = dossiers_with_history().filter(pk=dossier.pk)
    return StreamingHttpResponse(_history_lines(rows), content_type="application/jsonl")

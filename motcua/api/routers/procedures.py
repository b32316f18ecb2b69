"""The procedure catalogue (``catalog:read``): the versions in force on a day, one procedure's
version and its history, each with its components (the documents a dossier carries) and fees
(catalog.selectors; domain spec §1.1, §6).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from motcua.api.auth import scoped
from motcua.api.choices import Scope
from motcua.api.paging import PageQuery, api_page
from motcua.api.problems import Problem
from motcua.api.schemas import PROBLEMS, PageOut
from motcua.catalog.choices import ProcedureLevel
from motcua.catalog.models import ComponentRequirement, FeeItem, ProcedureVersion
from motcua.catalog.selectors import procedure_history, procedure_in_force, procedure_version_list
from motcua.lib.paging import Ordering

router = Router(tags=["procedures"], auth=scoped(Scope.CATALOG_READ))

PROCEDURE_ORDER = Ordering.of("procedure__code", "id")


class ComponentOut(Schema):
    position: int
    name: str
    originals: int
    certified_copies: int
    photocopies: int


class FeeOut(Schema):
    position: int
    label: str
    amount: int = Field(description="in đồng")


class ProcedureOut(Schema):
    code: str = Field(description="the national procedure code")
    version: int
    name: str
    field: str = Field(description="the field's code")
    level: str
    competent_agency: str | None = Field(description="the agency's code")
    competent_body: str
    time_limit: int
    time_limit_unit: str
    online_time_limit: int | None
    online_level: str
    is_certification: bool
    valid_from: date
    valid_to: date | None = Field(description="no longer in force from this day")
    components: list[ComponentOut]
    fees: list[FeeOut]

    @staticmethod
    def resolve_code(version: ProcedureVersion) -> str:
        return version.procedure.code

    @staticmethod
    def resolve_field(version: ProcedureVersion) -> str:
        return version.field.code

    @staticmethod
    def resolve_competent_agency(version: ProcedureVersion) -> str | None:
        agency = version.competent_agency
        return agency.code if agency is not None else None

    @staticmethod
    def resolve_components(version: ProcedureVersion) -> list[ComponentRequirement]:
        return sorted(version.components.all(), key=lambda c: c.position)

    @staticmethod
    def resolve_fees(version: ProcedureVersion) -> list[FeeItem]:
        return sorted(version.fees.all(), key=lambda f: f.position)


class ProcedurePage(PageOut):
    items: list[ProcedureOut]


class ProcedureQuery(PageQuery):
    at: date | None = Field(None, description="in force on this day (default today)")
    level: ProcedureLevel | None = None
    search: str | None = Field(
        None, max_length=200, description="words of the code or name, without diacritics too"
    )


@router.get("", response={200: ProcedurePage, **PROBLEMS}, summary="Procedures in force on a day")
def procedure_list(request: HttpRequest, query: Query[ProcedureQuery]) -> dict[str, object]:
    versions = procedure_version_list(
        on=query.at or timezone.localdate(), level=query.level, search=query.search
    )
    page = api_page(versions, PROCEDURE_ORDER, query)
    return {"items": page.rows, "next": page.next_cursor, "previous": page.previous_cursor}


class ProcedureAtQuery(Schema):
    at: date | None = Field(None, description="in force on this day (default today)")


@router.get(
    "/{code}", response={200: ProcedureOut, **PROBLEMS}, summary="A procedure's version in force"
)
def procedure_detail(
    request: HttpRequest, code: str, query: Query[ProcedureAtQuery]
) -> ProcedureVersion:
    day = query.at or timezone.localdate()
    version = procedure_in_force(code, day) if "\x00" not in code else None
    if version is None:
        raise Problem.not_found(
            _("No procedure %(code)s in force on %(day)s") % {"code": code, "day": day.isoformat()},
            field="code",
        )
    return version


@router.get(
    "/{code}/versions",
    response={200: list[ProcedureOut], **PROBLEMS},
    summary="Every version of a procedure, oldest first",
)
def procedure_version_history(request: HttpRequest, code: str) -> list[ProcedureVersion]:
    versions = list(procedure_history(code)) if "\x00" not in code else []
    if not versions:
        raise Problem.not_found(_("No procedure %(code)s") % {"code": code}, field="code")
    return versions

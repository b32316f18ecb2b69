"""Agencies (``catalog:read``): the bodies that receive and handle dossiers, by unit and day
(units.selectors; domain spec §1.1, §3: the electronic identifier code heads every dossier code).
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
from motcua.lib.paging import Ordering
from motcua.units.choices import AgencyKind
from motcua.units.models import Agency
from motcua.units.selectors import UnitNotFound, unit_at, valid_on

router = Router(tags=["agencies"], auth=scoped(Scope.CATALOG_READ))

AGENCY_ORDER = Ordering.of("code")


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    unit: str = Field(description="the unit's code")
    electronic_code: str | None = Field(description="mã định danh (QCVN 102)")
    valid_from: date | None
    valid_to: date | None

    @staticmethod
    def resolve_unit(agency: Agency) -> str:
        return agency.unit.code


class AgencyPage(PageOut):
    items: list[AgencyOut]


class AgencyQuery(PageQuery):
    at: date | None = Field(None, description="in existence on this day (default today)")
    unit: str | None = Field(None, max_length=20, description="agencies of this unit code")
    kind: AgencyKind | None = None


@router.get("", response={200: AgencyPage, **PROBLEMS}, summary="Agencies in existence on a day")
def agency_list(request: HttpRequest, query: Query[AgencyQuery]) -> dict[str, object]:
    day = query.at or timezone.localdate()
    agencies = Agency.objects.filter(valid_on(day)).select_related("unit")
    if query.unit:
        try:
            agencies = agencies.filter(unit=unit_at(query.unit, day))
        except UnitNotFound as missing:
            raise Problem.not_found(str(missing), field="unit") from None
    if query.kind:
        agencies = agencies.filter(kind=query.kind)
    page = api_page(agencies, AGENCY_ORDER, query)
    return {"items": page.rows, "next": page.next_cursor, "previous": page.previous_cursor}


@router.get("/{code}", response={200: AgencyOut, **PROBLEMS}, summary="One agency")
def agency_detail(request: HttpRequest, code: str) -> Agency:
    agency = Agency.objects.select_related("unit").filter(code=code.replace("\x00", "")).first()
    if agency is None:
        raise Problem.not_found(_("No agency %(code)s") % {"code": code}, field="code")
    return agency

"""Administrative units (``catalog:read``): the tree at a date, a code's versions, lineage
and successions (units.selectors; domain spec §10).

A unit is a code *and* a date: codes are reused across reorganisations (01840 before and after
01/07/2025), so every route takes ``at`` (a date, default today) to pick the version in force.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from motcua.api.auth import scoped
from motcua.api.choices import Scope
from motcua.api.paging import PageQuery, api_page
from motcua.api.problems import Problem
from motcua.api.schemas import PROBLEMS, PageOut, StrictSchema
from motcua.lib.paging import Ordering
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import (
    UnitNotFound,
    ancestors,
    predecessors,
    successors,
    unit_at,
    unit_lineage,
    unit_versions,
    valid_on,
)

router = Router(tags=["units"], auth=scoped(Scope.CATALOG_READ))

UNIT_ORDER = Ordering.of("code", "id")


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent: str | None = Field(None, description="the parent's code")
    valid_from: date | None
    valid_to: date | None
    legal_ref: str

    @staticmethod
    def resolve_parent(unit: AdministrativeUnit) -> str | None:
        return unit.parent.code if unit.parent_id and unit.parent else None


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut] = Field(description="the parents, from the province down")
    predecessors: list[UnitOut] = Field(description="units merged or split into this one")
    successors: list[UnitOut] = Field(description="units this one was merged or split into")

    @staticmethod
    def resolve_ancestors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        return list(_with_parent(ancestors(unit)))

    @staticmethod
    def resolve_predecessors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        return list(_with_parent(predecessors(unit)))

    @staticmethod
    def resolve_successors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
        return list(_with_parent(successors(unit)))


class UnitPage(PageOut):
    items: list[UnitOut]


class UnitListQuery(PageQuery):
    at: date | None = Field(None, description="the day (default today)")
    level: UnitLevel | None = None
    parent: str | None = Field(None, max_length=20, description="children of this unit code")


def _at(at: date | None) -> date:
    return at or timezone.localdate()


def _unit(code: str, at: date | None) -> AdministrativeUnit:
    try:
        unit = unit_at(code, _at(at))
        return AdministrativeUnit.objects.select_related("parent").get(pk=unit.pk)
    except UnitNotFound as missing:
        raise Problem.not_found(str(missing), field="code") from None


def _with_parent(units: QuerySet[AdministrativeUnit]) -> QuerySet[AdministrativeUnit]:
    return units.select_related("parent")


def _page(units: QuerySet[AdministrativeUnit], query: PageQuery) -> dict[str, object]:
    page = api_page(_with_parent(units), UNIT_ORDER, query)
    return {"items": page.rows, "next": page.next_cursor, "previous": page.previous_cursor}


@router.get("", response={200: UnitPage, **PROBLEMS}, summary="Units in force on a day")
def unit_list(request: HttpRequest, query: Query[UnitListQuery]) -> dict[str, object]:
    day = _at(query.at)
    units = AdministrativeUnit.objects.filter(valid_on(day))
    if query.level:
        units = units.filter(level=query.level)
    if query.parent:
        units = units.filter(parent=_unit(query.parent, day))
    return _page(units, query)


class LookupIn(StrictSchema):
    """Codes to resolve at one day (an integrator mapping its own records' unit codes)."""

    codes: list[str] = Field(min_length=1, max_length=200, description="1 to 200 unit codes")
    at: date | None = Field(None, description="the day (default today)")


class LookupOut(Schema):
    found: list[UnitOut]
    missing: list[str] = Field(description="codes no unit carried on that day")


@router.post(
    "/lookup",
    response={200: LookupOut, **PROBLEMS},
    summary="Resolve many unit codes at one day",
)
def unit_lookup(request: HttpRequest, payload: LookupIn) -> dict[str, object]:
    for index, code in enumerate(payload.codes):
        if not code.strip() or len(code) > 20 or "\x00" in code:
            raise Problem.invalid(f"/codes/{index}", _("a unit code has 1 to 20 characters"))
    day = _at(payload.at)
    units = {
        unit.code: unit
        for unit in _with_parent(
            AdministrativeUnit.objects.filter(valid_on(day), code__in=payload.codes)
        )
    }
    return {
        "found": [units[c] for c in dict.fromkeys(payload.codes) if c in units],
        "missing": [c for c in dict.fromkeys(payload.codes) if c not in units],
    }


class AtQuery(Schema):
    at: date | None = Field(None, description="the day (default today)")


@router.get("/{code}", response={200: UnitDetailOut, **PROBLEMS}, summary="One unit")
def unit_detail(request: HttpRequest, code: str, query: Query[AtQuery]) -> AdministrativeUnit:
    return _unit(code, query.at)


@router.get(
    "/{code}/versions",
    response={200: list[UnitOut], **PROBLEMS},
    summary="Every unit that has carried a code, oldest first",
)
def unit_version_list(request: HttpRequest, code: str) -> list[AdministrativeUnit]:
    versions = list(_with_parent(unit_versions(code)))
    if not versions:
        raise Problem.not_found(
            _("No administrative unit with code %(code)s") % {"code": code}, field="code"
        )
    return versions


@router.get(
    "/{code}/lineage",
    response={200: UnitPage, **PROBLEMS},
    summary="The unit and everything that became it (children and predecessors)",
)
def unit_lineage_list(
    request: HttpRequest, code: str, query: Query[UnitListQuery]
) -> dict[str, object]:
    unit = _unit(code, query.at)
    units = unit_lineage(unit)
    if query.level:
        units = units.filter(level=query.level)
    return _page(units, query)

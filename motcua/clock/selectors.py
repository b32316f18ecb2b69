"""Reads of the clock app: the working calendar that applies to a unit or agency.

Everything that computes a receipt moment or a due date gets its calendar here:
``calendar_for(unit)`` or ``calendar_for(agency=agency)``. Calendars are built once per
process and per (province, office hours, policy) and reused until an administrator changes an
override, a policy or office hours: the cache key includes a cheap version of those tables
(row counts and latest change), so admin edits apply on the next call in every process.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from motcua.clock.models import CalendarOverride, CalendarPolicy, OfficeHours
from motcua.core import clock as core
from motcua.units.choices import LEVEL_RANK, UnitLevel
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import ancestors as unit_ancestors

_lock = threading.Lock()
_cache: dict[tuple[Any, ...], core.WorkingCalendar] = {}
_cache_version: tuple[Any, ...] | None = None
_checked_at = 0.0
# (unit id, agency id, day) -> the calendar that applies there, for the same version.
_places: dict[tuple[Any, ...], core.WorkingCalendar] = {}


def _chain(unit: AdministrativeUnit | None) -> list[AdministrativeUnit]:
    """The unit and its parents, nearest first (the order office hours are looked up in)."""
    if unit is None:
        return []
    return sorted(
        unit_ancestors(unit, include_self=True), key=lambda u: LEVEL_RANK[u.level], reverse=True
    )


def _province(chain: list[AdministrativeUnit]) -> AdministrativeUnit | None:
    """The province-level unit of a chain from :func:`_chain` (None: nationwide)."""
    return next((u for u in chain if u.level == UnitLevel.PROVINCE), None)


def _seconds() -> float:
    """How long a checked calendar version is trusted (other processes' edits apply within it)."""
    return float(getattr(settings, "MOTCUA_CLOCK", {}).get("CACHE_SECONDS", 1.0))


def forget_calendars(**_: Any) -> None:
    """Drop cached calendars: connected to saves and deletes of the calendar tables."""
    global _cache_version
    with _lock:
        _cache.clear()
        _places.clear()
        _cache_version = None


def calendar_version() -> tuple[Any, ...]:
    """Changes whenever a row of the calendar tables is added, changed or removed (one query)."""
    parts = []
    for model in (CalendarOverride, CalendarPolicy, OfficeHours):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(updated_at) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return tuple(str(value) for value in row)


def overrides_for(province: AdministrativeUnit | None) -> list[core.Override]:
    """Nationwide overrides, with the province's own replacing them date by date."""
    rows = CalendarOverride.objects.filter(
        Q(province__isnull=True) | Q(province=province) if province else Q(province__isnull=True)
    ).order_by("date")
    chosen: dict[date, CalendarOverride] = {}
    for row in rows:
        if row.date not in chosen or row.province_id is not None:
            chosen[row.date] = row
    return [row.to_core() for row in chosen.values()]


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "MOTCUA_CLOCK", {}).get(name, default)


def policy_for(province: AdministrativeUnit | None) -> dict[str, Any]:
    """make_up_days_count, receipt_rule and roll_calendar_days for a province.

    The province's policy row, else the nationwide row, else settings ``MOTCUA_CLOCK``.
    """
    rows = {
        row.province_id: row
        for row in CalendarPolicy.objects.filter(
            Q(province__isnull=True) | Q(province=province)
            if province
            else Q(province__isnull=True)
        )
    }
    row = rows.get(province.pk if province else None) or rows.get(None)
    if row is not None:
        return {
            "make_up_days_count": row.make_up_days_count,
            "receipt_rule": core.ReceiptRule(row.receipt_rule),
            "roll_calendar_days": row.roll_calendar_days,
        }
    rule = _setting("RECEIPT_RULE", core.ReceiptRule.NEXT_SESSION.value)
    try:
        receipt_rule = core.ReceiptRule(rule)
    except ValueError:
        choices = ", ".join(r.value for r in core.ReceiptRule)
        raise ImproperlyConfigured(
            f"MOTCUA_CLOCK['RECEIPT_RULE']={rule!r}: use one of {choices}"
        ) from None
    return {
        "make_up_days_count": bool(_setting("MAKE_UP_DAYS_COUNT", True)),
        "receipt_rule": receipt_rule,
        "roll_calendar_days": bool(_setting("ROLL_CALENDAR_DAYS", True)),
    }


def office_hours_for(
    unit: AdministrativeUnit | None = None,
    *,
    agency: Agency | None = None,
    on: date | None = None,
) -> core.OfficeHours:
    """The sessions valid on ``on`` (today) for the agency, else the nearest unit, else default."""
    day = on or timezone.localdate()
    chain = _chain(unit if unit is not None else agency.unit if agency else None)
    condition = Q(unit__isnull=True, agency__isnull=True) | Q(unit__in=chain)
    if agency is not None:
        condition |= Q(agency=agency)
    rows = list(OfficeHours.objects.filter(condition, valid_from__lte=day).order_by("-valid_from"))
    owners: list[tuple[int | None, int | None]] = [(None, agency.pk)] if agency else []
    owners += [(item.pk, None) for item in chain] + [(None, None)]
    for owner in owners:
        for row in rows:
            if (row.unit_id, row.agency_id) == owner:
                return row.to_core()
    return core.DEFAULT_OFFICE_HOURS


def calendar_for(
    unit: AdministrativeUnit | None = None,
    *,
    agency: Agency | None = None,
    on: date | None = None,
) -> core.WorkingCalendar:
    """The working calendar of a unit or agency: its province's overrides and policy, and its
    office hours valid on ``on`` (today). No unit: the nationwide calendar."""
    if unit is None and agency is not None:
        unit = agency.unit
    return calendar_at(
        unit_id=unit.pk if unit else None, agency_id=agency.pk if agency else None, on=on
    )


def calendar_at(
    *, unit_id: int | None, agency_id: int | None = None, on: date | None = None
) -> core.WorkingCalendar:
    """:func:`calendar_for` by ids, for the dossier write path.

    Every dossier transition that uses the clock asks for one, so a repeated call costs one
    query (the version check); the unit, province and office hours are looked up again only
    when that version or the day changes. Moving a unit to another parent applies after a
    restart.
    """
    global _cache_version, _checked_at
    day = on or timezone.localdate()
    now = time.monotonic()
    if _cache_version is not None and now - _checked_at < _seconds():
        version = _cache_version  # checked a moment ago (edits in this process reset it)
    else:
        version = calendar_version()
        _checked_at = now
    place = (unit_id, agency_id, day)
    with _lock:
        if version != _cache_version:
            _cache.clear()
            _places.clear()
            _cache_version = version
        calendar = _places.get(place)
    if calendar is not None:
        return calendar
    unit = AdministrativeUnit.objects.get(pk=unit_id) if unit_id is not None else None
    agency = Agency.objects.get(pk=agency_id) if agency_id is not None else None
    province = _province(_chain(unit))
    hours = office_hours_for(unit, agency=agency, on=day)
    key = (province.pk if province else None, str(hours))
    with _lock:
        calendar = _cache.get(key)
    if calendar is None:
        calendar = core.WorkingCalendar(
            overrides=overrides_for(province), office_hours=hours, **policy_for(province)
        )
    with _lock:
        if _cache_version == version:
            _cache[key] = calendar
            _places[place] = calendar
    return calendar

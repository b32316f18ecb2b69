"""Reads over administrative units, their history and their agencies (domain spec §10).

Every tree walk is done in memory on the tree ``units.tree`` holds (no query while it is
current), and handed back as a lazy QuerySet of the units reached, so callers can filter, count
or join further without an N+1 loop. A unit is identified by its code *and* a date, because
codes are reused across reorganisations (01840 is the old Phường Đức Xuân until 30/06/2025 and
the new, larger one from 01/07/2025, §10.2).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_date
from motcua.lib.lookups import AnyOf
from motcua.units.choices import LEVEL_RANK, AgencyKind, UnitLevel
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.tree import names_every_unit, unit_tree


class UnitNotFound(LookupError):
    """No administrative unit matches: the message names the code and the date."""


class AgencyNotFound(LookupError):
    """No agency matches: the message names the code looked for."""


def valid_on(day: date, prefix: str = "") -> Q:
    """Rows valid on ``day``: both ends inclusive, an empty end is open (for units or agencies).

    ``prefix`` reaches the dates through a relation, e.g. ``valid_on(day, "unit__")``.
    """
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def unit_at(code: str, on: date) -> AdministrativeUnit:
    """The unit that carried ``code`` on the day ``on``; raises ``UnitNotFound``.

    One query. The loader and ``AdministrativeUnit.clean`` refuse overlapping versions of a
    code, so at most one row matches.
    """
    # No stored code holds a NUL (PostgreSQL's text refuses one): such a code is not found,
    # rather than an error from the database (``?unit=%00`` answered 500).
    unit = (
        None
        if "\x00" in code
        else AdministrativeUnit.objects.filter(valid_on(on), code=code).first()
    )
    if unit is None:
        raise UnitNotFound(
            _("No administrative unit with code %(code)s on %(date)s")
            % {"code": code, "date": format_date(on)}
        )
    return unit


def unit_versions(code: str) -> QuerySet[AdministrativeUnit]:
    """Every unit that has carried ``code``, oldest first (one query when evaluated)."""
    if "\x00" in code:  # never stored (see unit_at): none, not a database error
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(code=code).order_by(
        Case(When(valid_from__isnull=True, then=Value(0)), default=Value(1)), "valid_from"
    )


def _by_level() -> Case:
    """Top of the tree first (province, district, commune, village)."""
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
        output_field=IntegerField(),
    )


def _units(ids: Iterable[int]) -> QuerySet[AdministrativeUnit]:
    # The walk's ids as one array parameter (lib.lookups): a province's lineage is 222 units.
    return AdministrativeUnit.objects.filter(AnyOf(F("pk"), ids))


def units_below(
    unit: AdministrativeUnit, *, include_self: bool = True
) -> QuerySet[AdministrativeUnit]:
    """Every descendant of ``unit`` (children, grandchildren…), whatever their validity."""
    units = _units(unit_tree().below(unit.pk))
    return units if include_self else units.exclude(pk=unit.pk)


def ancestors(
    unit: AdministrativeUnit, *, include_self: bool = False
) -> QuerySet[AdministrativeUnit]:
    """The chain of parents of ``unit``, from the province down (one query)."""
    units = _units(unit_tree().above(unit.pk))
    if not include_self:
        units = units.exclude(pk=unit.pk)
    return units.order_by(_by_level(), "code")


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The province-level unit above ``unit`` (or ``unit`` itself); raises ``UnitNotFound``."""
    if unit.level == UnitLevel.PROVINCE:
        return unit
    province = ancestors(unit).filter(level=UnitLevel.PROVINCE).first()
    if province is None:
        raise UnitNotFound(
            _("Administrative unit %(code)s (%(name)s) has no province above it")
            % {"code": unit.code, "name": unit.name}
        )
    return province


def unit_lineage(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The unit and everything that became it, in one query.

    The smallest set that holds ``unit`` and, for each member, its children and its
    predecessors through successions, transitively: for the new Phường Bắc Kạn, the four
    merged units and all their residential groups; for Tỉnh Thái Nguyên, also all of Tỉnh
    Bắc Kạn. A report or a role scope for a successor covers its predecessors' dossiers (§10.2).
    The walk is ``units.tree``'s, in memory.
    """
    return _units(unit_tree().lineage(unit.pk))


def unit_in_q(field: str, unit_ids: Collection[int]) -> Q:
    """Rows whose unit ``field`` (a unit foreign key, "receiving_unit") is one of
    ``unit_ids``. Ids that name every unit (a province's, ``units.tree.names_every_unit``)
    are any unit: a province's 222 ids were half a millisecond of planning for each
    statement that carried them (1,5 ms for a drill-down's rows, which carry them twice)."""
    if names_every_unit(unit_ids):
        return Q(**{f"{field}__isnull": False})
    # One array parameter on PostgreSQL, not one per unit (motcua.lib.lookups).
    return Q(AnyOf(F(f"{field}_id"), unit_ids))


def lineage_ids(unit: AdministrativeUnit) -> list[int]:
    """The ids of :func:`unit_lineage`, sorted, without a query while the tree held in
    memory is current (``units.tree``)."""
    return sorted(unit_tree().lineage(unit.pk))


def member_lineages(unit: AdministrativeUnit) -> dict[int, set[int]]:
    """The lineage of each unit directly below ``unit`` or merged into it (its "members"), as
    ids: member id -> the member and everything that became it.

    So a report grouped by receiving unit can be summed per member without one lineage query
    per member. A unit reachable from two members (split between them) is in both sets.
    """
    return {member: set(ids) for member, ids in unit_tree().members(unit.pk).items()}


def unit_coverers(unit: AdministrativeUnit | int) -> QuerySet[AdministrativeUnit]:
    """Every unit whose lineage holds ``unit``: its ancestors and what they became, in one query.

    The mirror of :func:`unit_lineage` (parents and successors instead of children and
    predecessors): ``unit in unit_lineage(a)`` exactly when ``a in unit_coverers(unit)``, so a
    permission check walks up from one unit instead of down from every granted one.
    """
    return _units(unit_tree().coverers(unit if isinstance(unit, int) else unit.pk))


def predecessors(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The units merged or split into ``unit`` directly (one query)."""
    return AdministrativeUnit.objects.filter(successions_out__successor=unit).order_by("code")


def successors(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The units ``unit`` was merged or split into directly (one query)."""
    return AdministrativeUnit.objects.filter(successions_in__predecessor=unit).order_by("code")


def agencies_of(unit: AdministrativeUnit, on: date | None = None) -> QuerySet[Agency]:
    """The agencies of ``unit`` (only those in existence on ``on`` when given)."""
    agencies = Agency.objects.filter(unit=unit).select_related("unit")
    if on is not None:
        agencies = agencies.filter(valid_on(on))
    return agencies.order_by("kind", "code")


def peoples_committee_of(unit_id: int, on: date) -> Agency | None:
    """The People's Committee of a unit on ``on``: the competent agency of a procedure the
    catalogue gives to "UBND cấp xã" in every commune, not to one agency (§1.1, §10.2)."""
    return (
        Agency.objects.filter(valid_on(on), unit_id=unit_id, kind=AgencyKind.PEOPLES_COMMITTEE)
        .order_by("code")
        .first()
    )


def agency_by_electronic_code(code: str) -> Agency:
    """The agency with this electronic identifier code (QCVN 102, §3); raises ``AgencyNotFound``."""
    agency = Agency.objects.filter(electronic_code=code).select_related("unit").first()
    if agency is None:
        raise AgencyNotFound(
            _("No agency with electronic identifier code %(code)s") % {"code": code}
        )
    return agency

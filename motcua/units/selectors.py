"""Reads over administrative units, their history and their agencies (domain spec §10).

Every tree walk is one recursive SQL query (``WITH RECURSIVE``, which SQLite and PostgreSQL both
run), handed back as a lazy QuerySet, so callers can filter, count or join further without an
N+1 loop. A unit is identified by its code *and* a date, because codes are reused across
reorganisations (01840 is the old Phường Đức Xuân until 30/06/2025 and the new, larger one from
01/07/2025, §10.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_date
from motcua.units.choices import LEVEL_RANK, AgencyKind, UnitLevel
from motcua.units.models import AdministrativeUnit, Agency, Succession


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


# Edges of the graphs walked below, as (from_id, next_id) pairs. Kept as SQL because the
# recursive step must reference the working table exactly once (a PostgreSQL rule), so the
# two kinds of lineage edge are combined in a sub-select rather than two recursive branches.
def _units_table() -> str:
    return AdministrativeUnit._meta.db_table


def _children_edges() -> str:
    return (
        f"SELECT parent_id AS from_id, id AS next_id FROM {_units_table()}"
        " WHERE parent_id IS NOT NULL"
    )


def _parent_edges() -> str:
    return (
        f"SELECT id AS from_id, parent_id AS next_id FROM {_units_table()}"
        " WHERE parent_id IS NOT NULL"
    )


def _predecessor_edges() -> str:
    table = Succession._meta.db_table
    return f"SELECT successor_id AS from_id, predecessor_id AS next_id FROM {table}"


def _reachable(start_ids: int | Sequence[int], edges_sql: str) -> RawSQL:
    """Ids reachable from ``start_ids`` (themselves included) along ``edges_sql``, as a
    sub-query.

    ``UNION`` (not ``UNION ALL``) drops rows already reached, so a cycle in bad data ends the
    walk instead of looping.
    """
    starts = [start_ids] if isinstance(start_ids, int) else list(start_ids)
    seed = " UNION ".join(["SELECT CAST(%s AS BIGINT)"] * len(starts))
    sql = (
        "WITH RECURSIVE reach(id) AS ("
        f" {seed}"
        " UNION"
        f" SELECT e.next_id FROM reach JOIN ({edges_sql}) e ON e.from_id = reach.id"
        ") SELECT id FROM reach"
    )
    return RawSQL(sql, tuple(starts))


def _by_level() -> Case:
    """Top of the tree first (province, district, commune, village)."""
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
        output_field=IntegerField(),
    )


def units_below(
    unit: AdministrativeUnit, *, include_self: bool = True
) -> QuerySet[AdministrativeUnit]:
    """Every descendant of ``unit`` (children, grandchildren…), whatever their validity."""
    units = AdministrativeUnit.objects.filter(pk__in=_reachable(unit.pk, _children_edges()))
    return units if include_self else units.exclude(pk=unit.pk)


def ancestors(
    unit: AdministrativeUnit, *, include_self: bool = False
) -> QuerySet[AdministrativeUnit]:
    """The chain of parents of ``unit``, from the province down (one query)."""
    units = AdministrativeUnit.objects.filter(pk__in=_reachable(unit.pk, _parent_edges()))
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
    """
    edges = f"{_children_edges()} UNION ALL {_predecessor_edges()}"
    return AdministrativeUnit.objects.filter(pk__in=_reachable(unit.pk, edges))


def lineage_ids(unit: AdministrativeUnit) -> list[int]:
    """The ids of :func:`unit_lineage`, read once per unit object: a dashboard's report, its
    end-of-day counts and its trend each need them (a new list each call, the kept one
    untouched)."""
    known: list[int] | None = unit.__dict__.get("_motcua_lineage_ids")
    if known is None:
        known = list(unit_lineage(unit).values_list("id", flat=True))
        unit.__dict__["_motcua_lineage_ids"] = known
    return list(known)


def lineages_of(unit_ids: Sequence[int]) -> QuerySet[AdministrativeUnit]:
    """The union of the lineages (:func:`unit_lineage`) of the units ``unit_ids``, in one
    query whatever their number (a person's scope over all her grants)."""
    if not unit_ids:
        return AdministrativeUnit.objects.none()
    edges = f"{_children_edges()} UNION ALL {_predecessor_edges()}"
    return AdministrativeUnit.objects.filter(pk__in=_reachable(sorted(set(unit_ids)), edges))


def member_lineages(unit: AdministrativeUnit) -> dict[int, set[int]]:
    """The lineage of each unit directly below ``unit`` or merged into it (its "members"), as
    ids: member id -> the member and everything that became it, in one query.

    The same walk as :func:`unit_lineage`, started from each member with the member kept as
    the root of its rows; so a report grouped by receiving unit can be summed per member
    without one lineage query per member. A unit reachable from two members (split between
    them) is in both sets.
    """
    edges = f"{_children_edges()} UNION ALL {_predecessor_edges()}"
    sql = (
        "WITH RECURSIVE reach(root, id) AS ("
        f" SELECT e.next_id, e.next_id FROM ({edges}) e WHERE e.from_id = %s"
        " UNION"
        f" SELECT reach.root, e.next_id FROM reach JOIN ({edges}) e ON e.from_id = reach.id"
        ") SELECT root, id FROM reach"
    )
    found: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.pk])
        for root, unit_id in cursor.fetchall():
            found.setdefault(root, set()).add(unit_id)
    return found


def unit_coverers(unit: AdministrativeUnit | int) -> QuerySet[AdministrativeUnit]:
    """Every unit whose lineage holds ``unit``: its ancestors and what they became, in one query.

    The mirror of :func:`unit_lineage` (parents and successors instead of children and
    predecessors): ``unit in unit_lineage(a)`` exactly when ``a in unit_coverers(unit)``, so a
    permission check walks up from one unit instead of down from every granted one.
    """
    successor_edges = (
        f"SELECT predecessor_id AS from_id, successor_id AS next_id "
        f"FROM {Succession._meta.db_table}"
    )
    edges = f"{_parent_edges()} UNION ALL {successor_edges}"
    unit_id = unit if isinstance(unit, int) else unit.pk
    return AdministrativeUnit.objects.filter(pk__in=_reachable(unit_id, edges))


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

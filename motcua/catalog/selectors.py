"""Reads of the procedure catalogue: what is in force on a day, and how much of it is online."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from motcua.catalog.choices import OFFERED_ONLINE
from motcua.catalog.models import Field, ProcedureVersion, search_key
from motcua.lib.dbrouter import reading


def _with_details(qs: QuerySet[ProcedureVersion]) -> QuerySet[ProcedureVersion]:
    return qs.select_related("procedure", "field", "competent_agency").prefetch_related(
        "components", "fees"
    )


def _in_force(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


def procedures_in_force(on: date, level: str | None = None) -> QuerySet[ProcedureVersion]:
    """The version of every procedure in force on ``on`` (a local date), optionally per level."""
    qs = ProcedureVersion.objects.filter(_in_force(on))
    if level is not None:
        qs = qs.filter(level=level)
    return _with_details(qs).order_by("procedure__code")


def procedure_in_force(code: str, on: date) -> ProcedureVersion | None:
    """The version of procedure ``code`` in force on ``on``; None if none was (or is) in force.

    For a dossier pass the local date of its receipt: ``timezone.localdate(received_at)``.
    """
    return procedures_in_force(on).filter(procedure__code=code).first()


# Full and partial online services count as offered online (§6): the one home of that rule.
_OFFERED = Q(online_level__in=OFFERED_ONLINE)


def online_coverage(on: date, level: str | None) -> tuple[int, int]:
    """(offered online, in force) on ``on`` at ``level`` (every level: None)."""
    if level is not None:
        return online_coverage_by_level(on, [level])[str(level)]
    counts = (
        ProcedureVersion.objects.filter(_in_force(on))
        .order_by()
        .aggregate(online=Count("pk", filter=_OFFERED), in_force=Count("pk"))
    )
    return counts["online"], counts["in_force"]


def online_coverage_by_level(on: date, levels: Iterable[str]) -> dict[str, tuple[int, int]]:
    """:func:`online_coverage` of each of ``levels``, in one query grouped by level (a
    report's coverage of district and commune services was four queries, then one with a
    count filtered by level and by service: 1,9 ms of Python for 0,2 of SQL).

    Written by hand: every dashboard, briefing and form 06a asks it, and built with the ORM
    it took 1,23 ms, 0,43 so (docs/performance.md). The conditions are :func:`_in_force`'s
    and :data:`_OFFERED`'s, tested equal to them (test_selectors.py)."""
    wanted = [str(level) for level in levels]
    if not wanted:
        return {}
    db = reading(ProcedureVersion)  # where the page's other reads go (the replica of a report)
    q = db.ops.quote_name
    offered = sorted(str(level) for level in OFFERED_ONLINE)
    day = db.ops.adapt_datefield_value(on)
    level, valid_to = q("level"), q("valid_to")
    sql = (
        f"SELECT {level}, COUNT(*) FILTER (WHERE {q('online_level')} IN"
        f" ({', '.join(['%s'] * len(offered))})), COUNT(*)"
        f" FROM {q(ProcedureVersion._meta.db_table)}"
        f" WHERE {q('valid_from')} <= %s AND ({valid_to} IS NULL OR {valid_to} > %s)"
        f" AND {level} IN ({', '.join(['%s'] * len(wanted))}) GROUP BY {level}"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [*offered, day, day, *wanted])
        found = {row[0]: (int(row[1]), int(row[2])) for row in cursor.fetchall()}
    return {level: found.get(level, (0, 0)) for level in wanted}


def procedure_latest_versions() -> QuerySet[ProcedureVersion]:
    """The newest version of every procedure, abolished or not: the catalogue as last announced."""
    newer = ProcedureVersion.objects.filter(
        procedure=OuterRef("procedure"), version__gt=OuterRef("version")
    )
    return _with_details(ProcedureVersion.objects.filter(~Exists(newer))).order_by(
        "procedure__code"
    )


def procedure_version_list(
    *, on: date, level: str | None = None, search: str | None = None
) -> QuerySet[ProcedureVersion]:
    """Procedures in force on ``on``, filtered by level and by words of the code or name.

    The search ignores case and diacritics: "dang ky khai sinh" finds "Đăng ký khai sinh".
    """
    qs = procedures_in_force(on, level)
    for word in search_key(search or "").split():
        qs = qs.filter(search_text__contains=word)
    return qs


def procedure_history(code: str) -> QuerySet[ProcedureVersion]:
    """Every version of one procedure, oldest first."""
    return _with_details(ProcedureVersion.objects.filter(procedure__code=code)).order_by("version")


def field_list() -> QuerySet[Field]:
    return Field.objects.order_by("name")

"""The pending tally (``PendingTally``): the running-clock pending dossiers counted per
receiving unit, officer and local due day, kept by the database (dossiers migration 0031).

The end-of-day page counts a province's overdue dossiers per unit and officer. Read one by
one, they are years of backlog (26.000 at 10 M dossiers, a cost growing with the data, issue
17); summed from the tally they are a few rows per unit and officer: the worker folds every
day up to yesterday into one row per unit and officer (:func:`tally_compact`).

Which dossiers count is the migration's triggers' rule: pending (``core.workflow.PENDING``),
never stopped (``models.NEVER_STOPPED``), with a due moment and a receiving unit.
:func:`tally_recount` gives the same from the dossiers through the ORM's definitions, so
:func:`tally_differences` (``motcua report verify``) proves the triggers right, and
:func:`tally_rebuild` (``motcua report rebuild``, a loader that turned triggers off) rewrites
the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.models import NEVER_STOPPED, Dossier, PendingTally
from motcua.dossiers.selectors import received_by_q
from motcua.lib.lookups import AnyOf

# (receiving unit id, assignee id or None, due day)
TallyKey = tuple[int, int | None, date]

# The fold writes the days up to yesterday as one row per unit and officer, dated yesterday. A
# reader of today sums the days before today, that row among them; a reader still on
# yesterday (a request begun before midnight) would count it whole, so before FOLD_FROM the
# fold stops at the day before yesterday.
FOLD_FROM = time(1, 0)


def tally_kept() -> bool:
    """Whether this engine has the tally's triggers (PostgreSQL and SQLite, migration 0031)."""
    return connection.vendor in ("postgresql", "sqlite")


def fold_day(now: datetime) -> date:
    """The day the fold at ``now`` writes its rows on: every day up to it becomes one row per
    unit and officer."""
    local = now.astimezone(LOCAL_TZ)
    return local.date() - timedelta(days=1 if local.time() >= FOLD_FROM else 2)


def tally_before(unit_ids: Iterable[int], day: date) -> dict[tuple[int, int | None], int]:
    """Per receiving unit and officer of ``unit_ids``, the running-clock pending dossiers due
    before ``day`` (local), for a ``day`` after the last fold (today or later): one grouped
    read of the tally's index."""
    rows = (
        PendingTally.objects.filter(AnyOf(F("unit_id"), list(unit_ids)), due_day__lt=day)
        .order_by()
        .values_list("unit_id", "assignee_id")
        .annotate(total=Sum("n"))
    )
    return {(unit, assignee): int(total) for unit, assignee, total in rows if total}


def _recount(unit_ids: list[int] | None) -> QuerySet[Dossier, tuple[int, int | None, date, int]]:
    dossiers = Dossier.objects.filter(
        NEVER_STOPPED,
        status__in=[status.value for status in workflow.PENDING],
        effective_due_at__isnull=False,
        receiving_unit__isnull=False,
    )
    if unit_ids is not None:
        dossiers = dossiers.filter(received_by_q(unit_ids))
    return (
        dossiers.annotate(due_day=TruncDate("effective_due_at", tzinfo=LOCAL_TZ))
        .order_by()
        .values_list("receiving_unit_id", "assignee_id", "due_day")
        .annotate(total=Count("pk"))
    )


def tally_recount(unit_ids: Iterable[int] | None = None) -> Counter[TallyKey]:
    """What the tally must hold, counted from the dossiers by the ORM's definitions."""
    rows = _recount(None if unit_ids is None else list(unit_ids))
    return Counter({(unit, assignee, day): int(n) for unit, assignee, day, n in rows})


def _rows_of(unit_ids: list[int] | None) -> QuerySet[PendingTally]:
    rows = PendingTally.objects.all()
    return rows if unit_ids is None else rows.filter(AnyOf(F("unit_id"), unit_ids))


def _stored(unit_ids: list[int] | None) -> Counter[TallyKey]:
    sums = (
        _rows_of(unit_ids)
        .order_by()
        .values_list("unit_id", "assignee_id", "due_day")
        .annotate(total=Sum("n"))
    )
    return Counter({(unit, assignee, day): int(n) for unit, assignee, day, n in sums})


def _folded(counts: Counter[TallyKey], today: date) -> Counter[TallyKey]:
    folded: Counter[TallyKey] = Counter()
    last = today - timedelta(days=1)  # the latest a fold may date its rows (:func:`fold_day`)
    for (unit, assignee, day), n in counts.items():
        folded[unit, assignee, max(day, last)] += n
    return Counter({key: n for key, n in folded.items() if n})


def tally_differences(
    unit_ids: Iterable[int] | None = None, *, today: date | None = None
) -> dict[TallyKey, tuple[int, int]]:
    """Every key whose stored sum differs from the dossiers' count: (stored, counted). The
    days up to yesterday are compared as one sum per unit and officer (dated yesterday), as
    a fold may keep them and a reader of today or later reads them."""
    ids = None if unit_ids is None else list(unit_ids)
    today = today or timezone.localdate()
    stored, counted = _folded(_stored(ids), today), _folded(tally_recount(ids), today)
    return {
        key: (stored[key], counted[key])
        for key in stored.keys() | counted.keys()
        if stored[key] != counted[key]
    }


def tally_compact(now: datetime) -> int:
    """Fold every row up to the fold day (:func:`fold_day`) into one row per unit and officer,
    dated that day; returns the rows removed. Nothing is written when those days already
    are one row per unit and officer (the worker asks every few minutes: ``jobs`` worker,
    ``dossiers.ledger_checkpoints.ledger_maintain``). On PostgreSQL one statement: a delta a
    writer commits meanwhile is either folded or kept as it is, never lost (a data-modifying
    CTE sees one snapshot). SQLite has one writer at a time."""
    day = fold_day(now)
    older = PendingTally.objects.filter(due_day__lte=day)
    if older.count() <= older.values("unit_id", "assignee_id").distinct().count():
        return 0
    table = connection.ops.quote_name(PendingTally._meta.db_table)
    last = connection.ops.adapt_datefield_value(day)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE due_day <= %s"
                "  RETURNING unit_id, assignee_id, n),"
                f" kept AS (INSERT INTO {table} (unit_id, assignee_id, due_day, n)"
                "  SELECT unit_id, assignee_id, %s, SUM(n) FROM gone"
                "  GROUP BY unit_id, assignee_id HAVING SUM(n) <> 0 RETURNING 1)"
                " SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM kept)",
                [last, last],
            )
            return int(cursor.fetchone()[0])
        cursor.execute(
            f"DELETE FROM {table} WHERE due_day <= %s RETURNING unit_id, assignee_id, n", [last]
        )
        sums: Counter[tuple[int, int | None]] = Counter()
        gone = 0
        for unit, assignee, n in cursor.fetchall():
            sums[unit, assignee] += n
            gone += 1
        kept = [(key, n) for key, n in sums.items() if n]
        PendingTally.objects.bulk_create(
            PendingTally(unit_id=unit, assignee_id=assignee, due_day=day, n=n)
            for (unit, assignee), n in kept
        )
        return gone - len(kept)


def tally_rebuild(unit_ids: Iterable[int] | None = None) -> int:
    """Rewrite the tally (of ``unit_ids``, or all) from the dossiers; returns the rows
    written. On PostgreSQL the delete and the count are one statement, so a transition
    committed meanwhile is counted once: in the dossiers read, or as its own delta kept."""
    ids = None if unit_ids is None else list(unit_ids)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(PendingTally._meta.db_table)
        gone, gone_params = f"DELETE FROM {table}", []
        if ids is not None:
            gone, gone_params = gone + " WHERE unit_id = ANY(%s)", [ids]
        select, params = _recount(ids).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH gone AS ({gone}) INSERT INTO {table} (unit_id, assignee_id, due_day, n)"
                f" {select}",
                [*gone_params, *params],
            )
            return int(cursor.rowcount)
    with transaction.atomic():
        _rows_of(ids).delete()
        counts = tally_recount(ids)
        PendingTally.objects.bulk_create(
            (
                PendingTally(unit_id=unit, assignee_id=assignee, due_day=day, n=n)
                for (unit, assignee, day), n in counts.items()
            ),
            batch_size=2000,
        )
    return len(counts)

"""The ledger over the years: compaction, yearly stock checkpoints, half-month and block
rollups, and the reads that use them.

The write path appends its deltas to ``DayFigure`` and ``FieldDayFigure`` (``dossiers.figures``):
several rows may share a key (unit, [field,] figure, day) and readers sum them. Two things keep
the reads from growing with history (issue 17 item 4):

- **Compaction** (:func:`ledger_compact`) folds the rows of each key into one. It reads only the
  rows written since its last run (a high-water mark per table, ``LedgerMark``), deletes the rows
  of the keys among them that have several (``DELETE … RETURNING``) and inserts their sums in the
  same transaction: the sums never change, and a row a writer inserts meanwhile is simply not
  among the deleted ones, so it stays.
- **Yearly stock checkpoints** (:func:`checkpoints_take`): for every closed year, each unit's
  (and unit and field's) sum of the stock deltas (``core.metrics.STOCKS``) up to 31/12. A report
  reads its stocks from the latest checkpoint before its period plus the deltas after it
  (:func:`ledger_sums`), so a report costs the same with one year or twenty before it.
- **Half-month rollups** (:func:`months_take`): for every closed span (a month's days 1–14,
  or 15 to its end: :data:`SPAN_SPLIT_DAY`), each unit's (and unit and field's) sum of every
  figure over the span. The tables keep their first names (``MonthFigure``, ``LedgerMonth``,
  whose ``month`` is a span's first day). A report reads one row per unit, figure and span for
  the whole spans taken inside its period (and between its checkpoint and its first day), and
  day rows only for the partial spans at the edges and the spans not taken: a half-year,
  calendar or Decree 09/2019 (15th to 14th), costs 12 rows per unit and figure, not 182. The
  spans taken are contiguous, so the reader finds them with two indexed reads, in a statement
  before its sums (:func:`ledger_sums`).
- **Blocks** (:class:`Tier`): each unit's (and unit and field's) sum of the spans of a
  calendar month, quarter or year, taken with the spans (:func:`_take_blocks`). A range of
  whole spans is read as the fewest blocks and spans (:func:`cover`): a calendar half-year is
  2 rows per unit and figure, not 12; six years, 6, not 144.

A checkpoint or rollup (a span's or a block's) must stay equal to the deltas it sums, also when
a write lands in a day it covers (a history import, a calendar amendment, a back-dated action,
the demo generator): ``figures._add`` calls :func:`checkpoints_adjust` with every change, which
returns at once (no query) unless some day of the change is before the first day of the
current span, and otherwise adds the change to the rollups of its spans and blocks taken and,
for a stock day before 1 January, to every checkpoint on or after that day.

Why a checkpoint (or a rollup: the same argument with "span" for "year", under the same lock)
is never lost to a concurrent back-dated write (PostgreSQL; SQLite runs one write transaction at
a time, IMMEDIATE, so nothing interleaves there):

- :func:`checkpoints_take` only takes years that ended at least a day ago, so a write whose
  clock still reads that year (a transaction open across midnight, a machine a few hours off)
  has long committed. Every later write into that year is back-dated, and adjusts.
- Taking a year holds an exclusive transaction-scoped advisory lock for its whole transaction;
  :func:`checkpoints_adjust` takes the same lock shared (writers of different dossiers never wait
  for each other) before it reads which years exist. Either the writer got the lock first: the
  taker waits for its commit and its own statements (READ COMMITTED: each sees what committed
  before it started) then include the writer's deltas, while the writer saw no checkpoint to
  adjust. Or the taker got it first: the writer waits for the taker's commit, then sees the new
  year and adjusts it, and the taker's sums never saw the writer's uncommitted deltas. Each
  delta is counted exactly once.
- Live writes (every day of the change in the current span) never take the lock.

``motcua report verify`` checks every checkpoint against the full sum of the deltas up to its
day (:func:`checkpoint_differences`) and every rollup against its span's days
(:func:`month_differences`); ``motcua report rebuild`` rewrites both
(:func:`checkpoints_rebuild`, called by ``figures.ledger_rebuild``).
"""

from __future__ import annotations

import enum
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max, Min, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import FLOWS, STOCKS, Bucket, Measure
from motcua.dossiers.models import (
    BlockFigure,
    DayFigure,
    FieldBlockFigure,
    FieldDayFigure,
    FieldMonthFigure,
    FieldStockCheckpoint,
    LedgerCheckpointYear,
    LedgerMark,
    LedgerMonth,
    MonthFigure,
    StockCheckpoint,
)
from motcua.lib.dbrouter import reading
from motcua.lib.lookups import any_of_sql
from motcua.lib.per_request import kept
from motcua.units.tree import names_every_unit

STOCK_VALUES = tuple(bucket.value for bucket in STOCKS)
# Every figure the ledger holds (core.metrics.contributions).
LEDGER_FIGURES = (
    *(bucket.value for bucket in FLOWS),
    *STOCK_VALUES,
    *(measure.value for measure in Measure),
)

# Before any day of the ledger: "no checkpoint" in the reads' SQL.
EPOCH = date(1, 1, 1)
ONE_DAY = timedelta(days=1)

# PostgreSQL advisory lock keys (any 64-bit numbers no other code of the database uses).
CHECKPOINT_LOCK = 0x6D6F_7463_7561_0001
COMPACTION_LOCK = 0x6D6F_7463_7561_0002

# One change of the ledger, as ``dossiers.figures`` keys it: (unit, field, figure, day) -> n.
Change = Mapping[tuple[int, int, Any, date], int]


@dataclass(frozen=True)
class Ledger:
    """A delta table, its checkpoint, half-month and block rollup tables, and the columns that
    key a row besides figure and day."""

    deltas: type[Model]
    checkpoints: type[Model]
    months: type[Model]
    blocks: type[Model]
    group: tuple[str, ...]


BY_UNIT = Ledger(DayFigure, StockCheckpoint, MonthFigure, BlockFigure, ("unit_id",))
BY_FIELD = Ledger(
    FieldDayFigure,
    FieldStockCheckpoint,
    FieldMonthFigure,
    FieldBlockFigure,
    ("unit_id", "field_id"),
)
LEDGERS = (BY_UNIT, BY_FIELD)


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _day(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _day_literal() -> str:
    # A date parameter as a value (not a comparison): typed on PostgreSQL, where an untyped
    # literal in a select list is text; SQLite stores dates as ISO text anyway.
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def _in(values: Iterable[Any]) -> tuple[str, list[Any]]:
    found = list(values)
    return ", ".join(["%s"] * len(found)), found


def _units_in(column: str, ids: Iterable[int]) -> tuple[str, list[Any]]:
    """``column`` among the unit ids ``ids``. On PostgreSQL a semi-join on the array's
    elements: a province's 220 ids as ``= ANY(array)``, in each branch of :func:`ledger_sums`,
    had the planner estimate every element in every branch (planning took 5 of the 9 ms of a
    province's month, and 3,5 of 21 of its half-year; 3 and 16 this way, issue 17)."""
    found = [int(unit_id) for unit_id in ids]
    if connection.vendor == "postgresql":
        # The array as its text, as ``lib.lookups.AnyOf``: no per-element adaptation.
        literal = "{" + ",".join(map(str, found)) + "}"
        return f"{column} IN (SELECT unnest(%s::bigint[]))", [literal]
    return _member(column, found)


def _member(column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``column`` among ``values``: one array parameter on PostgreSQL (as ``lib.lookups.AnyOf``:
    a province's hundred units, in each of a report's seven branches, made a statement too
    long for psycopg's parse cache and slow to plan), an IN list elsewhere."""
    found = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [found]
    marks, found = _in(found)
    return f"{column} IN ({marks})", found


def _lock(key: int, *, shared: bool = False) -> None:
    """A transaction-scoped advisory lock on PostgreSQL; nothing on SQLite, whose IMMEDIATE
    write transactions already run one at a time."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])


def _local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def last_closed_year(today: date) -> int:
    """The last year that ended at least a whole day before ``today`` began (local dates):
    on 01/01/2027 that is 2025, from 02/01/2027 on 2026."""
    return (today - timedelta(days=1)).year - 1


# The rollups' spans: each calendar month in two, its days 1–14 and 15–end. A calendar month
# and a Decree 09/2019 reporting period (the 15th to the 14th, ``reports.forms.cutoff_day``'s
# default) are then both whole spans: a half-year of either reads 12 rollups per unit and
# figure, not 6 and a half month of day rows at each end (issue 17, docs/performance.md).
SPAN_SPLIT_DAY = 15


def span_start(day: date) -> date:
    """The first day of the rollup span of ``day``: the 1st or the 15th of its month."""
    return day.replace(day=1 if day.day < SPAN_SPLIT_DAY else SPAN_SPLIT_DAY)


def span_end(day: date) -> date:
    """The last day of the rollup span of ``day``: the 14th or the last of its month."""
    if day.day < SPAN_SPLIT_DAY:
        return day.replace(day=SPAN_SPLIT_DAY - 1)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def last_closed_span(today: date) -> date:
    """The first day of the last span that ended at least a whole day before ``today`` began
    (local dates): on 15/03/2027 that is 15/02/2027, from 16/03/2027 on 01/03/2027."""
    return span_start(span_start(today - timedelta(days=1)) - timedelta(days=1))


class Tier(enum.Enum):
    """The blocks of the rollups (:class:`~motcua.dossiers.models.BlockFigure`), coarsest
    first; the value is a block's calendar months. Each block is whole spans (a month is its
    two), and each tier's blocks are whole blocks of the next finer one."""

    YEAR = 12
    QUARTER = 3
    MONTH = 1


class Block(NamedTuple):
    """One block: its number (``BlockFigure.block``) and days."""

    code: int
    first: date
    last: date


def block_of(tier: Tier, day: date) -> Block:
    """The block of ``tier`` that holds ``day``."""
    month = (day.month - 1) // tier.value * tier.value + 1
    first = date(day.year, month, 1)
    last = span_end(date(day.year, month + tier.value - 1, SPAN_SPLIT_DAY))  # the month's end
    code = {Tier.YEAR: 0, Tier.QUARTER: 20 + (month + 2) // 3, Tier.MONTH: month}[tier]
    return Block(day.year * 100 + code, first, last)


def _block_sql(tier: Tier, column: str) -> tuple[str, list[Any]]:
    """The SQL of :func:`block_of`'s number, for the day in ``column``."""
    year_sql, year_params = connection.ops.date_extract_sql("year", column, ())
    if tier is Tier.YEAR:
        return f"{year_sql} * 100", [*year_params]
    lookup, offset = ("quarter", 20) if tier is Tier.QUARTER else ("month", 0)
    part_sql, part_params = connection.ops.date_extract_sql(lookup, column, ())
    return f"{year_sql} * 100 + {offset} + {part_sql}", [*year_params, *part_params]


def _block_days(code: int) -> Block:
    """The block numbered ``code`` (``BlockFigure.block``)."""
    year, rest = divmod(code, 100)
    if rest == 0:
        return block_of(Tier.YEAR, date(year, 1, 1))
    if rest > 20:
        return block_of(Tier.QUARTER, date(year, (rest - 21) * 3 + 1, 1))
    return block_of(Tier.MONTH, date(year, rest, 1))


def blocks_ending(first: date, after: date, through: date) -> dict[Tier, tuple[Block, Block]]:
    """Per tier, the first and last of its blocks that start on or after ``first`` and end
    after ``after`` and by ``through`` (they are contiguous): the blocks a take adds once the
    spans up to ``through`` are taken (``first``: the first span taken; ``after``: the end of
    the blocks taken before)."""
    found = {}
    for tier in Tier:
        block = block_of(tier, max(first, after + ONE_DAY))
        if block.first < first:
            block = block_of(tier, block.last + ONE_DAY)
        if block.last > through:
            continue
        last = block
        while (following := block_of(tier, last.last + ONE_DAY)).last <= through:
            last = following
        found[tier] = (block, last)
    return found


def cover(
    lo: date, hi: date, through: date | None, *, monthly: bool
) -> tuple[list[int], list[date]]:
    """The whole spans ``lo``–``hi`` as the fewest rollups: the blocks ending by ``through``
    (none: None; only months with ``monthly``, whose sums are read per month) and the first
    days of the spans left. Greedy from ``lo``: the coarsest block that starts there and
    fits, else the span; at most a span, 2 months and 3 quarters at each end besides the
    years (a calendar half-year is 2 quarters; 15/12–14/06, 2 spans, a quarter and 2
    months). A calendar month an older release took as one span (dossiers 0029) starts on a
    1st, so its row is among the spans' first days."""
    tiers = [Tier.MONTH] if monthly else list(Tier)
    end = lo - ONE_DAY if through is None else min(hi, through)  # the last day blocks may reach
    blocks: list[int] = []
    spans: list[date] = []
    day = lo
    while day <= hi:
        block = next(
            (b for t in tiers if (b := block_of(t, day)).first == day and b.last <= end), None
        )
        if block is None:
            spans.append(day)
            day = span_end(day) + ONE_DAY
        else:
            blocks.append(block.code)
            day = block.last + ONE_DAY
    return blocks, spans


def checkpoint_days() -> list[date]:
    """The days (31/12) of the years whose checkpoints exist, oldest first."""
    return list(LedgerCheckpointYear.objects.order_by("day").values_list("day", flat=True))


# -- taking, adjusting and rebuilding checkpoints --------------------------------------------


def _checkpoint_year(day: date, unit_ids: list[int] | None) -> None:
    """Write the checkpoints of the year ending on ``day``: the previous checkpoint (if any)
    plus the stock deltas after it up to ``day``, per unit (and field)."""
    previous = (
        LedgerCheckpointYear.objects.filter(day__lt=day).aggregate(last=Max("day"))["last"] or EPOCH
    )
    units_sql, units = _units_filter(unit_ids, _q("unit_id"))
    stocks, stock_values = _in(STOCK_VALUES)
    for ledger in LEDGERS:
        group = ", ".join(_q(c) for c in ledger.group)
        figure, n, on = _q("figure"), _q("n"), _q("day")
        sql = (
            f"INSERT INTO {_table(ledger.checkpoints)} ({group}, {figure}, {on}, {n}) "
            f"SELECT {group}, {figure}, {_day_literal()}, SUM({n}) FROM ("
            f" SELECT {group}, {figure}, {n} FROM {_table(ledger.checkpoints)}"
            f" WHERE {on} = %s{units_sql}"
            f" UNION ALL SELECT {group}, {figure}, {n} FROM {_table(ledger.deltas)}"
            f" WHERE {figure} IN ({stocks}) AND {on} > %s AND {on} <= %s{units_sql}"
            f") AS summed GROUP BY {group}, {figure} HAVING SUM({n}) <> 0"
        )
        params = [_day(day), _day(previous), *units, *stock_values, _day(previous), _day(day)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *units])


def checkpoints_take(today: date | None = None) -> list[int]:
    """Take the checkpoints of every closed year not taken yet (see the module's docstring for
    the lock); the years taken. The first run starts from the ledger's first year."""
    last = last_closed_year(today or _local_today())
    with transaction.atomic():
        _lock(CHECKPOINT_LOCK)
        latest = LedgerCheckpointYear.objects.aggregate(last=Max("day"))["last"]
        if latest is not None:
            first = latest.year + 1
        else:
            found = DayFigure.objects.filter(figure__in=STOCK_VALUES).aggregate(first=Min("day"))
            if found["first"] is None:
                return []
            first = found["first"].year
        years = list(range(first, last + 1))
        for year in years:
            day = date(year, 12, 31)
            _checkpoint_year(day, None)
            LedgerCheckpointYear.objects.create(day=day, taken_at=timezone.now())
    return years


def _per_span_sql(ledger: Ledger, units_sql: str) -> str:
    """The day rows of ``ledger`` summed per unit (and field), figure and span recorded in
    :class:`LedgerMonth` (``month`` to ``last_day``), for the spans between two days (the
    statement's first two parameters, then the units of ``units_sql``). Each day goes to the
    span recorded for it, whatever its length: a calendar month an older release took
    (dossiers 0029) is summed as the month it is."""
    group = ", ".join(f"d.{_q(c)}" for c in ledger.group)
    figure, n, on = f"d.{_q('figure')}", f"d.{_q('n')}", f"d.{_q('day')}"
    first, last = f"s.{_q('month')}", f"s.{_q('last_day')}"
    return (
        f"SELECT {group}, {figure}, {first}, SUM({n})"
        f" FROM {_table(ledger.deltas)} d JOIN {_table(LedgerMonth)} s"
        f" ON {on} >= {first} AND {on} <= {last}"
        f" WHERE {first} >= %s AND {last} <= %s{units_sql}"
        f" GROUP BY {group}, {figure}, {first}"
    )


def _units_filter(unit_ids: list[int] | None, column: str) -> tuple[str, list[Any]]:
    """`` AND column`` among ``unit_ids`` (:func:`_units_in`); nothing for all units (None)."""
    if unit_ids is None:
        return "", []
    sql, params = _units_in(column, unit_ids)
    return f" AND {sql}", params


def _rollup_months(first: date, last: date, unit_ids: list[int] | None) -> None:
    """Write the rollups of the spans recorded from ``first`` to ``last`` (:class:`LedgerMonth`
    rows) from the day rows, per unit (and field), in one statement per table."""
    units_sql, units = _units_filter(unit_ids, f"d.{_q('unit_id')}")
    for ledger in LEDGERS:
        columns = ", ".join(_q(c) for c in (*ledger.group, "figure", "month", "n"))
        sql = (
            f"INSERT INTO {_table(ledger.months)} ({columns}) "
            f"{_per_span_sql(ledger, units_sql)} HAVING SUM(d.{_q('n')}) <> 0"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_day(first), _day(last), *units])


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], span_start(first)
    while month <= last:
        months.append(month)
        month = span_end(month) + timedelta(days=1)
    return months


def months_take(today: date | None = None) -> list[date]:
    """Take the rollups of every closed span (:func:`span_start`) not taken yet, under the
    checkpoints' lock (see the module's docstring); the spans taken (first days). The first
    run starts from the ledger's first span; later runs take the spans after the last one, so
    the spans taken stay contiguous. Then the blocks those spans complete
    (:func:`_take_blocks`). Nothing to take costs one read of the spans' records and no
    lock."""
    last = last_closed_span(today or _local_today())
    _, latest, through = _blocks_state()
    if latest is not None and latest >= span_end(last) and through == latest:
        return []
    with transaction.atomic():
        _lock(CHECKPOINT_LOCK)
        latest = LedgerMonth.objects.aggregate(last=Max("last_day"))["last"]
        if latest is not None:
            # After the last one recorded, whatever its length (a calendar month taken by a
            # release before dossiers 0029 ends on a month's last day: the next span follows).
            first = latest + timedelta(days=1)
        else:
            found = DayFigure.objects.aggregate(first=Min("day"))["first"]
            if found is None:
                return []
            first = span_start(found)
        months = _months_between(first, last)
        if months:
            taken_at = timezone.now()
            # Recorded first: the rollups are summed per span recorded (_per_span_sql).
            LedgerMonth.objects.bulk_create(
                LedgerMonth(month=month, last_day=span_end(month), taken_at=taken_at)
                for month in months
            )
            _rollup_months(months[0], span_end(months[-1]), None)
        _take_blocks()
    return months


def _blocks_state() -> tuple[date | None, date | None, date | None]:
    """The first span taken, the last, and the last day of the blocks taken (None: none)."""
    found = LedgerMonth.objects.aggregate(
        first=Min("month"), last=Max("last_day"), through=Max("last_day", filter=Q(blocks=True))
    )
    return found["first"], found["last"], found["through"]


def _take_blocks() -> None:
    """Take the blocks that end in the spans not yet marked (the checkpoints' lock held): the
    spans just taken, and those an older release took (``LedgerMonth.blocks``)."""
    first, last, through = _blocks_state()
    if first is None or last is None or through == last:
        return
    _rollup_blocks(blocks_ending(first, through or first - ONE_DAY, last), None)
    LedgerMonth.objects.filter(blocks=False).update(blocks=True)


def _per_block_sql(
    ledger: Ledger, tier: Tier, units_sql: str, *, days: bool = False
) -> tuple[str, list[Any]]:
    """The span rollups of ``ledger`` (its day rows: ``days``) summed per unit (and field),
    figure and block of ``tier``, for the spans (days) between two days: the statement's
    parameters after the block's own, then the units of ``units_sql``, then the block's
    again (it is also grouped by)."""
    group = ", ".join(_q(c) for c in ledger.group)
    table, on = (ledger.deltas, _q("day")) if days else (ledger.months, _q("month"))
    code_sql, code_params = _block_sql(tier, on)
    sql = (
        f"SELECT {group}, {_q('figure')}, {code_sql}, SUM({_q('n')})"
        f" FROM {_table(table)} WHERE {on} >= %s AND {on} <= %s{units_sql}"
        f" GROUP BY {group}, {_q('figure')}, {code_sql}"
    )
    return sql, code_params


def _rollup_blocks(ranges: Mapping[Tier, tuple[Block, Block]], unit_ids: list[int] | None) -> None:
    """Write the blocks of each tier from the first to the last of ``ranges`` (of
    :func:`blocks_ending`) from the span rollups, per unit (and field): one statement per
    tier and table."""
    units_sql, units = _units_filter(unit_ids, _q("unit_id"))
    for ledger in LEDGERS:
        columns = ", ".join(_q(c) for c in (*ledger.group, "figure", "block", "n"))
        for tier, (first, last) in ranges.items():
            sql, params = _per_block_sql(ledger, tier, units_sql)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {_table(ledger.blocks)} ({columns}) {sql}"
                    f" HAVING SUM({_q('n')}) <> 0",
                    [*params, _day(first.first), _day(last.last), *units, *params],
                )


def _upsert(
    model: type[Model], key: tuple[str, ...], rows: list[tuple[tuple[Any, ...], int]]
) -> None:
    if not rows:
        return
    table = _table(model)
    columns = ", ".join(_q(c) for c in (*key, "n"))
    placeholders = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params: list[Any] = []
        for values, n in chunk:
            params += [_day(v) if isinstance(v, date) else v for v in values] + [n]
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(chunk))} "
            f"ON CONFLICT ({', '.join(_q(c) for c in key)}) "
            f"DO UPDATE SET {_q('n')} = {table}.{_q('n')} + excluded.{_q('n')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def checkpoints_adjust(change: Change, today: date | None = None) -> None:
    """Add a ledger change to the rollups and the checkpoints that cover its days (inside the
    writer's transaction, after its deltas). No query unless some day of the change is before
    the first day of the current span: live writes pay nothing."""
    this_span = span_start(today or _local_today())
    past = {key: n for key, n in change.items() if n and key[3] < this_span}
    if not past:
        return
    _lock(CHECKPOINT_LOCK, shared=True)
    _months_adjust(past)
    new_year = date(this_span.year, 1, 1)
    covered = {
        key: n
        for key, n in past.items()
        if key[3] < new_year and getattr(key[2], "value", key[2]) in STOCK_VALUES
    }
    if not covered:
        return
    first = min(key[3] for key in covered)
    days = list(
        LedgerCheckpointYear.objects.filter(day__gte=first)
        .order_by("day")
        .values_list("day", flat=True)
    )
    if not days:
        return
    by_unit: Counter[tuple[int, str, date]] = Counter()
    by_field: Counter[tuple[int, int, str, date]] = Counter()
    for (unit, field, figure, day), n in covered.items():
        value = str(getattr(figure, "value", figure))
        for checkpoint in days:
            if checkpoint >= day:
                by_unit[unit, value, checkpoint] += n
                by_field[unit, field, value, checkpoint] += n
    # Rows in one order in every transaction: concurrent writers wait, never deadlock.
    _upsert(StockCheckpoint, ("unit_id", "figure", "day"), sorted(by_unit.items()))
    _upsert(
        FieldStockCheckpoint, ("unit_id", "field_id", "figure", "day"), sorted(by_field.items())
    )


def _months_adjust(change: Change) -> None:
    """Add a change (days before this span; the checkpoints' lock held shared) to the rollups
    of the spans taken among its days (each day to the span recorded for it), and to those of
    the blocks taken that hold them."""
    days = {key[3] for key in change}
    taken = sorted(
        LedgerMonth.objects.filter(month__lte=max(days), last_day__gte=min(days)).values_list(
            "month", "last_day"
        )
    )
    if not taken:
        return
    starts = [first for first, _ in taken]
    first, _, through = _blocks_state()

    def span_of(day: date) -> date | None:
        at = bisect_right(starts, day) - 1
        return taken[at][0] if at >= 0 and day <= taken[at][1] else None

    def blocks_of(day: date) -> list[int]:
        # The blocks taken that hold the day: those of the spans from the first (_take_blocks).
        if first is None or through is None:
            return []
        return [
            block.code
            for block in (block_of(tier, day) for tier in Tier)
            if block.first >= first and block.last <= through
        ]

    # Each rollup table's changes: (unit, [field,] figure, span or block) -> n.
    rollups = {
        (ledger, on): Counter[tuple[Any, ...]]() for ledger in LEDGERS for on in ("month", "block")
    }
    for (unit, field, figure, day), n in change.items():
        month = span_of(day)
        if month is None:
            continue
        value = str(getattr(figure, "value", figure))
        blocks = blocks_of(day)
        for (ledger, on), rows in rollups.items():
            group = (unit, field) if ledger is BY_FIELD else (unit,)
            for key in [month] if on == "month" else blocks:
                rows[(*group, value, key)] += n
    # The tables in one order (LEDGERS', spans before blocks) and each one's rows sorted, in
    # every transaction: concurrent writers wait, never deadlock.
    for (ledger, on), rows in rollups.items():
        table = ledger.months if on == "month" else ledger.blocks
        _upsert(table, (*ledger.group, "figure", on), sorted(rows.items()))


def checkpoints_rebuild(unit_ids: Iterable[int] | None = None) -> int:
    """Rewrite the checkpoints of these units (all: None) from the deltas, for every year
    taken, and their rollups for every span taken; the checkpoint rows written.
    ``figures.ledger_rebuild`` calls it after rewriting the deltas, in its transaction."""
    ids = list(unit_ids) if unit_ids is not None else None
    with transaction.atomic():
        _lock(CHECKPOINT_LOCK)
        for ledger in LEDGERS:
            for model in (ledger.checkpoints, ledger.months, ledger.blocks):
                rows = model.objects.all()  # type: ignore[attr-defined]
                if ids is not None:
                    rows = rows.filter(unit__in=ids)
                rows.delete()
        for day in checkpoint_days():
            _checkpoint_year(day, ids)
        first, last, through = _blocks_state()
        if first is not None and last is not None:
            _rollup_months(first, last, ids)
            if through is not None:
                _rollup_blocks(blocks_ending(first, first - ONE_DAY, through), ids)
        written = StockCheckpoint.objects.all()
        if ids is not None:
            written = written.filter(unit__in=ids)
        return written.count()


# -- verifying -------------------------------------------------------------------------------


class CheckpointDifference(NamedTuple):
    """A checkpoint that is not the full sum of the deltas up to its day."""

    unit_id: int
    field_id: int | None  # None: the per-unit checkpoint
    figure: str
    year: int
    stored: int
    expected: int


def checkpoint_differences(unit_ids: Iterable[int] | None = None) -> list[CheckpointDifference]:
    """Every checkpoint (of these units) compared with the full sum of the stock deltas up to
    its day, summed from the first day again (one query per table, summed per year)."""
    days = checkpoint_days()
    if not days:
        return []
    ids = list(unit_ids) if unit_ids is not None else None
    found: list[CheckpointDifference] = []
    stocks, stock_values = _in(STOCK_VALUES)
    for ledger in LEDGERS:
        group = ", ".join(_q(c) for c in ledger.group)
        year_sql, year_params = connection.ops.date_extract_sql("year", _q("day"), ())
        units_sql, units = _units_filter(ids, _q("unit_id"))
        sql = (
            f"SELECT {group}, {_q('figure')}, {year_sql}, SUM({_q('n')})"
            f" FROM {_table(ledger.deltas)}"
            f" WHERE {_q('figure')} IN ({stocks}) AND {_q('day')} <= %s{units_sql}"
            f" GROUP BY {', '.join(str(i + 1) for i in range(len(ledger.group) + 2))}"
        )
        per_year: dict[tuple[Any, ...], Counter[int]] = defaultdict(Counter)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*year_params, *stock_values, _day(days[-1]), *units])
            for *keys, year, n in cursor.fetchall():
                per_year[tuple(keys)][int(year)] += int(n)
        expected: dict[tuple[Any, ...], int] = {}
        for keys, years in per_year.items():
            for day in days:
                total = sum(n for year, n in years.items() if year <= day.year)
                if total:
                    expected[(*keys, day)] = total
        rows = ledger.checkpoints.objects.exclude(n=0)  # type: ignore[attr-defined]
        if ids is not None:
            rows = rows.filter(unit__in=ids)
        stored = {
            tuple(row[:-1]): row[-1]
            for row in rows.values_list(*ledger.group, "figure", "day", "n")
        }
        for key in sorted(stored.keys() | expected.keys()):
            if stored.get(key, 0) != expected.get(key, 0):
                field = key[1] if len(ledger.group) == 2 else None
                found.append(
                    CheckpointDifference(
                        key[0], field, key[-2], key[-1].year, stored.get(key, 0),
                        expected.get(key, 0),
                    )
                )  # fmt: skip
    return found


class MonthDifference(NamedTuple):
    """A rollup (a span's or a block's) that is not the sum of its day rows."""

    unit_id: int
    field_id: int | None  # None: the per-unit rollup
    figure: str
    month: date  # its first day
    stored: int
    expected: int
    last_day: date
    block: int | None = None  # a block's number (BlockFigure.block); None: a span's rollup


def month_differences(unit_ids: Iterable[int] | None = None) -> list[MonthDifference]:
    """Every rollup (of these units) compared with the sum of its day rows: each span's, over
    every span taken, and each block's, over every block taken (one grouped query per table,
    and per tier)."""
    first, last, through = _blocks_state()
    if first is None or last is None:
        return []
    ids = list(unit_ids) if unit_ids is not None else None
    spans = dict(LedgerMonth.objects.values_list("month", "last_day"))
    ranges = {} if through is None else blocks_ending(first, first - ONE_DAY, through)
    found: list[MonthDifference] = []
    for ledger in LEDGERS:
        expected: dict[tuple[Any, ...], int] = {}
        units_sql, units = _units_filter(ids, f"d.{_q('unit_id')}")
        with connection.cursor() as cursor:
            cursor.execute(_per_span_sql(ledger, units_sql), [_day(first), _day(last), *units])
            for *keys, on, n in cursor.fetchall():
                if n:
                    expected[(*keys, _as_date(on))] = int(n)
        units_sql, units = _units_filter(ids, _q("unit_id"))
        for tier, (lo, hi) in ranges.items():
            # From the days, as the spans are: a wrong span is named alone.
            sql, params = _per_block_sql(ledger, tier, units_sql, days=True)
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, _day(lo.first), _day(hi.last), *units, *params])
                for *keys, code, n in cursor.fetchall():
                    if n:
                        expected[(*keys, int(code))] = int(n)
        stored: dict[tuple[Any, ...], int] = {}
        for model, column in ((ledger.months, "month"), (ledger.blocks, "block")):
            rows = model.objects.exclude(n=0)  # type: ignore[attr-defined]
            if ids is not None:
                rows = rows.filter(unit__in=ids)
            for row in rows.values_list(*ledger.group, "figure", column, "n"):
                stored[tuple(row[:-1])] = row[-1]
        for key in sorted(stored.keys() | expected.keys(), key=lambda k: (k[:-1], str(k[-1]))):
            if stored.get(key, 0) != expected.get(key, 0):
                field = key[1] if len(ledger.group) == 2 else None
                on = key[-1]
                if isinstance(on, int):
                    block = _block_days(on)
                    days, code = (block.first, block.last), on
                else:
                    days, code = (on, spans.get(on, span_end(on))), None
                found.append(
                    MonthDifference(
                        key[0], field, key[-2], days[0], stored.get(key, 0),
                        expected.get(key, 0), days[1], code,
                    )
                )  # fmt: skip
    return found


# -- compaction ------------------------------------------------------------------------------


def _compact(ledger: Ledger, *, full: bool) -> int:
    table = _table(ledger.deltas)
    key = (*ledger.group, "figure", "day")
    columns = ", ".join(_q(c) for c in key)
    row_id = _q("id")
    with transaction.atomic():
        _lock(COMPACTION_LOCK)
        mark, _ = LedgerMark.objects.select_for_update().get_or_create(
            name=ledger.deltas._meta.db_table
        )
        since = 0 if full else mark.last_id
        top = ledger.deltas.objects.aggregate(top=Max("id"))["top"] or 0  # type: ignore[attr-defined]
        if top <= since:
            return 0
        # The keys written since the mark that now have several rows: their rows up to ``top``
        # go, their sums come back. Rows inserted meanwhile have a larger id, or are not yet
        # visible to this statement: they stay, and the sums are unchanged either way.
        sql = (
            f"DELETE FROM {table} WHERE {row_id} <= %s AND ({columns}) IN ("
            f" SELECT {columns} FROM {table} WHERE {row_id} <= %s AND ({columns}) IN ("
            f"  SELECT {columns} FROM {table} WHERE {row_id} > %s AND {row_id} <= %s)"
            f" GROUP BY {columns} HAVING COUNT(*) > 1"
            f") RETURNING {columns}, {_q('n')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [top, top, since, top])
            deleted = cursor.fetchall()
        sums: Counter[tuple[Any, ...]] = Counter()
        for *values, n in deleted:
            sums[tuple(values)] += n
        rows = sorted((values, n) for values, n in sums.items() if n)
        columns_n = f"{columns}, {_q('n')}"
        placeholders = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 500):
                chunk = rows[start : start + 500]
                cursor.execute(
                    f"INSERT INTO {table} ({columns_n}) VALUES "
                    + ", ".join([placeholders] * len(chunk)),
                    [value for values, n in chunk for value in (*values, n)],
                )
        mark.last_id = top
        mark.save(update_fields=["last_id"])
        return len(deleted) - len(rows)


def ledger_compact(*, full: bool = False) -> int:
    """Fold the ledger's rows that share a key into one; the rows it removed.

    Reads the rows written since the last run (``full``: every row, e.g. after an upgrade or
    to fold a row that committed after a run had passed its id). Safe while writers insert.
    """
    return sum(_compact(ledger, full=full) for ledger in LEDGERS)


def ledger_maintain(*, now: datetime) -> int:
    """The worker's daily step (``jobs.housekeeping``): compaction, then the rollups of a
    half-month and the checkpoints of a year that closed. Returns the ledger rows the
    compaction removed."""
    folded = ledger_compact()
    today = now.astimezone(LOCAL_TZ).date()
    months_take(today)
    checkpoints_take(today)
    return folded


# -- reading ---------------------------------------------------------------------------------


class Edge(NamedTuple):
    """What :func:`ledger_edge_days` looks for: the last (or first) day on which the ledger
    counts one of ``figures``, up to ``until``."""

    figures: tuple[Bucket, ...]
    last: bool
    until: date | None = None


def ledger_edge_days(units: QuerySet[Any], edges: Sequence[Edge]) -> list[date | None]:
    """Each of ``edges`` over the ledger of ``units`` (None where the ledger counts nothing),
    in one query, whatever the history: for each unit, edge and figure, one probe of the
    ledger's (unit, figure, day) index from its end, instead of an aggregate over every
    dossier the units ever received (bench/pages: 0,4–0,75 s at 1 M dossiers,
    docs/performance.md)."""
    probes = {}
    for e, edge in enumerate(edges):
        for f, figure in enumerate(edge.figures):
            rows = DayFigure.objects.filter(unit=OuterRef("pk"), figure=figure.value, n__gt=0)
            if edge.until is not None:
                rows = rows.filter(day__lte=edge.until)
            day = rows.order_by("-day" if edge.last else "day").values("day")[:1]
            probes[f"edge_{e}_{f}"] = Subquery(day)
    # One row per unit (a few hundred for a province), reduced here.
    found = list(units.annotate(**probes).values(*probes))
    answers: list[date | None] = []
    for e, edge in enumerate(edges):
        days = [row[f"edge_{e}_{f}"] for row in found for f in range(len(edge.figures))]
        days = [day for day in days if day is not None]
        answers.append((max(days) if edge.last else min(days)) if days else None)
    return answers


def ledger_first_day(figure: Bucket) -> date | None:
    """The first day on which the ledger of any unit counts ``figure`` (None if it never
    does): one probe of the days' index from its start."""
    day, n = _q("day"), _q("n")
    sql = (
        f"SELECT {day} FROM {_table(DayFigure)} WHERE {_q('figure')} = %s AND {n} > 0"
        f" ORDER BY {day} LIMIT 1"
    )
    with reading(DayFigure).cursor() as cursor:
        cursor.execute(sql, [figure.value])
        row = cursor.fetchone()
    return None if row is None else _as_date(row[0])


def ledger_counts_any(
    unit_ids: Iterable[int], figures: Iterable[Bucket], first: date, last: date
) -> bool:
    """Whether the ledger of these units counts one of ``figures`` on a day of
    ``first``–``last``: one statement that stops at the first such row (the days' index),
    where :func:`ledger_edge_days` probes every unit (a province's 222 units × 2 figures:
    9 ms). Written by hand, as the other reads of this module: the dashboard asks it twice a
    page, and building it with the ORM took 0,6 ms of the 1,1 (docs/performance.md)."""
    ids = sorted({int(unit_id) for unit_id in unit_ids})
    if not ids:
        return False
    # Every unit there is (a province's): no condition on the unit, as in ledger_sums.
    every_unit = names_every_unit(ids)
    unit_in, units = (
        ("TRUE", []) if every_unit else any_of_sql(_q("unit_id"), ids, connection.vendor)
    )
    figure_in, values = _member(_q("figure"), [figure.value for figure in figures])
    day = _q("day")
    sql = (
        f"SELECT 1 FROM {_table(DayFigure)} WHERE {unit_in} AND {figure_in}"
        f" AND {day} >= %s AND {day} <= %s AND {_q('n')} > 0 LIMIT 1"
    )
    with reading(DayFigure).cursor() as cursor:
        cursor.execute(sql, [*units, *values, _day(first), _day(last)])
        return cursor.fetchone() is not None


class Grouping(enum.Enum):
    """How :func:`ledger_sums` splits its sums."""

    NONE = "none"  # per figure (DayFigure)
    UNIT = "unit"  # per receiving unit (DayFigure)
    FIELD = "field"  # per field of procedures (FieldDayFigure)


class LedgerSum(NamedTuple):
    """One sum of :func:`ledger_sums`: ``part`` None is the stock before the first day (the
    latest checkpoint plus the deltas after it); otherwise the days from the first on, either
    all of them (``part`` 0) or one calendar month (``part`` year × 100 + month)."""

    group: int | None
    figure: str
    part: int | None
    n: int


class _Taken(NamedTuple):
    """What a read of the ledger finds already summed, for its period ``first``–``last``: the
    latest checkpoint before ``first``, the first and last day of the whole spans taken
    inside the period and inside the stock's days (after the checkpoint, before ``first``),
    and the last day of the blocks taken."""

    checkpoint: date | None
    period: tuple[date, date] | None
    stock: tuple[date, date] | None
    blocks: date | None


def _as_date(value: Any) -> date | None:
    # SQLite gives a computed date as its ISO text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _taken(db: BaseDatabaseWrapper, first: date, last: date) -> _Taken:
    """:class:`_Taken` in one statement of indexed reads (the spans taken are contiguous:
    every span from the first to the last of them inside a range has its rollups), kept for
    the rest of the request (``lib.per_request``): a dashboard's rows and its trend ask it
    for the same days; and by the process for ``MOTCUA_LEDGER_TAKEN_SECONDS``
    (:func:`_taken_recent`). A kept answer cannot mislead: rollups are never removed (a
    rebuild rewrites those of every span taken), and one taken since is simply not used, as
    between the two statements of :func:`ledger_sums`. Kept per database (``db``: the
    primary, or the replica a report page reads), whose rollups may be a little behind."""
    return kept(("ledger_taken", db.alias, first, last), lambda: _taken_recent(db, first, last))


# (database, first, last) -> (when read, what was taken), outside transactions; at most
# _TAKEN_KEPT. Per database: what the primary has taken, a lagging replica may not have yet.
_taken_by_process: dict[tuple[str, date, date], tuple[float, _Taken]] = {}
_TAKEN_KEPT = 256


def _taken_recent(db: BaseDatabaseWrapper, first: date, last: date) -> _Taken:
    """:func:`_taken_read`, read again by this process once its answer is older than
    ``MOTCUA_LEDGER_TAKEN_SECONDS`` (never inside a transaction, whose own writes count).
    The spans taken change once a night at most (``motcua worker``): each dashboard and
    drill-down read it on every page, 0,6 ms a statement, two a dashboard (issue 17)."""
    seconds = settings.MOTCUA_LEDGER_TAKEN_SECONDS
    if seconds <= 0 or db.in_atomic_block:
        return _taken_read(db, first, last)
    now = time.monotonic()
    found = _taken_by_process.get((db.alias, first, last))
    if found is None or now - found[0] >= seconds:
        if len(_taken_by_process) >= _TAKEN_KEPT:  # periods typed by hand: memory bounded
            _taken_by_process.clear()
        found = (now, _taken_read(db, first, last))
        _taken_by_process[db.alias, first, last] = found
    return found[1]


def _taken_read(db: BaseDatabaseWrapper, first: date, last: date) -> _Taken:
    years, months = _table(LedgerCheckpointYear), _table(LedgerMonth)
    on, month, last_day = _q("day"), _q("month"), _q("last_day")
    since = f"COALESCE(c.{on}, %s)"
    sql = (
        f"SELECT c.{on},"
        f" (SELECT MIN({month}) FROM {months} WHERE {month} >= %s AND {last_day} <= %s),"
        f" (SELECT MAX({last_day}) FROM {months} WHERE {month} >= %s AND {last_day} <= %s),"
        f" (SELECT MIN({month}) FROM {months} WHERE {month} > {since} AND {last_day} < %s),"
        f" (SELECT MAX({last_day}) FROM {months} WHERE {month} > {since} AND {last_day} < %s),"
        f" (SELECT MAX({last_day}) FROM {months} WHERE {_q('blocks')} = %s)"
        f" FROM (SELECT MAX({on}) AS {on} FROM {years} WHERE {on} < %s) AS c"
    )
    start, end, epoch = _day(first), _day(last), _day(EPOCH)
    with db.cursor() as cursor:
        cursor.execute(sql, [start, end, start, end, epoch, start, epoch, start, True, start])
        row = cursor.fetchone()
    checkpoint, lo, hi, stock_lo, stock_hi, blocks = (_as_date(value) for value in row)
    return _Taken(
        checkpoint,
        None if lo is None or hi is None else (lo, hi),
        None if stock_lo is None or stock_hi is None else (stock_lo, stock_hi),
        blocks,
    )


class Source(enum.Enum):
    """Where a piece of a read's days is summed from."""

    DAYS = "days"  # the day rows (DayFigure)
    SPANS = "spans"  # the half-month rollups (MonthFigure)
    BLOCKS = "blocks"  # the month, quarter and year rollups (BlockFigure)


class Piece(NamedTuple):
    """Some days of a read, and where they are summed from: the day rows of ``lo``–``hi``, or
    the rollups keyed ``keys`` (spans: their first days; blocks: their numbers)."""

    source: Source
    lo: date
    hi: date
    keys: tuple[Any, ...] = ()


def _pieces(
    first: date, last: date, spans: tuple[date, date] | None, through: date | None, *, monthly: bool
) -> list[Piece]:
    """The days ``first``–``last`` as the ledger holds them: the days before the whole spans
    taken, the blocks and spans that cover those (:func:`cover`), the days after them; empty
    pieces left out."""
    if spans is None:
        return [Piece(Source.DAYS, first, last)] if first <= last else []
    lo, hi = spans
    blocks, starts = cover(lo, hi, through, monthly=monthly)
    pieces = [
        Piece(Source.DAYS, first, lo - ONE_DAY),
        Piece(Source.SPANS, lo, hi, tuple(starts)),
        Piece(Source.BLOCKS, lo, hi, tuple(blocks)),
        Piece(Source.DAYS, hi + ONE_DAY, last),
    ]
    return [p for p in pieces if p.keys or (p.source is Source.DAYS and p.lo <= p.hi)]


def ledger_sums(
    unit_ids: Iterable[int],
    first: date,
    last: date,
    *,
    by: Grouping = Grouping.NONE,
    monthly: bool = False,
    figures: Iterable[str] | None = None,
) -> list[LedgerSum]:
    """The ledger of these receiving units summed per figure (and ``by``):

    - every figure (or only ``figures``) over ``first``–``last`` (per month with ``monthly``);
    - the stocks before ``first``: the latest checkpoint before ``first`` plus the stock deltas
      after it (every delta from the first day if no year was checkpointed before ``first``);
      not read when ``figures`` names no stock.

    Both read the rollups of the whole spans taken inside their range, and day rows for the
    rest: the same sums as the day rows alone. Two statements: what was taken
    (:func:`_taken`), then the sums, one branch per piece that holds a day. The bounds are
    the statement's own parameters: found inside it by subqueries, they made the planner
    plan every branch for any bounds (7 branches, 1,4–1,6 ms of planning a province's
    report at 10 M dossiers, 0,2–0,4 this way, docs/performance.md).

    A span or a year taken between the two statements is simply not used: its days are still
    there. Spans and years are never removed (``checkpoints_rebuild`` rewrites their rows in
    one transaction, which the sums see whole or not at all).
    """
    ids = list(unit_ids)
    asked = None if figures is None else set(figures)
    wanted = LEDGER_FIGURES if asked is None else tuple(f for f in LEDGER_FIGURES if f in asked)
    stocks_wanted = tuple(f for f in STOCK_VALUES if f in wanted)
    if not ids or not wanted:
        return []
    ledger = BY_FIELD if by is Grouping.FIELD else BY_UNIT
    group = {
        Grouping.NONE: "",
        Grouping.UNIT: f"{_q('unit_id')}, ",
        Grouping.FIELD: f"{_q('field_id')}, ",
    }[by]
    # The page's database (``lib.dbrouter.reading``): what was taken and the sums both.
    db = reading(DayFigure)
    taken = _taken(db, first, last)
    # Every unit there is (a province's figures, rows and trend): no condition on the unit,
    # whose semi-join was 1,3 of the half-year's 4,5 ms at 10 M dossiers, and whose array
    # was sent again for every branch. By unit, a unit the tree did not know yet is dropped
    # below, so the rows are those of ``ids`` either way; summed, it counts, as a unit of the
    # root whose lineage names every unit.
    every_unit = names_every_unit(ids)
    wanted_units = set(ids) if by is Grouping.UNIT and every_unit else None
    unit_in, ids = ("TRUE", []) if every_unit else _units_in(_q("unit_id"), ids)
    tables = {
        Source.DAYS: (_table(ledger.deltas), _q("day")),
        Source.SPANS: (_table(ledger.months), _q("month")),
        Source.BLOCKS: (_table(ledger.blocks), _q("block")),
    }
    figure, n = _q("figure"), _q("n")
    branches: list[tuple[str, list[Any]]] = []

    def read(pieces: list[Piece], figures_in: tuple[str, list[Any]], *, stock: bool) -> None:
        # Each branch a range (or a few values) on the index (unit, [field,] figure, day|
        # month|block), every column bounded: an OR of them, or no condition on the figure,
        # read every day of the units.
        for piece in pieces:
            table, on = tables[piece.source]
            if piece.source is Source.BLOCKS:
                # A month's number is its part (year × 100 + month): only months when monthly.
                part_sql = "NULL" if stock else on if monthly else "0"
                part_params: list[Any] = []
            else:
                part_sql, part_params = _part_sql(on, stock=stock, monthly=monthly)
            if piece.source is Source.DAYS:
                days_sql, days = f"{on} >= %s AND {on} <= %s", [_day(piece.lo), _day(piece.hi)]
            else:
                days_sql, days = _member(
                    on, [_day(k) if isinstance(k, date) else k for k in piece.keys]
                )
            branches.append(
                (
                    f"SELECT {group}{figure}, {part_sql} AS part, {n} FROM {table}"
                    f" WHERE {unit_in} AND {figures_in[0]} AND {days_sql}",
                    [*part_params, *ids, *figures_in[1], *days],
                )
            )

    stock_in = _member(figure, stocks_wanted)
    period = _pieces(first, last, taken.period, taken.blocks, monthly=monthly)
    # Every figure of every unit (a province's report): no condition, the ledger holds no
    # other figure (``LEDGER_FIGURES`` is what ``core.metrics.contributions`` writes), and
    # the branches read the indexes led by the day, month or block. The 21 names compared
    # with each of a half-year's rows were 0,27 of the statement's 2,9 ms at 10 M dossiers.
    # Some units' figures keep it: it bounds their index (unit, figure, day) by the figure.
    every_figure = every_unit and set(wanted) == set(LEDGER_FIGURES)
    read(period, ("TRUE", []) if every_figure else _member(figure, wanted), stock=False)
    if stocks_wanted:  # the period's flows only (a trend of receipts): no stock to start from
        since = (taken.checkpoint or EPOCH) + ONE_DAY
        stock = _pieces(since, first - ONE_DAY, taken.stock, taken.blocks, monthly=False)
        read(stock, stock_in, stock=True)
        if taken.checkpoint is not None:
            on = _q("day")
            branches.append(
                (
                    f"SELECT {group}{figure}, NULL AS part, {n} FROM {_table(ledger.checkpoints)}"
                    f" WHERE {unit_in} AND {stock_in[0]} AND {on} = %s",
                    [*ids, *stock_in[1], _day(taken.checkpoint)],
                )
            )
    # Integers as the database gives them: PostgreSQL's sums and month numbers are numeric,
    # and turning a province's 1.400 of them into integers in Python took half a millisecond.
    sql = (
        f"SELECT {group}{figure}, CAST(part AS INTEGER), CAST(SUM({n}) AS BIGINT) FROM ("
        + " UNION ALL ".join(branch for branch, _ in branches)
        + f") AS ledger GROUP BY {group}{figure}, part"
    )
    params = [param for _, branch_params in branches for param in branch_params]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if by is Grouping.NONE:
        return [LedgerSum(None, *row) for row in rows]
    if wanted_units is None:
        return list(map(LedgerSum._make, rows))
    return [LedgerSum._make(row) for row in rows if row[0] in wanted_units]


def _part_sql(column: str, *, stock: bool, monthly: bool) -> tuple[str, list[Any]]:
    """A branch's ``part``: NULL for the stock before the period, else 0, or the calendar
    month of ``column`` (year × 100 + month) with ``monthly``."""
    if stock:
        return "NULL", []
    if not monthly:
        return "0", []
    if connection.vendor == "postgresql":
        # EXTRACT gives numeric, whose arithmetic for each of a half-year trend's 1.953 rows
        # was a third of its statement (1,1 ms at 10 M dossiers); date_part a double.
        return f"date_part('year', {column})::int * 100 + date_part('month', {column})::int", []
    year_sql, year_params = connection.ops.date_extract_sql("year", column, ())
    month_sql, month_params = connection.ops.date_extract_sql("month", column, ())
    return f"{year_sql} * 100 + {month_sql}", [*year_params, *month_params]

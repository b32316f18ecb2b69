"""The dossiers behind a figure, a page at a time, at a cost that depends on the page and
not on the unit's history.

A figure's dossiers are those ``core.metrics.buckets`` (the one definition, the ledger's too)
puts in its bucket. Reading every dossier of the unit to ask it would cost the whole history
on every page. So SQL first narrows the candidates with conditions each bucket *needs* (received
in the period, resolved or ended in it, still pending at its end, a due moment before its end,
a rating in it…), in the order of an index (``receiving_unit, received_at, id``), a chunk at a
time from the page's cursor (``motcua.lib.paging``); Python then applies ``buckets`` to each
candidate and keeps the figure's. The conditions are necessary, never sufficient: a condition
too strict would lose a dossier, one too loose only costs a candidate read. The tests check
that the pages' union is exactly the figure (``test_dashboard``, ``test_query_counts``).
Where the columns tell a list exactly (the receipts, the resolutions, the stock of a period
not over, a past moment's whole stock: :func:`exact_receipts`, :func:`candidates_exactly`,
:func:`exact_stock`), the candidates are the list, and no facts are loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connection, connections
from django.db.models import (
    BooleanField,
    DateTimeField,
    DurationField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from motcua.core import metrics
from motcua.dossiers.choices import Channel, PauseReason, Timeliness
from motcua.dossiers.figures import Calendars
from motcua.dossiers.models import Dossier, DossierComponent, Pause
from motcua.dossiers.selectors import (
    dossiers_with_facts,
    past_due_q,
    received_by_q,
    recorded_until,
    supplement_limit,
)
from motcua.feedback.choices import SATISFIED_OR_BETTER
from motcua.lib.dbrouter import reading
from motcua.lib.paging import Cursor, Ordering, Page, keyset_chunks, keyset_page
from motcua.payments.models import Payment

Bucket = metrics.Bucket
# The order of a drill-down list: by receipt, the id breaking ties (index receiving_unit,
# received_at, id: dossiers migration 0010).
DRILL_ORDER = Ordering.of("received_at", "id")
# The columns a row of a list shows (``reports.views._dossier_row``: the drill-downs', the
# end-of-day lists'), as ``values()`` paths: an export of a province's 29.660 overdue
# dossiers built four whole model rows each (dossier, version, procedure, agency), a fifth of
# its time; with ``only()`` still a model each (a year's 87.780 late resolutions: 355.000
# models), with ``values()`` none.
DOSSIER_ROW_FIELDS = (
    "code",
    "procedure_version__name",
    "procedure_version__procedure__code",
    "current_agency__name",
    "receiving_agency__name",
    "received_at",
    "effective_due_at",
    "resolved_at",
    "status",
    "timeliness",
    "assignee__full_name",
    "assignee__username",
    "paused_since",
)
# Candidates read per query when a page or an export is filled.
CHUNK = 500
# Chunks a page reads at most: a figure whose dossiers are rare among the candidates (a few
# late ones in years of history) answers a short page with a cursor to read on, instead of
# reading chunk after chunk until its page is full (190 statements at 10 M, issue 17).
MAX_READS = 8

_RECEIPT = {
    Bucket.RECEIVED,
    Bucket.RECEIVED_ONLINE,
    Bucket.RECEIVED_DIRECT,
    Bucket.OBLIGATION,
    Bucket.PAID_ONLINE,
    Bucket.DIGITISED,
    Bucket.CERTIFICATION,
    Bucket.E_CERTIFIED,
    Bucket.REUSE_ELIGIBLE,
    Bucket.REUSED,
}
_RESOLUTION = {
    Bucket.RESOLVED,
    Bucket.RESOLVED_EARLY,
    Bucket.RESOLVED_ON_TIME,
    Bucket.RESOLVED_LATE,
}
_PENDING = {Bucket.PENDING, Bucket.PENDING_WITHIN_TIME, Bucket.PENDING_OVERDUE}
# The lists whose candidates are the list (:func:`candidates_exactly`).
_EXACT_CANDIDATES = _RESOLUTION | {Bucket.PENDING, Bucket.CARRIED_OVER}
# The receipts the columns tell exactly (:func:`exact_receipts`).
_EXACT_RECEIPTS = {Bucket.RECEIVED, Bucket.RECEIVED_ONLINE, Bucket.RECEIVED_DIRECT}


# The span of a resolved dossier, as ``motcua_open_span`` gives it, written as the index on
# resolved dossiers alone has it (reports migration 0007): its receipt and resolution columns.
RESOLVED_SPAN = "tstzrange({received}, GREATEST({received}, {resolved}), '[]')"


class _SpanCondition(Func):
    """A condition on a dossier's span from receipt to resolution or end (``motcua_open_span``,
    reports migration 0002) and a moment, in the form its GiST index serves; of a resolved
    dossier's span (``resolved``: :data:`RESOLVED_SPAN`, the index of the resolved alone,
    0007) for rows that hold ``resolved_at IS NOT NULL``. PostgreSQL only."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, moment: Any, *, resolved: bool = False) -> None:
        moment = moment if hasattr(moment, "resolve_expression") else Value(moment)
        super().__init__(F("received_at"), F("resolved_at"), F("ended_at"), moment)
        self.resolved = resolved

    def condition(self, span: str, moment: str) -> str:
        raise NotImplementedError

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, found = compiler.compile(expression)
            parts.append(sql)
            params.extend(found)
        received, resolved, ended, moment = parts
        if self.resolved:
            span = RESOLVED_SPAN.format(received=received, resolved=resolved)
        else:
            span = f"motcua_open_span({received}, {resolved}, {ended})"
        return self.condition(span, f"({moment})::timestamptz"), params


class SpanCovers(_SpanCondition):
    """The dossier was open at ``moment``: its span covers it. A necessary condition of being
    pending at ``moment``."""

    def condition(self, span: str, moment: str) -> str:
        return f"{span} @> {moment}"


class SpanEndsBefore(_SpanCondition):
    """The dossier was resolved or ended before ``moment``: its span does not extend to the
    right of what ends there (a span still open does). A necessary condition of being
    resolved in a period ending at ``moment``: the resolutions received before a period, read
    from the resolved dossiers' spans open at its start (reports 0007), skip those resolved
    after it in the index itself. On the spans of every dossier it also skipped the stock's
    dossiers never finished (this month's late resolutions: 39.455 → 1.417 index pages, 35
    → 13 ms of SQL), which the index of the resolved alone no longer holds."""

    def condition(self, span: str, moment: str) -> str:
        return f"{span} &< tstzrange(NULL, {moment})"


class SpanStartsBy(_SpanCondition):
    """The dossier was received at or before ``moment``: ``received_at <= moment`` as the
    span's overlap with everything up to ``moment``, which the receipts' index cannot serve.
    A page's bound (:func:`nearest_first`) asked as ``received_at`` was a condition on that
    index too; PostgreSQL, which cannot know the bound when it plans, then walked it from the
    first receipt of history through every dossier received before the stock's oldest (a
    past year's overdue stock: 135 ms at 10 M dossiers, 2 ms so)."""

    def condition(self, span: str, moment: str) -> str:
        return f"{span} && tstzrange(NULL, {moment}, '[]')"


class SpanStartsFrom(_SpanCondition):
    """The dossier was received at or after ``moment``: :class:`SpanStartsBy`'s counterpart
    (the span does not extend to the left of what starts at ``moment``)."""

    def condition(self, span: str, moment: str) -> str:
        return f"{span} &> tstzrange({moment}, NULL)"


def finished_since(moment: datetime) -> bool:
    """Whether a dossier was resolved or ended at or after ``moment``: one statement on the
    indexes of ``resolved_at`` and ``ended_at``, nothing to read for a moment to come.

    Written once by hand, as the session's read (``lib.sessions``): every dashboard asks it,
    and the ORM took longer to build the statement than the database to answer it (0,6 of
    its 1,1 ms on a province's dashboard at 10 M dossiers)."""
    db = reading(Dossier)
    value = db.ops.adapt_datetimefield_value(moment)
    with db.cursor() as cursor:
        cursor.execute(_finished_since_sql(db.alias), [value, value])
        return cursor.fetchone() is not None


@functools.cache
def _finished_since_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    table, resolved, ended = map(quote, (Dossier._meta.db_table, "resolved_at", "ended_at"))
    return f"SELECT 1 FROM {table} WHERE {resolved} >= %s OR {ended} >= %s LIMIT 1"


def _open_now(moment: datetime) -> Q:
    """Received before ``moment`` and not finished at all: open at ``moment`` when nothing
    has finished since (the partial index ``dossier_open_received`` holds them in order)."""
    return Q(received_at__lt=moment, resolved_at__isnull=True, ended_at__isnull=True)


def open_at(moment: datetime, spans: set[datetime] | None = None) -> Q:
    """Pending at ``moment`` as far as the columns tell (received before it, not resolved or
    ended before it).

    When nothing has finished since ``moment`` (the end of a period not over yet), that is
    the dossiers not finished at all: the partial index ``dossier_open_received`` (dossiers
    migration 0020) holds them in the drill-down's order, so a page reads its rows and stops,
    instead of the province's whole stock sorted (174 ms at 10 M dossiers, issue 17).
    Otherwise, on PostgreSQL, the span condition its GiST index serves: the stock at a past
    moment is read from the spans open at it, not from the years after it (a ``resolved_at``
    range: 8,2 s at 10 M dossiers). A moment asked in the span's form is added to ``spans``
    (the page may then read it in order from the index: :func:`nearest_first`)."""
    if not finished_since(moment):
        return _open_now(moment)
    if connection.vendor == "postgresql":
        if spans is not None:
            spans.add(moment)
        # The span condition is the column condition below (received before, finished not
        # before), in the one form the index serves: the ``OR`` is left out, else the planner
        # ANDs in a ``resolved_at`` range over the years after the moment (246 k rows at 1 M).
        return Q(received_at__lt=moment) & Q(SpanCovers(moment))
    return Q(received_at__lt=moment) & (
        Q(resolved_at__gte=moment)
        | Q(resolved_at__isnull=True) & (Q(ended_at__isnull=True) | Q(ended_at__gte=moment))
    )


def _counted_in(column: str, period: metrics.Period) -> Q:
    """A moment that counts in the period (``metrics.as_counted``: never before the receipt,
    so a moment before the period counts in it when the dossier was received in it)."""
    lo, hi = period.lo, period.hi
    return Q(**{f"{column}__lt": hi}) & (Q(**{f"{column}__gte": lo}) | Q(received_at__gte=lo))


def necessary(bucket: Bucket, period: metrics.Period, spans: set[datetime] | None = None) -> Q:
    """Conditions on a dossier (received before the period ends) that counting in ``bucket``
    requires: what ``core.metrics.buckets`` checks, as far as the columns tell (a stock's
    moment asked in the span's form is added to ``spans``: :func:`open_at`)."""
    lo, hi = period.lo, period.hi
    mine = OuterRef("pk")
    if bucket in _RECEIPT:
        condition = Q(received_at__gte=lo)
        if bucket is Bucket.RECEIVED_ONLINE:
            condition &= Q(channel=Channel.ONLINE)
        elif bucket is Bucket.RECEIVED_DIRECT:
            condition &= ~Q(channel=Channel.ONLINE)
        elif bucket in (Bucket.OBLIGATION, Bucket.PAID_ONLINE):
            condition &= Q(Exists(Payment.objects.filter(dossier=mine)))
        elif bucket is Bucket.DIGITISED:
            condition &= Q(Exists(DossierComponent.objects.filter(dossier=mine)))
        elif bucket is Bucket.CERTIFICATION:
            condition &= Q(procedure_version__is_certification=True)
        elif bucket is Bucket.E_CERTIFIED:
            condition &= Q(procedure_version__is_certification=True, electronic_certification=True)
        elif bucket is Bucket.REUSE_ELIGIBLE:
            condition &= Q(Exists(DossierComponent.objects.filter(dossier=mine, reusable=True)))
        elif bucket is Bucket.REUSED:
            condition &= Q(Exists(DossierComponent.objects.filter(dossier=mine, reused=True)))
        return condition
    if bucket is Bucket.CARRIED_OVER:
        return open_at(lo, spans)
    if bucket in _RESOLUTION:
        condition = _counted_in("resolved_at", period)
        if bucket is Bucket.RESOLVED_EARLY:
            condition &= Q(timeliness=Timeliness.EARLY)
        elif bucket is Bucket.RESOLVED_ON_TIME:
            condition &= Q(timeliness=Timeliness.ON_TIME)
        elif bucket is Bucket.RESOLVED_LATE:
            condition &= ~Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])
        return condition
    if bucket is Bucket.ENDED:
        return _counted_in("ended_at", period)
    if bucket in _PENDING:
        # Received before the end is required of every candidate (``candidates``).
        condition = open_at(hi, spans)
        if bucket is Bucket.PENDING_OVERDUE:
            # Overdue at the end needs a due moment before it (pauses only move it later), or
            # more supplement requests than the 766 rule allows.
            late = Q(due_at__lt=hi) | Q(effective_due_at__lt=hi)
            limit = supplement_limit()
            if limit is not None:
                supplements = Pause.objects.filter(dossier=mine, reason=PauseReason.SUPPLEMENT)
                late |= Q(supplement_requests__gt=limit) | Q(Exists(supplements))
            condition &= Q(due_at__isnull=False) & late
        elif bucket is Bucket.PENDING_WITHIN_TIME:
            # Within time at the end needs no time limit, a due moment not before it as the
            # columns stand now (pauses closed since and extensions only move it later), or a
            # clock stopped since before it and still stopped (its due moment then stands as
            # it was when it stopped: ``core.timeliness.is_overdue``).
            condition &= (
                Q(due_at__isnull=True) | Q(effective_due_at__gte=hi) | Q(paused_since__lt=hi)
            )
        return condition
    if bucket in (Bucket.RATED, Bucket.SATISFIED):
        condition = Q(rating__isnull=False) & _counted_in("rating__at", period)
        if bucket is Bucket.SATISFIED:
            condition &= Q(rating__level__in=list(SATISFIED_OR_BETTER))
        return condition
    raise ValueError(bucket)  # every bucket is handled above


def candidates(
    unit_ids: Collection[int],
    period: metrics.Period,
    buckets: Sequence[Bucket],
    part: QuerySet[Dossier] | None = None,
    spans: set[datetime] | None = None,
) -> QuerySet[Dossier]:
    """The dossiers of these receiving units that may count in one of ``buckets`` (kept to
    ``part``'s when given): a superset of the figure, narrowed in SQL."""
    condition = Q(pk__in=[])
    for bucket in buckets:
        condition |= necessary(bucket, period, spans)
    found = Dossier.objects.filter(condition, received_by_q(unit_ids), received_at__lt=period.hi)
    return found & part if part is not None else found


def resolution_parts(
    found: QuerySet[Dossier], period: metrics.Period, buckets: Sequence[Bucket]
) -> tuple[QuerySet[Dossier], ...]:
    """The parts of a list of resolutions (``candidates`` of resolution buckets only) that a
    page reads each on its own index (``lib.paging.keyset_page``'s ``parts``), in the list's
    order: those received before the period, then those received in it (``consecutive``);
    none for other lists.

    A resolution counted in the period was received in it, or before it and still open at
    its start (resolved at or after its first moment: ``open_at``'s span covers that moment).
    Read as one list in the order of receipt, a province's resolutions of 2025 started from
    the first receipt of its history and read 6,6 M dossiers received before the period to
    find the few resolved in it (19 s at 10 M dossiers, issue 17). Apart, those received in
    the period are read in order from its start (2 ms), and those received before from the
    span index: the stock at the period's start, not the history (51 ms). Both indexes carry
    the resolution and the timeliness (dossiers migration 0032, reports 0005): a list that few
    of the candidates hold (this month's late resolutions) is told from their entries alone,
    not from each dossier's row (213 → 74 ms at 10 M dossiers). Those received before are
    read from the spans of resolved dossiers alone (reports 0007): the stock at the period's
    start also holds every dossier never finished received before it, the first an ordered
    scan of all spans meets (this month's late resolutions: 3,7 → 0,5 ms at 10 M)."""
    if not buckets or not all(bucket in _RESOLUTION for bucket in buckets):
        return ()
    # The condition of the resolved spans' index said outright (``resolved_at < hi`` in each
    # bucket's condition implies it), so that PostgreSQL sees the index applies.
    earlier = found.filter(received_at__lt=period.lo, resolved_at__isnull=False)
    if connection.vendor == "postgresql":
        earlier = earlier.filter(
            SpanCovers(period.lo, resolved=True), SpanEndsBefore(period.hi, resolved=True)
        )
        earlier = earlier.alias(**{_OPEN_AT_START: Value(True)})
    return (earlier, found.filter(received_at__gte=period.lo))


# Marks the part of :func:`resolution_parts` read from the span index.
_OPEN_AT_START = "drill_open_at_start"


def span_part_first(
    rows: QuerySet[Dossier], backward: bool, step: int
) -> QuerySet[Dossier] | list[int]:
    """``rows`` kept to their first ``step`` in the drill-down's order when they are the part
    of :func:`resolution_parts` read from the span index (other rows as they are), for
    ``lib.paging``'s ``bound``. Those ``step`` are found by an ordered scan of the span index
    (:func:`nearest_first`): asked for them in the order of receipt, PostgreSQL expected
    them soon on the receipts' index and walked it from the first day of history when they
    were rare (the resolved early of 2025: 11 s at 10 M dossiers; 175 ms so). Ordered by the
    distance alone: with the ids after it, the scan could not stop early and sorted every
    dossier open at the period's start (a province's resolutions of 2025: 20 → 12 ms)."""
    if _OPEN_AT_START not in rows.query.annotations:
        return rows
    return _first_by_id(rows, backward, step)


# Rows the ordered scan of :func:`_first_by_id` reads past a page's last: the receipts at
# that row's moment come with them, not by a statement of their own (imported receipts carry
# the minute at best: a province receives a dozen a minute, 0,7 ms a page at 10 M dossiers).
TIE_SLACK = 16


def _first_by_id(rows: QuerySet[Dossier], backward: bool, step: int) -> list[int]:
    """:func:`nearest_first`'s rows read first, then given by id: the ordered scan of the span
    index (:func:`by_receipt`) reads :data:`TIE_SLACK` rows more than ``step``, and keeps
    those received at the same moment as the ``step``-th; when they may go on past what it
    read, every row received then is read too (a statement of its own), so the ids still
    break the ties in order.

    For resolutions: the receipt that ends the page as a subquery of the page's statement
    made it scan the span index twice (this month's late resolutions of a province, when the
    scan still skipped the dossiers never finished: 2 × 3 ms at 10 M dossiers; 40,0 → 35,9
    ms a page in process). A stock's own page scans few it does not keep: one statement, as
    :func:`nearest_first` gives it, costs less than three (a past half-year's: 22,6 ms,
    30,5 this way; docs/performance.md)."""
    limit = step + TIE_SLACK + 1
    found = list(by_receipt(rows, backward).values_list("pk", "received_at")[:limit])
    ids = [pk for pk, _ in found[:step]]
    if len(found) <= step:
        return ids
    edge = found[step - 1][1]
    ids.extend(pk for pk, received in found[step:] if received == edge)
    if len(found) == limit and found[-1][1] == edge:
        tied = rows.filter(received_at=edge).order_by().values_list("pk", flat=True)
        ids.extend(set(tied) - set(ids))
    # Their ids alone, for the page to read with the other part's: they hold every condition
    # of ``rows``. Asked again with those conditions, the planner read them from the span
    # index once more, taking the ids for a filter (3 ms); asked again by id, to be ordered
    # and cut before the page's read does both, 0,9 ms (``lib.paging.Bound``).
    return ids


class Distance(Func):
    """``a <-> b``, btree_gist's distance (an interval between two moments): ordering by the
    distance from a moment before every receipt is the order of the receipts, and a scan of a
    GiST index in that order (KNN) stops where the page does, which ``ORDER BY received_at``
    on a GiST index cannot (reports migration 0004). PostgreSQL only."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = DurationField()


# Moments before and after every receipt (timestamptz holds both): where an ordered scan of
# receipts starts, and the bound of a list with fewer rows than a page.
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def nearest_first(rows: QuerySet[Dossier], backward: bool, step: int) -> QuerySet[Dossier]:
    """``rows`` (a stock at one moment in the span's form, past a page's cursor) up to the
    receipt of their ``step``-th in the drill-down's order, found by an ordered scan of the
    span index: the page then sorts those few, not the whole stock (36.200 entries at 10 M
    dossiers), for ``lib.paging.keyset_page``'s ``bound``. Ties on that receipt are all kept,
    so the ids still break them in order."""
    beyond = EARLIEST if backward else LATEST
    edge = by_receipt(rows, backward).values("received_at")[step - 1 : step]
    end = Coalesce(Subquery(edge), Value(beyond), output_field=DateTimeField())
    return rows.filter(SpanStartsFrom(end) if backward else SpanStartsBy(end))


def by_receipt(rows: QuerySet[Dossier], backward: bool) -> QuerySet[Dossier]:
    """``rows`` in the order of receipt (the latest first, ``backward``) by an ordered scan of
    the span index that stops where it is asked to (``<->``, reports migration 0004). Ties on
    a receipt come in no particular order."""
    start = LATEST if backward else EARLIEST
    nearest = rows.annotate(distance=Distance(F("received_at"), Value(start)))
    return nearest.order_by("distance")


def candidates_exactly(buckets: Sequence[Bucket]) -> bool:
    """Whether the candidates of ``buckets`` (:func:`candidates`) are the list itself: a
    resolution bucket, the whole stock pending at the period's end or carried over at its
    start, or a sum of them.

    ``core.metrics.buckets`` counts a dossier received before the period ends as resolved in
    it when its resolution moment, never before its receipt (``as_counted``), lies in the
    period, and as early, on time or late by its ``timeliness`` column alone (the facts carry
    the column: ``dossiers.selectors.dossiers_with_facts``; blank is late). It counts it as
    pending at the end (carried over at the start) when it was received before that moment
    and its resolution or end, never before its receipt, is none or not before it: the
    span that :func:`open_at` asks covers the moment, closed at both ends, and the columns'
    form is the same condition. That is what :func:`necessary` asks, so a page reads no facts
    to load and test one by one: this month's late resolutions loaded and classified 101
    dossiers' facts, five queries more; a past half-year's stock 100 (issue 17). Within time
    and overdue at a past moment still need the facts (the pauses move the due moment)."""
    return bool(buckets) and set(buckets) <= _EXACT_CANDIDATES


def _stock_moment(buckets: Sequence[Bucket], period: metrics.Period) -> datetime | None:
    """The one moment whose stock every bucket counts (pending at the period's end, carried
    over at its start), if there is one."""
    if all(bucket in _PENDING for bucket in buckets):
        return period.hi
    if all(bucket is Bucket.CARRIED_OVER for bucket in buckets):
        return period.lo
    return None


def exact_stock(buckets: Sequence[Bucket], period: metrics.Period) -> Q | None:
    """The exact condition of a stock at the end of a period not over (pending, within
    time, overdue), or None for any other list.

    At the period's last second no event recorded now lies ahead (``recorded_until``), so
    the dossiers open then are those open now, and their clock columns stand as they will:
    ``past_due_q`` is then ``core.timeliness.is_overdue`` (``overdue_q``'s form, tested equal
    to it), as the queue and the end-of-day lists read it. The list is read in order on the
    open dossiers' index, with no facts to load and test one by one: a page of a province's
    1.000 overdue codes was 54 ms at 10 M dossiers; the within-time list, whose oldest
    candidates are all overdue, came back empty (issue 17)."""
    wanted = set(buckets)
    if not wanted or not wanted <= _PENDING or period.last < recorded_until():
        return None
    open_then = _open_now(period.hi)
    if Bucket.PENDING in wanted or len(wanted) == 2:
        return open_then
    late = past_due_q(period.last)
    return open_then & (late if Bucket.PENDING_OVERDUE in wanted else ~late)


def exact_receipts(buckets: Sequence[Bucket], period: metrics.Period) -> Q | None:
    """The exact condition of the period's receipts (all, online, direct, or a sum of them),
    or None for any other list.

    ``core.metrics.buckets`` counts a dossier received in the period in RECEIVED and in the
    receipts of its channel, from the receipt moment and the channel alone: the candidates'
    condition (:func:`necessary`, received before the period ends) is the list itself. So it
    is read in order with no facts to load and test one by one: a page of the JSON's 1.000
    codes loaded and classified 1.000 dossiers' facts, 30 of its 50 ms (issue 17)."""
    wanted = set(buckets)
    if not wanted or not wanted <= _EXACT_RECEIPTS:
        return None
    condition = Q(pk__in=[])
    for bucket in wanted:
        condition |= necessary(bucket, period)
    return condition & Q(received_at__lt=period.hi)


class Drilled(NamedTuple):
    """A dossier of a drill-down list: what its order and its link need. A tuple: a JSON page
    is 1.000 of them (a frozen dataclass's ``__init__`` took twice as long, 0,5 ms)."""

    id: int
    code: str
    received_at: datetime | None


def _scanner(
    period: metrics.Period, buckets: Sequence[Bucket]
) -> Callable[[QuerySet[Any]], list[tuple[Drilled, bool]]]:
    """Each candidate of a chunk, and whether ``core.metrics.buckets`` counts it in one of
    ``buckets``: the one definition, the ledger's."""
    calendars = Calendars()
    wanted = set(buckets)

    def scan(chunk: QuerySet[Any]) -> list[tuple[Drilled, bool]]:
        return [
            (
                Drilled(counted.pk, counted.code, facts.received_at),
                bool(wanted & metrics.buckets(facts, period, calendars.of(counted))),
            )
            for counted, facts in dossiers_with_facts(chunk)
        ]

    return scan


def _scan(
    period: metrics.Period, buckets: Sequence[Bucket]
) -> Callable[[QuerySet[Any]], list[tuple[Drilled, bool]]]:
    """How a list's candidates are told: kept as they are when they are the list
    (:func:`candidates_exactly`), else each by its facts (:func:`_scanner`)."""
    return _as_drilled if candidates_exactly(buckets) else _scanner(period, buckets)


def _exactly(
    unit_ids: Collection[int],
    period: metrics.Period,
    buckets: Sequence[Bucket],
    part: QuerySet[Dossier] | None,
) -> QuerySet[Dossier] | None:
    """The list itself in SQL when :func:`exact_stock` or :func:`exact_receipts` gives its
    condition, else None."""
    condition = exact_stock(buckets, period)
    if condition is None:
        condition = exact_receipts(buckets, period)
    if condition is None:
        return None
    found = Dossier.objects.filter(condition, received_by_q(unit_ids))
    return found & part if part is not None else found


def _as_drilled(rows: QuerySet[Dossier]) -> list[tuple[Drilled, bool]]:
    # Tuples, not models: a JSON page is 1.000 rows (their models took 8 of its 27 ms).
    found = rows.values_list("pk", "code", "received_at")
    return [(Drilled(pk, code, received_at), True) for pk, code, received_at in found]


def drill_page(
    unit_ids: Collection[int],
    period: metrics.Period,
    buckets: Sequence[Bucket],
    cursor: Cursor | None,
    size: int,
    part: QuerySet[Dossier] | None = None,
) -> Page[Drilled]:
    """The page of a figure's dossiers (or a sum of figures', or one row's) at ``cursor``:
    at most ``MAX_READS`` chunks of candidates read; a page cut there is ``partial``. A past
    moment's stock is read in order from the span index (:func:`nearest_first`)."""
    exact = _exactly(unit_ids, period, buckets, part)
    if exact is not None:
        return keyset_page(exact, DRILL_ORDER, cursor, size, scan=_as_drilled)
    spans: set[datetime] = set()
    found = candidates(unit_ids, period, buckets, part, spans)
    return keyset_page(
        found,
        DRILL_ORDER,
        cursor,
        size,
        scan=_scan(period, buckets),
        chunk=max(size + 1, min(CHUNK, 4 * size)),
        max_reads=MAX_READS,
        parts=resolution_parts(found, period, buckets),
        consecutive=True,
        bound=nearest_first if _stock_moment(buckets, period) in spans else span_part_first,
    )


def drill_codes(
    unit_ids: Collection[int],
    period: metrics.Period,
    buckets: Sequence[Bucket],
    part: QuerySet[Dossier] | None = None,
    chunk: int = CHUNK,
) -> Iterator[list[Drilled]]:
    """Every dossier of the list, in order, a chunk at a time (exports, the command line)."""
    exact = _exactly(unit_ids, period, buckets, part)
    if exact is not None:
        yield from keyset_chunks(exact, DRILL_ORDER, chunk, scan=_as_drilled)
        return
    found = candidates(unit_ids, period, buckets, part)
    yield from keyset_chunks(
        found,
        DRILL_ORDER,
        chunk,
        scan=_scan(period, buckets),
        parts=resolution_parts(found, period, buckets),
        consecutive=True,
        bound=span_part_first,
    )

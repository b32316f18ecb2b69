"""The change feed: every dossier event, exactly once, in an order no late commit can slip
behind (issue 12 items 1 and 3; integrations-vn.md §5: "a sync feed stable under inserts").

The events table is the transactional outbox: an event is written in the same statement as
its dossier's change (``storage``), so whatever reads events sees every change that committed
and nothing that did not. What a reader must not do is follow the event id: ids are taken at
insert, so a transaction holding id 10 may commit after one holding id 11, and a reader that
already moved past 11 never sees 10.

**Order.** On PostgreSQL each event carries the id of the transaction that wrote it
(``DossierEvent.xact``, the column's default, ``pg_current_xact_id()``). The feed is ordered
by ``(xact, id)`` and read only below a *horizon*, the oldest transaction still running when
the read starts (``pg_snapshot_xmin(pg_current_snapshot())``): every transaction below it has
finished, so no event can ever appear below the horizon again, and the order up to it is
final. A transaction still open holds the horizon (and the readers) back until it ends; the
events of later transactions wait behind it and are never skipped. Events written before
the column existed (xact NULL, all committed long ago) come first, by id. On SQLite the
column stays NULL and the feed is read by id alone: ``BEGIN IMMEDIATE`` (settings)
serialises writers, so there the id order is the commit order.

**Per dossier.** A dossier's events appear in their ``seq`` order: every writer locks the
dossier row as the first write of its transaction (``storage.lock_dossier``), and the
transaction id is assigned at the first write, so a later writer of the same dossier always
holds a higher transaction id. (A transaction that wrote something else before locking a
dossier would break that; no service does.)

**Cost.** A long writing transaction (a large history import) holds every reader back until
it commits; read-only transactions (reports, backups) do not. A reader never waits on a lock.

Interface (used by ``api`` (``GET /api/v1/dossiers/changes``, webhooks) and ``national``):

- :class:`FeedPosition`: a place in the feed; ``encode()`` gives an opaque signed string for
  clients, ``FeedPosition.decode(text)`` reads one back (``InvalidInput``, field ``cursor``).
  ``START`` is before every event.
- :func:`feed_read` ``(*, after, limit, units=None, kinds=None) -> FeedPage``: the events after
  ``after`` (each with its ``dossier`` loaded), the position to continue from, and whether
  more may be waiting. At most three queries, whatever the filters.
- :func:`feed_position_at` ``(moment)``: a position before every event recorded since
  ``moment`` (the API's ``updated_since``).
- :func:`feed_claim` ``(name)``: the consumer's :class:`FeedCursor`, row-locked for the
  caller's transaction (None when another process holds it), and :func:`feed_advance` to save
  the position read, in the same transaction as what the consumer wrote from the events.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import DossierEvent, FeedCursor

_SALT = "motcua.dossiers.feed"
# Above every event id: a position (x, _AFTER_ALL) is after every event of transaction x.
_AFTER_ALL = 2**63 - 1
MAX_LIMIT = 1000


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "MOTCUA_FEED", {}).get(name, default)


@dataclass(frozen=True, order=True)
class FeedPosition:
    """The last event read, in the feed's order: ``(xact, id)``, ``xact`` 0 while among the
    events that have no transaction id (SQLite, or written before the feed existed)."""

    xact: int
    id: int

    def encode(self) -> str:
        """An opaque string for a client: signed, so a forged or edited one is refused."""
        return signing.Signer(salt=_SALT).sign_object([self.xact, self.id], compress=False)

    @classmethod
    def decode(cls, text: str) -> FeedPosition:
        """The position ``encode`` gave; ``InvalidInput`` (field ``cursor``) for anything else."""
        invalid = InvalidInput(_("This cursor is not valid."), field="cursor")
        if not isinstance(text, str) or len(text) > 200:
            raise invalid
        try:
            value = signing.Signer(salt=_SALT).unsign_object(text)
        except (signing.BadSignature, ValueError, TypeError):
            raise invalid from None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(type(v) is int and 0 <= v <= _AFTER_ALL for v in value)
        ):
            raise invalid
        return cls(xact=value[0], id=value[1])

    @classmethod
    def of(cls, event: DossierEvent) -> FeedPosition:
        """The position of ``event`` (read after it, the feed goes on with the next one)."""
        xact = event.xact if isinstance(event.xact, int) else 0
        return cls(xact=xact, id=int(event.pk))


START = FeedPosition(0, 0)


@dataclass(frozen=True)
class FeedPage:
    """What :func:`feed_read` found: ``events`` in feed order (``dossier`` loaded), the
    ``position`` to read from next time (past every event scanned, filtered out or not), and
    ``more``: whether reading again at once may find more (the scan stopped at a bound)."""

    events: list[DossierEvent]
    position: FeedPosition
    more: bool


def _table() -> str:
    return connection.ops.quote_name(DossierEvent._meta.db_table)


def _legacy_window(after_id: int, n: int) -> list[tuple[int, int]]:
    """Events without a transaction id after ``after_id``, by id. On PostgreSQL they all
    precede (in id) every event that has one (the column was added under a lock no writer
    held), so the scan stops below the first of those instead of reading the whole tail."""
    table = _table()
    sql = f"SELECT id FROM {table} WHERE xact IS NULL AND id > %s"
    if connection.vendor == "postgresql":
        sql += (
            f" AND id < COALESCE((SELECT id FROM {table} WHERE xact IS NOT NULL"
            " ORDER BY xact, id LIMIT 1), %s)"
        )
        params: list[Any] = [after_id, _AFTER_ALL, n]
    else:
        params = [after_id, n]
    sql += " ORDER BY id LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(0, row[0]) for row in cursor.fetchall()]


def _xact_window(after: FeedPosition, n: int) -> list[tuple[int, int]]:
    """PostgreSQL: events with a transaction id after ``after`` and below the horizon, in
    ``(xact, id)`` order. The horizon is computed once (an InitPlan) from the statement's own
    snapshot: every transaction below it had ended when the rows were read."""
    sql = (
        f"SELECT xact, id FROM {_table()} WHERE xact IS NOT NULL AND (xact, id) > (%s, %s)"
        " AND xact < (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint)"
        " ORDER BY xact, id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after.xact, after.id, n])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def feed_read(
    *,
    after: FeedPosition,
    limit: int,
    units: Collection[int] | None = None,
    kinds: Collection[str] | None = None,
) -> FeedPage:
    """Up to ``limit`` events after ``after``, in feed order, each with its dossier.

    ``units``: only events of dossiers whose receiving or handling unit is one of these ids
    (accounts.access's unit ids, lineage included by the caller); ``kinds``: only these
    actions (``choices.Action`` values). Filtered reads scan at most ``MOTCUA_FEED["SCAN"]``
    events per call (bounded time for a client whose units change rarely) and still move the
    position past what they scanned. At most three queries.
    """
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            _("The limit must be a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT},
            field="limit",
        )
    filtered = units is not None or kinds is not None
    scan = max(limit, int(_setting("SCAN", 5000))) if filtered else limit
    window: list[tuple[int, int]] = []
    if after.xact == 0:
        window = _legacy_window(after.id, scan)
    if connection.vendor == "postgresql" and len(window) < scan:
        window += _xact_window(after if after.xact else START, scan - len(window))
    if not window:
        return FeedPage(events=[], position=after, more=False)
    events = DossierEvent.objects.filter(pk__in=[pk for _, pk in window])
    if units is not None:
        unit_ids = list(units)
        events = events.filter(dossier__receiving_unit_id__in=unit_ids) | events.filter(
            dossier__handling_unit_id__in=unit_ids
        )
    if kinds is not None:
        events = events.filter(action__in=list(kinds))
    found = list(
        events.select_related("dossier").order_by(F("xact").asc(nulls_first=True), "id")[:limit]
    )
    if len(found) == limit:
        return FeedPage(events=found, position=FeedPosition.of(found[-1]), more=True)
    last_xact, last_id = window[-1]
    return FeedPage(
        events=found, position=FeedPosition(last_xact, last_id), more=len(window) == scan
    )


def _first_at_or_after(key: int, legacy: bool) -> tuple[int, datetime] | None:
    """The first event at or after ``key`` (an id among the legacy events, else a
    transaction id), as (key, recorded_at): one index probe."""
    if legacy:
        rows = DossierEvent.objects.filter(xact__isnull=True, pk__gte=key).order_by("pk")
        found: tuple[int | None, datetime] | None = rows.values_list("pk", "recorded_at").first()
    else:
        rows = DossierEvent.objects.filter(xact__gte=key).order_by("xact", "pk")
        found = rows.values_list("xact", "recorded_at").first()
    return None if found is None or found[0] is None else (int(found[0]), found[1])


def _search(lo: int, hi: int, since: datetime, legacy: bool) -> int | None:
    """The smallest key in [lo, hi] whose first event was recorded at or after ``since``
    (recording times grow with ids and transaction ids, give or take a transaction's length,
    which the caller's margin covers). At most ~64 index probes."""
    found = None
    while lo <= hi:
        mid = (lo + hi) // 2
        probe = _first_at_or_after(mid, legacy)
        if probe is None:
            hi = mid - 1
            continue
        key, recorded = probe
        if recorded >= since:
            found, hi = key, mid - 1
        else:
            lo = key + 1
    return found


def feed_position_at(moment: datetime) -> FeedPosition:
    """A position before every event recorded at or after ``moment``.

    It may also come before some events recorded up to ``MOTCUA_FEED["SINCE_MARGIN_SECONDS"]``
    earlier (a reader dedupes by dossier and ``seq``): recording times follow the feed's
    order only up to the length of a transaction. A bounded number of index probes.
    """
    since = moment - timedelta(seconds=int(_setting("SINCE_MARGIN_SECONDS", 300)))
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table} WHERE xact IS NULL")
        legacy_lo, legacy_hi = cursor.fetchone()
    if legacy_lo is not None:
        key = _search(legacy_lo, legacy_hi, since, legacy=True)
        if key is not None:
            return FeedPosition(0, key - 1)
    if connection.vendor != "postgresql":
        return FeedPosition(0, legacy_hi or 0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(xact), MAX(xact) FROM {table} WHERE xact IS NOT NULL")
        lo, hi = cursor.fetchone()
    if lo is None:
        return FeedPosition(0, legacy_hi or 0)
    key = _search(lo, hi, since, legacy=False)
    if key is None:  # nothing recorded since: the end of what exists now
        return FeedPosition(hi, _AFTER_ALL)
    return FeedPosition(key - 1, _AFTER_ALL)


def feed_claim(name: str, *, wait: bool = False) -> FeedCursor | None:
    """The consumer ``name``'s cursor (created at START the first time), locked until the
    caller's transaction ends; None when another process holds it (``wait``: wait for it
    instead). Two ``motcua worker`` processes run in production: one at a time reads and
    advances a given consumer, so its events are handed on once and in order."""
    if not connection.in_atomic_block:
        raise RuntimeError("feed_claim must run inside transaction.atomic()")
    rows = FeedCursor.objects.select_for_update(skip_locked=not wait).filter(name=name)
    claimed = rows.first()
    if claimed is None and not FeedCursor.objects.filter(name=name).exists():
        # The first run of this consumer (a second process creating it at the same moment
        # waits for this transaction, then finds the row).
        FeedCursor.objects.get_or_create(name=name)
        claimed = rows.first()
    return claimed


def feed_advance(cursor: FeedCursor, position: FeedPosition) -> None:
    """Save ``position`` as where ``cursor``'s consumer has read to (in the claim's
    transaction, with what the consumer wrote from those events)."""
    cursor.position_xact, cursor.position_id = position.xact, position.id
    cursor.save(update_fields=["position_xact", "position_id", "updated_at"])


def cursor_position(cursor: FeedCursor) -> FeedPosition:
    """Where the consumer of ``cursor`` has read to."""
    return FeedPosition(cursor.position_xact, cursor.position_id)


__all__ = [
    "MAX_LIMIT",
    "START",
    "FeedPage",
    "FeedPosition",
    "cursor_position",
    "feed_advance",
    "feed_claim",
    "feed_position_at",
    "feed_read",
]

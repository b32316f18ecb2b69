"""Keyset pagination: every list of the site, a page at a time, at the same cost on page 1 and
page 10.000, with 10 k or 10 M rows behind it.

A page is read with ``WHERE (ordering columns) > (the last row shown) ORDER BY … LIMIT n+1``
on an index of the ordering columns, never with ``OFFSET`` (which reads and throws away every
row before the page) nor ``COUNT(*)`` (which reads every row of the list). So a list has no
"page 17 of 94": it has the page shown, its number (carried in the cursor) and links to the
previous and next pages.

The cursor is the ordering columns' values of the row a page continues from, the direction and
the page number, signed (``django.core.signing``) so that a cursor cannot be forged into a
different query; a cursor that is not one of ours, or that belongs to another ordering,
answers :class:`~motcua.lib.http.BadParameter` (400) naming the parameter. The last column of
every ordering is unique (the id or the dossier code), so no two rows tie and no row is shown
twice or skipped.

Lists whose rows are kept by a definition Python applies (a figure's dossiers, counted by
``core.metrics.buckets``) read candidates in chunks, narrowed in SQL, until the page is full:
``scan`` says of each candidate whether it is kept.

A list that is the union of parts each served by its own index (a clerk's dossiers: received
by her units, or handled by them) is given with its parts (:class:`ScopedList`, passed to
:func:`keyset_page` as ``parts``): a page then reads the first rows of each part on its index
and the page's rows among those (one statement per part, and one), instead of one statement
whose ``OR`` no index serves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core import signing
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.sql.where import WhereNode
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_number
from motcua.lib.http import BadParameter
from motcua.lib.lookups import AnyOf

T = TypeVar("T")
SALT = "motcua.lib.paging"
CURSOR = "cursor"  # the query parameter


@dataclass(frozen=True)
class Key:
    """One column of an ordering: a field (or an annotation) of the queryset. A ``nullable``
    column sorts its NULLs last in either direction, on SQLite as on PostgreSQL."""

    name: str
    descending: bool = False
    nullable: bool = False


@dataclass(frozen=True)
class Ordering:
    """The order of a list: its keys, the last one unique (an id or a code)."""

    keys: tuple[Key, ...]

    @classmethod
    def of(cls, *names: str, nullable: Iterable[str] = ()) -> Ordering:
        """``Ordering.of("effective_due_at", "code", nullable=["effective_due_at"])``; a name
        starting with ``-`` is descending."""
        optional = set(nullable)
        return cls(
            tuple(
                Key(name.lstrip("-"), name.startswith("-"), name.lstrip("-") in optional)
                for name in names
            )
        )

    @property
    def tag(self) -> str:
        """A short digest of the ordering: a cursor of another list is refused."""
        text = ",".join(f"{k.name}:{int(k.descending)}:{int(k.nullable)}" for k in self.keys)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def order_by(self, backward: bool = False) -> list[OrderBy]:
        """The ORDER BY of a page read forward, or backward (every key reversed, NULLs
        first, so that reversing the rows read gives the forward order)."""
        terms = []
        for key in self.keys:
            descending = key.descending != backward
            nulls = {"nulls_first": True} if backward else {"nulls_last": True}
            if not key.nullable:
                nulls = {}
            terms.append(F(key.name).desc(**nulls) if descending else F(key.name).asc(**nulls))
        return terms

    def values(self, row: Any) -> list[Any]:
        """The ordering columns' values of ``row`` (a model instance, a dict of values or
        any object with those attributes)."""
        found = []
        for key in self.keys:
            value = row
            for part in key.name.split("__"):
                value = value[part] if isinstance(value, dict) else getattr(value, part)
            found.append(value)
        return found

    def beyond(self, values: Sequence[Any], backward: bool = False) -> Q:
        """The rows after ``values`` in this order (before them, ``backward``): the row-value
        comparison written out key by key, so NULLs (last) are handled on every engine, and
        the first key's own bound, which it implies.

        PostgreSQL reads the ``OR`` of the comparison as a filter, not as a range of the
        index on the keys: every page read its list from the start to its cursor, and a
        year's late resolutions exported by chunks of 2.000 read 1 M index entries for the
        last ones (issue 17). The first key's bound is a range the index starts from. It is
        left out where rows with a NULL first key come after (a nullable key read forward):
        :meth:`ranges` gives those rows apart."""
        condition = Q(pk__in=[])
        equal = Q()
        for key, value in zip(self.keys, values, strict=True):
            condition |= equal & self._past(key, value, backward)
            equal &= Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})
        if values[0] is not None and not self._nulls_after(values, backward):
            condition &= self._bound(values, backward)
        return condition

    def ranges(self, values: Sequence[Any], backward: bool = False) -> tuple[Q, ...]:
        """The rows of :meth:`beyond`, as conditions each starting a range of the index on the
        keys, in the list's order: one, or two for a nullable first key read forward from a
        value, the rows with a value past it (from its bound), then the rows without one,
        which come after every value. Read as one condition, the ``OR`` of both was a filter
        over the index from its start: page 100 of a province's queue by due moment read
        2.000 entries of each part's index, 10 ms each at 1 M dossiers (issue 17)."""
        if not self._nulls_after(values, backward):
            return (self.beyond(values, backward),)
        first = self.keys[0].name
        return (
            self.beyond(values, backward) & self._bound(values, backward),
            Q(**{f"{first}__isnull": True}),
        )

    def _nulls_after(self, values: Sequence[Any], backward: bool) -> bool:
        """Whether rows with a NULL first key come after ``values``: a nullable first key
        read forward from a value (NULLs sort last)."""
        return self.keys[0].nullable and not backward and values[0] is not None

    def _bound(self, values: Sequence[Any], backward: bool) -> Q:
        """The first key's own bound (``values`` has a first key), which every row past it
        with a first key meets."""
        first, value = self.keys[0], values[0]
        greater = first.descending == backward
        return Q(**{f"{first.name}__{'gte' if greater else 'lte'}": value})

    @staticmethod
    def _past(key: Key, value: Any, backward: bool) -> Q:
        if value is None:
            # NULLs sort last: nothing but NULL comes after one; every value comes before.
            if backward and key.nullable:
                return Q(**{f"{key.name}__isnull": False})
            return Q(pk__in=[])
        greater = key.descending == backward
        past = Q(**{f"{key.name}__{'gt' if greater else 'lt'}": value})
        if key.nullable and not backward:
            past |= Q(**{f"{key.name}__isnull": True})
        return past


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or, ``backward``, before) the row with ``values``; the
    page's ``number`` (1 is the first page)."""

    values: tuple[Any, ...]
    backward: bool
    number: int
    # How many rows of the list come before the cursor's position (a page cut by its scan
    # budget is short, so this is not (number - 1) × size); None in an older cursor.
    offset: int | None = None


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(str(value["t"]))
        return date.fromisoformat(str(value["d"]))
    return value


def cursor_text(
    ordering: Ordering,
    values: Sequence[Any],
    *,
    backward: bool,
    number: int,
    offset: int | None = None,
) -> str:
    """The signed text of a cursor, for a link's ``cursor=`` parameter."""
    payload: list[Any] = [ordering.tag, int(backward), number, [_encode(v) for v in values]]
    if offset is not None:
        payload.append(offset)
    return signing.dumps(payload, salt=SALT, compress=True)


def read_cursor(text: str | None, ordering: Ordering, parameter: str = CURSOR) -> Cursor | None:
    """The cursor of a request (None: the first page), or :class:`BadParameter` naming
    ``parameter`` if it is not a cursor of this list."""
    if not text:
        return None
    try:
        tag, backward, number, values, *rest = signing.loads(text, salt=SALT)
        # No values: backward from the list's end (the way back from an empty last page).
        expected = (len(ordering.keys), 0) if backward else (len(ordering.keys),)
        if tag != ordering.tag or len(values) not in expected or len(rest) > 1:
            raise ValueError(tag)
        offset = max(int(rest[0]), 0) if rest else None
        return Cursor(
            tuple(_decode(v) for v in values), bool(backward), max(int(number), 1), offset
        )
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        raise BadParameter(
            _("%(name)s: this is not a position in this list; start again from its first page.")
            % {"name": parameter},
            field=parameter,
        ) from None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, its number, and the cursors of the pages around it."""

    rows: list[T]
    number: int
    next_cursor: str | None
    previous_cursor: str | None
    # The page stopped at its scan budget before it was full (``keyset_page``'s
    # ``max_reads``): more rows may follow its cursor, and the page says so.
    partial: bool = False
    # How many rows of the list come before this page's first (for numbering its rows).
    first: int = 0
    # How many pages the list has, when that is known (a list in memory: :func:`list_page`).
    count: int | None = None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    @property
    def number_text(self) -> str:
        """The page's number the Vietnamese way (1.608), of how many when known (2/4)."""
        if self.count is None:
            return format_number(self.number)
        return f"{format_number(self.number)}/{format_number(self.count)}"

    def links(self, query: dict[str, str], parameter: str = CURSOR) -> dict[str, str]:
        """``{"previous": "?…", "next": "?…"}`` for the links that exist: ``query`` (the
        list's other parameters) with the cursor. The first page has no cursor at all."""
        found = {}
        kept = {k: v for k, v in query.items() if k != parameter and v not in ("", None)}
        if self.previous_cursor is not None:
            first = self.number - 1 <= 1
            found["previous"] = "?" + urlencode(
                kept if first else {**kept, parameter: self.previous_cursor}
            )
        if self.next_cursor is not None:
            found["next"] = "?" + urlencode({**kept, parameter: self.next_cursor})
        return found


# ``bound(rows, backward, step)``: fewer rows that still hold the first ``step`` of ``rows``
# in the list's order, as a query set, or as a list of their primary keys when the bound
# had to read them (a superset of those ``step`` is fine: the page's read orders and cuts).
Bound = Callable[[QuerySet[Any], bool, int], "QuerySet[Any] | list[Any]"]


def _every(rows: QuerySet[Any]) -> list[tuple[Any, bool]]:
    return [(row, True) for row in rows]


M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ScopedList(Generic[M]):
    """A list and the parts it is the union of (each a subset of it, each served by an index
    in the list's order), for :func:`keyset_page`'s ``parts``; no parts: it is read whole.
    A change to the list goes through :meth:`narrow` (or :meth:`filter`), which makes it to
    each part as well, so the parts travel with the list they belong to."""

    whole: QuerySet[M]
    parts: tuple[QuerySet[M], ...] = ()

    def narrow(self, change: Callable[[QuerySet[M]], QuerySet[M]]) -> ScopedList[M]:
        """``change`` made to the list and to each of its parts."""
        return ScopedList(change(self.whole), tuple(change(part) for part in self.parts))

    def filter(self, *args: Any, **kwargs: Any) -> ScopedList[M]:
        """The list and its parts filtered alike (``QuerySet.filter``'s arguments)."""
        return self.narrow(lambda rows: rows.filter(*args, **kwargs))


def _read_past(
    queryset: QuerySet[Any],
    parts: Sequence[QuerySet[Any]],
    ordering: Ordering,
    position: list[Any] | None,
    backward: bool,
    bound: Bound | None,
    step: int,
    consecutive: bool = False,
) -> QuerySet[Any]:
    """The first ``step`` rows past ``position`` (from the start when None), each part
    narrowed as the whole list is: what a page's and an export's every read asks.

    A list read whole, past one range of its index (:meth:`Ordering.ranges`), is one query.
    Otherwise the ids are read first, on the index of each part and of each range in turn:
    the list's first ``step`` rows are among each part's first ``step`` (a row among the
    list's first is among its part's first), and a range is read only when those before it
    in the order hold fewer than ``step`` rows. The rows are then read by id, ordered by the
    database as a whole list is, from the list alone: the ids are past the position already,
    and with its conditions again the planner took the ids for a filter (page 100 of a
    province's queue read 2.969 rows for 26, 18 ms at 1 M dossiers).

    ``consecutive`` parts follow one another in the list's order (every row of one before
    every row of the next): the parts after those that hold ``step`` rows are not read (this
    month's late resolutions of a province: those received before it fill the page, and
    those received in it were a statement of 1,6 ms at 10 M dossiers)."""
    order = ordering.order_by(backward)
    pieces = tuple(parts) or (queryset,)
    if consecutive and backward:
        pieces = pieces[::-1]
    ranges = ordering.ranges(position, backward) if position is not None else (Q(),)

    def narrowed(rows: QuerySet[Any], condition: Q) -> QuerySet[Any] | list[Any]:
        rows = rows.filter(condition)
        return rows if bound is None else bound(rows, backward, step)

    if not parts and len(ranges) == 1:
        found = narrowed(queryset, ranges[0])
        if isinstance(found, list):
            found = _by_id(queryset, found)
        return found.order_by(*order)[:step]
    ids: set[Any] = set()
    for condition in ranges:
        for piece in pieces:
            found = narrowed(piece, condition)
            if isinstance(found, list):
                # Ids the bound read already, its first ``step`` among them: ordered and cut
                # with the others' by the read below, not by a statement of their own.
                ids.update(found)
            else:
                ids.update(found.order_by(*order).values_list("pk", flat=True)[:step])
            if consecutive and len(ids) >= step:
                break
        if len(ids) >= step:
            break
    return _by_id(queryset, ids).order_by(*order)[:step]


def _by_id(queryset: QuerySet[Any], ids: Iterable[Any]) -> QuerySet[Any]:
    """The rows of ``queryset`` with these primary keys, in its shape (columns, joins,
    annotations) but without its conditions: every id was read from the list (a part is a
    subset of it, a bound's ids hold its conditions). With them again, PostgreSQL could read
    the list's own index and take the ids for a filter: a clerk's search page ran its
    trigram scan twice (540 rows rechecked, 2 ms at 10 M dossiers). A list joined to a
    relation of many rows (a dossier's events) keeps them: without its conditions, the join
    would repeat the rows."""
    by_id = AnyOf(F("pk"), list(ids))
    query = queryset.query
    if (
        query.distinct
        or query.combinator
        or any(_joins_many(join) for join in query.alias_map.values())
    ):
        return queryset.filter(by_id)
    shape = queryset.all()
    shape.query.where = WhereNode()
    return shape.filter(by_id)


def _joins_many(join: Any) -> bool:
    """Whether a join of a query reaches a relation of many rows (a reverse foreign key, a
    many-to-many): the base table and the forward foreign keys reach one at most."""
    field = getattr(join, "join_field", None)
    return field is not None and bool(field.one_to_many or field.many_to_many)


def list_page(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page ``number`` of a short list held in memory (a province's units), ``size`` rows a
    page, the last page when there are fewer; its cursors are page numbers."""
    count = max(1, -(-len(items) // size))
    number = min(number, count)
    first = (number - 1) * size
    return Page(
        rows=list(items[first : first + size]),
        number=number,
        next_cursor=str(number + 1) if number < count else None,
        previous_cursor=str(number - 1) if number > 1 else None,
        first=first,
        count=count,
    )


def keyset_page(
    queryset: QuerySet[Any],
    ordering: Ordering,
    cursor: Cursor | None,
    size: int,
    *,
    scan: Callable[[QuerySet[Any]], Sequence[tuple[T, bool]]] = _every,
    chunk: int | None = None,
    max_reads: int | None = None,
    parts: Sequence[QuerySet[Any]] = (),
    consecutive: bool = False,
    bound: Bound | None = None,
) -> Page[T]:
    """The page of ``queryset`` (filtered, not yet ordered) that ``cursor`` points at.

    Reads ``size + 1`` rows after (or before) the cursor to know whether another page
    follows: one query when every candidate is kept; a ``scan`` that drops candidates reads
    further chunks (of ``chunk`` rows) until the page is full or the list ends, or until
    ``max_reads`` chunks were read: then the page is ``partial`` (shorter, perhaps empty) and
    its cursor continues after the last row read, so a page's cost is bounded whatever the
    volume and the list's pages still hold every kept row once. A list given with its
    ``parts`` (:class:`ScopedList`) is read a part at a time (:func:`_read`): one query
    more per part, fewer when they are ``consecutive`` (:func:`_read_past`).
    ``bound(rows, backward, step)``, when given, narrows the rows past the
    cursor to fewer that still hold their first ``step`` in the order (a cheaper way to
    them than the ORDER BY alone: ``reports.drill.nearest_first``), or gives their primary
    keys, read already (:data:`Bound`)."""
    backward = cursor is not None and cursor.backward
    number = cursor.number if cursor is not None else 1
    # The first read is one page (and one row): when most candidates are kept, as in most
    # drill-downs, that is the whole page; further reads take ``chunk`` rows (a province's
    # drill-down read and classified 200 candidates to show 50, docs/performance.md).
    step, later_steps = size + 1, max(chunk or 0, size + 1)
    kept: list[T] = []
    position = list(cursor.values) if cursor is not None and cursor.values else None
    reads = 0
    partial = False
    while True:
        read = scan(
            _read_past(queryset, parts, ordering, position, backward, bound, step, consecutive)
        )
        reads += 1
        for row, keep in read:
            if keep:
                kept.append(row)
        if len(kept) > size or len(read) < step:
            break
        step = later_steps
        position = ordering.values(read[-1][0])
        if max_reads is not None and reads >= max_reads:
            partial = True
            break
    more = len(kept) > size
    kept = kept[:size]
    if backward:
        kept.reverse()
    # Rows before the cursor's position: forward, before this page; backward, before the
    # page the cursor came from (this page ends there).
    at = cursor.offset if cursor is not None and cursor.offset is not None else None
    counted = at is not None
    if at is None:
        at = (number - 1) * size + (len(kept) if backward else 0)
    before = at - len(kept) if backward else at
    after = before + len(kept)
    # Pages cut by the budget do not mirror each other forward and backward: going back may
    # take more pages than going forward did, so whether kept rows come before is the count's
    # to say (when the cursor carries it), not the page number's; page 1 is the list's start.
    kept_before = before > 0 if counted else number > 1
    if backward:
        number = max(number, 2) if kept_before else 1
    earlier_number = max(number - 1, 1)
    if not kept and not partial:
        # The list ends here with nothing more kept (the page before was cut short): the way
        # back reads back from the list's end, or a reader following "next" is stranded. Not
        # from where this page started: the row there may be kept (the last one read by the
        # cut page before), and a way back reads strictly before its position.
        earlier_empty = None
        if not backward and cursor is not None and kept_before:
            earlier_empty = cursor_text(
                ordering, [], backward=True, number=earlier_number, offset=before
            )
        return Page([], number, None, earlier_empty, first=before)
    later = earlier = None
    if not backward and (more or partial):
        # Forward: continue after the last row kept, or after the last read if cut short.
        resume = position if partial else ordering.values(kept[-1])
        later = cursor_text(ordering, resume or [], backward=False, number=number + 1, offset=after)
    elif backward and kept:
        later = cursor_text(
            ordering, ordering.values(kept[-1]), backward=False, number=number + 1, offset=after
        )
    if kept_before and (cursor is not None) and (more or partial or not backward):
        # Backward: continue before the first row kept, or before the last read if cut short.
        resume = position if backward and partial else (ordering.values(kept[0]) if kept else None)
        if resume is not None:
            earlier = cursor_text(
                ordering, resume, backward=True, number=earlier_number, offset=before
            )
    return Page(kept, number, later, earlier, partial=partial, first=before)


def keyset_chunks(
    queryset: QuerySet[Any],
    ordering: Ordering,
    chunk: int,
    *,
    scan: Callable[[QuerySet[Any]], Sequence[tuple[T, bool]]] = _every,
    parts: Sequence[QuerySet[Any]] = (),
    consecutive: bool = False,
    bound: Bound | None = None,
) -> Iterable[list[T]]:
    """Every kept row of ``queryset`` in ``ordering``, a chunk at a time (bounded memory, for
    exports and the command line): the same reads as the pages (``parts``, ``consecutive``
    and ``bound`` as theirs), without a page size."""
    position: list[Any] | None = None
    while True:
        read = scan(
            _read_past(queryset, parts, ordering, position, False, bound, chunk, consecutive)
        )
        kept = [row for row, keep in read if keep]
        if kept:
            yield kept
        if len(read) < chunk:
            return
        position = ordering.values(read[-1][0])

"""Keyset pages cut by their scan budget (``lib.paging.keyset_page``'s ``max_reads``): short
pages that say so, and a list whose pages, forward and backward, still hold every kept row
once, in order, numbered on (issue 17: a drill-down's cost per page is bounded)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.lib.http import BadParameter
from motcua.lib.paging import Ordering, ScopedList, cursor_text, keyset_page, read_cursor
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

BY_ID = Ordering.of("id")


@pytest.fixture(autouse=True)
def _world(bac_kan_world):
    return None


def _kept(unit: AdministrativeUnit, shift: int = 0) -> bool:
    """One unit in seven: most chunks hold fewer kept rows than a page. ``shift`` moves
    which ones, so a test can try every layout of kept rows against the chunks instead of
    the one the database's ids happen to give (PostgreSQL's sequences differ by test order)."""
    return (unit.pk + shift) % 7 == 0


def _page(cursor_text: str | None, shift: int = 0, **budget: Any) -> Any:
    return keyset_page(
        AdministrativeUnit.objects.all(),
        BY_ID,
        read_cursor(cursor_text, BY_ID),
        3,
        scan=lambda rows: [(unit, _kept(unit, shift)) for unit in rows],
        chunk=4,
        **budget,
    )


@pytest.mark.parametrize("shift", range(7))
def test_short_pages_say_so_and_together_hold_every_kept_row_once(shift):
    expected = [u.pk for u in AdministrativeUnit.objects.order_by("id") if _kept(u, shift)]
    assert len(expected) > 6
    pages, seen, text = [], [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = _page(text, shift, max_reads=2)
        assert len(queries.captured_queries) <= 2  # the budget, whatever the list's length
        assert page.first == len(seen)  # rows are numbered on from the pages before
        pages.append(page)
        seen += [u.pk for u in page.rows]
        text = page.next_cursor
        if text is None:
            break
    assert seen == expected
    assert any(p.partial for p in pages)
    # Only a cut page may be empty, and the last one when the page before it was cut: that
    # page could not know the list held nothing more.
    assert all(p.rows or p.partial for p in pages[:-1])
    assert pages[-1].rows or pages[-2].partial
    assert not pages[-1].partial
    # Without a budget: full pages of 3, the same rows.
    unbounded, text = [], None
    while True:
        page = _page(text, shift)
        assert not page.partial
        unbounded += [u.pk for u in page.rows]
        text = page.next_cursor
        if text is None:
            break
    assert unbounded == expected


@pytest.mark.parametrize("shift", range(7))
def test_backward_from_the_end_reads_the_same_rows_and_numbers(shift):
    forward, text, last = [], None, None
    while True:
        page = _page(text, shift, max_reads=2)
        forward.append(([u.pk for u in page.rows], page.first))
        last, text = page, page.next_cursor
        if text is None:
            break
    backward, text = [], last.previous_cursor
    while text is not None:
        page = _page(text, shift, max_reads=2)
        backward.append(([u.pk for u in page.rows], page.first))
        text = page.previous_cursor
    rows_forward = [pk for rows, _ in forward[:-1] for pk in rows]
    rows_backward = [pk for rows, _ in reversed(backward) for pk in rows]
    # Every layout: with shift 5 on SQLite's ids the last page cut by its budget ends on a
    # kept row and the empty page after it went back from strictly before that row, losing
    # it (CI of stop 26 met the same on PostgreSQL's ids).
    assert rows_backward == rows_forward
    assert (page.first, page.number) == (0, 1)  # back at the start, numbered so
    for rows, first in backward:
        if rows:
            assert rows_forward[first : first + len(rows)] == rows


def test_only_a_way_back_may_start_from_the_list_s_end():
    assert read_cursor(cursor_text(BY_ID, [], backward=True, number=2), BY_ID).values == ()
    with pytest.raises(BadParameter):
        read_cursor(cursor_text(BY_ID, [], backward=False, number=2), BY_ID)


def test_an_empty_last_page_after_a_cut_one_leads_back_to_every_kept_row():
    # Only the first two rows are kept: every page after the first is cut by the budget, and
    # the last one, reaching the end, holds nothing. Its way back must exist (it did not).
    ids = list(AdministrativeUnit.objects.order_by("id").values_list("pk", flat=True))
    assert len(ids) > 16
    keep = set(ids[:2])

    def page_at(text: str | None) -> Any:
        return keyset_page(
            AdministrativeUnit.objects.all(),
            BY_ID,
            read_cursor(text, BY_ID),
            3,
            scan=lambda rows: [(unit, unit.pk in keep) for unit in rows],
            chunk=4,
            max_reads=2,
        )

    pages, text = [], None
    while True:
        page = page_at(text)
        pages.append(page)
        text = page.next_cursor
        if text is None:
            break
    last = pages[-1]
    assert last.rows == []
    assert not last.partial
    assert last.previous_cursor is not None
    back, text = [], last.previous_cursor
    while text is not None:
        page = page_at(text)
        back = [unit.pk for unit in page.rows] + back
        text = page.previous_cursor
    assert back == ids[:2]


def test_a_list_read_by_its_parts_pages_as_the_whole_list_and_its_parts_follow_a_filter():
    """``ScopedList``: a filter is made to the list and to each part, and the parts given
    to ``keyset_page`` explicitly read the same pages as the list read whole, one query
    more per part."""
    units = AdministrativeUnit.objects.all()
    by_level = ScopedList(
        units.filter(pk__in=units.values("pk")),
        tuple(units.filter(level=level) for level in UnitLevel),
    ).filter(pk__gt=AdministrativeUnit.objects.order_by("id").values_list("id", flat=True)[2])
    assert by_level.whole.count() == units.count() - 3
    assert sum(part.count() for part in by_level.parts) == by_level.whole.count()
    whole_pages, part_pages = [], []
    for pages, parts in ((whole_pages, ()), (part_pages, by_level.parts)):
        text = None
        while True:
            with CaptureQueriesContext(connection) as queries:
                page = keyset_page(by_level.whole, BY_ID, read_cursor(text, BY_ID), 4, parts=parts)
            assert len(queries.captured_queries) == 1 + len(parts)
            pages.append([unit.pk for unit in page.rows])
            text = page.next_cursor
            if text is None:
                break
    assert len(whole_pages) > 2
    assert part_pages == whole_pages


def test_the_rows_of_a_page_are_read_by_id_without_the_list_s_conditions():
    """The ids a page's parts gave are read in the list's shape without its conditions (the
    planner took them for a filter of the list's own index: ``_by_id``); a list joined to a
    relation of many rows keeps them, or its rows would repeat."""
    units = AdministrativeUnit.objects.select_related("parent")
    named = units.filter(name__contains="a")
    parts = tuple(named.filter(level=level) for level in UnitLevel)
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(named, BY_ID, None, 5, parts=parts)
    final = queries.captured_queries[-1]["sql"]
    assert "LIKE" not in final.upper(), final
    assert "parent_id" in final, final
    assert [unit.pk for unit in page.rows] == list(
        named.order_by("id").values_list("id", flat=True)[:5]
    )
    assert all(unit.parent_id is None or unit.parent is not None for unit in page.rows)
    # Units joined to some of their children: a row per child kept, as the list has them,
    # not one per child.
    parents = units.filter(children__name__contains="a")
    assert parents.count() > parents.distinct().count()
    parents_parts = tuple(parents.filter(level=level) for level in UnitLevel)
    page = keyset_page(parents, BY_ID, None, 8, parts=parents_parts)
    expected = list(parents.order_by("id").values_list("id", flat=True)[:8])
    assert [unit.pk for unit in page.rows] == expected


def test_consecutive_parts_are_read_until_they_hold_a_page():
    """Parts that follow one another in the list's order (``consecutive``, a drill-down's
    resolutions received before the period, then in it): a page is read from the first parts
    that hold it, in either direction, and the pages are still the whole list's."""
    units = AdministrativeUnit.objects.all()
    middle = units.order_by("id").values_list("id", flat=True)[units.count() // 2]
    parts = (units.filter(pk__lt=middle), units.filter(pk__gte=middle))
    ids = list(units.order_by("id").values_list("id", flat=True))
    for backward in (False, True):
        seen, statements, text = [], [], None
        if backward:
            text = cursor_text(BY_ID, [ids[-1] + 1], backward=True, number=99)
        while True:
            with CaptureQueriesContext(connection) as queries:
                page = keyset_page(
                    units, BY_ID, read_cursor(text, BY_ID), 4, parts=parts, consecutive=True
                )
            statements.append(len(queries.captured_queries))
            rows = [unit.pk for unit in page.rows]
            seen = rows + seen if backward else seen + rows
            text = page.previous_cursor if backward else page.next_cursor
            if text is None:
                break
        assert seen == ids
        # The pages the first part (in the direction read) fills: that part and the page's
        # rows, two statements; the others read both parts, three.
        assert set(statements) == {2, 3}, statements
        assert statements.count(2) >= len(statements) // 2 - 1, statements


def test_the_first_read_is_one_page_and_the_next_ones_a_chunk():
    # A drill-down keeps most of its candidates: its first read, a page and one row, is then
    # the whole page, instead of a chunk of candidates each classified for nothing.
    seen: list[int] = []

    def counting(keep: Any) -> Any:
        def scan(rows: Any) -> list[tuple[AdministrativeUnit, bool]]:
            found = list(rows)
            seen.append(len(found))
            return [(unit, keep(unit)) for unit in found]

        return scan

    units = AdministrativeUnit.objects.all()
    assert units.count() > 60
    page = keyset_page(units, BY_ID, None, 5, scan=counting(lambda unit: True), chunk=50)
    assert (len(page.rows), seen) == (5, [6])
    seen.clear()
    keyset_page(units, BY_ID, None, 5, scan=counting(lambda unit: unit.pk % 7 == 0), chunk=50)
    assert seen[:2] == [6, 50]


@pytest.mark.parametrize(
    "ordering",
    [
        Ordering.of("level", "code", "id"),
        Ordering.of("-code", "id"),
        Ordering.of("valid_from", "code", "id", nullable=["valid_from"]),
        Ordering.of("-valid_from", "-id", nullable=["valid_from"]),
    ],
)
def test_the_rows_beyond_a_position_are_those_after_it_in_the_order(ordering):
    """``Ordering.beyond`` with the first key's own bound (issue 17: the index's range a
    page starts from) keeps exactly the rows after (or before) every row of the list, with
    a first key that is descending, nullable (NULLs last either way) or both, on both
    engines."""
    units = AdministrativeUnit.objects.all()
    listed = list(units.order_by(*ordering.order_by()))
    assert {u.valid_from is None for u in listed} == {True, False}  # both kinds of first key
    for at, unit in enumerate(listed):
        values = ordering.values(unit)
        after = units.filter(ordering.beyond(values)).order_by(*ordering.order_by())
        assert list(after) == listed[at + 1 :], (ordering, unit)
        before = units.filter(ordering.beyond(values, backward=True))
        assert list(before.order_by(*ordering.order_by(backward=True))) == listed[:at][::-1]


@pytest.mark.parametrize(
    "ordering",
    [
        Ordering.of("valid_from", "code", "id", nullable=["valid_from"]),
        Ordering.of("-valid_from", "-id", nullable=["valid_from"]),
        Ordering.of("level", "code", "id"),
    ],
)
def test_the_ranges_past_a_position_are_the_rows_beyond_it_one_range_after_the_other(ordering):
    """``Ordering.ranges``: read forward from a first key with a value, a nullable first key
    gives the rows with a value past it (from its own bound), then those without one, which
    sort last; otherwise, and backward, the one condition of ``beyond``. Read in turn, the
    ranges are the rows after the position, in order, on both engines."""
    units = AdministrativeUnit.objects.all()
    order = ordering.order_by()
    listed = list(units.order_by(*order))
    for at, unit in enumerate(listed):
        values = ordering.values(unit)
        ranges = ordering.ranges(values)
        split = ordering.keys[0].nullable and values[0] is not None
        assert len(ranges) == (2 if split else 1), (ordering, unit)
        read = [row for condition in ranges for row in units.filter(condition).order_by(*order)]
        assert read == listed[at + 1 :], (ordering, unit)
        if split:
            assert not units.filter(ranges[0], **{f"{ordering.keys[0].name}__isnull": True})
        assert ordering.ranges(values, backward=True) == (ordering.beyond(values, backward=True),)

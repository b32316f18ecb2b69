"""The change feed (dossiers.feed) on both engines: each event once, in order per dossier,
filters that still move the position, opaque positions, a moment as a position, consumers'
cursors. The concurrent cases (PostgreSQL) are in test_feed_concurrency.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from motcua.core import workflow
from motcua.dossiers import feed
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.events import append_event
from motcua.dossiers.models import Dossier, DossierEvent, FeedCursor
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

# Committed transactions: on PostgreSQL the feed shows only what every transaction below the
# oldest one still running wrote, so the test's own open transaction would hide everything.
pytestmark = pytest.mark.django_db(transaction=True)

A = workflow.Action


def read_all(after=feed.START, limit=2, **filters):
    """Every event after ``after``, page by page; and the last position."""
    seen: list[DossierEvent] = []
    position = after
    for _ in range(1000):
        page = feed.feed_read(after=position, limit=limit, **filters)
        assert page.position >= position
        seen += page.events
        position = page.position
        if not page.events and not page.more:
            return seen, position
    raise AssertionError("the feed did not end")


def some_history(world):
    first = world.create(at="02/01/2024 08:00")
    second = world.create(at="02/01/2024 08:05", receiving_agency=world.ward_desk)
    world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
    world.take(first, A.HAND_OVER, "02/01/2024 10:00", actor=world.officer, step="Thẩm định")
    world.take(second, A.WITHDRAW, "02/01/2024 10:30", actor=world.ward_clerk, reason="Rút")
    return first, second


def test_every_event_once_in_dossier_order(world):
    some_history(world)
    seen, end = read_all(limit=2)
    stored = list(DossierEvent.objects.order_by("id"))
    assert sorted(e.pk for e in seen) == [e.pk for e in stored]  # each once, none missing
    for dossier_id in {e.dossier_id for e in seen}:
        seqs = [e.seq for e in seen if e.dossier_id == dossier_id]
        assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))
    assert all(isinstance(e.dossier, Dossier) for e in seen)  # loaded with the events
    # Read again from the end: nothing, and the position stays.
    page = feed.feed_read(after=end, limit=10)
    assert page.events == []
    assert page.position == end
    assert not page.more
    # A new event appears after the end, and only it.
    dossier = Dossier.objects.get(pk=seen[0].dossier_id)
    world.take(dossier, A.HAND_OVER, "02/01/2024 11:00", actor=world.officer, step="Trình ký")
    again, _ = read_all(after=end)
    assert [(e.dossier_id, e.seq) for e in again] == [(dossier.pk, 4)]


def test_the_transaction_id_is_written_by_every_insert_path(world):
    first, _ = some_history(world)
    postgres = connection.vendor == "postgresql"
    xacts = list(DossierEvent.objects.values_list("xact", flat=True))
    # The write path (storage's hand-written SQL) leaves it to the column default.
    assert all((x is not None) == postgres for x in xacts), xacts
    # The ORM's bulk insert (the history import's path) too.
    dossier = Dossier.objects.get(pk=first.pk)
    event = append_event(
        dossier,
        at=timezone.now(),
        recorded_at=timezone.now(),
        actor=None,
        actor_name="import",
        action=A.HAND_OVER,
        from_status=dossier.status,
        to_status=dossier.status,
        reason="",
        data={},
    )
    DossierEvent.objects.bulk_create([event])
    stored = DossierEvent.objects.get(dossier=dossier, seq=event.seq)
    assert (stored.xact is not None) == postgres
    if postgres:  # a transaction id of its own, after the others
        assert stored.xact > max(x for x in xacts if x is not None)


def test_filters_move_the_position_past_what_they_skip(world):
    first, second = some_history(world)
    ward_only, end = read_all(limit=1, units=[world.ward.pk])
    assert {e.dossier_id for e in ward_only} == {second.pk}
    assert end == read_all()[1]  # the filtered reader went as far as the others
    transfers, _ = read_all(kinds=[A.TRANSFER])
    assert [(e.dossier_id, e.action) for e in transfers] == [(first.pk, A.TRANSFER)]
    nothing, _ = read_all(units=[world.other_ward.pk])
    assert nothing == []


def test_a_filtered_read_scans_a_bounded_window(world, settings):
    some_history(world)
    settings.MOTCUA_FEED = {"SCAN": 2}
    page = feed.feed_read(after=feed.START, limit=1, units=[world.other_ward.pk])
    assert page.events == []
    assert page.more
    second = DossierEvent.objects.order_by(F("xact").asc(nulls_first=True), "id")[1]
    assert page.position == feed.FeedPosition.of(second)


def test_a_bad_limit_is_refused():
    for limit in (0, -1, 1001, "10", None):
        with pytest.raises(InvalidInput) as refused:
            feed.feed_read(after=feed.START, limit=limit)
        assert refused.value.field == "limit"


def test_positions_are_opaque_and_signed():
    position = feed.FeedPosition(123456789, 42)
    text = position.encode()
    assert "123456789" not in text or ":" in text
    assert feed.FeedPosition.decode(text) == position
    for bad in ["", "abc", text[:-1] + ("A" if text[-1] != "A" else "B"), "x" * 500, text + "x"]:
        with pytest.raises(InvalidInput) as refused:
            feed.FeedPosition.decode(bad)
        assert refused.value.field == "cursor"
    forged = feed.signing.Signer(salt="another").sign_object([1, 2])
    with pytest.raises(InvalidInput):
        feed.FeedPosition.decode(forged)


def test_a_moment_as_a_position(world, settings):
    settings.MOTCUA_FEED = {"SINCE_MARGIN_SECONDS": 0}
    some_history(world)
    # Everything so far was recorded before this moment; what comes after is found.
    everything, _ = read_all()
    moment = max(e.recorded_at for e in everything) + timedelta(microseconds=1)
    start = feed.feed_position_at(moment)
    assert read_all(after=start)[0] == []
    dossier = Dossier.objects.get(pk=everything[0].dossier_id)
    world.take(dossier, A.HAND_OVER, "02/01/2024 11:00", actor=world.officer, step="Trình ký")
    later, _ = read_all(after=start)
    assert [(e.dossier_id, e.seq) for e in later] == [(dossier.pk, 4)]
    # A moment before everything: the whole feed.
    start = feed.feed_position_at(min(e.recorded_at for e in everything))
    assert len(read_all(after=start)[0]) == len(everything) + 1


def test_a_consumer_cursor_is_claimed_and_advanced(world):
    with transaction.atomic():
        cursor = feed.feed_claim("test-consumer")
        assert cursor is not None
        assert feed.cursor_position(cursor) == feed.START
        feed.feed_advance(cursor, feed.FeedPosition(7, 9))
    with transaction.atomic():
        again = feed.feed_claim("test-consumer")
        assert again is not None
        assert feed.cursor_position(again) == feed.FeedPosition(7, 9)
    assert FeedCursor.objects.filter(name="test-consumer").count() == 1

"""The change feed under concurrent writers, on PostgreSQL (real transactions on separate
connections, one per thread; SQLite serialises writers, so there the id order is the commit
order and there is nothing to show).

The deterministic case first: a transaction that took a lower event id stays open while one
with a higher id commits; a reader following event ids would move past the lower id and never
see it; the feed waits for it and then gives both, in order.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from motcua.core import workflow
from motcua.dossiers import feed
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

A = workflow.Action
WAIT = 30  # seconds, any one wait


class Runner(threading.Thread):
    """``fn`` on a thread of its own (its own database connection, closed at the end);
    its exception raised again by ``result()``."""

    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.fn, self.error, self.value = fn, None, None
        self.start()

    def run(self) -> None:
        try:
            self.value = self.fn()
        except BaseException as error:  # noqa: BLE001 (reported by result())
            self.error = error
        finally:
            connection.close()

    def result(self) -> object:
        self.join(WAIT)
        assert not self.is_alive(), "thread did not finish"
        if self.error is not None:
            raise self.error
        return self.value


def read_to_end(after: feed.FeedPosition, limit: int = 50) -> tuple[list, feed.FeedPosition]:
    seen = []
    while True:
        page = feed.feed_read(after=after, limit=limit)
        seen += page.events
        after = page.position
        if not page.events and not page.more:
            return seen, after


def test_a_late_commit_with_a_lower_id_is_waited_for_not_skipped(world):
    first = world.create(at="02/01/2024 08:00")
    second = world.create(at="02/01/2024 08:05")
    _, start = read_to_end(feed.START)
    written, release = threading.Event(), threading.Event()

    def slow_writer() -> int:
        with transaction.atomic():
            world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
            written.set()
            assert release.wait(WAIT)
        return DossierEvent.objects.get(dossier=first, seq=2).pk

    slow = Runner(slow_writer)
    assert written.wait(WAIT)
    world.take(second, A.TRANSFER, "02/01/2024 09:05", actor=world.clerk)  # commits
    fast = DossierEvent.objects.get(dossier=second, seq=2)

    # Following ids: the fast event is visible, the slow one (a lower id) is not yet; a
    # reader now at the fast id would never go back for it.
    visible = list(DossierEvent.objects.filter(id__gt=start.id).values_list("id", flat=True))
    assert visible == [fast.pk]

    # The feed: nothing yet, the fast event is held behind the open transaction.
    page = feed.feed_read(after=start, limit=10)
    assert page.events == []
    assert page.position == start

    release.set()
    slow_id = slow.result()
    assert slow_id < fast.pk
    seen, _ = read_to_end(start)
    assert [e.pk for e in seen] == [slow_id, fast.pk]


def test_writers_on_many_dossiers_and_a_reader_every_event_once(world):
    writers, dossiers_each, steps = 4, 2, 5
    _, start = read_to_end(feed.START)
    done = threading.Event()
    collected: list[tuple[int, int, int]] = []

    def write(n: int) -> None:
        rng = random.Random(n)
        agency = [world.city_desk, world.ward_desk][n % 2]
        clerk = [world.clerk, world.ward_clerk][n % 2]
        mine = [
            world.create(at=f"02/01/2024 08:{n * 10 + i:02d}", receiving_agency=agency)
            for i in range(dossiers_each)
        ]
        for dossier in mine:
            world.take(dossier, A.TRANSFER, "02/01/2024 09:00", actor=clerk)
        for step in range(steps):
            for dossier in rng.sample(mine, len(mine)):
                world.take(
                    dossier,
                    A.HAND_OVER,
                    f"02/01/2024 10:{step:02d}",
                    actor=world.officer,
                    step=f"Bước {step}",
                )

    def read() -> feed.FeedPosition:
        position = start
        while True:
            finished = done.is_set()  # read before the page: a last full pass after it
            page = feed.feed_read(after=position, limit=3)
            collected.extend((e.pk, e.dossier_id, e.seq) for e in page.events)
            position = page.position
            if finished and not page.events and not page.more:
                return position

    reader = Runner(read)
    threads = [Runner(lambda n=n: write(n)) for n in range(writers)]
    for thread in threads:
        thread.result()
    done.set()
    reader.result()

    stored = list(DossierEvent.objects.filter(id__gt=start.id).values_list("id", flat=True))
    ids = [pk for pk, _, _ in collected]
    assert len(ids) == len(set(ids)), "an event was read twice"
    assert sorted(ids) == sorted(stored), "an event was missed"
    assert len(ids) == writers * dossiers_each * (2 + steps)
    by_dossier: dict[int, list[int]] = {}
    for _, dossier_id, seq in collected:
        by_dossier.setdefault(dossier_id, []).append(seq)
    for seqs in by_dossier.values():
        assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))


def test_one_process_at_a_time_consumes_a_consumer(world):
    with transaction.atomic():
        assert feed.feed_claim("webhooks-test") is not None  # the first time: created
    claimed, release = threading.Event(), threading.Event()

    def holder() -> None:
        with transaction.atomic():
            assert feed.feed_claim("webhooks-test") is not None
            claimed.set()
            assert release.wait(WAIT)

    held = Runner(holder)
    assert claimed.wait(WAIT)
    with transaction.atomic():
        assert feed.feed_claim("webhooks-test") is None  # skipped, not waited for
        assert feed.feed_claim("another-consumer") is not None
    release.set()
    held.result()
    with transaction.atomic():
        assert feed.feed_claim("webhooks-test") is not None


def test_claiming_outside_a_transaction_is_a_mistake():
    with pytest.raises(RuntimeError):
        feed.feed_claim("x")

"""``lib.per_request``: a value read once per request, and only where it cannot go stale."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from motcua.lib import per_request
from motcua.lib.per_request import kept, request_number


def counter() -> tuple[list[int], Callable[[], int]]:
    reads: list[int] = []

    def read() -> int:
        reads.append(1)
        return len(reads)

    return reads, read


def test_outside_a_request_every_ask_reads():
    reads, read = counter()
    assert request_number() is None
    assert [kept("k", read) for _ in range(3)] == [1, 2, 3]
    assert len(reads) == 3


def test_a_request_reads_each_key_once_and_the_next_request_again():
    reads, read = counter()
    per_request._started()
    try:
        first = request_number()
        assert first is not None
        assert [kept("k", read) for _ in range(3)] == [1, 1, 1]
        assert kept("other", read) == 2  # another key is another read
    finally:
        per_request._finished()
    assert request_number() is None
    per_request._started()
    try:
        assert request_number() != first
        assert kept("k", read) == 3
    finally:
        per_request._finished()
    assert len(reads) == 3


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_every_ask_reads():
    """A transaction's own writes must count: nothing is kept inside one."""
    reads, read = counter()
    per_request._started()
    try:
        with transaction.atomic():
            assert [kept("k", read) for _ in range(2)] == [1, 2]
        assert [kept("k", read) for _ in range(2)] == [3, 3]
    finally:
        per_request._finished()

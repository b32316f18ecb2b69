"""Rate limits kept in the database, atomic under concurrency, on SQLite and PostgreSQL
(docs/limits.md).

Two kinds, both stored as one :class:`~motcua.accounts.models.RateCounter` row per
(scope, key), the model beside this module in ``accounts``:

- :class:`Rate`: at most ``limit`` uses per ``window`` for one key. :func:`take` uses one
  *before* the work it guards, with a conditional single UPDATE (``count < limit``), so forty
  parallel requests get exactly ``limit`` uses and never "count, then insert". A use that
  turned out harmless (a right secret, a form refused for a typo) is returned with
  :func:`give_back`, so only failures or real submissions count. The window starts at the
  key's first use and the refusal says how long is left (``Retry-After``).
- :class:`Backoff`: a progressive delay (the sign-in throttle). The first ``free`` failures
  cost nothing; after that each attempt must wait ``2^k`` seconds since the previous one,
  capped at ``cap_seconds``, so a guesser gets a few tries a minute while the person, who
  waits the few seconds shown, always gets in. :func:`backoff_claim` counts the attempt
  before the password is checked (compare-and-set), :func:`reset` forgets a key after success.

Rows past ``expires_at`` mean nothing; :func:`cleanup` (the worker's daily job) deletes them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Manager
from django.utils import timezone

from motcua.accounts.models import RateCounter

KEY_MAX = 200
# Compare-and-set rounds before a busy key is refused for a second (never an endless loop).
ROUNDS = 5


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` uses of ``scope`` per key in ``window``; a limit of 0 turns it off."""

    scope: str
    limit: int
    window: timedelta


@dataclass(frozen=True)
class Backoff:
    """A progressive delay: ``free`` failures without delay, then ``2^(n - free + 1)`` seconds
    after the n-th, at most ``cap_seconds``; forgotten ``window`` after the last attempt."""

    scope: str
    free: int
    cap_seconds: int
    window: timedelta

    def delay(self, failures: int) -> timedelta:
        """How long after the ``failures``-th failure the next attempt may come."""
        if failures < self.free:
            return timedelta(0)
        # Bounded exponent: 2**1000 seconds would overflow timedelta.
        exponent = min(failures - self.free + 1, 30)
        return timedelta(seconds=min(self.cap_seconds, 2**exponent))


@dataclass(frozen=True)
class Taken:
    """One use taken by :func:`take`, to give back with :func:`give_back`."""

    scope: str
    key: str


class RateLimited(Exception):
    """Refused: ``retry_after`` whole seconds (at least 1) until the key may try again."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"{scope}: retry after {retry_after} s")
        self.scope = scope
        self.retry_after = max(1, retry_after)

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (for messages)."""
        return max(1, math.ceil(self.retry_after / 60))


def _key(key: str) -> str:
    # A key longer than the column is replaced by its digest: truncating would merge keys.
    if len(key) <= KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _seconds(until: datetime, now: datetime) -> int:
    return math.ceil((until - now).total_seconds())


def _counters() -> Manager[RateCounter]:
    return RateCounter.objects


def take(rate: Rate, key: str, *, now: datetime | None = None) -> Taken:
    """Use one of ``rate``'s uses for ``key``, or raise :class:`RateLimited` (nothing used)."""
    now = now or timezone.now()
    key = _key(key)
    taken = Taken(rate.scope, key)
    if rate.limit <= 0:
        return taken
    rows = _counters().filter(scope=rate.scope, key=key)
    for _round in range(ROUNDS):
        # The row's lock makes each UPDATE see the last committed count (PostgreSQL re-checks
        # the WHERE after waiting; SQLite has one writer at a time).
        if rows.filter(expires_at__gt=now, count__lt=rate.limit).update(count=F("count") + 1):
            return taken
        if rows.filter(expires_at__lte=now).update(
            count=1, expires_at=now + rate.window, not_before=None
        ):
            return taken
        current = rows.first()
        if current is not None:
            if current.expires_at > now and current.count >= rate.limit:
                raise RateLimited(rate.scope, _seconds(current.expires_at, now))
            continue  # changed between our statements: look again
        try:
            with transaction.atomic():
                _counters().create(scope=rate.scope, key=key, count=1, expires_at=now + rate.window)
            return taken
        except IntegrityError:
            continue  # created by a parallel request: count on that row
    raise RateLimited(rate.scope, 1)


def take_all(uses: list[tuple[Rate, str]], *, now: datetime | None = None) -> list[Taken]:
    """:func:`take` for each (rate, key), all or none: a refusal gives back those taken."""
    now = now or timezone.now()
    taken: list[Taken] = []
    try:
        for rate, key in uses:
            taken.append(take(rate, key, now=now))
    except RateLimited:
        give_back(taken, now=now)
        raise
    return taken


def give_back(taken: list[Taken], *, now: datetime | None = None) -> None:
    """Return uses taken by :func:`take` (their guarded work turned out not to count)."""
    now = now or timezone.now()
    for item in taken:
        _counters().filter(scope=item.scope, key=item.key, count__gt=0, expires_at__gt=now).update(
            count=F("count") - 1
        )


def backoff_claim(rule: Backoff, key: str, *, now: datetime | None = None) -> int:
    """Count an attempt of ``key`` under ``rule`` before it is checked, or raise
    :class:`RateLimited` if its delay has not passed (nothing counted). Returns the
    attempts counted so far, this one included."""
    now = now or timezone.now()
    key = _key(key)
    rows = _counters().filter(scope=rule.scope, key=key)
    for _round in range(ROUNDS):
        current = rows.first()
        if current is None:
            try:
                with transaction.atomic():
                    _counters().create(
                        scope=rule.scope,
                        key=key,
                        count=1,
                        expires_at=now + rule.window,
                        not_before=now + rule.delay(1),
                    )
                return 1
            except IntegrityError:
                continue
        live = current.expires_at > now
        if live and current.not_before is not None and current.not_before > now:
            raise RateLimited(rule.scope, _seconds(current.not_before, now))
        failures = (current.count if live else 0) + 1
        # Compare-and-set: of two parallel attempts one moves the row, the other looks again
        # (and then finds the new delay).
        if rows.filter(pk=current.pk, count=current.count, expires_at=current.expires_at).update(
            count=failures, expires_at=now + rule.window, not_before=now + rule.delay(failures)
        ):
            return failures
    raise RateLimited(rule.scope, 1)


def reset(scope: str, key: str) -> None:
    """Forget ``key``'s counter in ``scope`` (a successful sign-in)."""
    _counters().filter(scope=scope, key=_key(key)).delete()


def cleanup(*, now: datetime | None = None) -> int:
    """Delete the counters whose window has passed; returns how many."""
    deleted, _by_model = _counters().filter(expires_at__lte=now or timezone.now()).delete()
    return int(deleted)

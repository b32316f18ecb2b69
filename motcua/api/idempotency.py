"""``Idempotency-Key`` for the API's writes (issue 12; IETF draft
"The Idempotency-Key HTTP Header Field"): a client that did not hear the answer sends the same
request again with the same key and gets the first answer, without the action taken twice.

- The record (:class:`~motcua.api.models.IdempotencyRecord`) is the caller's own (a key of one
  client never answers another) and is written **in the same transaction as the write it
  answers**: a crash between the two cannot act without recording, nor record without acting.
- The key is claimed first in that transaction (an insert on the unique (caller, key)): a
  second request with the same key arriving meanwhile waits on the first's row and, once the
  first commits, replays its answer; if the first is refused, nothing is recorded and the key
  is free again (a refused request changed nothing: retrying it is safe).
- The same key with another body (another route, dossier or field) is refused, naming
  ``Idempotency-Key``: it is a client's bug, and acting on it would be a guess.
- Records are kept ``MOTCUA_API_IDEMPOTENCY_HOURS`` (default 24); an older one is as if
  absent, and :func:`idempotency_records_delete` removes them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.api.models import IdempotencyRecord
from motcua.core.errors import DomainError

HEADER = "Idempotency-Key"
DEFAULT_HOURS = 24
# Printable ASCII without spaces, as the draft's examples (a UUID, a ULID, a random token).
KEY_PATTERN = re.compile(r"[!-~]{8,255}")


class IdempotencyRefused(DomainError):
    """The key is malformed, or was used for another request (422, naming the header)."""


@dataclass(frozen=True)
class Answer:
    """An API answer to record and replay: HTTP status and JSON body."""

    status: int
    body: Any
    replayed: bool = False


def keep_hours() -> int:
    return int(getattr(settings, "MOTCUA_API_IDEMPOTENCY_HOURS", DEFAULT_HOURS))


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise IdempotencyRefused(
            _("%(header)s: 8 to 255 visible ASCII characters, without spaces") % {"header": HEADER},
            field=HEADER,
        )
    return key


def request_fingerprint(route: str, body: Any) -> str:
    """SHA-256 of the route and the body as parsed (key order and spacing do not matter)."""
    text = json.dumps([route, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _live(caller: str, key: str, now: datetime) -> IdempotencyRecord | None:
    cutoff = now - timedelta(hours=keep_hours())
    return IdempotencyRecord.objects.filter(caller=caller, key=key, created_at__gte=cutoff).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Answer:
    if record.fingerprint != fingerprint:
        raise IdempotencyRefused(
            _(
                "%(header)s: this key was already used for another request; "
                "use a new key for a new request"
            )
            % {"header": HEADER},
            field=HEADER,
        )
    return Answer(record.status, record.body, replayed=True)


def once(
    *,
    caller: str,
    key: str | None,
    route: str,
    body: Any,
    act: Callable[[], Answer],
    recorded: Callable[[Answer], Any] | None = None,
) -> Answer:
    """``act()`` at most once per (``caller``, ``key``): the answer it gave, replayed for the
    same ``route`` and ``body``; :class:`IdempotencyRefused` for another. Without a key,
    simply ``act()``. ``act`` runs inside the transaction that records its answer; a
    :class:`DomainError` it raises rolls both back. ``recorded(answer)`` is the body to keep
    when it differs from the one returned (a secret shown once is not kept)."""
    if key is None:
        return act()
    check_key(key)
    fingerprint = request_fingerprint(route, body)
    now = timezone.now()
    found = _live(caller, key, now)
    if found is not None:
        return _replay(found, fingerprint)
    try:
        with transaction.atomic():
            # An expired record of the key gives way to the new request.
            IdempotencyRecord.objects.filter(
                caller=caller, key=key, created_at__lt=now - timedelta(hours=keep_hours())
            ).delete()
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller,
                    key=key,
                    fingerprint=fingerprint,
                    route=route[:200],
                    status=0,
                    body=None,
                    created_at=now,
                )
            answer = act()
            record.status = answer.status
            record.body = recorded(answer) if recorded is not None else answer.body
            record.save(update_fields=["status", "body"])
    except IntegrityError:
        # The same key, claimed by a request that committed while this one waited.
        found = _live(caller, key, timezone.now())
        if found is None:
            raise
        return _replay(found, fingerprint)
    return answer


def idempotency_records_delete(*, now: datetime | None = None) -> int:
    """Remove the records older than ``MOTCUA_API_IDEMPOTENCY_HOURS``; how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=keep_hours())
    deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""How a dossier event is hashed and linked into its dossier's chain (ARCHITECTURE invariant 2).

Each event links to its dossier's previous event (``prev_hash``), and its hash covers
:func:`event_content` and that link (``motcua.core.chain.event_hash``). The write path
(``dossiers.services``), the history import (``dossiers.history``) and the audit
(``audit.services``) all build or check events here, so a stored event verifies exactly as it
was written.

Events written before the global chain was retired (docs/dossiers.md, "Audit") also carry a
place in that chain (``chain_seq``, ``chain_prev_hash``); new events leave both empty, so no
writer waits for another dossier's writer. Deleted dossiers are caught by the signed
checkpoints of ``motcua.audit`` instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from motcua.accounts.models import User
from motcua.core import chain
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.units.models import AdministrativeUnit, Agency


def event_value(value: Any) -> Any:
    """A value as an event's JSON keeps it: UTC ISO times, ISO dates, codes and user names."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Agency):
        return value.code
    if isinstance(value, User):
        return value.username
    if isinstance(value, AdministrativeUnit):
        return value.code
    return value


def event_content(event: DossierEvent, dossier_code: str) -> dict[str, Any]:
    """The part of an event its hash covers."""
    return {
        "dossier": dossier_code,
        "seq": event.seq,
        "chain_seq": event.chain_seq,
        "at": event_value(event.at),
        "recorded_at": event_value(event.recorded_at),
        "actor": event.actor_name,
        "action": event.action,
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "data": event.data,
    }


def event_hash(event: DossierEvent, dossier_code: str) -> str:
    """The hash an event must carry: its content and its links (the global one empty for
    events written since the global chain was retired)."""
    return chain.event_hash(
        event_content(event, dossier_code), event.prev_hash, event.chain_prev_hash
    )


def append_event(
    dossier: Dossier,
    *,
    at: datetime,
    recorded_at: datetime,
    actor: User | None,
    actor_name: str,
    action: str,
    from_status: str,
    to_status: str,
    reason: str,
    data: dict[str, Any],
) -> DossierEvent:
    """The dossier's next event, linked after its chain tip and hashed. Not saved.

    Moves the dossier's tip (``last_event_seq``, ``last_event_hash``, ``last_event_at``) to
    the new event; the caller saves it with the dossier.
    """
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.last_event_seq + 1,
        at=at,
        recorded_at=recorded_at,
        actor=actor,
        actor_name=actor_name,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        prev_hash=dossier.last_event_hash,
    )
    event.hash = event_hash(event, dossier.code)
    dossier.last_event_seq, dossier.last_event_hash, dossier.last_event_at = (
        event.seq,
        event.hash,
        at,
    )
    return event


# The dossier fields that hold its chain tip, which ``append_event`` moves.
TIP_FIELDS = ("last_event_seq", "last_event_hash", "last_event_at")

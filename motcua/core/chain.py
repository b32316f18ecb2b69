"""Hash chains for append-only histories (invariant 2 of ARCHITECTURE.md).

Each event's hash covers its content, the hash of the dossier's previous event and the hash of
the previous event in the global chain. Editing, deleting, inserting or reordering an event
then breaks at least one link, and :func:`verify` names the first event where it breaks.
Pure: no Django, no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def event_hash(content: Mapping[str, Any], prev_hash: str, chain_prev_hash: str) -> str:
    """SHA-256 of the canonical JSON of the content and both previous hashes."""
    payload = json.dumps(
        {"content": content, "prev": prev_hash, "chain_prev": chain_prev_hash},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainedEvent:
    """What verification needs of a stored event."""

    ident: str  # how to name it in a report, e.g. "000.00.58.H06-240102-0001 #3"
    stream: str  # the per-dossier chain it belongs to
    seq: int  # position in its stream, from 1
    chain_seq: int  # position in the global chain, from 1
    content: Mapping[str, Any]
    prev_hash: str
    chain_prev_hash: str
    hash: str


@dataclass(frozen=True)
class Problem:
    ident: str
    kind: str  # edited | missing | inserted | reordered | head
    detail: str


def verify(events: Iterable[ChainedEvent], head: tuple[int, str] | None = None) -> list[Problem]:
    """Every broken link, in global order. ``head`` is the stored (last_seq, last_hash) tip.

    Events must come in global order (by ``chain_seq``).
    """
    problems: list[Problem] = []
    expected_seq, previous = 1, GENESIS
    stream_tip: dict[str, tuple[int, str]] = {}
    for event in events:
        if event_hash(event.content, event.prev_hash, event.chain_prev_hash) != event.hash:
            problems.append(Problem(event.ident, "edited", "content does not match its hash"))
        if event.chain_seq != expected_seq:
            kind = "missing" if event.chain_seq > expected_seq else "inserted"
            problems.append(
                Problem(
                    event.ident,
                    kind,
                    f"global position {event.chain_seq}, expected {expected_seq}",
                )
            )
        elif event.chain_prev_hash != previous:
            problems.append(Problem(event.ident, "reordered", "global link to previous broken"))
        last_seq, last_hash = stream_tip.get(event.stream, (0, GENESIS))
        if event.seq != last_seq + 1:
            kind = "missing" if event.seq > last_seq + 1 else "reordered"
            problems.append(
                Problem(event.ident, kind, f"dossier position {event.seq}, expected {last_seq + 1}")
            )
        elif event.prev_hash != last_hash:
            problems.append(Problem(event.ident, "reordered", "dossier link to previous broken"))
        stream_tip[event.stream] = (event.seq, event.hash)
        expected_seq, previous = event.chain_seq + 1, event.hash
    if head is not None and head != (expected_seq - 1, previous):
        problems.append(
            Problem(
                "chain head",
                "head",
                f"head says #{head[0]}, the events end at #{expected_seq - 1}",
            )
        )
    return problems

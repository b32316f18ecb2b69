"""Hash chains for append-only histories (invariant 2 of ARCHITECTURE.md), and the signed
Merkle checkpoints that stand in for a global chain.

Each event's hash covers its content and the hash of its dossier's previous event; events
written before the global chain was retired (``chain_prev_hash`` not empty) also cover the
previous event of that global chain. Editing, deleting, inserting or reordering an event then
breaks at least one link, and :func:`verify` names the first event where it breaks.

What the global chain gave besides (a deleted dossier leaves a gap) comes from checkpoints:
every dossier's tip becomes a leaf (:func:`leaf_hash`), leaves are grouped by id range into
buckets (:func:`bucket_hash`), the buckets into a root (:func:`merkle_root`), and the root with
the previous checkpoint's hash is signed with a key (:func:`sign`). Pure: no Django, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
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


# -- checkpoints -------------------------------------------------------------------------------


def leaf_hash(dossier_id: int, code: str, seq: int, event_hash_: str) -> str:
    """One dossier's tip at a checkpoint: its id, code, last event number and hash."""
    payload = f"{dossier_id}\x1f{code}\x1f{seq}\x1f{event_hash_}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def bucket_hash(leaves: Iterable[str]) -> str:
    """The leaves of one id range, in id order, hashed together."""
    digest = hashlib.sha256()
    for leaf in leaves:
        digest.update(bytes.fromhex(leaf))
    return digest.hexdigest()


def merkle_root(hashes: list[str]) -> str:
    """The Merkle root of ``hashes`` (pairs hashed level by level; an odd one rises alone)."""
    if not hashes:
        return GENESIS
    level = [bytes.fromhex(h) for h in hashes]
    while len(level) > 1:
        level = [
            hashlib.sha256(b"".join(level[i : i + 2])).digest() if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    return level[0].hex()


def checkpoint_hash(root: str, prev_hash: str, taken_at: str, dossiers: int) -> str:
    """What a checkpoint is known by, and what the next one links to."""
    return hashlib.sha256(f"{root}\x1f{prev_hash}\x1f{taken_at}\x1f{dossiers}".encode()).hexdigest()


def sign(key: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``."""
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_valid(key: bytes, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, message), signature)

"""``motcua audit verify``: walk the dossier history's hash chains and name every broken link;
``motcua audit checkpoint``: sign every dossier's chain tip (docs/dossiers.md, "Audit").

Four checks, each a streamed pass:

1. The legacy global chain (events written before it was retired, ``chain_seq`` set), in
   global order, by the pure core's ``motcua.core.chain.verify`` against the frozen head.
2. Each dossier's own chain (events without ``chain_seq``), in (dossier, number) order, and
   its tip on the dossier row.
3. The signed checkpoints: each one's hash, signature and link to the previous one, and the
   latest one's leaves against the dossiers and events now (a dossier gone, or a history
   rewritten before the checkpoint).
4. The gapless daily codes (§3): a number the agency's counter issued that no dossier has
   is a deleted dossier, even one created after the latest checkpoint.

Only when a check finds something do we look closer, to say what happened to which event in
words a clerk or an inspector can act on:

- **edited**: the event's content no longer matches its hash (a reason, a time, data changed);
- **missing**: a number is absent from a dossier's history or from the global chain (deleted);
- **inserted**: an event the chain head does not cover (appended behind the application's back);
- **reordered**: an event whose content is intact but sits at another position than the one
  its hash was computed for (numbers swapped), or whose links point to another predecessor.

Limit: a dossier's chain has no key. Someone who rewrites a dossier's events *and* its tip
consistently after the latest checkpoint is not detectable from the database alone until the
next checkpoint; nor is one who deletes a dossier created after it *and* lowers its agency's
code counter. The checkpoints are keyed (``MOTCUA_AUDIT_KEY``): without the key, nothing
before the latest checkpoint can be rewritten unseen.
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.audit.models import Checkpoint, CheckpointBucket
from motcua.core import chain
from motcua.dossiers.events import event_content
from motcua.dossiers.models import ChainHead, Dossier, DossierCodeCounter, DossierEvent
from motcua.lib.formatting import format_datetime

CHUNK_SIZE = 2000
KINDS = ("edited", "missing", "inserted", "reordered")
# Dossier ids per checkpoint bucket: verify names the id range where something changed.
BUCKET_SIZE = 10_000
# Checkpoints whose leaves are kept (older ones keep their hashes and signature only).
KEEP_LEAVES = 3


@dataclass(frozen=True)
class Problem:
    """One finding: which dossier and event, what kind of tampering, and the evidence."""

    dossier: str  # dossier code; "" when the event's dossier cannot be known (global gap)
    seq: int | None  # the event's number in its dossier
    chain_seq: int | None  # its number in the global chain
    kind: str  # one of KINDS
    detail: str
    where: str = ""  # what else is named (a checkpoint), when not an event or a dossier

    @property
    def ident(self) -> str:
        if self.where:
            return self.where
        if self.dossier and self.seq is not None:
            return f"{self.dossier} #{self.seq}"
        if self.dossier:
            return self.dossier
        if self.chain_seq is not None:
            return _("global event #%(n)s") % {"n": self.chain_seq}
        return _("chain head")


@dataclass(frozen=True)
class Report:
    events: int
    problems: list[Problem]


def _chained(event: Any) -> chain.ChainedEvent:
    return chain.ChainedEvent(
        ident=f"{event.code} #{event.seq}",
        stream=event.code,
        seq=event.seq,
        chain_seq=event.chain_seq,
        content=event_content(event, event.code),
        prev_hash=event.prev_hash,
        chain_prev_hash=event.chain_prev_hash,
        hash=event.hash,
    )


def _events() -> Any:
    """The legacy global chain's events, in its order. The dossier code comes with each row
    (one join), so the walk costs one query per chunk."""
    return (
        DossierEvent.objects.filter(chain_seq__isnull=False)
        .annotate(code=F("dossier__code"))
        .order_by("chain_seq")
    )


class _Walk:
    """Feeds the core verifier while remembering the little the diagnosis needs."""

    def __init__(self, chunk_size: int) -> None:
        self.chunk_size = chunk_size
        self.count = 0
        self.last_chain_seq = 0
        self.gaps: list[tuple[int, int, str]] = []  # (first missing, last missing, next ident)
        self.tips: dict[str, tuple[int, str]] = {}  # dossier code -> its last (seq, hash) seen

    def __iter__(self) -> Iterator[chain.ChainedEvent]:
        for event in _events().iterator(chunk_size=self.chunk_size):
            self.count += 1
            if event.chain_seq > self.last_chain_seq + 1:
                self.gaps.append(
                    (self.last_chain_seq + 1, event.chain_seq - 1, f"{event.code} #{event.seq}")
                )
            self.last_chain_seq = max(self.last_chain_seq, event.chain_seq)
            if event.seq > self.tips.get(event.code, (0, ""))[0]:
                self.tips[event.code] = (event.seq, event.hash)
            yield _chained(event)


def audit_verify(*, chunk_size: int = CHUNK_SIZE) -> list[Problem]:
    """Every problem in the dossier history, in global order; empty when the chains hold."""
    return audit_report(chunk_size=chunk_size).problems


def audit_report(*, chunk_size: int = CHUNK_SIZE) -> Report:
    """The number of events walked and the problems found."""
    stored = ChainHead.objects.filter(pk=1).first()
    head = (stored.last_seq, stored.last_hash) if stored else (0, chain.GENESIS)
    walk = _Walk(chunk_size)
    found = chain.verify(walk, head)
    problems = _diagnose(found, walk, head) if found else []
    checkpoints, latest = _checkpoint_problems()
    leaves = _Leaves(latest)
    dossiers = _DossierWalk(chunk_size, {(p.dossier, p.seq) for p in problems}, leaves)
    problems += dossiers.problems()
    leaves.finish()
    named = {problem.dossier for problem in problems}
    rows = _DossierRows(dossiers.tips, named | leaves.named(), chunk_size)
    problems += rows.problems + _code_gaps(rows)
    problems += [p for p in leaves.problems if p.dossier not in named]
    return Report(dossiers.count, problems + checkpoints)


class _DossierWalk:
    """Each dossier's own chain: every event in (dossier, number) order, one dossier's events
    in memory at a time. Legacy events were checked by the global walk; their links still
    start the chain of the events written after them."""

    def __init__(
        self, chunk_size: int, named: set[tuple[str, int | None]], leaves: _Leaves
    ) -> None:
        self.chunk_size, self.named, self.leaves = chunk_size, named, leaves
        self.count = 0
        self.tips: dict[str, tuple[int, str]] = {}
        self._problems: list[Problem] = []

    def problems(self) -> list[Problem]:
        events = DossierEvent.objects.annotate(code=F("dossier__code")).order_by(
            "dossier_id", "seq"
        )
        current: list[Any] = []
        for event in events.iterator(chunk_size=self.chunk_size):
            self.count += 1
            if current and event.dossier_id != current[0].dossier_id:
                self._dossier(current)
                current = []
            current.append(event)
        if current:
            self._dossier(current)
        return self._problems

    def _dossier(self, events: list[Any]) -> None:
        code = events[0].code
        seqs = {event.seq for event in events}
        last_seq, last_hash, moved = 0, chain.GENESIS, False
        for event in events:
            problem = None
            if event.chain_seq is None and (code, event.seq) not in self.named:
                problem = self._problem(event, last_seq, last_hash if not moved else "", seqs)
            if problem is not None:
                self._problems.append(problem)
            moved = problem is not None and problem.kind == "reordered"
            last_seq, last_hash = event.seq, event.hash
        self.tips[code] = (last_seq, last_hash)
        self.leaves.dossier(events[0].dossier_id, code, {e.seq: e.hash for e in events})

    def _problem(self, event: Any, last_seq: int, last_hash: str, seqs: set[int]) -> Problem | None:
        code = event.code
        if _hash_with(event, event.seq, None) != event.hash:
            for seq in sorted(seqs - {event.seq}):
                if _hash_with(event, seq, None) == event.hash:
                    return Problem(
                        code,
                        event.seq,
                        None,
                        "reordered",
                        _("recorded as #%(old)s, now at #%(seq)s") % {"old": seq, "seq": event.seq},
                    )
            return Problem(
                code, event.seq, None, "edited", _("its content does not match its hash")
            )
        if event.seq > last_seq + 1:
            missing = ", ".join(f"#{n}" for n in range(last_seq + 1, event.seq))
            return Problem(
                code,
                last_seq + 1,
                None,
                "missing",
                _("event %(numbers)s of this dossier was deleted (before #%(next)s)")
                % {"numbers": missing, "next": event.seq},
            )
        # After a moved event (``last_hash`` empty) the link to it is broken as a matter of
        # course: not named again.
        if last_hash and event.prev_hash != last_hash:
            return Problem(
                code, event.seq, None, "reordered", _("the link to the previous event is broken")
            )
        return None


class _DossierRows:
    """One pass over the dossier rows: each one's tip against its chain, and the daily codes
    each agency issued (for :func:`_code_gaps`)."""

    def __init__(self, tips: dict[str, tuple[int, str]], named: set[str], chunk_size: int) -> None:
        # (agency, yymmdd) -> (codes issued live, highest number)
        self.issued: dict[tuple[int, str], tuple[int, int]] = {}
        self.with_imports: set[tuple[int, str]] = set()  # days with imported codes
        self.problems = _tip_problems(self, tips, named, chunk_size)


def _tip_problems(
    rows: _DossierRows, tips: dict[str, tuple[int, str]], named: set[str], chunk_size: int
) -> list[Problem]:
    """Each dossier row names the last event of its chain; it must be the last one stored.

    This catches the deletion of a dossier's last event, which breaks no link after it.
    Dossiers already named by the chain walk are not named twice. Counts the daily codes
    on the way (``rows``).
    """
    problems = []
    values = Dossier.objects.order_by().values_list(
        "code", "last_event_seq", "last_event_hash", "receiving_agency_id", "imported"
    )
    for code, seq, hash_, agency_id, imported in values.iterator(chunk_size=chunk_size):
        parts = code.rsplit("-", 2)
        if len(parts) == 3 and parts[2].isdigit():
            key = (agency_id, parts[1])
            if imported:
                rows.with_imports.add(key)
            else:
                count, top = rows.issued.get(key, (0, 0))
                rows.issued[key] = (count + 1, max(top, int(parts[2])))
        seen_seq, seen_hash = tips.get(code, (0, chain.GENESIS))
        if (seq, hash_) == (seen_seq, seen_hash) or code in named:
            continue
        kind = "missing" if seq > seen_seq else "edited" if seq == seen_seq else "inserted"
        problems.append(
            Problem(
                code,
                seq,
                None,
                kind,
                _("the dossier's last event is #%(stored)s, the history ends at #%(seen)s")
                % {"stored": seq, "seen": seen_seq},
            )
        )
    return problems


def _code_gaps(rows: _DossierRows) -> list[Problem]:
    """Numbers an agency's daily counter issued that no dossier carries (§3: codes are gapless
    per agency and day, a rolled-back receipt gives its number back): deleted dossiers.

    Days with imported codes are skipped: an import advances the counter past its codes and
    may leave holes below them.
    """
    problems = []
    counters = DossierCodeCounter.objects.select_related("agency").order_by("agency_id", "day")
    for counter in counters.iterator(chunk_size=CHUNK_SIZE):
        key = (counter.agency_id, f"{counter.day:%y%m%d}")
        if key in rows.with_imports or rows.issued.get(key, (0, 0)) == (counter.last,) * 2:
            continue
        prefix = f"{counter.agency.electronic_code}-{key[1]}-"
        codes = Dossier.objects.filter(
            receiving_agency_id=counter.agency_id, code__startswith=prefix
        ).values_list("code", flat=True)
        present = {int(code.rsplit("-", 1)[1]) for code in codes}
        for number in range(1, counter.last + 1):
            if number not in present:
                problems.append(
                    Problem(
                        f"{prefix}{number:04d}",
                        None,
                        None,
                        "missing",
                        _(
                            "number %(n)s of %(day)s was issued by the agency's counter "
                            "(last %(last)s) but no dossier has it: deleted"
                        )
                        % {"n": number, "day": f"{counter.day:%d/%m/%Y}", "last": counter.last},
                    )
                )
    return problems


# -- checkpoints -------------------------------------------------------------------------------


def audit_key() -> bytes:
    """The key signing checkpoints: ``MOTCUA_AUDIT_KEY`` (or its ``_FILE``), else one derived
    from ``SECRET_KEY`` (then whoever holds the web servers' key can sign)."""
    configured = getattr(settings, "MOTCUA_AUDIT_KEY", "")
    if configured:
        return str(configured).encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"motcua.audit.checkpoint", hashlib.sha256
    ).digest()


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _bucket(index: int, lines: list[str], leaves: list[str]) -> CheckpointBucket:
    return CheckpointBucket(
        index=index,
        count=len(lines),
        hash=chain.bucket_hash(leaves),
        leaves=zlib.compress("\n".join(lines).encode("utf-8"), 6),
    )


def audit_checkpoint(
    *, now: datetime | None = None, bucket_size: int = BUCKET_SIZE, chunk_size: int = 5000
) -> Checkpoint:
    """Sign every dossier's chain tip, linked to the previous checkpoint, and store it.

    Reads the dossiers in one snapshot (REPEATABLE READ on PostgreSQL when called outside a
    transaction), so the tips taken are those of committed transactions only, and takes no
    lock any writer waits on. Two checkpoints taken at once cannot both link to the same
    previous one (``Checkpoint.prev_hash`` is unique): the second fails and can be retried.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        previous = Checkpoint.objects.order_by("-id").first()
        rows = Dossier.objects.order_by("pk").values_list(
            "pk", "code", "last_event_seq", "last_event_hash"
        )
        buckets: list[CheckpointBucket] = []
        index, total = -1, 0
        lines: list[str] = []
        leaves: list[str] = []
        for pk, code, seq, hash_ in rows.iterator(chunk_size=chunk_size):
            if pk // bucket_size != index:
                if lines:
                    buckets.append(_bucket(index, lines, leaves))
                index, lines, leaves = pk // bucket_size, [], []
            lines.append(f"{pk}\t{seq}\t{hash_[:8]}\t{code}")
            leaves.append(chain.leaf_hash(pk, code, seq, hash_))
            total += 1
        if lines:
            buckets.append(_bucket(index, lines, leaves))
        taken_at = (now or timezone.now()).replace(microsecond=0)
        root = chain.merkle_root([bucket.hash for bucket in buckets])
        prev_hash = previous.hash if previous else chain.GENESIS
        hash_ = chain.checkpoint_hash(root, prev_hash, _moment(taken_at), total)
        checkpoint = Checkpoint.objects.create(
            taken_at=taken_at,
            dossiers=total,
            bucket_size=bucket_size,
            root=root,
            prev_hash=prev_hash,
            hash=hash_,
            signature=chain.sign(audit_key(), hash_),
        )
        for bucket in buckets:
            bucket.checkpoint = checkpoint
        CheckpointBucket.objects.bulk_create(buckets, batch_size=100)
        kept = Checkpoint.objects.order_by("-id").values_list("pk", flat=True)[:KEEP_LEAVES]
        CheckpointBucket.objects.exclude(checkpoint__in=list(kept)).exclude(leaves=None).update(
            leaves=None
        )
    return checkpoint


def audit_checkpoint_step(*, now: datetime) -> int:
    """The worker's nightly step (``jobs.housekeeping.STEPS``): take a checkpoint. Deletes
    nothing (older checkpoints' leaves are emptied, their rows kept): returns 0."""
    audit_checkpoint(now=now)
    return 0


def _checkpoint_label(checkpoint: Checkpoint) -> str:
    return _("checkpoint of %(at)s") % {
        "at": format_datetime(timezone.localtime(checkpoint.taken_at))
    }


def _checkpoint_problems() -> tuple[list[Problem], Checkpoint | None]:
    """Every checkpoint's hash, signature and link to the one before; the latest one."""
    problems: list[Problem] = []
    key, previous, latest = audit_key(), chain.GENESIS, None
    for checkpoint in Checkpoint.objects.order_by("id").iterator(chunk_size=CHUNK_SIZE):
        label = _checkpoint_label(checkpoint)
        expected = chain.checkpoint_hash(
            checkpoint.root, checkpoint.prev_hash, _moment(checkpoint.taken_at), checkpoint.dossiers
        )
        if expected != checkpoint.hash or not chain.signature_valid(
            key, checkpoint.hash, checkpoint.signature
        ):
            problems.append(
                Problem(
                    "",
                    None,
                    None,
                    "edited",
                    _("its content does not match its hash or signature"),
                    where=label,
                )
            )
        if checkpoint.prev_hash != previous:
            problems.append(
                Problem(
                    "",
                    None,
                    None,
                    "missing",
                    _("the checkpoint before it was deleted or changed"),
                    where=label,
                )
            )
        previous, latest = checkpoint.hash, checkpoint
    if latest is not None:
        hashes = list(latest.buckets.order_by("index").values_list("hash", flat=True))
        if chain.merkle_root(hashes) != latest.root:
            problems.append(
                Problem(
                    "",
                    None,
                    None,
                    "edited",
                    _("its buckets do not match its signed root"),
                    where=_checkpoint_label(latest),
                )
            )
    return problems, latest


@dataclass
class _Leaf:
    pk: int
    seq: int
    hash_prefix: str
    code: str


class _Leaves:
    """The latest checkpoint's leaves, read bucket by bucket alongside the dossier walk (both
    in id order), so verify holds one bucket in memory, whatever the number of dossiers."""

    def __init__(self, checkpoint: Checkpoint | None) -> None:
        self.checkpoint = checkpoint
        self.problems: list[Problem] = []
        self._buckets: Iterator[CheckpointBucket] = iter(())
        if checkpoint is not None:
            self._label = _checkpoint_label(checkpoint)
            self._buckets = checkpoint.buckets.order_by("index").iterator(chunk_size=20)
        self._bucket: CheckpointBucket | None = None
        self._pending: deque[_Leaf] = deque()
        self._computed: list[str] = []
        self._explained = False
        self._next_bucket()

    def named(self) -> set[str]:
        return {problem.dossier for problem in self.problems}

    def _next_bucket(self) -> None:
        bucket = self._bucket
        changed = bucket is not None and chain.bucket_hash(self._computed) != bucket.hash
        if bucket is not None and changed and not self._explained:
            first = bucket.index * self.checkpoint.bucket_size  # type: ignore[union-attr]
            self.problems.append(
                Problem(
                    "",
                    None,
                    None,
                    "edited",
                    _("its leaves for dossier ids %(first)s–%(last)s were changed")
                    % {"first": first, "last": first + self.checkpoint.bucket_size - 1},  # type: ignore[union-attr]
                    where=self._label,
                )
            )
        self._bucket = next(self._buckets, None)
        self._computed, self._explained = [], False
        self._pending.clear()
        if self._bucket is not None and self._bucket.leaves is not None:
            text = zlib.decompress(bytes(self._bucket.leaves)).decode("utf-8")
            for line in text.split("\n") if text else []:
                pk, seq, prefix, code = line.split("\t", 3)
                self._pending.append(_Leaf(int(pk), int(seq), prefix, code))

    def _advance_to(self, pk: int | None) -> None:
        """Leaves before dossier ``pk`` (all: None) belong to dossiers that are gone."""
        while self._bucket is not None:
            if not self._pending:
                self._next_bucket()
                continue
            if pk is not None and self._pending[0].pk >= pk:
                return
            leaf = self._pending.popleft()
            self._explained = True
            self.problems.append(
                Problem(
                    leaf.code,
                    None,
                    None,
                    "missing",
                    _(
                        "the dossier (id %(id)s, %(seq)s events) recorded by the %(checkpoint)s "
                        "was deleted"
                    )
                    % {"id": leaf.pk, "seq": leaf.seq, "checkpoint": self._label},
                )
            )

    def dossier(self, pk: int, code: str, hashes: dict[int, str]) -> None:
        """The walk reached dossier ``pk`` with these events (number -> hash)."""
        self._advance_to(pk)
        if not self._pending or self._pending[0].pk != pk:
            return
        leaf = self._pending.popleft()
        now = hashes.get(leaf.seq, "")
        self._computed.append(chain.leaf_hash(pk, code, leaf.seq, now))
        if code != leaf.code or not now.startswith(leaf.hash_prefix):
            self._explained = True
            self.problems.append(
                Problem(
                    code,
                    leaf.seq,
                    None,
                    "edited",
                    _("its history up to #%(seq)s was rewritten after the %(checkpoint)s")
                    % {"seq": leaf.seq, "checkpoint": self._label},
                )
            )

    def finish(self) -> None:
        self._advance_to(None)


def _hash_with(event: Any, seq: int, chain_seq: int | None) -> str:
    content = event_content(event, event.code)
    content["seq"], content["chain_seq"] = seq, chain_seq
    return chain.event_hash(content, event.prev_hash, event.chain_prev_hash)


def _diagnose(found: list[chain.Problem], walk: _Walk, head: tuple[int, str]) -> list[Problem]:
    """Name what happened, looking only at the dossiers the core verifier pointed at."""
    head_seq = head[0]
    by_dossier = _suspects(found, head_seq)
    chain_seqs = {event.chain_seq for events in by_dossier.values() for event in events}
    problems: list[Problem] = []
    deleted_in_dossiers: set[int] = set()  # chain positions explained by a dossier's gap
    for code, events in by_dossier.items():
        problems += _dossier_problems(code, events, head_seq, chain_seqs, deleted_in_dossiers)
    problems += _global_problems(found, walk, head_seq, deleted_in_dossiers)
    named = {(p.dossier, p.seq) for p in problems}
    for finding in found:  # anything the diagnosis could not name more precisely
        code, _sep, seq = finding.ident.rpartition(" #")
        if finding.kind in ("edited", "inserted", "reordered") and (code, int(seq)) not in named:
            named.add((code, int(seq)))
            problems.append(Problem(code, int(seq), None, finding.kind, finding.detail))
    return sorted(
        problems,
        key=lambda p: p.chain_seq if p.chain_seq is not None else _position(p, by_dossier),
    )


def _suspects(found: list[chain.Problem], head_seq: int) -> dict[str, list[Any]]:
    """The events of the dossiers the verifier named, by dossier code, in global order."""
    codes = {p.ident.rsplit(" #", 1)[0] for p in found if p.kind != "head"}
    # Events after the recorded head belong to suspicious dossiers too.
    codes |= set(_events().filter(chain_seq__gt=head_seq).values_list("code", flat=True))
    by_dossier: dict[str, list[Any]] = {}
    for event in _events().filter(dossier__code__in=codes):
        by_dossier.setdefault(event.code, []).append(event)
    return by_dossier


def _dossier_problems(
    code: str, events: list[Any], head_seq: int, chain_seqs: set[int], deleted: set[int]
) -> list[Problem]:
    """One dossier's edited, inserted or reordered events and the gaps in its numbers; the
    global positions a gap explains are added to ``deleted``."""
    problems: list[Problem] = []
    seqs = {event.seq for event in events}
    for event in events:  # in global order
        problem = _event_problem(event, head_seq, seqs, chain_seqs)
        if problem is not None:
            problems.append(problem)
    ordered = sorted(events, key=lambda e: e.seq)
    for before, after in zip([None, *ordered], ordered, strict=False):
        low = before.seq + 1 if before else 1
        if after.seq > low:
            missing = ", ".join(f"#{n}" for n in range(low, after.seq))
            problems.append(
                Problem(
                    code,
                    low,
                    None,
                    "missing",
                    _("event %(numbers)s of this dossier was deleted (before #%(next)s)")
                    % {"numbers": missing, "next": after.seq},
                )
            )
            start = before.chain_seq if before else 0
            deleted.update(range(start + 1, after.chain_seq))
    return problems


def _global_problems(
    found: list[chain.Problem], walk: _Walk, head_seq: int, deleted: set[int]
) -> list[Problem]:
    """Gaps in the global chain no dossier's gap explains, and a changed or cut chain head."""
    problems: list[Problem] = []
    for first, last, next_ident in walk.gaps:
        if set(range(first, last + 1)) <= deleted:
            continue
        problems.append(
            Problem(
                "",
                None,
                first,
                "missing",
                _("global events #%(first)s–#%(last)s were deleted (before %(next)s)")
                % {"first": first, "last": last, "next": next_ident},
            )
        )
    if walk.last_chain_seq < head_seq:
        problems.append(
            Problem(
                "",
                None,
                walk.last_chain_seq + 1,
                "missing",
                _("the chain head records #%(head)s but the events end at #%(last)s: deleted")
                % {"head": head_seq, "last": walk.last_chain_seq},
            )
        )
    elif walk.last_chain_seq == head_seq and any(p.kind == "head" for p in found):
        problems.append(Problem("", None, None, "edited", _("the chain head's hash was changed")))
    return problems


def _position(problem: Problem, by_dossier: dict[str, list[Any]]) -> int:
    """Where a dossier-gap problem sits in global order: at the next event of its dossier."""
    if not problem.dossier:
        return 1 << 62  # the chain head: last
    events = by_dossier.get(problem.dossier, [])
    later = [e.chain_seq for e in events if problem.seq is not None and e.seq > problem.seq]
    return min(later, default=0)


def _event_problem(
    event: Any, head_seq: int, seqs: set[int], chain_seqs: set[int]
) -> Problem | None:
    code, where = event.code, {"seq": event.seq, "chain": event.chain_seq}
    if event.chain_seq > head_seq or event.chain_seq < 1:
        return Problem(
            code,
            event.seq,
            event.chain_seq,
            "inserted",
            _("global event #%(chain)s is not covered by the chain head (#%(head)s)")
            % {"chain": event.chain_seq, "head": head_seq},
        )
    if _hash_with(event, event.seq, event.chain_seq) != event.hash:
        for seq in sorted(seqs):
            for chain_seq in sorted(chain_seqs):
                if _hash_with(event, seq, chain_seq) == event.hash:
                    return Problem(
                        code,
                        event.seq,
                        event.chain_seq,
                        "reordered",
                        _(
                            "recorded as #%(old)s (global #%(old_chain)s), "
                            "now at #%(seq)s (global #%(chain)s)"
                        )
                        % {**where, "old": seq, "old_chain": chain_seq},
                    )
        return Problem(
            code, event.seq, event.chain_seq, "edited", _("its content does not match its hash")
        )
    return None

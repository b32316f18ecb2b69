"""``motcua audit verify``: walk the dossier history's hash chains and name every broken link.

Detection is the pure core's (``motcua.core.chain.verify``) over one streamed pass of every
event in global order. Only when it finds something do we look closer, at the dossiers it
named, to say what happened to which event in words a clerk or an inspector can act on:

- **edited**: the event's content no longer matches its hash (a reason, a time, data changed);
- **missing**: a number is absent from a dossier's history or from the global chain (deleted);
- **inserted**: an event the chain head does not cover (appended behind the application's back);
- **reordered**: an event whose content is intact but sits at another position than the one
  its hash was computed for (numbers swapped), or whose links point to another predecessor.

Limit (by design of an unkeyed chain): someone who forges an event *and* rewrites the chain
head consistently is not detectable from the database alone; publishing the head's hash
elsewhere (a daily report, a signed log) closes that gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from motcua.core import chain
from motcua.dossiers.events import event_content
from motcua.dossiers.models import ChainHead, Dossier, DossierEvent

CHUNK_SIZE = 2000
KINDS = ("edited", "missing", "inserted", "reordered")


@dataclass(frozen=True)
class Problem:
    """One finding: which dossier and event, what kind of tampering, and the evidence."""

    dossier: str  # dossier code; "" when the event's dossier cannot be known (global gap)
    seq: int | None  # the event's number in its dossier
    chain_seq: int | None  # its number in the global chain
    kind: str  # one of KINDS
    detail: str

    @property
    def ident(self) -> str:
        if self.dossier and self.seq is not None:
            return f"{self.dossier} #{self.seq}"
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
    # The dossier code comes with each row (one join), so the walk costs one query per chunk.
    return DossierEvent.objects.annotate(code=F("dossier__code")).order_by("chain_seq")


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
    named = {problem.dossier for problem in problems}
    return Report(walk.count, problems + _tip_problems(walk.tips, named, chunk_size))


def _tip_problems(
    tips: dict[str, tuple[int, str]], named: set[str], chunk_size: int
) -> list[Problem]:
    """Each dossier row names the last event of its chain; it must be the last one stored.

    This catches the deletion of a dossier's last event, which breaks no link after it.
    Dossiers already named by the chain walk are not named twice.
    """
    problems = []
    rows = Dossier.objects.values_list("code", "last_event_seq", "last_event_hash")
    for code, seq, hash_ in rows.iterator(chunk_size=chunk_size):
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


def _hash_with(event: Any, seq: int, chain_seq: int) -> str:
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

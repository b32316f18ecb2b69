"""The tree of units held in memory, per process: walks without a query.

Every staff page walks the tree: the user's scope (the lineages of her grants), the unit's
lineage for its reports, the members of a unit for its rows, the units she may pick. As
recursive queries that was five to seven statements of a dashboard's seventeen (3–5 ms of
40, bench/pages, issue 17). The tree changes rarely (a reorganisation, an administrator's
edit) and is small (a province: a few hundred units; the country: about 11.000).

Whether the copy is current is one read of ``TreeVersion``, whose token the database's
triggers change on every write to the units and successions tables (migration 0002): within
a request the token is read at its first walk (or with the signed-in person:
``accounts.backends``, :func:`token_seen`) and trusted for the rest of it, except inside a
transaction, where it is read at every walk (the transaction's own writes must count), and
after the request has saved or deleted a unit or a succession.
Outside requests (commands, the worker) it is read at every walk. A missing token means
"unknown": the tree is then read for that walk and not kept.

The walks are the domain spec's (§10.2): a unit's lineage is the unit and, transitively, its
children and its predecessors; a unit's coverers are the mirror (parents and successors).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.base import ModelState
from django.db.models.signals import post_delete, post_save

from motcua.lib.per_request import request_number
from motcua.units.models import AdministrativeUnit, Succession, TreeVersion

Step = Callable[[int], Iterable[int]]


@dataclass(frozen=True)
class UnitTree:
    """The units and the edges between them at one token. Never changed once built: the
    units it hands out are copies."""

    token: str | None
    units: dict[int, AdministrativeUnit]
    children: dict[int, tuple[int, ...]]
    predecessors: dict[int, tuple[int, ...]]
    successors: dict[int, tuple[int, ...]]
    _memo: dict[tuple[str, int], frozenset[int]] = field(default_factory=dict, compare=False)

    @classmethod
    def read(cls, token: str | None) -> UnitTree:
        """Every unit and succession, in two queries."""
        units = {unit.pk: unit for unit in AdministrativeUnit.objects.order_by()}
        children: dict[int, list[int]] = {}
        for unit in units.values():
            if unit.parent_id is not None:
                children.setdefault(unit.parent_id, []).append(unit.pk)
        predecessors: dict[int, list[int]] = {}
        successors: dict[int, list[int]] = {}
        pairs = Succession.objects.order_by().values_list("predecessor_id", "successor_id")
        for predecessor, successor in pairs:
            predecessors.setdefault(successor, []).append(predecessor)
            successors.setdefault(predecessor, []).append(successor)
        return cls(
            token,
            units,
            {k: tuple(v) for k, v in children.items()},
            {k: tuple(v) for k, v in predecessors.items()},
            {k: tuple(v) for k, v in successors.items()},
        )

    # -- the steps of the walks -------------------------------------------------------------

    def _down(self, unit_id: int) -> Iterable[int]:
        return self.children.get(unit_id, ())

    def _up(self, unit_id: int) -> Iterable[int]:
        unit = self.units.get(unit_id)
        return () if unit is None or unit.parent_id is None else (unit.parent_id,)

    def _became_it(self, unit_id: int) -> Iterable[int]:
        # Children and predecessors: what a report or a role scope for the unit covers.
        return itertools.chain(self._down(unit_id), self.predecessors.get(unit_id, ()))

    def _it_became(self, unit_id: int) -> Iterable[int]:
        return itertools.chain(self._up(unit_id), self.successors.get(unit_id, ()))

    def _walk(self, kind: str, unit_id: int, step: Step) -> frozenset[int]:
        """``unit_id`` and every unit reached from it by ``step``, transitively (a cycle in
        bad data ends the walk); kept for the tree's life."""
        key = (kind, unit_id)
        found = self._memo.get(key)
        if found is None:
            reached = {unit_id}
            todo = [unit_id]
            while todo:
                for following in step(todo.pop()):
                    if following not in reached:
                        reached.add(following)
                        todo.append(following)
            found = frozenset(reached)
            self._memo[key] = found  # the same value from any thread: no lock needed
        return found

    # -- the walks ---------------------------------------------------------------------------

    def lineage(self, unit_id: int) -> frozenset[int]:
        """The unit and everything that became it (children and predecessors, transitively)."""
        return self._walk("lineage", unit_id, self._became_it)

    def lineages(self, unit_ids: Iterable[int]) -> frozenset[int]:
        """The union of the lineages of ``unit_ids``."""
        return frozenset().union(*(self.lineage(unit_id) for unit_id in unit_ids))

    def coverers(self, unit_id: int) -> frozenset[int]:
        """Every unit whose lineage holds ``unit_id``: its parents and what they became."""
        return self._walk("coverers", unit_id, self._it_became)

    def below(self, unit_id: int) -> frozenset[int]:
        """The unit and its descendants."""
        return self._walk("below", unit_id, self._down)

    def above(self, unit_id: int) -> frozenset[int]:
        """The unit and its parents up to the province."""
        return self._walk("above", unit_id, self._up)

    def members(self, unit_id: int) -> dict[int, frozenset[int]]:
        """Each unit directly below ``unit_id`` or merged into it, with its own lineage."""
        return {member: self.lineage(member) for member in self._became_it(unit_id)}

    # -- the units ---------------------------------------------------------------------------

    def unit(self, unit_id: int) -> AdministrativeUnit | None:
        """A copy of the unit (the caller may keep things on it), or None."""
        unit = self.units.get(unit_id)
        return None if unit is None else _copy(unit)

    def units_of(self, unit_ids: Iterable[int]) -> list[AdministrativeUnit]:
        """Copies of the units among ``unit_ids`` that exist, in no particular order."""
        return [_copy(self.units[i]) for i in unit_ids if i in self.units]


def _copy(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The unit's fields on a new instance with a state of its own (no related object cached
    yet): ``copy.copy`` took 7 µs a unit, and a province's unit picker is 222 of them."""
    new = AdministrativeUnit.__new__(AdministrativeUnit)
    new.__dict__ = {**unit.__dict__, "_state": ModelState()}
    new._state.adding = False
    new._state.db = unit._state.db
    return new


_lock = threading.Lock()
_held: UnitTree | None = None
# .checked: the number of the last request that read the token; .seen: (request number,
# token) read by another statement of this request (token_seen).
_local = threading.local()
# The token's one row (migration 0002).
TOKEN_ID = 1


def _token() -> str | None:
    seen = getattr(_local, "seen", None)
    if seen is not None and seen[0] == request_number() and not connection.in_atomic_block:
        token: str | None = seen[1]
        return token
    return TreeVersion.objects.filter(pk=TOKEN_ID).values_list("token", flat=True).first()


def token_seen(token: str | None) -> None:
    """The token as another statement of this request read it (the signed-in person's,
    ``accounts.backends``): the next walk takes it instead of reading it again. Outside a
    request, or inside a transaction, the walks read it themselves as before."""
    request = request_number()
    if request is not None and not connection.in_atomic_block:
        _local.seen = (request, token)


def held_tree() -> UnitTree | None:
    """The tree :func:`unit_tree` would give without a query (read or checked earlier in this
    request, outside a transaction), or None."""
    held = _held
    request = request_number()
    trusted = request is not None and getattr(_local, "checked", None) == request
    return held if held is not None and trusted and not connection.in_atomic_block else None


def names_every_unit(ids: Collection[int]) -> bool:
    """Whether ``ids`` name every unit there is, by the tree held for this request (no query;
    False when none is held: outside requests, inside a transaction). A province's reports
    then need no condition on the unit."""
    tree = held_tree()
    return tree is not None and len(ids) >= len(tree.units) and tree.units.keys() <= set(ids)


def unit_tree() -> UnitTree:
    """The tree as the database holds it now (see the module's docstring for when the token
    is read again)."""
    global _held
    current = held_tree()
    if current is not None:
        return current
    held = _held
    request = request_number()
    token = _token()
    if held is None or token is None or held.token != token:
        held = UnitTree.read(token)
        if token is not None:
            with _lock:
                _held = held
    if token is not None:
        _local.checked = request
    return held


def _written(**_: Any) -> None:
    # This thread changed the tree: read the token at the next walk.
    _local.checked = None
    _local.seen = None


for _model in (AdministrativeUnit, Succession):
    post_save.connect(_written, sender=_model, dispatch_uid=f"motcua.units.tree.saved.{_model}")
    post_delete.connect(_written, sender=_model, dispatch_uid=f"motcua.units.tree.gone.{_model}")

"""``GET /api/v1/dossiers/changes``: the dossiers changed since a moment or a cursor, each
with its current state and the events of the page, and the cursor to go on from (issue 12
item 1; docs/api.md "The change feed").

Read from the change feed (``dossiers.feed``): in the order transactions finished, never
past one still running, so following ``next`` never misses a change nor repeats one, however
many writers there are. Kept to the caller's units exactly as the list is (the dossier's
receiving or handling unit, ``accounts.access`` through ``dossiers.access.STAFF_ROLES``).

Queries per call, whatever the volume: the caller's scope (once), at most three for the feed,
one for the dossiers' current rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from motcua.accounts.access import user_unit_ids
from motcua.api.auth import scoped
from motcua.api.choices import Scope
from motcua.api.paging import page_limit
from motcua.api.problems import Problem
from motcua.api.routers.dossiers import _LIST_COLUMNS, DossierSummary, EventOut, _summary
from motcua.api.routers.support import caller_user, only_known_parameters
from motcua.api.schemas import PROBLEMS, StrictSchema
from motcua.dossiers.access import STAFF_ROLES
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.feed import FeedPosition, feed_position_at, feed_read
from motcua.dossiers.models import Dossier, DossierEvent

router = Router(tags=["dossiers"], auth=scoped(Scope.DOSSIERS_READ))


class ChangesQuery(StrictSchema):
    updated_since: datetime | None = Field(
        None, description="Start: changes recorded at or after this moment (with its offset)"
    )
    cursor: str | None = Field(
        None, max_length=200, description="Go on: the next of the previous answer"
    )
    limit: int | None = Field(None, description="Events per page (at most MOTCUA_API PAGE_MAX)")


class ChangedEvent(EventOut):
    recorded_at: datetime


class ChangedDossier(Schema):
    dossier: DossierSummary = Field(description="Its state now (send version with an action)")
    events: list[ChangedEvent] = Field(description="Its events of this page, in order")


class ChangesPage(Schema):
    items: list[ChangedDossier]
    next: str = Field(description="Pass it as cursor to go on (also when nothing was new)")
    more: bool = Field(description="Whether asking again at once may find more")


def _event(event: DossierEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "recorded_at": event.recorded_at,
        "actor": event.actor_name,
        "action": event.action,
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data,
    }


def _start(query: ChangesQuery) -> FeedPosition:
    if (query.updated_since is None) == (query.cursor is None):
        raise Problem.invalid(
            "updated_since", _("give updated_since (a moment) or cursor (to go on), not both")
        )
    if query.cursor is not None:
        try:
            return FeedPosition.decode(query.cursor)
        except InvalidInput as error:
            raise Problem.invalid("cursor", error.message) from None
    since = query.updated_since
    assert since is not None
    if since.tzinfo is None:
        raise Problem.invalid(
            "updated_since", _("give the moment with its offset (2026-12-03T08:00:00+07:00)")
        )
    return feed_position_at(since)


@router.get(
    "/changes",
    response={200: ChangesPage, **PROBLEMS},
    summary="Dossiers changed since a moment or a cursor",
)
def dossier_changes(request: HttpRequest, query: Query[ChangesQuery]) -> dict[str, Any]:
    only_known_parameters(request, ChangesQuery)
    start = _start(query)
    limit = page_limit(query.limit)
    units = user_unit_ids(caller_user(request), STAFF_ROLES)
    page = feed_read(after=start, limit=limit, units=units)
    grouped: dict[int, list[dict[str, Any]]] = {}
    for event in page.events:
        grouped.setdefault(event.dossier_id, []).append(_event(event))
    rows = Dossier.objects.filter(pk__in=list(grouped)).values(*_LIST_COLUMNS.values())
    current = {row["id"]: _summary(row) for row in rows}
    return {
        "items": [
            {"dossier": current[dossier_id], "events": events}
            for dossier_id, events in grouped.items()
        ],
        "next": page.position.encode(),
        "more": page.more,
    }

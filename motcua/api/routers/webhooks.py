"""A machine client's own webhook subscriptions (scope ``webhooks:manage``; docs/api.md
"Webhooks"): list, subscribe (the secret answered once), rotate, disable, enable, replay and
read the delivery log. The same services as ``motcua api webhooks`` (``api.webhooks``); a
client sees and changes only its own subscriptions (another's answers 404, as a missing one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from motcua.api import webhooks
from motcua.api.api import not_found_errors
from motcua.api.auth import scoped
from motcua.api.choices import Scope, WebhookState
from motcua.api.models import WebhookDelivery, WebhookSubscription
from motcua.api.problems import Problem
from motcua.api.routers.support import READ_PROBLEMS, caller, documented
from motcua.api.schemas import PROBLEMS, ProblemOut, StrictSchema
from motcua.core.errors import DomainError

router = Router(tags=["webhooks"], auth=scoped(Scope.WEBHOOKS_MANAGE))


class SubscriptionNotFound(DomainError):
    """No such subscription, or another client's (the two look the same)."""


not_found_errors.append(SubscriptionNotFound)
ERRORS = {**PROBLEMS, **{s: ProblemOut for s in (413, 415, 422)}}
WRITE_PROBLEMS = (*READ_PROBLEMS, 413, 415, 422)


class SubscriptionIn(StrictSchema):
    url: str = Field(..., max_length=500, description="The receiver: http(s), a public address")
    units: list[str] = Field([], max_length=50, description="Unit codes; none: all the client's")
    kinds: list[str] = Field([], max_length=30, description="Event actions; none: all")


class SubscriptionOut(Schema):
    id: int
    url: str
    units: list[str]
    kinds: list[str]
    state: WebhookState
    failing_since: datetime | None
    created_at: datetime


class CreatedOut(SubscriptionOut):
    secret: str = Field(description="Signs every delivery; shown this once")


class SecretOut(Schema):
    secret: str = Field(description="The new secret; the previous one signs too for a while")


class ReplayIn(StrictSchema):
    since: datetime | None = Field(None, description="Events recorded since (with offset)")
    delivery: int | None = Field(None, ge=1, description="One delivery again")


class ReplayOut(Schema):
    queued: int


class AttemptOut(Schema):
    at: datetime
    status: int | None
    duration_ms: int
    error: str


class DeliveryOut(Schema):
    id: int
    message_id: str
    dossier: str
    seq: int
    state: str
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    log: list[AttemptOut]


class LogQuery(StrictSchema):
    limit: int = Field(20, ge=1, le=200)


def _mine(request: HttpRequest, subscription_id: int) -> WebhookSubscription:
    client = caller(request).client
    found = (
        WebhookSubscription.objects.filter(pk=subscription_id, client=client)
        .prefetch_related("units")
        .first()
    )
    if client is None or found is None:
        raise SubscriptionNotFound(_("No such webhook subscription."), field="id")
    return found


def _out(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "url": subscription.target_url,
        "units": sorted(u.code for u in subscription.units.all()),
        "kinds": list(subscription.kinds),
        "state": subscription.state,
        "failing_since": subscription.failing_since,
        "created_at": subscription.created_at,
    }


def _client_id(request: HttpRequest) -> str:
    client = caller(request).client
    if client is None:  # a staff session never holds webhooks:manage; be explicit
        raise Problem(403, "scope", detail=_("webhooks belong to machine clients"))
    return client.client_id


@router.get("", response={200: list[SubscriptionOut], **PROBLEMS}, summary="My subscriptions")
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    client = caller(request).client
    rows = WebhookSubscription.objects.filter(client=client).prefetch_related("units")
    return [_out(row) for row in rows.order_by("pk")]


@router.post(
    "",
    response={201: CreatedOut, **ERRORS},
    summary="Subscribe to dossier events",
    openapi_extra=documented(*WRITE_PROBLEMS),
)
def create_subscription(request: HttpRequest, body: SubscriptionIn) -> Any:
    subscription, secret = webhooks.subscription_create(
        client_id=_client_id(request), target_url=body.url, unit_codes=body.units, kinds=body.kinds
    )
    return Status(201, {**_out(subscription), "secret": secret})


@router.post(
    "/{subscription_id}/rotate",
    response={200: SecretOut, **ERRORS},
    summary="A new secret",
    openapi_extra=documented(*WRITE_PROBLEMS),
)
def rotate(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    mine = _mine(request, subscription_id)
    return {"secret": webhooks.subscription_rotate(subscription_id=mine.pk)}


@router.post(
    "/{subscription_id}/disable",
    response={200: SubscriptionOut, **ERRORS},
    summary="Stop sending",
    openapi_extra=documented(*WRITE_PROBLEMS),
)
def disable(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    mine = _mine(request, subscription_id)
    webhooks.subscription_disable(subscription_id=mine.pk)
    return _out(_mine(request, subscription_id))


@router.post(
    "/{subscription_id}/enable",
    response={200: SubscriptionOut, **ERRORS},
    summary="Resume sending",
    openapi_extra=documented(*WRITE_PROBLEMS),
)
def enable(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    mine = _mine(request, subscription_id)
    webhooks.subscription_enable(subscription_id=mine.pk)
    return _out(_mine(request, subscription_id))


@router.post(
    "/{subscription_id}/replay",
    response={200: ReplayOut, **ERRORS},
    summary="Queue deliveries again",
    openapi_extra=documented(*WRITE_PROBLEMS),
)
def replay(request: HttpRequest, subscription_id: int, body: ReplayIn) -> dict[str, Any]:
    mine = _mine(request, subscription_id)
    if body.since is not None and body.since.tzinfo is None:
        raise Problem.invalid("/since", _("give the moment with its offset (+07:00)"))
    queued = webhooks.webhooks_replay(
        subscription_id=mine.pk, since=body.since, delivery_id=body.delivery
    )
    return {"queued": queued}


@router.get(
    "/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **PROBLEMS},
    summary="The latest deliveries and their attempts",
)
def deliveries(
    request: HttpRequest, subscription_id: int, query: Query[LogQuery]
) -> list[dict[str, Any]]:
    mine = _mine(request, subscription_id)
    rows = (
        WebhookDelivery.objects.filter(subscription=mine)
        .select_related("dossier", "event")
        .prefetch_related("log")
        .order_by("-pk")[: query.limit]
    )
    return [
        {
            "id": row.pk,
            "message_id": row.message_id,
            "dossier": row.dossier.code,
            "seq": row.event.seq,
            "state": row.state,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at,
            "delivered_at": row.delivered_at,
            "log": [
                {
                    "at": a.at,
                    "status": a.status,
                    "duration_ms": a.duration_ms,
                    "error": a.error,
                }
                for a in row.log.all()
            ],
        }
        for row in rows
    ]

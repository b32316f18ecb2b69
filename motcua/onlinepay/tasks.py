"""The worker's online-payment jobs (django-tasks, run by ``motcua worker``): ids in, a
service call, idempotent (house style R9): polling a settled intent does nothing."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from motcua.onlinepay.choices import IntentStatus
from motcua.onlinepay.models import PaymentIntent
from motcua.onlinepay.services import payment_status_poll


@task()
def poll_payment(intent_id: int) -> str:
    """Ask the gateway where intent ``intent_id`` stands (GET_BILL, querydr) and apply it.
    Returns the outcome, or "" when there was nothing to ask."""
    applied = payment_status_poll(intent_id=intent_id)
    return "" if applied is None else str(applied.outcome)


@task()
def poll_open_payments() -> int:
    """Poll every intent still open that was made between 3 days and POLL_AFTER_MINUTES ago
    (as the national platform's own job does, §2.1). Returns how many were asked."""
    now = timezone.now()
    after = timedelta(minutes=settings.MOTCUA_ONLINEPAY["POLL_AFTER_MINUTES"])
    ids = list(
        PaymentIntent.objects.filter(
            status__in=[IntentStatus.CREATED, IntentStatus.PENDING],
            created_at__gte=now - timedelta(days=3),
            created_at__lte=now - after,
        ).values_list("pk", flat=True)[:500]
    )
    for intent_id in ids:
        payment_status_poll(intent_id=intent_id)
    return len(ids)

"""The worker's online-payment jobs (django-tasks, run by ``motcua worker``): ids in, a
service call, idempotent (house style R9): polling a settled intent does nothing."""

from __future__ import annotations

from django_tasks import task

from motcua.onlinepay.services import payment_status_poll


@task()
def poll_payment(intent_id: int) -> str:
    """Ask the gateway where intent ``intent_id`` stands (GET_BILL, querydr) and apply it.
    Returns the outcome, or "" when there was nothing to ask."""
    applied = payment_status_poll(intent_id=intent_id)
    return "" if applied is None else str(applied.outcome)

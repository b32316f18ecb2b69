"""The worker's notification jobs (django-tasks, run by ``motcua worker``): ids in, a service
call, idempotent (house style R9): a row sent already is not sent again."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from motcua.notify.services import notification_deliver, notifications_deliver_due


@task()
def deliver_notifications(notification_ids: list[int]) -> int:
    """Send the outbox rows one dossier action wrote (enqueued when it committed). Returns
    how many this run sent or settled."""
    done = 0
    for notification_id in notification_ids:
        if notification_deliver(notification_id=int(notification_id), now=timezone.now()):
            done += 1
    return done


@task()
def deliver_due_notifications() -> int:
    """The sweep: rows due for a retry, and rows whose enqueue was lost (enqueued by the
    scheduler's tick when there are any). Returns how many were sent or settled."""
    return notifications_deliver_due(now=timezone.now())

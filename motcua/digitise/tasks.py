"""The worker's task (django-tasks, run by `motcua worker`): an id in, the service call.
Running it twice does no harm: the service claims a queued digitisation only once."""

from __future__ import annotations

from django_tasks import task

from motcua.digitise.services import digitisation_run


@task()
def digitise_file(digitisation_id: int) -> str:
    """``services.digitisation_run``; returns the status it ended in."""
    return str(digitisation_run(digitisation_id=digitisation_id).status)

"""What the signals tests enqueue and serve: a task that logs, a page that enqueues it, and
the URL map with that page beside the site's (tests set ROOT_URLCONF to this module).

``signals_process`` drives them from a separate process.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django_tasks import task

job_logger = logging.getLogger("motcua.ops.tests.job")
view_logger = logging.getLogger("motcua.ops.tests.view")


@task()
def note(text: str) -> str:
    """Log ``text`` at WARNING (seen with the default log level) and return it."""
    job_logger.warning("job noted %s", text)
    return text


def enqueue_note(request: HttpRequest) -> JsonResponse:
    view_logger.warning("enqueuing a note")
    result = note.enqueue(request.GET.get("text", "hello"))
    return JsonResponse({"task": str(result.id)})


def _urlpatterns() -> list:
    from motcua.urls import urlpatterns

    return [path("signals-test/enqueue", enqueue_note, name="signals_enqueue"), *urlpatterns]


urlpatterns = _urlpatterns()
handler404 = "motcua.lib.errors.page_not_found"

"""The task queue's backend: django-tasks-db's, carrying the request id into the job.

A task enqueued while a request is handled (or while another job runs) keeps that request's
id beside its arguments (``args_kwargs["request_id"]``, which django-tasks-db never reads);
``motcua worker`` logs the task's run under it (``commands/worker.py``, ``JobWorker``), so
one id follows a citizen's submission from the web process's log into the worker's
(docs/deployment.md, "Signals"). Nothing else changes: same table, same worker protocol.
"""

from __future__ import annotations

from typing import Any, cast

from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult

from motcua.lib.requestid import current_request_id

# The key of args_kwargs holding the enqueuing request's id.
REQUEST_ID_KEY = "request_id"


class RequestIdDatabaseBackend(DatabaseBackend):
    """``django_tasks_db.DatabaseBackend`` that records the current request id on the task,
    in the same INSERT (so a worker never claims the row without it)."""

    def _fields(self, task: Any, args: Any, kwargs: Any) -> dict[str, Any]:
        # The parent's row (django_tasks_db.backend.DatabaseBackend._task_to_db_task) with
        # the request id beside the arguments.
        args_kwargs = dict(cast("dict[str, Any]", normalize_json({"args": args, "kwargs": kwargs})))
        request_id = current_request_id()
        if request_id:
            args_kwargs[REQUEST_ID_KEY] = request_id
        return {
            "id": self._get_id(),
            "args_kwargs": args_kwargs,
            "priority": task.priority,
            "task_path": task.module_path,
            "queue_name": task.queue_name,
            "run_after": task.run_after,
            "backend_name": self.alias,
        }

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        return DBTaskResult.objects.create(**self._fields(task, args, kwargs))

    async def _atask_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        return await DBTaskResult.objects.acreate(**self._fields(task, args, kwargs))


def task_request_id(result: DBTaskResult[Any, Any]) -> str:
    """The id of the request that enqueued ``result``'s task, "" if none did."""
    args_kwargs = result.args_kwargs if isinstance(result.args_kwargs, dict) else {}
    value = args_kwargs.get(REQUEST_ID_KEY)
    return value if isinstance(value, str) else ""

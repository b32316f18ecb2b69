"""Third-party apps shown in the admin under Vietnamese names (the admin is fully Vietnamese;
their own labels are plain English strings that no catalogue can translate)."""

from __future__ import annotations

from typing import Any

from axes.apps import AppConfig as AxesAppConfig
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig

from motcua.lib.formatting import format_datetime


class TaskQueueConfig(TasksAppConfig):
    """django_tasks_db (the queue of ``motcua worker``, docs/jobs.md), named in Vietnamese,
    with its admin's two English column titles translated."""

    verbose_name = _("Background task queue")  # type: ignore[assignment]

    def ready(self) -> None:
        super().ready()
        from django.contrib import admin
        from django_tasks_db.admin import DBTaskResultAdmin
        from django_tasks_db.models import DBTaskResult

        class TaskResultAdmin(DBTaskResultAdmin):
            list_display = tuple(  # type: ignore[assignment]
                "task_label" if name == "task_name" else name
                for name in DBTaskResultAdmin.list_display
            )

            @admin.display(description=_("task"))
            def task_label(self, obj: Any) -> str:
                return str(obj.task_name)

            @admin.display(description=_("traceback"))
            def formatted_traceback(self, obj: Any) -> Any:
                return super().formatted_traceback(obj)

            @admin.display(description=_("run after"))
            def display_run_after(self, obj: Any) -> Any:
                return super().display_run_after(obj)

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
        admin.site.register(DBTaskResult, TaskResultAdmin)


class SignInLockoutConfig(AxesAppConfig):  # type: ignore[misc]
    """django-axes (failed sign-ins and lockouts), named in Vietnamese; its records' titles
    in the admin (an English ``__str__``) are given in the interface language."""

    verbose_name = _("Sign-in lockout")

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        def when(moment: Any) -> str:
            return format_datetime(timezone.localtime(moment)) if moment else ""

        def log_title(record: Any) -> str:
            return gettext("Sign-in of %(user)s at %(when)s") % {
                "user": record.username,
                "when": when(record.attempt_time),
            }

        def attempt_title(record: Any) -> str:
            return gettext("Failed sign-in at %(when)s") % {"when": when(record.attempt_time)}

        def failure_title(record: Any) -> str:
            return gettext("Failed sign-in of %(user)s at %(when)s from %(address)s") % {
                "user": record.username,
                "when": when(record.attempt_time),
                "address": record.ip_address,
            }

        AccessLog.__str__ = log_title
        AccessAttempt.__str__ = attempt_title
        AccessFailureLog.__str__ = failure_title

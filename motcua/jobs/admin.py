"""What the scheduler and the jobs did, for administrators. Rows are written by the jobs only;
deleting a job run lets the next run do that work once more (e.g. resend one digest whose
sending was interrupted)."""

from __future__ import annotations

from django.contrib import admin

from motcua.jobs.models import JobRun, ScheduleMark
from motcua.lib.admin import ViewAndDeleteMixin


@admin.register(ScheduleMark)
class ScheduleMarkAdmin(ViewAndDeleteMixin, admin.ModelAdmin[ScheduleMark]):
    list_display = ["day", "kind", "key", "status", "attempts", "claimed_at", "finished_at"]
    list_filter = ["kind", "status", "day"]
    search_fields = ["key", "error"]


@admin.register(JobRun)
class JobRunAdmin(ViewAndDeleteMixin, admin.ModelAdmin[JobRun]):
    list_display = [
        "day",
        "kind",
        "key",
        "status",
        "attempts",
        "started_at",
        "finished_at",
        "result",
    ]
    list_filter = ["kind", "status", "day"]
    search_fields = ["key", "error"]

"""Administration: meetings and directives are read and corrected here; updates and
reminders are records, shown read-only (updates are append-only, models.DirectiveUpdate)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.directives.models import Directive, DirectiveReminder, DirectiveUpdate, Meeting
from motcua.lib.admin import CheckedInitialMixin, ReadOnlyMixin, ViewAndDeleteMixin


class ReadOnlyInline(admin.TabularInline[DirectiveUpdate, Directive]):
    model = DirectiveUpdate
    extra = 0
    can_delete = False
    fields = ("at", "author_name", "from_status", "to_status", "note", "evidence_name")
    readonly_fields = ("at", "author_name", "from_status", "to_status", "note", "evidence_name")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(CheckedInitialMixin, admin.ModelAdmin[Meeting]):
    list_display = ["held_on", "body", "title", "unit"]
    list_filter = ["unit"]
    search_fields = ["body", "title", "chair", "minutes"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["unit"]
    readonly_fields = ["created_at", "created_by"]


@admin.register(Directive)
class DirectiveAdmin(CheckedInitialMixin, admin.ModelAdmin[Directive]):
    list_display = ["meeting", "number", "unit", "agency", "head_name", "deadline", "status"]
    list_filter = ["status", "unit"]
    search_fields = ["text", "head_name"]
    autocomplete_fields = ["head_user"]
    # Directives are assigned, and their status, deadline and completion change, only through
    # the services (the statutory clock, the timeline, the version); the text and the head
    # may be corrected here.
    readonly_fields = [
        "meeting",
        "number",
        "unit",
        "agency",
        "working_days",
        "deadline",
        "status",
        "completed_at",
        "version",
        "created_at",
        "created_by",
    ]
    inlines = [ReadOnlyInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(DirectiveUpdate)
class DirectiveUpdateAdmin(ReadOnlyMixin, admin.ModelAdmin[DirectiveUpdate]):
    list_display = ["directive", "at", "author_name", "from_status", "to_status"]
    list_filter = ["to_status"]


@admin.register(DirectiveReminder)
class DirectiveReminderAdmin(ViewAndDeleteMixin, admin.ModelAdmin[DirectiveReminder]):
    list_display = ["directive", "day", "sent_at", "recipients"]
    list_filter = ["day"]

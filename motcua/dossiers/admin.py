"""Read-only views of dossiers for administrators: every change goes through the services."""

from __future__ import annotations

from django.contrib import admin

from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, Extension, Pause
from motcua.lib.admin import ReadOnlyMixin


class ComponentInline(ReadOnlyMixin, admin.TabularInline[DossierComponent, Dossier]):
    model = DossierComponent
    extra = 0


class PauseInline(ReadOnlyMixin, admin.TabularInline[Pause, Dossier]):
    model = Pause
    extra = 0


class ExtensionInline(ReadOnlyMixin, admin.TabularInline[Extension, Dossier]):
    model = Extension
    extra = 0


class EventInline(ReadOnlyMixin, admin.TabularInline[DossierEvent, Dossier]):
    model = DossierEvent
    extra = 0
    fields = ["seq", "at", "actor_name", "action", "from_status", "to_status", "reason"]
    ordering = ["seq"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin[Dossier]):
    list_display = [
        "code",
        "applicant_name",
        "procedure_version",
        "status",
        "channel",
        "received_at",
        "due_at",
        "timeliness",
    ]
    list_filter = ["status", "channel", "timeliness", "imported", "receiving_agency"]
    search_fields = ["code", "applicant_name", "applicant_phone", "applicant_id_number"]
    date_hierarchy = "submitted_at"
    list_select_related = ["procedure_version__procedure"]
    inlines = [ComponentInline, PauseInline, ExtensionInline, EventInline]


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyMixin, admin.ModelAdmin[DossierEvent]):
    list_display = ["dossier", "seq", "chain_seq", "at", "actor_name", "action", "to_status"]
    list_filter = ["action"]
    search_fields = ["dossier__code", "actor_name"]
    list_select_related = ["dossier"]

from __future__ import annotations

from django.contrib import admin

from motcua.lib.admin import LargeTableMixin
from motcua.notify.models import AgencyNotifySettings, Notification, NotificationPreference


@admin.register(AgencyNotifySettings)
class AgencyNotifySettingsAdmin(admin.ModelAdmin[AgencyNotifySettings]):
    list_display = ("agency", "email_enabled", "sms_enabled", "zalo_enabled", "sms_brandname")
    autocomplete_fields = ("agency",)


@admin.register(Notification)
class NotificationAdmin(LargeTableMixin, admin.ModelAdmin[Notification]):
    """Read-only: the outbox is written by the dossier services and the worker."""

    list_display = ("created_at", "dossier_id", "event", "channel", "recipient", "status")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient", "provider_message_id")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("key", "channels", "updated_at")
    search_fields = ("key",)

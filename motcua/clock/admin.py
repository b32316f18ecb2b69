from django.contrib import admin

from motcua.clock.models import CalendarOverride, CalendarPolicy, OfficeHours


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    list_display = ["date", "kind", "name", "province", "legal_ref"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "legal_ref", "province__name"]
    date_hierarchy = "date"
    raw_id_fields = ["province"]


@admin.register(CalendarPolicy)
class CalendarPolicyAdmin(admin.ModelAdmin[CalendarPolicy]):
    list_display = ["__str__", "make_up_days_count", "receipt_rule", "roll_calendar_days"]
    raw_id_fields = ["province"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin[OfficeHours]):
    list_display = ["__str__", "unit", "agency", "sessions", "valid_from"]
    list_filter = ["valid_from"]
    raw_id_fields = ["unit", "agency"]

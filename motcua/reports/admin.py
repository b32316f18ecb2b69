"""Read-only views of signed reports for administrators: signing and restating go through
``reports.services`` only, and a signature is never edited."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.lib.admin import ReadOnlyMixin
from motcua.reports.models import Restatement, SignedReport
from motcua.reports.signatures import signed_report_verify


class RestatementInline(ReadOnlyMixin, admin.TabularInline[Restatement, SignedReport]):
    model = Restatement
    extra = 0
    fields = ["number", "restated_at", "restated_by_name", "reason", "changes"]
    ordering = ["number"]


@admin.register(SignedReport)
class SignedReportAdmin(ReadOnlyMixin, admin.ModelAdmin[SignedReport]):
    list_display = [
        "unit",
        "period_start",
        "period_end",
        "period_name",
        "signed_by_name",
        "signed_at",
        "intact",
    ]
    list_filter = ["period_end"]
    search_fields = ["unit__code", "unit__name", "signed_by_name", "period_name"]
    date_hierarchy = "signed_at"
    list_select_related = ["unit"]
    readonly_fields = ["intact"]
    inlines = [RestatementInline]

    @admin.display(boolean=True, description=_("figures match their hash"))
    def intact(self, obj: SignedReport) -> bool:
        return not signed_report_verify(obj)


@admin.register(Restatement)
class RestatementAdmin(ReadOnlyMixin, admin.ModelAdmin[Restatement]):
    list_display = ["signed_report", "number", "restated_by_name", "restated_at", "reason"]
    search_fields = ["signed_report__unit__code", "signed_report__unit__name", "reason"]
    date_hierarchy = "restated_at"
    list_select_related = ["signed_report__unit"]

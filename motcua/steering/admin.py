"""Admin pages for the steering committee's data.

Values and snapshots are read-only here: a value is corrected by recording a new one (the page
or the import), so its history stays whole, and snapshots are written by the system only.
Definitions, targets and working groups are edited here; the models' ``clean`` refuses what the
services refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.lib.admin import CheckedInitialMixin, ReadOnlyMixin
from motcua.steering import models
from motcua.steering.validators import phone_digits, phone_normalise
from motcua.units.selectors import UnitNotFound, province_of

# Generic for the type checker only (django-stubs); Django's classes cannot be subscripted.
if TYPE_CHECKING:
    DefinitionAdminBase = admin.ModelAdmin[models.IndicatorDefinition]
    TargetAdminBase = admin.ModelAdmin[models.IndicatorTarget]
    ValueAdminBase = admin.ModelAdmin[models.IndicatorValue]
    SnapshotAdminBase = admin.ModelAdmin[models.IndicatorSnapshot]
    GroupAdminBase = admin.ModelAdmin[models.WorkingGroup]
    MemberAdminBase = admin.ModelAdmin[models.WorkingGroupMember]
    MemberInlineBase = admin.TabularInline[models.WorkingGroupMember, models.WorkingGroup]
else:
    DefinitionAdminBase = TargetAdminBase = ValueAdminBase = SnapshotAdminBase = admin.ModelAdmin
    GroupAdminBase = MemberAdminBase = admin.ModelAdmin
    MemberInlineBase = admin.TabularInline


@admin.register(models.IndicatorDefinition)
class IndicatorDefinitionAdmin(DefinitionAdminBase):
    list_display = ["code", "name", "shape", "kind", "frequency", "level", "position"]
    list_filter = ["kind", "shape", "frequency", "level"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # What other data and the system rely on stays as shipped once the indicator exists.
        return ["code", "kind", "computed_from", "shape"] if obj is not None else []


@admin.register(models.IndicatorTarget)
class IndicatorTargetAdmin(CheckedInitialMixin, TargetAdminBase):
    list_display = ["definition", "unit", "year", "value", "assigned_by", "legal_ref", "set_at"]
    list_filter = ["year", "definition"]
    search_fields = ["unit__code", "unit__name", "definition__name", "legal_ref"]
    autocomplete_fields = ["unit", "assigned_by"]
    list_select_related = ["definition", "unit", "assigned_by"]
    readonly_fields = ["set_by", "set_at"]

    def save_model(
        self, request: HttpRequest, obj: models.IndicatorTarget, form: Any, change: bool
    ) -> None:
        obj.set_by = request.user if isinstance(request.user, User) else None
        obj.set_at = timezone.now()
        if obj.assigned_by is None:
            try:
                obj.assigned_by = province_of(obj.unit)
            except UnitNotFound:
                obj.assigned_by = None
        super().save_model(request, obj, form, change)


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(ReadOnlyMixin, ValueAdminBase):
    list_display = [
        "definition",
        "unit",
        "period_end",
        "numerator",
        "denominator",
        "entered_by_name",
        "entered_at",
        "supersedes",
    ]
    list_filter = ["definition", "period_end"]
    search_fields = ["unit__code", "unit__name", "definition__name", "note", "source_file"]
    list_select_related = ["definition", "unit"]
    date_hierarchy = "entered_at"


@admin.register(models.IndicatorSnapshot)
class IndicatorSnapshotAdmin(ReadOnlyMixin, SnapshotAdminBase):
    list_display = ["definition", "unit", "period_start", "period_end", "numerator", "denominator"]
    list_filter = ["definition", "period_end"]
    search_fields = ["unit__code", "unit__name"]
    list_select_related = ["definition", "unit"]


class MemberInline(MemberInlineBase):
    model = models.WorkingGroupMember
    extra = 0
    fields = ["order", "name", "role", "position", "phone"]


@admin.register(models.WorkingGroup)
class WorkingGroupAdmin(CheckedInitialMixin, GroupAdminBase):
    list_display = ["name", "unit", "level", "member_count", "decision_ref"]
    list_filter = ["level"]
    search_fields = ["name", "unit__code", "unit__name", "decision_ref"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]
    readonly_fields = ["level"]
    fields = ["unit", "level", "name", "decision_ref", "established_on"]
    inlines = [MemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.WorkingGroup]:
        return super().get_queryset(request).annotate(n_members=Count("members"))

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, group: models.WorkingGroup) -> int:
        return int(getattr(group, "n_members", 0))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for member_form in formset.forms:
            member = member_form.instance
            if isinstance(member, models.WorkingGroupMember) and phone_digits(member.phone):
                member.phone = phone_normalise(member.phone)
        super().save_formset(request, form, formset, change)


@admin.register(models.WorkingGroupMember)
class WorkingGroupMemberAdmin(CheckedInitialMixin, MemberAdminBase):
    list_display = ["name", "group", "role", "position", "phone"]
    list_filter = ["role", "group__level"]
    search_fields = ["name", "position", "phone", "group__name"]
    autocomplete_fields = ["group"]
    list_select_related = ["group"]

    def save_model(
        self, request: HttpRequest, obj: models.WorkingGroupMember, form: Any, change: bool
    ) -> None:
        if phone_digits(obj.phone):
            obj.phone = phone_normalise(obj.phone)
        super().save_model(request, obj, form, change)

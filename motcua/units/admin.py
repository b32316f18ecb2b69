"""Admin pages for a city administrator: units, successions and agencies.

Bulk changes (a whole reorganisation) go through ``motcua units load`` so they are validated
whole; the admin is for looking things up and for small corrections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.lib.admin import CheckedInitialMixin
from motcua.lib.formatting import format_date
from motcua.units.models import AdministrativeUnit, Agency, Succession

# The admin classes are generic only for the type checker (django-stubs); at run time Django's
# classes cannot be subscripted.
if TYPE_CHECKING:
    UnitAdminBase = admin.ModelAdmin[AdministrativeUnit]
    SuccessionAdminBase = admin.ModelAdmin[Succession]
    AgencyAdminBase = admin.ModelAdmin[Agency]
    AgencyInlineBase = admin.TabularInline[Agency, AdministrativeUnit]
    SuccessionInlineBase = admin.TabularInline[Succession, AdministrativeUnit]
else:
    UnitAdminBase = SuccessionAdminBase = AgencyAdminBase = admin.ModelAdmin
    AgencyInlineBase = SuccessionInlineBase = admin.TabularInline


class StillValidFilter(admin.SimpleListFilter):
    """Units whose validity has not ended (the current tree) versus historical ones."""

    title = _("validity")
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: UnitAdminBase) -> list[tuple[str, str]]:
        return [("yes", str(_("Still valid"))), ("no", str(_("Ended")))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AdministrativeUnit]
    ) -> QuerySet[AdministrativeUnit]:
        if self.value() == "yes":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_to__isnull=False)
        return queryset


class AgencyInline(AgencyInlineBase):
    model = Agency
    extra = 0
    fields = ["code", "name", "kind", "electronic_code", "valid_from", "valid_to"]
    show_change_link = True


class SuccessionInline(SuccessionInlineBase):
    model = Succession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors (units merged or split into this one)")


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(CheckedInitialMixin, UnitAdminBase):
    list_display = ["code", "name", "kind", "level", "parent", "validity"]
    list_filter = ["level", "kind", StillValidFilter]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["level"]
    fields = ["code", "name", "kind", "level", "parent", "valid_from", "valid_to", "legal_ref"]
    inlines = [AgencyInline, SuccessionInline]
    list_per_page = 200

    @admin.display(description=_("validity"))
    def validity(self, unit: AdministrativeUnit) -> str:
        start = format_date(unit.valid_from) if unit.valid_from else "…"
        end = format_date(unit.valid_to) if unit.valid_to else "…"
        return f"{start} – {end}"


@admin.register(Succession)
class SuccessionAdmin(CheckedInitialMixin, SuccessionAdminBase):
    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_ref"]
    list_filter = ["kind", "effective_date"]
    search_fields = [
        "predecessor__code",
        "predecessor__name",
        "successor__code",
        "successor__name",
        "legal_ref",
    ]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
    date_hierarchy = "effective_date"


@admin.register(Agency)
class AgencyAdmin(CheckedInitialMixin, AgencyAdminBase):
    list_display = ["code", "name", "kind", "unit", "electronic_code", "valid_from", "valid_to"]
    list_filter = ["kind", "unit__level"]
    search_fields = ["code", "name", "electronic_code", "unit__code", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]

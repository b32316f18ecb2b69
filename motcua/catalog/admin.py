"""Admin for the catalogue: procedures with versions, fields; versions with components and fees.

Bulk changes should go through ``motcua catalog import`` (checked, versioned); the admin is for
looking things up and for small corrections.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ComponentRequirement, FeeItem, Field, Procedure, ProcedureVersion
from motcua.lib.admin import CheckedInitialMixin


class VersionInline(admin.TabularInline[ProcedureVersion, Procedure]):
    model = ProcedureVersion
    extra = 0
    fields = [
        "version",
        "valid_from",
        "valid_to",
        "name",
        "level",
        "online_level",
        "time_limit",
        "time_limit_unit",
    ]
    show_change_link = True


class ComponentInline(admin.TabularInline[ComponentRequirement, ProcedureVersion]):
    model = ComponentRequirement
    extra = 0


class FeeInline(admin.TabularInline[FeeItem, ProcedureVersion]):
    model = FeeItem
    extra = 0


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin[Field]):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin[Procedure]):
    list_display = ["code", "current_name"]
    search_fields = ["code", "versions__name"]
    inlines = [VersionInline]

    @admin.display(description=_("name"))
    def current_name(self, obj: Procedure) -> str:
        latest = obj.versions.order_by("-version").first()
        return latest.name if latest else ""


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(CheckedInitialMixin, admin.ModelAdmin[ProcedureVersion]):
    list_display = [
        "procedure",
        "version",
        "name",
        "level",
        "field",
        "online_level",
        "time_limit",
        "time_limit_unit",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["level", "online_level", "is_certification", "time_limit_unit", "field"]
    search_fields = ["procedure__code", "name", "search_text"]
    list_select_related = ["procedure", "field"]
    autocomplete_fields = ["procedure", "field"]
    raw_id_fields = ["competent_agency"]
    inlines = [ComponentInline, FeeInline]

"""Admin for the catalogue: procedures with versions, fields; versions with components and fees.

Bulk changes should go through ``motcua catalog import`` (checked, versioned); the admin is for
looking things up and for small corrections.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    ComponentRequirement,
    DeclarationForm,
    FeeItem,
    Field,
    Procedure,
    ProcedureVersion,
    TemplateFile,
)
from motcua.catalog.services import schema_problem_texts
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


class TemplateFileInline(admin.TabularInline[TemplateFile, ProcedureVersion]):
    model = TemplateFile
    extra = 0


class DeclarationFormAdminForm(forms.ModelForm[DeclarationForm]):
    """The schema as a JSON text area, checked by ``core.eforms.schema_check``; the code,
    version number and title are taken from the schema so the two cannot disagree."""

    class Meta:
        model = DeclarationForm
        fields = ["version", "schema", "legal_note"]
        widgets = {"schema": forms.Textarea(attrs={"rows": 30, "cols": 100})}

    def clean_schema(self) -> Any:
        schema = self.cleaned_data["schema"]
        problems = schema_problem_texts(schema)
        if problems:
            raise forms.ValidationError(problems[:50])
        return schema

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        schema = cleaned.get("schema")
        if isinstance(schema, dict) and "code" in schema:
            self.instance.code = schema["code"]
            self.instance.number = schema["version"]
            self.instance.title = schema["title"]
            stored = DeclarationForm.objects.filter(code=schema["code"], number=schema["version"])
            if self.instance.pk is not None:
                stored = stored.exclude(pk=self.instance.pk)
            if stored.exists():
                self.add_error(
                    "schema",
                    _(
                        "version: form %(code)s version %(number)s exists; give the changed "
                        "form the next version number"
                    )
                    % {"code": schema["code"], "number": schema["version"]},
                )
        return cleaned


@admin.register(DeclarationForm)
class DeclarationFormAdmin(admin.ModelAdmin[DeclarationForm]):
    """A changed form is a new row (the next version number): answers keep their schema.
    Rows already used by a dossier are protected from deletion by the database."""

    form = DeclarationFormAdminForm
    list_display = ["code", "number", "title", "version", "created_at"]
    search_fields = ["code", "title", "version__procedure__code"]
    list_select_related = ["version__procedure"]
    raw_id_fields = ["version"]

    def has_change_permission(self, request: Any, obj: DeclarationForm | None = None) -> bool:
        # Editing a schema in place would change what old answers mean: add a version instead.
        return obj is None and super().has_change_permission(request, obj)


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
    inlines = [ComponentInline, FeeInline, TemplateFileInline]

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import RoleAssignment, User
from motcua.lib.admin import CheckedInitialMixin

# Django stores the four default permission names in English ("Can add dossier") when it
# creates them; the admin shows them from these translated patterns instead.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """ "App | model | action" in the interface language (Django's str() is English)."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:  # a model removed since: nothing to translate it from
        return str(permission)
    app = apps.get_app_config(content_type.app_label).verbose_name
    action, _separator, model_name = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{app} | {model._meta.verbose_name} | {name}"


class TranslatedPermissionsMixin:
    """The permission pickers of users and groups, labelled by :func:`permission_label`."""

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelMultipleChoiceField) and db_field.related_model is Permission:
            field.label_from_instance = permission_label  # type: ignore[assignment, method-assign]
        return field


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["unit", "agency"]


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, BaseUserAdmin[User]):
    list_display = ["username", "full_name", "email", "position", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    list_filter = ["is_active", "is_staff", "is_superuser", "assignments__role"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "phone", "position", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["username", "full_name", "password1", "password2"]},
        ),
    ]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(CheckedInitialMixin, admin.ModelAdmin[RoleAssignment]):
    list_display = ["user", "role", "unit", "agency"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit", "agency"]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, BaseGroupAdmin):  # type: ignore[misc]
    pass

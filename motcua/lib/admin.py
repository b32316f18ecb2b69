"""Admin helpers shared by the apps' ``admin.py``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest


class ViewAndDeleteMixin:
    """Rows written only by their app's services (or jobs): shown, never added or changed
    here; deleting one stays possible (e.g. a job run, so the next run does that work again)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyMixin(ViewAndDeleteMixin):
    """Rows only the app's services write and nobody deletes (dossiers and their events,
    payments, ratings, signed reports, indicator values, directive updates): the admin shows
    them."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CheckedInitialMixin:
    """An add page's initial values come from its address (``?unit=12``); a value its field
    cannot hold (``?unit=abc``) is dropped instead of reaching an autocomplete widget's query,
    where it was a 500 (found by the abuse suite)."""

    model: Any

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)  # type: ignore[misc]
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            target = field.target_field if field.is_relation and field.concrete else field
            if not hasattr(target, "to_python"):  # a reverse relation: not a form field
                continue
            values = value if isinstance(value, list) else [value]
            try:
                for one in values:
                    target.to_python(one)
            except (ValidationError, ValueError, TypeError):
                del initial[name]
        return initial

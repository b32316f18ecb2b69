"""Admin helpers shared by the apps' ``admin.py``."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
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


class CappedCountPaginator(Paginator):  # type: ignore[type-arg]
    """A changelist's paginator that counts at most :attr:`CAP` rows (``SELECT COUNT(*) FROM
    (… LIMIT CAP + 1)``). The admin counted a table of millions on every page of it: 10,8 s
    for 10 M dossiers (issue 17). ``capped``: the list holds more than ``count`` says (the
    pagination template shows "10000+")."""

    CAP = 10_000

    @cached_property
    def _counted(self) -> int:
        return int(self.object_list[: self.CAP + 1].count())  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.CAP)

    @property
    def capped(self) -> bool:
        return self._counted > self.CAP


class SortableOnlyChangeList(ChangeList):
    """A changelist that sorts only by the columns its ``sortable_by`` names: Django hides the
    other columns' sort links but still sorts by any of them asked in the address (``o=6``)."""

    def get_ordering_field(self, field_name: Any) -> Any:
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class LargeTableMixin:
    """A changelist over a table that grows with the dossiers: counted up to a cap, and not
    counted a second time whole ("99 of 10.000.000"); newest first on the primary key, and
    no column offered for sorting (each sorted the whole table)."""

    paginator: Any = CappedCountPaginator
    show_full_result_count = False
    ordering: ClassVar[Any] = ("-pk",)
    sortable_by: ClassVar[Any] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return SortableOnlyChangeList


class DossierCodeSearchMixin:
    """A changelist of rows of dossiers searched by a dossier's code, whole (its unique index):
    a substring of codes over every row is a scan of millions."""

    search_fields: Any = ("dossier__code",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        code = search_term.strip()
        return (queryset.filter(dossier__code=code) if code else queryset), False

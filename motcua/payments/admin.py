from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from motcua.lib.admin import DossierCodeSearchMixin, LargeTableMixin, ReadOnlyMixin
from motcua.payments.errors import InvalidInput
from motcua.payments.models import Payment, PaymentEvent, Receipt, ReceiptBook
from motcua.payments.services import receipt_book_open


class PaymentEventInline(ReadOnlyMixin, admin.TabularInline[PaymentEvent, Payment]):
    model = PaymentEvent
    extra = 0


@admin.register(Payment)
class PaymentAdmin(
    DossierCodeSearchMixin, LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin[Payment]
):
    list_display = ["dossier", "amount", "description", "created_at"]
    list_select_related = ["dossier"]
    inlines = [PaymentEventInline]


class ReceiptBookForm(forms.ModelForm[ReceiptBook]):
    """Opening a book goes through the service, which checks the label and the year."""

    class Meta:
        model = ReceiptBook
        fields = ["agency", "year", "label"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency, year, label = data.get("agency"), data.get("year"), data.get("label")
        if agency is not None and year is not None and label is not None:
            try:
                self.instance = receipt_book_open(
                    agency=agency, year=year, label=label, at=timezone.now()
                )
            except InvalidInput as error:
                raise ValidationError({error.field or "label": error.message}) from None
        return data


@admin.register(ReceiptBook)
class ReceiptBookAdmin(admin.ModelAdmin[ReceiptBook]):
    """An agency opens a book (quyển) with the number it chooses; its receipts then start at 1.
    A book in use is never edited or deleted: printed receipts name it."""

    form = ReceiptBookForm
    list_display = ["agency", "year", "label", "last_number", "opened_at"]
    list_filter = ["year"]
    search_fields = ["agency__code", "agency__name", "label"]
    list_select_related = ["agency"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ReceiptBook, form: Any, change: bool) -> None:
        pass  # saved by the form's clean() through receipt_book_open


class ReceiptEventInline(ReadOnlyMixin, admin.TabularInline[PaymentEvent, Receipt]):
    model = PaymentEvent
    fields = ["payment", "amount", "method", "reference", "at"]
    extra = 0


@admin.register(Receipt)
class ReceiptAdmin(
    DossierCodeSearchMixin, LargeTableMixin, ReadOnlyMixin, admin.ModelAdmin[Receipt]
):
    list_display = ["book", "number", "dossier", "collector_name", "issued_at"]
    list_select_related = ["book", "dossier"]
    inlines = [ReceiptEventInline]

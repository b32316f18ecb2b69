from django.contrib import admin

from motcua.dossiers.admin import ReadOnlyMixin
from motcua.payments.models import Payment, PaymentEvent


class PaymentEventInline(ReadOnlyMixin, admin.TabularInline[PaymentEvent, Payment]):
    model = PaymentEvent
    extra = 0


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin[Payment]):
    list_display = ["dossier", "amount", "description", "created_at"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
    inlines = [PaymentEventInline]

"""The fee staff's pages of online payment (sign-in required): the reconciliation of an
uploaded statement, and cancelling a receipt with its replacement (the dossier page's fee
panel posts here).

Access through ``onlinepay.access``. A bad file answers 400 with each bad line and column and
records nothing; a refused cancel answers 400 (409 when someone cancelled it first) naming
the field, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.lib.formatting import format_date, format_money, format_number
from motcua.lib.http import NotVisible, ProblemPage, page_view
from motcua.lib.tablefile import FileFormatError, limit
from motcua.onlinepay.access import (
    ReceiptNotFound,
    receipt_cancel_allowed,
    receipt_get_for_user,
    reconciliation_allowed,
)
from motcua.onlinepay.choices import Provider
from motcua.onlinepay.errors import OnlinePayError
from motcua.onlinepay.services import Difference
from motcua.onlinepay.statements import statement_reconcile
from motcua.payments.errors import PaymentError
from motcua.payments.services import receipt_cancel_replace

PROBLEM_PAGE = ProblemPage(
    back="backoffice:counter",
    back_label=gettext_lazy("Back to the counter"),
    not_found_title=gettext_lazy("Not found"),
)
staff_view = page_view(PROBLEM_PAGE, not_found=(ReceiptNotFound,))
PROVIDERS = (Provider.VNPAY, Provider.NATIONAL, Provider.VIETQR)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@dataclass(frozen=True)
class Row:
    """A difference as the page shows it, in Vietnamese formats."""

    line: str
    dossier_code: str
    reference: str
    transaction: str
    statement_amount: str
    recorded_amount: str
    note: str


def _row(d: Difference) -> Row:
    return Row(
        line=format_number(d.line) if d.line is not None else "",
        dossier_code=d.dossier_code,
        reference=d.reference,
        transaction=d.transaction,
        statement_amount=format_money(d.statement_amount) if d.statement_amount is not None else "",
        recorded_amount=format_money(d.recorded_amount) if d.recorded_amount is not None else "",
        note=d.note,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def reconcile(request: HttpRequest) -> HttpResponseBase:
    """Upload a statement (the provider chosen) and see the three lists of differences."""
    if not reconciliation_allowed(_user(request)):
        raise NotVisible(_("Reconciliation is for the fee staff and the leaders."))
    context: dict[str, object] = {
        "providers": [(p.value, p.label) for p in PROVIDERS],
        "values": {"provider": "", "day": ""},
        "errors": {},
        "file_errors": [],
    }
    if request.method == "GET":
        return render(request, "onlinepay/reconcile.html", context)
    provider = request.POST.get("provider", "").strip()[:20]
    day_text = request.POST.get("day", "").strip()[:20]
    context["values"] = {"provider": provider, "day": day_text}
    errors: dict[str, str] = {}
    if provider not in {p.value for p in PROVIDERS}:
        errors["provider"] = _("Choose the provider whose statement this is.")
    days = None
    if day_text:
        try:
            days = [datetime.strptime(day_text, "%d/%m/%Y").replace(tzinfo=LOCAL_TZ).date()]
        except ValueError:
            errors["day"] = _("Write the day as dd/mm/yyyy, for example 03/12/2026.")
    upload = request.FILES.get("statement")
    if upload is None:
        errors["statement"] = _("Choose the statement file (.csv or .xlsx).")
    elif upload.size is not None and upload.size > limit("MAX_FILE_BYTES"):
        errors["statement"] = _("The file is larger than %(size)s MB.") % {
            "size": format_number(limit("MAX_FILE_BYTES") // (1024 * 1024))
        }
    if errors or upload is None:
        context["errors"] = errors
        return render(request, "onlinepay/reconcile.html", context, status=400)
    try:
        result = statement_reconcile(
            provider=provider,
            data=upload.read(limit("MAX_FILE_BYTES") + 1),
            name=upload.name or "",
            days=days,
        )
    except FileFormatError as error:
        context["errors"] = {"statement": _("The file was not read: nothing was recorded.")}
        context["file_errors"] = [str(e) for e in error.errors]
        return render(request, "onlinepay/reconcile.html", context, status=400)
    except OnlinePayError as error:
        context["errors"] = {error.field or "provider": error.message}
        return render(request, "onlinepay/reconcile.html", context, status=400)
    context["result"] = {
        "provider_label": Provider(provider).label,
        "file_name": upload.name,
        "days": ", ".join(format_date(d) for d in result.days) or "—",
        "matched": format_number(result.matched),
        "recorded": format_number(result.recorded),
        "vietqr": provider == Provider.VIETQR,
        "clean": result.clean,
        "lists": [
            (key, title, [_row(d) for d in items])
            for key, title, items in (
                ("paid-not-recorded", _("Paid but not recorded"), result.paid_not_recorded),
                ("recorded-not-paid", _("Recorded but not paid"), result.recorded_not_paid),
                ("amount-mismatches", _("Amount mismatches"), result.amount_mismatches),
            )
        ],
    }
    return render(request, "onlinepay/reconcile.html", context)


@staff_view
@require_POST
def receipt_cancel(request: HttpRequest, receipt_id: int) -> HttpResponseBase:
    """Cancel a receipt (POST ``reason``) and issue its replacement; back to the dossier's
    fee panel, which offers to print the replacement."""
    user = _user(request)
    receipt = receipt_get_for_user(user=user, receipt_id=receipt_id)
    back = reverse("backoffice:dossier", args=[receipt.dossier.code]) + "#fees"
    if not receipt_cancel_allowed(user, receipt):
        return HttpResponse(
            _("Only a clerk or leader of the receiving unit may cancel a receipt."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    try:
        replacement = receipt_cancel_replace(
            receipt_id=receipt.pk,
            reason=request.POST.get("reason", "")[:2000],
            user=user,
            at=timezone.now(),
        )
    except PaymentError as error:
        status = 409 if error.field == "receipt" else 400
        return render(
            request,
            "onlinepay/receipt_refused.html",
            {"field": error.field, "message": error.message, "back": back},
            status=status,
        )
    messages.success(
        request,
        _("Receipt No. %(old)s was cancelled; its replacement is No. %(new)s.")
        % {"old": f"{receipt.number:07d}", "new": f"{replacement.number:07d}"},
    )
    return redirect(back)

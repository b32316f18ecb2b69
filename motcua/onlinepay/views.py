"""The gateways' endpoints and the citizen's pages of online payment (public, no sign-in).

Callbacks (VNPay's IPN, the national platform's callback) are CSRF-exempt (the gateway's
signature is the proof) and bounded in size; each is logged and answered in the gateway's
own shape. The browser's return never records a payment: it shows what the callbacks and the
poll decided. ``payment_start`` is the portal tracking page's "pay online" button.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.dossiers.models import Dossier
from motcua.lib import clientip
from motcua.lib.formatting import format_money
from motcua.onlinepay.choices import IntentStatus, MessageKind, Outcome, Provider, Refusal
from motcua.onlinepay.errors import OnlinePayError
from motcua.onlinepay.models import PaymentIntent
from motcua.onlinepay.providers import vnpay_ipn_answer
from motcua.onlinepay.services import payment_callback_apply, payment_intent_create

# A gateway's message is a few dozen short fields: anything longer is not one.
MAX_QUERY_CHARS = 4096
MAX_BODY_BYTES = 16 * 1024
# The portal's session key of the dossier codes the visitor proved (code and secret) on the
# tracking page (portal.views.TRACKED): only they may start a payment.
TRACKED_SESSION_KEY = "portal_tracked"

VNPAY_CODES = {
    Refusal.UNKNOWN: ("01", "Order not found"),
    Refusal.AMOUNT: ("04", "Invalid amount"),
    Refusal.SIGNATURE: ("97", "Invalid signature"),
}


def _vnpay_answer(outcome: Outcome, refusal: Refusal | None) -> dict[str, str]:
    if outcome == Outcome.APPLIED or outcome == Outcome.NOTED:
        return vnpay_ipn_answer("00", "Confirm Success")
    if outcome == Outcome.DUPLICATE:
        return vnpay_ipn_answer("02", "Order already confirmed")
    code, message = VNPAY_CODES.get(refusal, ("99", "Unknown error")) if refusal else ("99", "")
    return vnpay_ipn_answer(code, message)


@csrf_exempt
@require_GET
def vnpay_ipn(request: HttpRequest) -> JsonResponse:
    """VNPay's IPN: the server-to-server word that decides a VNPay payment."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_CHARS:
        return JsonResponse(vnpay_ipn_answer("99", "Request too long"), status=400)
    applied = payment_callback_apply(provider=Provider.VNPAY, params=request.GET.dict())
    return JsonResponse(_vnpay_answer(applied.outcome, applied.refusal))


@csrf_exempt
@require_POST
def national_callback(request: HttpRequest) -> JsonResponse:
    """The national payment platform's callback (a JSON object, MaXacThuc-checked)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return JsonResponse({"error_code": "99", "message": "Request too long"}, status=413)
    try:
        params = json.loads(request.read(MAX_BODY_BYTES + 1))
    except (ValueError, UnicodeDecodeError):
        params = None
    if not isinstance(params, dict):
        return JsonResponse({"error_code": "99", "message": "Not a JSON object"}, status=400)
    applied = payment_callback_apply(provider=Provider.NATIONAL, params=params)
    if applied.outcome in (Outcome.APPLIED, Outcome.NOTED, Outcome.DUPLICATE):
        return JsonResponse({"error_code": "0", "message": str(applied.outcome)})
    return JsonResponse(
        {"error_code": "1", "message": str(applied.refusal.value if applied.refusal else "")}
    )


@never_cache
@require_GET
def gateway_return(request: HttpRequest, provider: str) -> HttpResponse:
    """The citizen's browser back from the gateway: what we know of the payment, and the link
    to the dossier. Logged, never applied: the callback or the poll decides."""
    if provider not in Provider.values or provider == Provider.VIETQR:
        return _problem(request, 404, _("No such payment gateway."))
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_CHARS:
        return _problem(request, 400, _("The address is too long."))
    params = request.GET.dict()
    applied = payment_callback_apply(provider=provider, params=params, kind=MessageKind.RETURN)
    intent = applied.intent
    if intent is None:
        return _problem(request, 400, _("This payment result could not be verified."))
    return _result(request, intent)


def _result(request: HttpRequest, intent: PaymentIntent) -> HttpResponse:
    dossier = Dossier.objects.only("code").get(pk=intent.dossier_id)
    return render(
        request,
        "onlinepay/result.html",
        {
            "intent": intent,
            "paid": intent.status == IntentStatus.PAID,
            "failed": intent.status
            in (IntentStatus.FAILED, IntentStatus.CANCELLED, IntentStatus.EXPIRED),
            "status_label": IntentStatus(intent.status).label,
            "amount": format_money(intent.amount),
            "dossier_code": dossier.code,
        },
    )


def _problem(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(
        request,
        "portal/problem.html",
        {"title": _("Online payment"), "message": message},
        status=status,
    )


@never_cache
@require_POST
def payment_start(request: HttpRequest) -> HttpResponse:
    """POST ``code`` (a dossier code the visitor tracked in this session) and ``provider``
    (vnpay or national): make the payment intent and go to the gateway's page."""
    code = request.POST.get("code", "").strip()[:40]
    provider = request.POST.get("provider", "").strip()[:20]
    if not code or code not in request.session.get(TRACKED_SESSION_KEY, []):
        return _problem(
            request, 403, _("code: track the dossier with its code and secret before paying.")
        )
    dossier_id = Dossier.objects.filter(code=code).values_list("pk", flat=True).first()
    if dossier_id is None:
        return _problem(request, 404, _("code: no such dossier."))
    try:
        intent = payment_intent_create(
            dossier_id=dossier_id, provider=provider, client_ip=clientip.client_ip(request)
        )
    except OnlinePayError as error:
        return _problem(request, 400, f"{error.field}: {error.message}")
    return redirect(intent.payment_url)

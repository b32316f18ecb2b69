"""Writes of online payment: intents, applying the gateways' callbacks and polls, and the
reconciliation of a gateway's statement with the ledger.

A paid intent becomes a payment through the dossier's PAY action (the ledger, the numbered
receipt and the "paid online" figure all come from it), exactly once: the intent's row is
locked (``select_for_update``) while a callback is applied, so two callbacks for one intent
queue, and the second finds it paid (a duplicate, nothing changed). A forged, unknown,
wrong-amount or late callback changes nothing and is logged as a ``ProviderMessage``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Details, dossier_transition
from motcua.lib.formatting import format_money
from motcua.onlinepay.choices import (
    IntentStatus,
    MessageKind,
    Outcome,
    Provider,
    Refusal,
)
from motcua.onlinepay.errors import OnlinePayError
from motcua.onlinepay.models import PaymentIntent, ProviderMessage
from motcua.onlinepay.providers import GatewayError, GatewayState, Verdict, gateway_for
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.models import PaymentEvent
from motcua.payments.selectors import amount_owed
from motcua.units.models import Agency

# How each gateway's payments are recorded in the ledger (766 indicator 3.6 counts both
# online methods: the national platform is the national portal's, VNPay a local gateway).
METHOD_OF = {
    Provider.NATIONAL: PaymentMethod.ONLINE_NATIONAL,
    Provider.VNPAY: PaymentMethod.ONLINE_LOCAL,
    Provider.VIETQR: PaymentMethod.BANK_TRANSFER,
}
# A message's parameters kept as received, bounded: a gateway sends a few dozen short fields.
MAX_PARAMS = 60
MAX_VALUE_CHARS = 1000


def _provider(value: Provider | str) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        raise OnlinePayError(_("unknown payment gateway"), field="provider") from None


def reference_new(at: datetime) -> str:
    """A unique reference: the moment (24-hour, Vietnam time) and 8 random hex digits, ASCII
    letters and digits only (VNPay's vnp_TxnRef, the platform's MaThamChieu)."""
    return at.astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S") + secrets.token_hex(4).upper()


def _return_url(provider: Provider) -> str:
    return settings.MOTCUA_BASE_URL.rstrip("/") + reverse("onlinepay:return", args=[provider])


def payment_intent_create(
    *,
    dossier_id: int,
    provider: Provider | str,
    at: datetime | None = None,
    client_ip: str = "",
) -> PaymentIntent:
    """An intent to pay, through ``provider``, all the dossier owes now, and its payment address.

    Refused, with nothing kept, when the gateway is unknown or not configured, the dossier does
    not exist, is not in a state where a fee may be paid, or owes nothing. When the gateway
    refuses to start, the intent is kept as failed (its reference was sent) and the citizen is
    told. The worker asks the gateway about it later (``tasks.poll_payment``) in case no
    callback arrives.
    """
    provider = _provider(provider)
    if provider == Provider.VIETQR:
        raise OnlinePayError(
            _("a VietQR transfer is paid from the banking app, with the QR code"),
            field="provider",
        )
    gateway = gateway_for(provider)
    if not gateway.configured():
        raise OnlinePayError(_("this payment gateway is not configured"), field="provider")
    dossier = Dossier.objects.filter(pk=dossier_id).only("pk", "code", "status").first()
    if dossier is None:
        raise OnlinePayError(_("no such dossier"), field="dossier")
    try:
        workflow.rule_for(
            workflow.Status(dossier.status), workflow.Action.PAY, workflow.Actor.APPLICANT
        )
    except workflow.TransitionNotAllowed:
        raise OnlinePayError(
            _("fees cannot be paid for this dossier in its present state"), field="dossier"
        ) from None
    owed = amount_owed(dossier.pk)
    if owed <= 0:
        raise OnlinePayError(_("this dossier owes nothing"), field="dossier")
    moment = (at or timezone.now()).replace(microsecond=0)
    intent = PaymentIntent.objects.create(
        reference=reference_new(moment),
        dossier=dossier,
        amount=owed,
        provider=provider,
        status=IntentStatus.CREATED,
        created_at=moment,
        expires_at=moment + timedelta(minutes=settings.MOTCUA_ONLINEPAY["INTENT_MINUTES"]),
    )
    try:
        # Outside any transaction: a slow gateway holds no lock.
        url = gateway.start(
            reference=intent.reference,
            amount=intent.amount,
            description=f"Thanh toan phi ho so {dossier.code}",
            created_at=intent.created_at,
            expires_at=intent.expires_at,
            client_ip=client_ip,
            return_url=_return_url(provider),
        )
    except GatewayError as error:
        intent.status = IntentStatus.FAILED
        intent.save(update_fields=["status"])
        raise OnlinePayError(
            _("the payment gateway did not answer: %(error)s") % {"error": error.message},
            field="provider",
        ) from None
    intent.payment_url = url
    intent.status = IntentStatus.PENDING
    intent.save(update_fields=["payment_url", "status"])
    _poll_later(intent)
    return intent


def _poll_later(intent: PaymentIntent) -> None:
    # Imported here: tasks imports these services.
    from motcua.onlinepay.tasks import poll_payment

    after = intent.expires_at + timedelta(
        minutes=max(
            settings.MOTCUA_ONLINEPAY["POLL_AFTER_MINUTES"]
            - settings.MOTCUA_ONLINEPAY["INTENT_MINUTES"],
            0,
        )
    )
    intent_id = intent.pk
    transaction.on_commit(lambda: poll_payment.using(run_after=after).enqueue(intent_id))


def payment_intent_cancel(*, intent_id: int) -> PaymentIntent:
    """Cancel an intent not yet paid: a later callback for it is refused (and logged)."""
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().filter(pk=intent_id).first()
        if intent is None:
            raise OnlinePayError(_("no such payment"), field="intent")
        if intent.status == IntentStatus.PAID:
            raise OnlinePayError(_("this payment is already made"), field="intent")
        intent.status = IntentStatus.CANCELLED
        intent.save(update_fields=["status"])
    return intent


# -- callbacks and polls ---------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What a gateway's message did: applied, duplicate, noted or refused (and why)."""

    outcome: Outcome
    intent: PaymentIntent | None = None
    refusal: Refusal | None = None
    detail: str = ""


def _bounded(params: Mapping[str, Any]) -> dict[str, str]:
    items = list(params.items())[:MAX_PARAMS]
    return {str(key)[:100]: str(value)[:MAX_VALUE_CHARS] for key, value in items}


def _log(
    provider: Provider,
    kind: MessageKind,
    raw: dict[str, Any],
    verdict: Verdict,
    applied: Applied,
    at: datetime,
) -> Applied:
    reason = ""
    if applied.refusal is not None:
        reason = str(applied.refusal.label)
    if applied.detail:
        reason = f"{reason}: {applied.detail}" if reason else applied.detail
    ProviderMessage.objects.create(
        provider=provider,
        kind=kind,
        intent=applied.intent,
        reference=verdict.reference[:100],
        raw=raw,
        signature_valid=verdict.signature_valid,
        outcome=applied.outcome,
        reason=reason[:300],
        received_at=at,
    )
    return applied


def payment_callback_apply(
    *, provider: Provider | str, params: Mapping[str, Any], kind: MessageKind = MessageKind.CALLBACK
) -> Applied:
    """Apply a gateway's callback (VNPay's IPN, the platform's callback), logged in any case.

    The signature is checked first (constant time); then the reference, the amount and the
    intent's state. A valid "paid" records the payment once; a second one for the same
    transaction is a duplicate; a "failed" after "paid" (out of order) never undoes it.
    """
    provider = _provider(provider)
    raw = _bounded(params)
    verdict = gateway_for(provider).read_callback(raw)
    return _settle(provider, kind, verdict, raw)


def _settle(
    provider: Provider, kind: MessageKind, verdict: Verdict, raw: dict[str, Any]
) -> Applied:
    now = timezone.now().replace(microsecond=0)
    if not verdict.signature_valid:
        return _log(
            provider, kind, raw, verdict, Applied(Outcome.REFUSED, None, Refusal.SIGNATURE), now
        )
    if not verdict.reference or verdict.state is None:
        return _log(
            provider, kind, raw, verdict, Applied(Outcome.REFUSED, None, Refusal.MALFORMED), now
        )
    intent_id = (
        PaymentIntent.objects.filter(provider=provider, reference=verdict.reference)
        .values_list("pk", flat=True)
        .first()
    )
    if intent_id is None:
        return _log(
            provider, kind, raw, verdict, Applied(Outcome.REFUSED, None, Refusal.UNKNOWN), now
        )
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent_id)
        applied = (
            _decide(intent, verdict, now)
            if kind != MessageKind.RETURN
            else Applied(Outcome.NOTED, intent, None, _("a browser return only shows the result"))
        )
        return _log(provider, kind, raw, verdict, applied, now)


def _decide(intent: PaymentIntent, verdict: Verdict, now: datetime) -> Applied:
    """What a verified message does to its locked intent."""
    state = verdict.state
    if state == GatewayState.PAID and verdict.amount != intent.amount:
        return Applied(
            Outcome.REFUSED,
            intent,
            Refusal.AMOUNT,
            f"{verdict.amount} != {intent.amount}",
        )
    if intent.status == IntentStatus.PAID:
        if state != GatewayState.PAID:
            return Applied(Outcome.DUPLICATE, intent, None, _("out of order: already paid"))
        if verdict.transaction == intent.provider_transaction:
            return Applied(Outcome.DUPLICATE, intent, None, _("already paid"))
        return Applied(Outcome.REFUSED, intent, Refusal.OTHER_PAYMENT, verdict.transaction)
    if intent.status in (IntentStatus.CANCELLED, IntentStatus.EXPIRED):
        return Applied(Outcome.REFUSED, intent, Refusal.STATE, intent.status)
    if state == GatewayState.PENDING:
        if intent.status == IntentStatus.PENDING:
            return Applied(Outcome.DUPLICATE, intent, None, _("still pending"))
        intent.status = IntentStatus.PENDING
        intent.save(update_fields=["status"])
        return Applied(Outcome.APPLIED, intent)
    if state == GatewayState.FAILED:
        if intent.status == IntentStatus.FAILED:
            return Applied(Outcome.DUPLICATE, intent, None, _("already failed"))
        intent.status = IntentStatus.FAILED
        intent.save(update_fields=["status"])
        return Applied(Outcome.APPLIED, intent)
    # Paid: the dossier records it (ledger, receipt, figures) in the same transaction.
    try:
        with transaction.atomic():
            dossier_transition(
                dossier_id=intent.dossier_id,
                action=workflow.Action.PAY,
                actor=None,
                as_applicant=True,
                details=Details(
                    amount=intent.amount,
                    payment_method=METHOD_OF[Provider(intent.provider)],
                    payment_reference=intent.reference,
                ),
                at=now,
            )
            intent.status = IntentStatus.PAID
            intent.paid_at = now
            intent.provider_transaction = verdict.transaction[:64]
            intent.save(update_fields=["status", "paid_at", "provider_transaction"])
    except DossierError as error:
        return Applied(Outcome.REFUSED, intent, Refusal.DOSSIER, error.message)
    except IntegrityError:
        # The gateway's transaction number already paid another intent.
        intent.refresh_from_db()
        return Applied(Outcome.REFUSED, intent, Refusal.OTHER_PAYMENT, verdict.transaction)
    return Applied(Outcome.APPLIED, intent)


def payment_status_poll(*, intent_id: int) -> Applied | None:
    """Ask the gateway about an intent no callback settled, and apply its answer as a callback
    would be; an intent the gateway never saw paid is expired once its time is over. None:
    nothing to ask (settled or unknown intent). A gateway that does not answer is logged and
    asked again at the next poll."""
    intent = PaymentIntent.objects.filter(pk=intent_id).first()
    if intent is None or intent.status not in (IntentStatus.CREATED, IntentStatus.PENDING):
        return None
    provider = Provider(intent.provider)
    now = timezone.now().replace(microsecond=0)
    try:
        verdict = gateway_for(provider).query(
            reference=intent.reference, amount=intent.amount, created_at=intent.created_at
        )
    except GatewayError as error:
        return _log(
            provider,
            MessageKind.POLL,
            {"error": error.message[:MAX_VALUE_CHARS]},
            Verdict(signature_valid=True, reference=intent.reference),
            Applied(Outcome.NOTED, intent, None, _("the gateway did not answer")),
            now,
        )
    raw = {
        "reference": verdict.reference,
        "amount": verdict.amount,
        "transaction": verdict.transaction,
        "state": verdict.state.value if verdict.state else None,
    }
    if verdict.signature_valid and verdict.state == GatewayState.FAILED:
        # "Not paid" while the citizen may still pay is no failure; after the intent's time,
        # it will not be paid through it any more.
        with transaction.atomic():
            locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
            if now >= locked.expires_at and locked.status in (
                IntentStatus.CREATED,
                IntentStatus.PENDING,
            ):
                locked.status = IntentStatus.EXPIRED
                locked.save(update_fields=["status"])
                applied = Applied(Outcome.APPLIED, locked, None, _("expired unpaid"))
            else:
                applied = Applied(Outcome.NOTED, locked, None, _("not paid yet"))
            return _log(provider, MessageKind.POLL, raw, verdict, applied, now)
    return _settle(provider, MessageKind.POLL, verdict, raw)


# -- reconciliation --------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    """One transaction of a gateway's statement (the file's line, for the report)."""

    line: int
    reference: str
    transaction: str
    amount: int
    paid_at: datetime


@dataclass(frozen=True)
class Difference:
    """One line of a reconciliation list; ``note`` says why when the list does not."""

    reference: str
    transaction: str
    statement_amount: int | None
    recorded_amount: int | None
    line: int | None = None
    dossier_code: str = ""
    note: str = ""


@dataclass
class Reconciliation:
    """The three lists: paid at the gateway but not in the ledger, in the ledger but not in
    the statement, and in both with different amounts."""

    days: list[date]
    matched: int = 0
    # Payments this reconciliation recorded (VietQR: matched bank transfers).
    recorded: int = 0
    paid_not_recorded: list[Difference] = field(default_factory=list)
    recorded_not_paid: list[Difference] = field(default_factory=list)
    amount_mismatches: list[Difference] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.paid_not_recorded or self.recorded_not_paid or self.amount_mismatches)


def _ledger_amounts(intents: Iterable[PaymentIntent]) -> dict[int, int]:
    """Đồng the ledger holds for each paid intent (its events carry the intent's reference)."""
    by_reference = {i.reference: i.pk for i in intents}
    totals = dict.fromkeys(by_reference.values(), 0)
    events = PaymentEvent.objects.filter(
        reference__in=list(by_reference), kind=PaymentEventKind.SUCCEEDED
    ).values_list("reference", "amount")
    for reference, amount in events:
        totals[by_reference[reference]] += amount
    return totals


def payment_reconcile(
    *, provider: Provider | str, lines: list[StatementLine], days: list[date] | None = None
) -> Reconciliation:
    """Match a gateway's statement with the payments recorded from it.

    ``days`` (Vietnam dates) are those the statement covers: by default the days of its lines.
    Read-only: the differences are for a person to settle (refund, record by hand).
    """
    provider = _provider(provider)
    covered = sorted(
        days if days is not None else {ln.paid_at.astimezone(LOCAL_TZ).date() for ln in lines}
    )
    result = Reconciliation(days=covered)
    # Every intent the statement names (paid or not: an unpaid one still names its dossier).
    named = list(
        PaymentIntent.objects.filter(
            provider=provider, reference__in=[ln.reference for ln in lines]
        ).select_related("dossier")
    )
    in_days: list[PaymentIntent] = []
    if covered:
        start = datetime.combine(covered[0], datetime.min.time(), tzinfo=LOCAL_TZ)
        end = datetime.combine(covered[-1], datetime.min.time(), tzinfo=LOCAL_TZ) + timedelta(
            days=1
        )
        in_days = [
            i
            for i in PaymentIntent.objects.filter(
                provider=provider, status=IntentStatus.PAID, paid_at__gte=start, paid_at__lt=end
            ).select_related("dossier")
            if i.paid_at is not None and i.paid_at.astimezone(LOCAL_TZ).date() in covered
        ]
    intents = {i.reference: i for i in [*named, *in_days]}
    ledger = _ledger_amounts(i for i in intents.values() if i.status == IntentStatus.PAID)
    seen: set[int] = set()
    for ln in lines:
        intent = intents.get(ln.reference)
        if (
            intent is None
            or intent.status != IntentStatus.PAID
            or intent.provider_transaction != ln.transaction
            or intent.pk in seen
        ):
            result.paid_not_recorded.append(
                Difference(
                    ln.reference,
                    ln.transaction,
                    ln.amount,
                    None,
                    ln.line,
                    intent.dossier.code if intent else "",
                )
            )
            continue
        seen.add(intent.pk)
        recorded = ledger.get(intent.pk, 0)
        if recorded != ln.amount:
            result.amount_mismatches.append(
                Difference(
                    ln.reference, ln.transaction, ln.amount, recorded, ln.line, intent.dossier.code
                )
            )
        else:
            result.matched += 1
    for intent in in_days:
        if intent.pk not in seen:
            result.recorded_not_paid.append(
                Difference(
                    intent.reference,
                    intent.provider_transaction,
                    None,
                    ledger.get(intent.pk, 0),
                    None,
                    intent.dossier.code,
                )
            )
    return result


def difference_text(difference: Difference) -> str:
    """One difference as the command prints it."""
    parts = [difference.reference, difference.transaction or "-"]
    if difference.dossier_code:
        parts.append(difference.dossier_code)
    if difference.statement_amount is not None:
        parts.append(
            _("statement %(amount)s") % {"amount": format_money(difference.statement_amount)}
        )
    if difference.recorded_amount is not None:
        parts.append(
            _("recorded %(amount)s") % {"amount": format_money(difference.recorded_amount)}
        )
    if difference.line is not None:
        parts.append(_("line %(line)s") % {"line": difference.line})
    if difference.note:
        parts.append(difference.note)
    return "  ".join(parts)


def open_intents_poll(*, now: datetime) -> int:
    """Poll every intent still open that was made between 3 days and POLL_AFTER_MINUTES
    before ``now`` (as the national platform's own job does, §2.1): the safety net behind
    each intent's own delayed poll (a lost callback, a worker that was down). At most 500 a
    run. Returns how many were asked."""
    after = timedelta(minutes=settings.MOTCUA_ONLINEPAY["POLL_AFTER_MINUTES"])
    ids = list(
        PaymentIntent.objects.filter(
            status__in=[IntentStatus.CREATED, IntentStatus.PENDING],
            created_at__gte=now - timedelta(days=3),
            created_at__lte=now - after,
        ).values_list("pk", flat=True)[:500]
    )
    for intent_id in ids:
        payment_status_poll(intent_id=intent_id)
    return len(ids)


# -- VietQR: bank transfers matched from the bank statement ----------------------------------


@dataclass(frozen=True)
class BankLine:
    """One credit of the beneficiary account's statement (the file's line, for the report)."""

    line: int
    paid_at: datetime
    amount: int
    content: str
    bank_reference: str


def _compact(text: str) -> str:
    """Letters and digits only, upper case: banks drop the code's dots and dashes and may
    change case or spacing in the transfer content."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


def _codes_in(lines: list[BankLine]) -> dict[int, set[str]]:
    """The dossier codes each line's content names, found as an agency's electronic code
    followed by the code's day and number (``<electronic code>-yymmdd-nnnn``, whatever
    punctuation the bank kept). Only codes of dossiers that exist are kept."""
    agencies = {
        _compact(code): code
        for code in Agency.objects.exclude(electronic_code=None)
        .exclude(electronic_code="")
        .values_list("electronic_code", flat=True)
        if code
    }
    agencies.pop("", None)
    found: dict[int, set[str]] = {ln.line: set() for ln in lines}
    if agencies:
        # A lookahead, so that overlapping candidates are all seen.
        pattern = re.compile(
            "(?=("
            + "|".join(re.escape(k) for k in sorted(agencies, key=len, reverse=True))
            + r")(\d{6})(\d{4}))"
        )
        for ln in lines:
            for match in pattern.finditer(_compact(ln.content)):
                found[ln.line].add(f"{agencies[match[1]]}-{match[2]}-{match[3]}")
    wanted = set().union(*found.values()) if found else set()
    existing = set(Dossier.objects.filter(code__in=wanted).values_list("code", flat=True))
    return {line: codes & existing for line, codes in found.items()}


def _vietqr_record(ln: BankLine, dossier_id: int, now: datetime) -> tuple[bool, str] | None:
    """Record one matched transfer. None when recorded (by this import or, meanwhile, by
    another); else (the amount is what differs, why), with nothing written."""
    try:
        with transaction.atomic():
            # The dossier's row first: a counter payment or another import of this dossier
            # waits, and "what is owed" cannot change between the check and the payment.
            Dossier.objects.select_for_update().filter(pk=dossier_id).values_list("pk").first()
            owed = amount_owed(dossier_id)
            if owed != ln.amount:
                return True, _("the dossier owes %(owed)s") % {"owed": format_money(owed)}
            PaymentIntent.objects.create(
                reference=reference_new(now),
                dossier_id=dossier_id,
                amount=ln.amount,
                provider=Provider.VIETQR,
                status=IntentStatus.PAID,
                created_at=now,
                expires_at=now,
                paid_at=ln.paid_at,
                provider_transaction=ln.bank_reference,
            )
            dossier_transition(
                dossier_id=dossier_id,
                action=workflow.Action.PAY,
                actor=None,
                as_applicant=True,
                details=Details(
                    amount=ln.amount,
                    payment_method=METHOD_OF[Provider.VIETQR],
                    payment_reference=ln.bank_reference,
                ),
                # Recorded when motcua learns of it, as a gateway's callback is: a statement
                # often gives only the day, and the dossier's history runs forward. The bank's
                # moment stays on the intent (paid_at), which reconciliation reads.
                at=now,
            )
    except DossierError as error:
        return False, error.message
    except IntegrityError:
        # Another import recorded this bank reference meanwhile (the unique constraint).
        return None
    return None


def vietqr_statement_apply(
    *, lines: list[BankLine], days: list[date] | None = None
) -> Reconciliation:
    """Record the VietQR transfers of a bank statement, and list what does not match.

    A line whose content names one dossier's code and whose amount is exactly what that
    dossier owes is recorded as that dossier's payment (ledger method bank transfer, the bank
    reference as its reference, a numbered receipt) under a paid VietQR intent carrying the
    bank reference, which is unique: importing the statement again records nothing twice.
    A line already recorded is matched (or an amount mismatch). The others are listed, with
    nothing recorded: no dossier code (paid but not recorded), another amount (amount
    mismatch, with what the dossier owes), a dossier that refuses the payment. VietQR
    payments recorded on the statement's days whose bank reference is absent from it are
    recorded but not paid. Each line is its own transaction: a refusal keeps the others.
    """
    covered = sorted(
        days if days is not None else {ln.paid_at.astimezone(LOCAL_TZ).date() for ln in lines}
    )
    result = Reconciliation(days=covered)
    now = timezone.now().replace(microsecond=0)
    codes = _codes_in(lines)
    dossiers = dict(
        Dossier.objects.filter(
            code__in=set().union(*codes.values()) if codes else set()
        ).values_list("code", "pk")
    )
    seen: set[str] = set()
    for ln in lines:
        seen.add(ln.bank_reference)
        known = (
            PaymentIntent.objects.filter(
                provider=Provider.VIETQR, provider_transaction=ln.bank_reference
            )
            .select_related("dossier")
            .first()
        )
        if known is None:
            named = sorted(codes.get(ln.line, set()))
            if len(named) != 1:
                note = (
                    _("the content names no dossier")
                    if not named
                    else _("the content names several dossiers: %(codes)s")
                    % {"codes": ", ".join(named)}
                )
                result.paid_not_recorded.append(
                    Difference("", ln.bank_reference, ln.amount, None, ln.line, "", note)
                )
                continue
            refused = _vietqr_record(ln, dossiers[named[0]], now)
            if refused is not None:
                amount_differs, why = refused
                target = result.amount_mismatches if amount_differs else result.paid_not_recorded
                target.append(
                    Difference("", ln.bank_reference, ln.amount, None, ln.line, named[0], why)
                )
                continue
            result.recorded += 1
            known = (
                PaymentIntent.objects.filter(
                    provider=Provider.VIETQR, provider_transaction=ln.bank_reference
                )
                .select_related("dossier")
                .get()
            )
        recorded = _vietqr_ledger_amount(known)
        if recorded != ln.amount:
            result.amount_mismatches.append(
                Difference(
                    known.reference,
                    ln.bank_reference,
                    ln.amount,
                    recorded,
                    ln.line,
                    known.dossier.code,
                )
            )
        else:
            result.matched += 1
    if covered:
        start = datetime.combine(covered[0], datetime.min.time(), tzinfo=LOCAL_TZ)
        end = datetime.combine(covered[-1], datetime.min.time(), tzinfo=LOCAL_TZ) + timedelta(
            days=1
        )
        for intent in PaymentIntent.objects.filter(
            provider=Provider.VIETQR, status=IntentStatus.PAID, paid_at__gte=start, paid_at__lt=end
        ).select_related("dossier"):
            paid_on = intent.paid_at.astimezone(LOCAL_TZ).date() if intent.paid_at else None
            if paid_on in covered and intent.provider_transaction not in seen:
                result.recorded_not_paid.append(
                    Difference(
                        intent.reference,
                        intent.provider_transaction,
                        None,
                        _vietqr_ledger_amount(intent),
                        None,
                        intent.dossier.code,
                    )
                )
    return result


def _vietqr_ledger_amount(intent: PaymentIntent) -> int:
    """Đồng the ledger holds for a VietQR transfer: its events carry the bank reference."""
    return sum(
        PaymentEvent.objects.filter(
            payment__dossier_id=intent.dossier_id,
            reference=intent.provider_transaction,
            kind=PaymentEventKind.SUCCEEDED,
            method=PaymentMethod.BANK_TRANSFER,
        ).values_list("amount", flat=True)
    )

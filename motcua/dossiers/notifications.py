"""Messages to the applicant when their dossier moves: e-mail, SMS brandname, Zalo ZNS.

Four messages, in Vietnamese, to the addresses the applicant gave:

- receipt (form 01, §2.1): the dossier was received, its code, the appointed return moment
  and a link to follow it on the portal;
- supplement request (form 02, §2.2): before receipt (``request_completion``) or while it is
  processed (``request_supplement``, the clock stops, §1.4 step 6), what is missing and why;
- result ready (§1.4 steps 7-8): approved or denied (with the reason), and how to collect it;
- apology and new date (form 04, §2.4): the old and the new return moments, and why.

The dossier services call :func:`dossier_notify_on_commit` inside their transaction. It
renders the message for every channel (e-mail as before; SMS without diacritics within 160
characters; Zalo ZNS template data) and writes it to the outbox (``notify``) in that same
transaction: an action refused or rolled back leaves no message, a committed one loses none.
``motcua worker`` sends them after the commit (never the clerk's request), with retries, and
the SMS fallback when Zalo refuses (docs/notifications.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.core import workflow
from motcua.dossiers.choices import Outcome, ResultForm
from motcua.dossiers.links import tracking_url
from motcua.dossiers.models import Dossier, DossierEvent, Extension
from motcua.feedback.services import rating_link_create
from motcua.lib.formatting import format_moment, format_money, nfc
from motcua.lib.site import site_url
from motcua.notify import templates
from motcua.notify.choices import Event
from motcua.notify.selectors import phone_channels_configured
from motcua.notify.services import Message, notifications_queue
from motcua.notify.text import sms_fit
from motcua.payments.selectors import amount_owed

logger = logging.getLogger(__name__)

# Where a message is due; every other action sends nothing and costs nothing (no query).
RECEIPT = frozenset({workflow.Action.RECEIVE.value})
SUPPLEMENT = frozenset(
    {workflow.Action.REQUEST_COMPLETION.value, workflow.Action.REQUEST_SUPPLEMENT.value}
)
RESULT = frozenset({workflow.Action.APPROVE.value, workflow.Action.DENY.value})
APOLOGY = frozenset({workflow.Action.APOLOGISE.value})
NOTIFIED = RECEIPT | SUPPLEMENT | RESULT | APOLOGY


def dossier_notify_on_commit(
    *, dossier_id: int, action: str, event_seq: int, email: str, phone: str | None = None
) -> int:
    """Write the applicant's messages for the action the current transaction takes; the
    worker sends them once it commits. Returns the number of outbox rows written.

    Called by the dossier services inside their transaction, with the applicant's contact as
    the transaction leaves it. Nothing is done, and nothing is queried, for an action that
    sends nothing or an applicant without an address: no e-mail, and either no phone or no
    SMS/Zalo gateway configured. (``phone=None``: not given by the caller, read with the
    dossier when a phone channel is configured.) A failure to render is logged and never
    undoes the action: the dossier is the record; the message is a courtesy.
    """
    action = str(action)
    if action not in NOTIFIED:
        return 0
    if not email and not (phone_channels_configured() and phone != ""):
        return 0
    try:
        # A savepoint: a failed render leaves the dossier's transaction usable.
        with transaction.atomic():
            return dossier_notifications_queue(dossier_id, action, event_seq)
    except Exception:
        logger.exception(
            "Messages to the applicant of dossier %s (%s, event %s) not queued",
            dossier_id,
            action,
            event_seq,
        )
        return 0


def dossier_notifications_queue(dossier_id: int, action: str, event_seq: int) -> int:
    """Render the event's message and write it to the outbox (inside the caller's
    transaction); the number of rows written."""
    if action not in NOTIFIED:
        return 0
    dossier = _dossier(dossier_id)
    if dossier is None:
        return 0
    event = DossierEvent.objects.get(dossier_id=dossier_id, seq=event_seq)
    message = notification_content(dossier, event)
    rows = notifications_queue(
        dossier_id=dossier.pk,
        agency_id=dossier.receiving_agency_id,
        message=message,
        email=dossier.applicant_email,
        phone=dossier.applicant_phone,
        now=timezone.now(),
    )
    return len(rows)


def _dossier(dossier_id: int) -> Dossier | None:
    return (
        Dossier.objects.select_related("procedure_version", "receiving_agency")
        .filter(pk=dossier_id)
        .first()
    )


_EVENTS: dict[str, Event] = {
    **dict.fromkeys(RECEIPT, Event.RECEIPT),
    **dict.fromkeys(SUPPLEMENT, Event.SUPPLEMENT),
    **dict.fromkeys(RESULT, Event.RESULT),
    **dict.fromkeys(APOLOGY, Event.APOLOGY),
}


def notification_content(dossier: Dossier, event: DossierEvent) -> Message:
    """The event's message for every channel, in the site's language (Vietnamese)."""
    action = str(event.action)
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _email(dossier, event)
        sms, zalo = _SHORT[action](dossier, event)
    return Message(
        event=_EVENTS[action], email_subject=subject, email_body=body, sms_text=sms, zalo_data=zalo
    )


def notification_message(dossier_id: int, action: str, event_seq: int) -> EmailMessage | None:
    """The e-mail for the event, or None when the applicant has no address or the action
    calls for no message (what the outbox row of the e-mail channel carries)."""
    if action not in NOTIFIED:
        return None
    dossier = _dossier(dossier_id)
    if dossier is None or not dossier.applicant_email:
        return None
    event = DossierEvent.objects.get(dossier_id=dossier_id, seq=event_seq)
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _email(dossier, event)
    return EmailMessage(subject=subject, body=body, to=[dossier.applicant_email])


def _email(dossier: Dossier, event: DossierEvent) -> tuple[str, str]:
    subject, lines = _BUILDERS[str(event.action)](dossier, event)
    body = "\n".join(
        [
            _("Dear Mr/Ms %(name)s,") % {"name": dossier.applicant_name},
            "",
            *lines,
            "",
            _("Follow your dossier on the public service portal: %(url)s")
            % {"url": tracking_url(dossier)},
            "",
            dossier.receiving_agency.name,
            _("This message is sent automatically; please do not reply."),
        ]
    )
    return nfc(subject), nfc(body) + "\n"


# -- the messages ---------------------------------------------------------------------------


def _about(dossier: Dossier) -> list[str]:
    return [
        _("Dossier code: %(code)s") % {"code": dossier.code},
        _("Procedure: %(procedure)s") % {"procedure": dossier.procedure_version.name},
    ]


def _receipt(dossier: Dossier, event: DossierEvent) -> tuple[str, list[str]]:
    lines = [
        _("%(agency)s has received your dossier.") % {"agency": dossier.receiving_agency.name},
        "",
        *_about(dossier),
    ]
    if dossier.received_at is not None:
        lines.append(_("Received at: %(at)s") % {"at": format_moment(dossier.received_at)})
    if dossier.due_at is not None:
        lines.append(_("Result appointed for: %(at)s") % {"at": format_moment(dossier.due_at)})
    subject = _("Dossier %(code)s received") % {"code": dossier.code}
    return subject, lines


def _supplement(dossier: Dossier, event: DossierEvent) -> tuple[str, list[str]]:
    lines = [
        _("Your dossier needs to be supplemented before it can be processed further.")
        if event.action == workflow.Action.REQUEST_SUPPLEMENT
        else _("Your dossier needs to be completed before it can be received."),
        "",
        *_about(dossier),
        _("What to supplement and why: %(reason)s") % {"reason": event.reason},
    ]
    if event.action == workflow.Action.REQUEST_SUPPLEMENT:
        # §1.4 step 6: the time waited for the supplement does not count.
        lines.append(_("The processing time is suspended until the supplement is received."))
    lines.append(
        _("Please bring or send the missing documents to %(agency)s.")
        % {"agency": dossier.receiving_agency.name}
    )
    subject = _("Dossier %(code)s: please supplement your dossier") % {"code": dossier.code}
    return subject, lines


def _result(dossier: Dossier, event: DossierEvent) -> tuple[str, list[str]]:
    approved = dossier.outcome == Outcome.APPROVED
    lines = [
        _("Your dossier has been resolved: approved.")
        if approved
        else _("Your dossier has been resolved: denied."),
        "",
        *_about(dossier),
    ]
    if dossier.resolved_at is not None:
        lines.append(_("Resolved at: %(at)s") % {"at": format_moment(dossier.resolved_at)})
    if not approved:
        lines.append(_("Reason: %(reason)s") % {"reason": dossier.denial_reason})
    lines.append("")
    if dossier.result_form == ResultForm.ELECTRONIC:
        lines.append(_("The electronic result can be downloaded from the tracking page below."))
    else:
        lines.append(
            _(
                "Please collect the result at %(agency)s, bringing the receipt and appointment "
                "slip (form 01) and your identity document."
            )
            % {"agency": dossier.receiving_agency.name}
        )
    owed = amount_owed(dossier.pk)
    if owed:
        lines.append(
            _("Fees and charges still to pay: %(amount)s") % {"amount": format_money(owed)}
        )
    lines.append(
        _("Please rate how your dossier was handled (the link works once): %(url)s")
        % {"url": site_url(rating_link_create(dossier_id=dossier.pk))}
    )
    subject = (
        _("Dossier %(code)s: the result is ready")
        if approved
        else _("Dossier %(code)s: the dossier was denied")
    ) % {"code": dossier.code}
    return subject, lines


def _apology(dossier: Dossier, event: DossierEvent) -> tuple[str, list[str]]:
    extension = _extension(dossier, event)
    lines = [
        _(
            "We are sorry: the result of your dossier cannot be returned on the appointed date. "
            "The delay causes you trouble and cost, and we apologise."
        ),
        "",
        *_about(dossier),
        _("Previously appointed for: %(at)s") % {"at": format_moment(extension.old_due_at)},
        _("New appointment: %(at)s") % {"at": format_moment(extension.new_due_at)},
        _("Reason for the delay: %(reason)s") % {"reason": extension.reason},
        "",
        _("We hope for your understanding."),
        extension.signed_by,
    ]
    subject = _("Dossier %(code)s: apology and new date for the result") % {"code": dossier.code}
    return subject, lines


def _extension(dossier: Dossier, event: DossierEvent) -> Extension:
    # The form 04 row written with this event (same dossier, same moment).
    extension = (
        Extension.objects.filter(dossier=dossier, created_at=event.at).order_by("-pk").first()
    )
    if extension is None:
        raise LookupError(f"no apology of dossier {dossier.code} at {event.at}")
    return extension


_Builder = Callable[[Dossier, DossierEvent], tuple[str, list[str]]]
_BUILDERS: dict[str, _Builder] = {
    **dict.fromkeys(RECEIPT, _receipt),
    **dict.fromkeys(SUPPLEMENT, _supplement),
    **dict.fromkeys(RESULT, _result),
    **dict.fromkeys(APOLOGY, _apology),
}


# -- SMS (no diacritics, one message) and Zalo ZNS template data -----------------------------

_Short = Callable[[Dossier, DossierEvent], tuple[str, dict[str, str]]]


def _zalo_data(dossier: Dossier, **more: str) -> dict[str, str]:
    # The ZNS template's parameters: names as in the templates registered with Zalo
    # (docs/notifications.md); every value a string.
    return {
        "customer_name": dossier.applicant_name,
        "dossier_code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "agency": dossier.receiving_agency.name,
        **more,
    }


def _moment(value: object) -> str:
    return format_moment(value) if value is not None else ""  # type: ignore[arg-type]


def _receipt_short(dossier: Dossier, event: DossierEvent) -> tuple[str, dict[str, str]]:
    due = _moment(dossier.due_at)
    sms = sms_fit(
        templates.sms_receipt(),
        {"code": dossier.code, "due": due},
        {"agency": dossier.receiving_agency.name},
    )
    return sms, _zalo_data(dossier, received_at=_moment(dossier.received_at), due_at=due)


def _supplement_short(dossier: Dossier, event: DossierEvent) -> tuple[str, dict[str, str]]:
    sms = sms_fit(
        templates.sms_supplement(),
        {"code": dossier.code},
        {"reason": event.reason, "agency": dossier.receiving_agency.name},
    )
    return sms, _zalo_data(dossier, reason=event.reason)


def _result_short(dossier: Dossier, event: DossierEvent) -> tuple[str, dict[str, str]]:
    if dossier.outcome != Outcome.APPROVED:
        template = templates.sms_result_denied()
        reason = dossier.denial_reason
        outcome = templates.outcome_word(approved=False)
    elif dossier.result_form == ResultForm.ELECTRONIC:
        template = templates.sms_result_electronic()
        reason, outcome = "", templates.outcome_word(approved=True)
    else:
        template = templates.sms_result_collect()
        reason, outcome = "", templates.outcome_word(approved=True)
    sms = sms_fit(
        template,
        {"code": dossier.code},
        {"agency": dossier.receiving_agency.name, "reason": reason},
    )
    return sms, _zalo_data(
        dossier, outcome=outcome, reason=reason, resolved_at=_moment(dossier.resolved_at)
    )


def _apology_short(dossier: Dossier, event: DossierEvent) -> tuple[str, dict[str, str]]:
    extension = _extension(dossier, event)
    new_due = format_moment(extension.new_due_at)
    sms = sms_fit(
        templates.sms_apology(),
        {"code": dossier.code, "due": new_due},
        {"reason": extension.reason},
    )
    return sms, _zalo_data(
        dossier,
        old_due_at=format_moment(extension.old_due_at),
        due_at=new_due,
        reason=extension.reason,
    )


_SHORT: dict[str, _Short] = {
    **dict.fromkeys(RECEIPT, _receipt_short),
    **dict.fromkeys(SUPPLEMENT, _supplement_short),
    **dict.fromkeys(RESULT, _result_short),
    **dict.fromkeys(APOLOGY, _apology_short),
}

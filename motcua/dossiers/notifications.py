"""E-mail to the applicant when their dossier moves.

Four messages, plain text in Vietnamese, to the e-mail address the applicant gave:

- receipt (form 01, §2.1): the dossier was received, its code, the appointed return moment
  and a link to follow it on the portal;
- supplement request (form 02, §2.2): before receipt (``request_completion``) or while it is
  processed (``request_supplement``, the clock stops, §1.4 step 6), what is missing and why;
- result ready (§1.4 steps 7-8): approved or denied (with the reason), and how to collect it;
- apology and new date (form 04, §2.4): the old and the new return moments, and why.

The dossier services call :func:`dossier_notify_on_commit` inside their transaction; the
message is built and sent only once that transaction has committed, so an action that was
refused or rolled back never writes to anyone. Sending happens in the process that took the
action, outside any transaction: a mail server that refuses or cannot be reached is logged
and never undoes the action (the dossier is the record; the e-mail is a courtesy).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.core import workflow
from motcua.dossiers.choices import Outcome, ResultForm
from motcua.dossiers.links import tracking_url
from motcua.dossiers.models import Dossier, DossierEvent, Extension
from motcua.feedback.services import rating_link_create
from motcua.lib.formatting import format_moment, format_money, nfc
from motcua.lib.site import site_url
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


def dossier_notify_on_commit(*, dossier_id: int, action: str, event_seq: int, email: str) -> None:
    """Register the applicant's e-mail for the action the current transaction takes.

    Called by the dossier services inside their transaction, with the applicant's address as
    the transaction leaves it; nothing is registered for an action that sends nothing or an
    applicant without an address, so most counter transitions do no work after commit.
    ``robust``: an error in the callback is logged by Django and never reaches the caller,
    whose transaction has committed already.
    """
    action = str(action)
    if email and action in NOTIFIED:
        transaction.on_commit(partial(dossier_notify, dossier_id, action, event_seq), robust=True)


def dossier_notify(dossier_id: int, action: str, event_seq: int) -> bool:
    """Send the applicant the e-mail for the dossier's event ``event_seq`` (``action``).

    Returns whether a message was handed to the mail server. Nothing is sent when the action
    calls for no message or the applicant left no e-mail address. Never raises: a failure is
    logged with the dossier's code (the action it follows has committed).
    """
    if action not in NOTIFIED:
        return False
    try:
        message = notification_message(dossier_id, action, event_seq)
        if message is None:
            return False
        # fail_silently=False: a refusal must be seen, and logged below.
        message.send()
    except Exception:
        logger.exception(
            "E-mail to the applicant of dossier %s (%s, event %s) not sent",
            dossier_id,
            action,
            event_seq,
        )
        return False
    logger.info("E-mail sent to the applicant of dossier %s (%s)", dossier_id, action)
    return True


# -- the messages ---------------------------------------------------------------------------


def notification_message(dossier_id: int, action: str, event_seq: int) -> EmailMessage | None:
    """The e-mail for the event, in the site's language (Vietnamese), or None when the
    applicant has no address or the action calls for no message."""
    builder = _BUILDERS.get(action)
    if builder is None:
        return None
    dossier = (
        Dossier.objects.select_related("procedure_version", "receiving_agency")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None or not dossier.applicant_email:
        return None
    event = DossierEvent.objects.get(dossier_id=dossier_id, seq=event_seq)
    with translation.override(settings.LANGUAGE_CODE):
        subject, lines = builder(dossier, event)
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
    return EmailMessage(subject=nfc(subject), body=nfc(body) + "\n", to=[dossier.applicant_email])


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
    # The form 04 row written with this event (same dossier, same moment).
    extension = (
        Extension.objects.filter(dossier=dossier, created_at=event.at).order_by("-pk").first()
    )
    if extension is None:
        raise LookupError(f"no apology of dossier {dossier.code} at {event.at}")
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


_Builder = Callable[[Dossier, DossierEvent], tuple[str, list[str]]]
_BUILDERS: dict[str, _Builder] = {
    **dict.fromkeys(RECEIPT, _receipt),
    **dict.fromkeys(SUPPLEMENT, _supplement),
    **dict.fromkeys(RESULT, _result),
    **dict.fromkeys(APOLOGY, _apology),
}

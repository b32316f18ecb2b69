"""The SMS templates per event, in the site's language (Vietnamese; the diacritics are taken
off by ``notify.text.sms_fit``). Fields in braces; the dossier app fills them.

Brandname carriers approve templates: a deployment registers these texts (without
diacritics) with its carrier, placeholders included (docs/notifications.md).
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def sms_receipt() -> str:
    return _("{agency} has received dossier {code}. Result appointed for {due}.")


def sms_supplement() -> str:
    return _("Dossier {code} needs a supplement: {reason}. Contact {agency}.")


def sms_result_collect() -> str:
    return _("Dossier {code} has its result. Please collect it at {agency}.")


def sms_result_electronic() -> str:
    return _("Dossier {code} has its result: download it on the public service portal.")


def sms_result_denied() -> str:
    return _("Dossier {code} was denied. Reason: {reason}")


def sms_apology() -> str:
    return _("We apologise: dossier {code} is late. New appointment: {due}. Reason: {reason}")


def outcome_word(*, approved: bool) -> str:
    """The result as one word, for the Zalo template's ``outcome`` parameter."""
    return _("approved") if approved else _("denied")

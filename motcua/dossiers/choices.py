"""Enumerations of the dossier lifecycle (domain spec §1).

States and actions are the pure core's (``motcua.core.workflow``); these are their Django
choices with Vietnamese labels, plus the other closed vocabularies of a dossier.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core import workflow


class Status(models.TextChoices):
    SUBMITTED = workflow.Status.SUBMITTED.value, _("Submitted online")
    AWAITING_COMPLETION = workflow.Status.AWAITING_COMPLETION.value, _("Awaiting completion")
    REFUSED = workflow.Status.REFUSED.value, _("Refused")
    RECEIVED = workflow.Status.RECEIVED.value, _("Received")
    IN_PROCESSING = workflow.Status.IN_PROCESSING.value, _("In processing")
    AWAITING_SUPPLEMENT = workflow.Status.AWAITING_SUPPLEMENT.value, _("Awaiting supplement")
    AWAITING_PAYMENT = workflow.Status.AWAITING_PAYMENT.value, _("Awaiting financial obligation")
    RESOLVED = workflow.Status.RESOLVED.value, _("Resolved")
    RETURNED = workflow.Status.RETURNED.value, _("Result returned")
    WITHDRAWN = workflow.Status.WITHDRAWN.value, _("Withdrawn")
    STOPPED = workflow.Status.STOPPED.value, _("Processing stopped")


class Action(models.TextChoices):
    CREATE = "create", _("Created")  # the first event of every dossier, not a table action
    RECEIVE = workflow.Action.RECEIVE.value, _("Receive")
    REQUEST_COMPLETION = workflow.Action.REQUEST_COMPLETION.value, _("Request completion")
    RESUBMIT = workflow.Action.RESUBMIT.value, _("Resubmit")
    REFUSE = workflow.Action.REFUSE.value, _("Refuse")
    TRANSFER = workflow.Action.TRANSFER.value, _("Transfer")
    HAND_OVER = workflow.Action.HAND_OVER.value, _("Hand over")
    REQUEST_SUPPLEMENT = workflow.Action.REQUEST_SUPPLEMENT.value, _("Request supplement")
    SUPPLEMENT = workflow.Action.SUPPLEMENT.value, _("Supplement received")
    REQUEST_PAYMENT = workflow.Action.REQUEST_PAYMENT.value, _("Request financial obligation")
    CONFIRM_PAYMENT = workflow.Action.CONFIRM_PAYMENT.value, _("Financial obligation met")
    APPROVE = workflow.Action.APPROVE.value, _("Approve")
    DENY = workflow.Action.DENY.value, _("Deny")
    RETURN_RESULT = workflow.Action.RETURN_RESULT.value, _("Return result")
    WITHDRAW = workflow.Action.WITHDRAW.value, _("Withdraw")
    STOP = workflow.Action.STOP.value, _("Stop processing")
    APOLOGISE = workflow.Action.APOLOGISE.value, _("Apologise and re-appoint")
    PAY = workflow.Action.PAY.value, _("Payment")
    RATE = workflow.Action.RATE.value, _("Satisfaction rating")
    IMPORT = "import", _("Imported history")  # facts carried over from another system


class Channel(models.TextChoices):
    """How the dossier was submitted (§1.2; DVCQG KenhThucHien 1/2/3 [I])."""

    DIRECT = "direct", _("In person")
    ONLINE = "online", _("Online")
    POSTAL = "postal", _("Public postal service")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class ResultForm(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class PauseReason(models.TextChoices):
    SUPPLEMENT = "supplement", _("Waiting for a supplement")
    PAYMENT = "payment", _("Waiting for a financial obligation")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")

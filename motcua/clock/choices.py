"""Enums of the clock app; the values are the pure core's (motcua.core.clock), declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core import clock as core


class OverrideKind(models.TextChoices):
    """What an administrator override does to a date (§7.4)."""

    DAY_OFF = core.OverrideKind.DAY_OFF.value, _("Day off")
    WORKING_DAY = core.OverrideKind.WORKING_DAY.value, _("Working day")
    MAKE_UP_DAY = core.OverrideKind.MAKE_UP_DAY.value, _("Make-up working day")


class ReceiptRule(models.TextChoices):
    """Official receipt moment of a submission outside working time (§1.5)."""

    NEXT_SESSION = core.ReceiptRule.NEXT_SESSION.value, _("Start of the next working session")
    AS_SUBMITTED = core.ReceiptRule.AS_SUBMITTED.value, _("The moment of submission")

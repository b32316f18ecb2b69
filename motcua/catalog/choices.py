"""Levels, time-limit units and online service levels of procedures (domain spec §1.6, §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureLevel(models.TextChoices):
    """The tier of government that settles a procedure (cấp thực hiện)."""

    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")


class LimitUnit(models.TextChoices):
    """How a statutory time limit is counted (§1.6).

    The values are the same strings as ``motcua.core.clock.LimitUnit`` so the two map 1:1.
    """

    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class OnlineLevel(models.TextChoices):
    """Online public service level (Decree 42/2022 Art. 11, §6)."""

    # Art. 11.1.a: submitted, settled and returned online (or by public post).
    FULL = "full", _("Full-process online")
    # Art. 11.1.b: any other online service.
    PARTIAL = "partial", _("Partially online")
    NONE = "none", _("Not offered online")


# Both levels of Decree 42/2022 count as "offered online" in the reports.
OFFERED_ONLINE = frozenset({OnlineLevel.FULL, OnlineLevel.PARTIAL})

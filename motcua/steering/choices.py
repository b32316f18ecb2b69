"""Kinds, shapes and levels of the steering committee's indicators and working groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.units.choices import UnitLevel


class IndicatorKind(models.TextChoices):
    """Who supplies an indicator's values."""

    ENTERED = "entered", _("Entered or imported")  # typed into the form or imported from a file
    COMPUTED = "computed", _("Computed by the system")  # from the dossiers and the catalogue


class IndicatorShape(models.TextChoices):
    """A count has only a numerator (25.328 accounts); a rate has both (1.459/24.007)."""

    COUNT = "count", _("Count")
    RATE = "rate", _("Rate")


class Frequency(models.TextChoices):
    """How often the value is reported."""

    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF = "half", _("Half-yearly")
    YEAR = "year", _("Yearly")


class ComputedSource(models.TextChoices):
    """Where a computed indicator's numerator and denominator come from in
    ``reports.selectors.report_for`` (§5.3, §6)."""

    # Procedures in force at the end of the period offered fully or partly online, per level
    # (766 3.1): Report.coverage["district"] / ["commune"].
    ONLINE_SERVICES_DISTRICT = (
        "online_services_district",
        _("Online public services, city/district level"),
    )
    ONLINE_SERVICES_COMMUNE = (
        "online_services_commune",
        _("Online public services, commune/ward level"),
    )
    ONLINE_PAYMENT = "online_payment", _("Dossiers paid online")  # 766 3.6
    DIGITISATION = "digitisation", _("Dossiers digitised")  # 766 4.2
    E_CERTIFICATION = "e_certification", _("Copies certified electronically")


class GroupLevel(models.TextChoices):
    """The three tiers of Project 06 working groups (seed: 1 city, 8 commune, 117 village
    groups). The values are the administrative levels of the units the groups belong to."""

    DISTRICT = UnitLevel.DISTRICT.value, _("City/district level")
    COMMUNE = UnitLevel.COMMUNE.value, _("Commune/ward level")
    VILLAGE = UnitLevel.VILLAGE.value, _("Village/residential group level")


class MemberRole(models.TextChoices):
    """A member's place in the working group."""

    LEADER = "leader", _("Group leader")
    DEPUTY = "deputy", _("Deputy group leader")
    MEMBER = "member", _("Member")


# Indicators are recorded for units at these levels (a village reports through its commune).
INDICATOR_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)

"""Calendar data administrators keep: overrides with legal references, policies, office hours.

The statutory calendar itself (public holidays, swapped days, make-up Saturdays) comes from the
``holidays`` package inside the pure core (motcua.core.clock); these tables only adjust it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from motcua.clock.choices import OverrideKind, ReceiptRule
from motcua.core import clock as core
from motcua.units.choices import UnitLevel
from motcua.units.fields import optional_agency, optional_unit


class CalendarOverride(models.Model):
    """An administrator's decision about one date, nationwide or for one province (§7.4).

    ``day_off`` makes a date non-working (a province's own holiday, a swap the package lacks);
    ``working_day`` makes it working (e.g. 24/11 if Culture Day has no legal effect, Appendix
    A.10); ``make_up_day`` marks a make-up Saturday, which counts only where the policy says
    make-up days count (§1.6, Appendix A.11). A province's override wins over a nationwide one
    for the same date. Every override names the legal text that makes it.
    """

    province = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_overrides",
        limit_choices_to={"level": UnitLevel.PROVINCE},
        help_text=_("Empty: applies nationwide."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=OverrideKind.choices)
    name = models.CharField(_("name"), max_length=200)
    legal_ref = models.CharField(_("legal reference"), max_length=300)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date", "province__code"]
        constraints = [
            # Coalesce: "nationwide" (no province) must be unique too, and SQLite ignores
            # nulls_distinct.
            models.UniqueConstraint(
                Coalesce("province", Value(0)), "date", name="clock_override_province_date_unique"
            ),
            models.CheckConstraint(
                condition=~Q(legal_ref=""), name="clock_override_legal_ref_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    def clean(self) -> None:
        if self.province is not None and self.province.level != UnitLevel.PROVINCE:
            raise ValidationError({"province": _("Choose a province-level unit.")})
        if self.date is not None and not core.FIRST_YEAR <= self.date.year <= core.LAST_YEAR:
            raise ValidationError(
                {"date": _("The calendar covers %(first)s–%(last)s.")
                 % {"first": core.FIRST_YEAR, "last": core.LAST_YEAR}}
            )  # fmt: skip

    def to_core(self) -> core.Override:
        return core.Override(self.date, core.OverrideKind(self.kind), self.name, self.legal_ref)


class CalendarPolicy(models.Model):
    """How the clock treats facts the law leaves open, nationwide (no province) or per province.

    Without a row the settings ``MOTCUA_CLOCK`` apply. These are NOT CONFIRMED points of the
    domain spec, so they are choices an administrator makes and documents.
    """

    province = models.OneToOneField(
        "units.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_policy",
        limit_choices_to={"level": UnitLevel.PROVINCE},
        help_text=_("Empty: the nationwide default."),
    )
    make_up_days_count = models.BooleanField(
        _("make-up days count for deadlines"),
        default=True,
        help_text=_("Whether make-up working Saturdays count as working days for dossiers."),
    )
    receipt_rule = models.CharField(
        _("receipt rule"),
        max_length=20,
        choices=ReceiptRule.choices,
        default=ReceiptRule.NEXT_SESSION,
    )
    roll_calendar_days = models.BooleanField(
        _("roll calendar-day limits"),
        default=True,
        help_text=_(
            "A limit in calendar days that ends on a non-working day ends at the close of the "
            "next working day (Civil Code 2015 Art. 148)."
        ),
    )
    legal_ref = models.CharField(_("legal reference"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar policy")
        verbose_name_plural = _("calendar policies")
        constraints = [
            # OneToOne allows one row per province; this allows one nationwide row only.
            models.UniqueConstraint(
                Coalesce("province", Value(0)), name="clock_policy_one_per_province"
            ),
        ]

    def __str__(self) -> str:
        return str(self.province) if self.province_id else str(_("Nationwide"))


class OfficeHours(models.Model):
    """Daily office sessions of an agency or a unit (and the units under it), from a date.

    Neither agency nor unit: the default for everyone. Sessions are written
    ``07:00-11:30, 13:30-17:00`` (§7.5; provinces differ, Appendix A.12).
    """

    unit = optional_unit(_("administrative unit"), related_name="office_hours")
    agency = optional_agency(_("agency"), related_name="office_hours")
    sessions = models.CharField(
        _("sessions"), max_length=100, default=str(core.DEFAULT_OFFICE_HOURS)
    )
    valid_from = models.DateField(_("valid from"))
    legal_ref = models.CharField(_("legal reference"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["unit__code", "agency__code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("unit", Value(0)),
                Coalesce("agency", Value(0)),
                "valid_from",
                name="clock_office_hours_unique",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(agency__isnull=True),
                name="clock_office_hours_unit_or_agency",
            ),
        ]

    def __str__(self) -> str:
        owner = self.agency or self.unit or _("Default")
        return f"{owner}: {self.sessions} ({self.valid_from:%d/%m/%Y})"

    def clean(self) -> None:
        if self.unit_id is not None and self.agency_id is not None:
            raise ValidationError(_("Choose a unit or an agency, not both."))
        try:
            self.sessions = str(core.OfficeHours.parse(self.sessions))
        except core.ClockError as error:
            raise ValidationError(
                {"sessions": _("Write sessions like 07:00-11:30, 13:30-17:00 (%(error)s).")
                 % {"error": error.message}}
            ) from None  # fmt: skip

    def to_core(self) -> core.OfficeHours:
        return core.OfficeHours.parse(self.sessions)

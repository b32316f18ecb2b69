"""The steering committee's indicators (definitions, targets, values, snapshots) and the
Project 06 working groups (seed README: the digital-transformation and Project 06 paragraphs).

Values are append-only: a correction is a new row superseding the previous one, so the history
of every figure the committee was shown stays visible. Writes go through ``steering.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.steering.choices import (
    INDICATOR_LEVELS,
    ComputedSource,
    Frequency,
    GroupLevel,
    IndicatorKind,
    IndicatorShape,
    MemberRole,
)
from motcua.steering.validators import validate_phone
from motcua.units.choices import LEVEL_RANK, UnitLevel
from motcua.units.models import AdministrativeUnit


class IndicatorDefinition(models.Model):
    """What an indicator measures and how: a count (numerator only) or a rate (numerator over
    denominator), entered by people or computed by the system from dossiers and catalogue.

    ``level`` is the lowest administrative level the indicator is recorded at; it applies to
    units at that level and above. ``decimals`` is how the committee writes the rate (77% for
    digitisation, 6,08% for digital signatures).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=100)
    shape = models.CharField(_("shape"), max_length=10, choices=IndicatorShape.choices)
    numerator_label = models.CharField(_("numerator"), max_length=300)
    denominator_label = models.CharField(_("denominator"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    computed_from = models.CharField(
        _("computed from"), max_length=40, choices=ComputedSource.choices, blank=True
    )
    level = models.CharField(
        _("lowest level it applies to"),
        max_length=10,
        choices=[(level.value, level.label) for level in UnitLevel if level != UnitLevel.VILLAGE],
    )
    decimals = models.PositiveSmallIntegerField(_("decimals of the rate"), default=2)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]
        constraints = [
            # A rate has a denominator; a count has none.
            models.CheckConstraint(
                condition=(Q(shape=IndicatorShape.RATE) & ~Q(denominator_label=""))
                | (Q(shape=IndicatorShape.COUNT) & Q(denominator_label="")),
                name="indicator_rate_has_denominator",
            ),
            # A computed indicator names what it is computed from; an entered one does not.
            models.CheckConstraint(
                condition=(Q(kind=IndicatorKind.COMPUTED) & ~Q(computed_from=""))
                | (Q(kind=IndicatorKind.ENTERED) & Q(computed_from="")),
                name="indicator_computed_has_source",
            ),
            models.CheckConstraint(condition=Q(decimals__lte=4), name="indicator_decimals_max"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rate(self) -> bool:
        return self.shape == IndicatorShape.RATE

    @property
    def is_computed(self) -> bool:
        return self.kind == IndicatorKind.COMPUTED

    def applies_to_unit(self, unit: AdministrativeUnit) -> bool:
        """Whether the indicator is recorded for ``unit``: its level or a higher one."""
        return unit.level in INDICATOR_LEVELS and LEVEL_RANK[unit.level] <= LEVEL_RANK[self.level]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.shape == IndicatorShape.RATE and not self.denominator_label:
            errors["denominator_label"] = _("A rate needs a denominator.")
        if self.shape == IndicatorShape.COUNT and self.denominator_label:
            errors["denominator_label"] = _("A count has no denominator: leave it empty.")
        if self.kind == IndicatorKind.COMPUTED and not self.computed_from:
            errors["computed_from"] = _("Say what the system computes this indicator from.")
        if self.kind == IndicatorKind.ENTERED and self.computed_from:
            errors["computed_from"] = _("An entered indicator is not computed: leave it empty.")
        if self.decimals > 4:
            errors["decimals"] = _("At most 4 decimals.")
        if errors:
            raise ValidationError(errors)


class IndicatorTarget(models.Model):
    """The target the province sets for a unit and a year (tỉnh giao): a percentage for a rate,
    a number for a count. Met when the value reaches it."""

    definition = models.ForeignKey(
        IndicatorDefinition,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="indicator_targets",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    assigned_by = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_targets_assigned",
    )
    legal_ref = models.CharField(_("decision reference"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["-year", "definition__position", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "unit", "year"], name="indicator_target_unique"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.definition} · {self.unit} · {self.year}"

    def clean(self) -> None:
        super().clean()
        if self.definition_id is None:
            return
        errors: dict[str, Any] = {}
        if self.value is not None and self.definition.is_rate and self.value > 100:
            errors["value"] = _("A rate's target is a percentage, 0 to 100.")
        if self.value is not None and not self.definition.is_rate and self.value != int(self.value):
            errors["value"] = _("A count's target is a whole number.")
        if self.unit_id is not None and not self.definition.applies_to_unit(self.unit):
            errors["unit"] = _("This indicator is not recorded for this unit's level.")
        if errors:
            raise ValidationError(errors)


class IndicatorValue(models.Model):
    """One reported value of an entered indicator for a unit, as of ``period_end``.

    Never updated: a correction is a new row whose ``supersedes`` points at the row it
    replaces, so each (indicator, unit, period end) has one chain of values, the newest one
    current. The chain cannot fork: ``supersedes`` is one-to-one, and only the first value of
    a chain has none.
    """

    definition = models.ForeignKey(
        IndicatorDefinition,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"))
    numerator = models.PositiveBigIntegerField(_("numerator"))
    denominator = models.PositiveBigIntegerField(_("denominator"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A copy of the name, so the history still says who entered it if the account goes.
    entered_by_name = models.CharField(_("entered by (name)"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered at"))
    note = models.TextField(_("note"), blank=True)
    source_file = models.CharField(_("imported from file"), max_length=255, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["definition__position", "unit__code", "-period_end", "-entered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "unit", "period_end"],
                condition=Q(supersedes__isnull=True),
                name="indicator_value_one_chain",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_start__lte=models.F("period_end")),
                name="indicator_value_period_order",
            ),
        ]
        indexes = [models.Index(fields=["unit", "definition", "period_end"])]

    def __str__(self) -> str:
        return f"{self.definition} · {self.unit} · {self.period_end:%d/%m/%Y}"


class IndicatorSnapshot(models.Model):
    """A computed indicator's value for a unit, stored as it was at the end of a period, so the
    committee can see how it moved. Written only by ``indicator_snapshots_take``; the unique
    constraint makes a second run (or a second worker) write nothing."""

    definition = models.ForeignKey(
        IndicatorDefinition,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="snapshots",
    )
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="indicator_snapshots",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    numerator = models.PositiveBigIntegerField(_("numerator"))
    denominator = models.PositiveBigIntegerField(_("denominator"))
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["-period_end", "definition__position", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "unit", "period_end"], name="indicator_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} · {self.unit} · {self.period_end:%d/%m/%Y}"


class WorkingGroup(models.Model):
    """A Project 06 working group (Tổ công tác Đề án 06) of a city, commune/ward or
    village/residential group; its level is the level of its unit."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="working_groups",
    )
    level = models.CharField(
        _("administrative level"), max_length=10, choices=GroupLevel.choices, editable=False
    )
    name = models.CharField(_("name"), max_length=300)
    decision_ref = models.CharField(_("decision reference"), max_length=300, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)

    class Meta:
        verbose_name = _("Project 06 working group")
        verbose_name_plural = _("Project 06 working groups")
        ordering = ["unit__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="working_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The level follows from the unit; stored so counts by level are one GROUP BY.
        self.level = self.unit.level
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.unit_id is not None and self.unit.level not in GroupLevel.values:
            raise ValidationError(
                {"unit": _("Working groups belong to a city, a commune or ward, or a village.")}
            )


class WorkingGroupMember(models.Model):
    """A member of a Project 06 working group, with the position they hold in their agency."""

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300, blank=True)
    role = models.CharField(
        _("role in the group"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])

    class Meta:
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        ordering = ["group", "order", "id"]

    def __str__(self) -> str:
        return self.name

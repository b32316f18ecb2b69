from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.units.choices import (
    LEVEL_OF_KIND,
    LEVEL_RANK,
    AgencyKind,
    SuccessionKind,
    UnitKind,
    UnitLevel,
)


class AdministrativeUnit(models.Model):
    """A province, district, commune/ward or village with its official code and validity.

    Codes are reused across reorganisations (the new Phường Đức Xuân keeps 01840 from 1 July
    2025, §10.2), so a unit is identified by its code *and* the date it became valid.
    ``valid_to`` is the last day the unit existed; both ends are inclusive, empty means open.
    """

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    legal_ref = models.CharField(_("legal reference"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="unit_code_valid_from_unique"
            ),
            # NULL valid_from ("since before our records") would not collide above, and
            # SQLite cannot do NULLS NOT DISTINCT: one open-start version per code, explicitly.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_from__isnull=True),
                name="unit_code_open_start_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The level follows from the kind; store it so queries can filter by tier.
        self.level = LEVEL_OF_KIND[self.kind]
        super().save(*args, **kwargs)

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def clean(self) -> None:
        """Refuse what the loader refuses, for edits in the admin (motcua/units/services.py)."""
        super().clean()
        errors: dict[str, Any] = {}
        parent = self.parent if self.parent_id is not None else None
        if (
            self.kind in LEVEL_OF_KIND
            and parent is not None
            and LEVEL_RANK[parent.level] >= LEVEL_RANK[LEVEL_OF_KIND[self.kind]]
        ):
            errors["parent"] = _("The parent unit must be at a higher level than the unit.")
        if self.code:
            others = AdministrativeUnit.objects.filter(code=self.code).exclude(pk=self.pk)
            if self.valid_from is not None:
                others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
            if self.valid_to is not None:
                others = others.filter(
                    Q(valid_from__isnull=True) | Q(valid_from__lte=self.valid_to)
                )
            if others.exists():
                # A code names one unit on any given day (unit_at relies on it).
                errors["valid_from"] = _(
                    "Another unit with this code is valid during part of this period."
                )
        if errors:
            raise ValidationError(errors)


class Succession(models.Model):
    """One predecessor → successor link of a reorganisation, effective on a date.

    A merger of three wards into one is three rows with the same successor; a split is rows
    with the same predecessor. Reports for a successor include its predecessors' dossiers.
    """

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="successions_in",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("effective date"))
    legal_ref = models.CharField(_("legal reference"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["effective_date", "successor__code", "predecessor__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_pair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"


class Agency(models.Model):
    """A body that receives or handles dossiers: People's Committee, department, one-stop section.

    ``electronic_code`` is the agency's electronic identifier (mã định danh, QCVN 102:2016),
    the first part of every dossier code it issues (§3).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    electronic_code = models.CharField(
        _("electronic identifier code"), max_length=40, unique=True, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["unit__code", "code"]

    def __str__(self) -> str:
        return self.name


class TreeVersion(models.Model):
    """One row whose token changes with every write to the units or successions tables: the
    database's triggers (migration 0002) change it, whatever writes (a form, a loader, a bulk
    update, SQL by hand). A process holding the tree in memory (``units.tree``) knows its copy
    is current by reading this row; a missing row means "unknown", and nothing is kept."""

    token = models.CharField(_("token"), max_length=64)

    class Meta:
        verbose_name = _("unit tree version")
        verbose_name_plural = _("unit tree versions")

    def __str__(self) -> str:
        return self.token

"""The procedure catalogue: procedures, their dated versions, components and fees (§1.6, §6).

A procedure's identity is its national code; everything the law can change (name, time limit,
fees, online level, components…) lives on a ``ProcedureVersion`` valid over a date range, so a
dossier can use the version in force at its receipt and a report can count the procedures in
force at the end of a period.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.catalog.choices import OFFERED_ONLINE, LimitUnit, OnlineLevel, ProcedureLevel
from motcua.units.fields import optional_agency


def search_key(text: str) -> str:
    """Lower case without diacritics ("Đăng ký" -> "dang ky"): search works on any database."""
    folded = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


class Field(models.Model):
    """A field of state management (lĩnh vực) that procedures are grouped by: Hộ tịch, Đất đai…"""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính), identified by its national code.

    The code (e.g. ``1.001193``) is the one in the national procedure database; it never
    changes. All content is on the versions.
    """

    code = models.CharField(_("national procedure code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProcedureVersion(models.Model):
    """The content of a procedure as announced, in force from ``valid_from``.

    ``valid_to`` is the day the version stops being in force (hết hiệu lực từ): either the
    day the procedure is abolished or the first day of the next version. So a version is in
    force on day d when ``valid_from <= d < valid_to`` (``valid_to`` empty: open).
    """

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(pgettext_lazy("catalog", "version"))
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("no longer in force from"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=500)
    field = models.ForeignKey(
        Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="versions"
    )
    level = models.CharField(
        pgettext_lazy("catalog", "level"), max_length=10, choices=ProcedureLevel.choices
    )
    competent_agency = optional_agency(_("competent agency"), related_name="procedure_versions")
    # Commune-level procedures are settled by "UBND cấp xã" in every commune: no single agency.
    competent_body = models.CharField(_("competent body"), max_length=300, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit"))
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=20, choices=LimitUnit.choices
    )
    # §1.6: online submission may carry a shorter limit, counted in the same unit.
    online_time_limit = models.PositiveIntegerField(_("time limit online"), null=True, blank=True)
    is_certification = models.BooleanField(_("certification procedure"), default=False)
    online_level = models.CharField(
        _("online service level"), max_length=10, choices=OnlineLevel.choices
    )
    search_text = models.TextField(_("search text"), editable=False, default="")
    # What the portal's procedure page shows next to the form (one item a line).
    legal_basis = models.TextField(_("legal basis"), blank=True)
    steps = models.TextField(_("steps"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="catalog_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["procedure", "valid_from"], name="catalog_version_start_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="catalog_version_valid_range",
            ),
            models.CheckConstraint(condition=Q(time_limit__gt=0), name="catalog_time_limit_gt_0"),
            models.CheckConstraint(
                condition=Q(online_time_limit__isnull=True) | Q(online_time_limit__gt=0),
                name="catalog_online_time_limit_gt_0",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "valid_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived column for accent-insensitive search (SQLite folds only ASCII case).
        self.search_text = search_key(f"{self.procedure.code} {self.name}")
        super().save(*args, **kwargs)

    def is_in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def offered_online(self) -> bool:
        return self.online_level in OFFERED_ONLINE

    def time_limit_for(self, *, online: bool) -> tuple[int, str]:
        """(amount, unit) that applies to a dossier submitted online or not (§1.6)."""
        if online and self.online_time_limit is not None:
            return self.online_time_limit, self.time_limit_unit
        return self.time_limit, self.time_limit_unit


class ComponentRequirement(models.Model):
    """One document of the dossier (thành phần hồ sơ) and how many copies of each kind."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("procedure version"),
        on_delete=models.CASCADE,
        related_name="components",
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("catalog", "position"))
    name = models.CharField(_("name"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    certified_copies = models.PositiveSmallIntegerField(_("certified copies"), default=0)
    photocopies = models.PositiveSmallIntegerField(_("photocopies"), default=0)

    class Meta:
        verbose_name = _("required component")
        verbose_name_plural = _("required components")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="catalog_component_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    """Phí (a fee for a service) or lệ phí (a charge for a state act): receipts show them on
    separate lines, and the national platform's ``LoaiPhiLePhi`` tells them apart."""

    FEE = "fee", _("Fee (phí)")
    CHARGE = "charge", _("Charge (lệ phí)")


def fee_kind_of(label: str) -> FeeKind:
    """The kind a fee line's label names: "lệ phí …" is a charge, anything else a fee."""
    return FeeKind.CHARGE if "le phi" in search_key(label) else FeeKind.FEE


class FeeItem(models.Model):
    """One line of a procedure's fee schedule (phí, lệ phí), in đồng.

    No fee items means the procedure is free. ``label`` may be empty when there is one fee.
    ``kind`` left empty is read from the label when saved (:func:`fee_kind_of`).
    """

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("procedure version"),
        on_delete=models.CASCADE,
        related_name="fees",
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("catalog", "position"))
    label = models.CharField(_("label"), max_length=300, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    kind = models.CharField(
        _("fee or charge"), max_length=10, choices=FeeKind.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="catalog_fee_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label or '—'}: {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.kind:
            self.kind = fee_kind_of(self.label)
        super().save(*args, **kwargs)


class DeclarationForm(models.Model):
    """A version of a procedure's declaration form (tờ khai) as a field schema (docs/eforms.md).

    Versioned by rows: changing a form adds a row with the next ``number`` and leaves the old
    one, so a dossier's answers keep pointing at the schema they were filled with. The form a
    procedure version offers now is its row with the highest number.
    """

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("procedure version"),
        on_delete=models.PROTECT,
        related_name="declaration_forms",
    )
    code = models.CharField(_("form code"), max_length=40)
    number = models.PositiveIntegerField(_("form version"))
    title = models.CharField(_("title"), max_length=300)
    schema = models.JSONField(_("field schema"))
    legal_note = models.CharField(_("legal note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declaration form")
        verbose_name_plural = _("declaration forms")
        ordering = ["code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="catalog_form_number_unique"),
            models.CheckConstraint(condition=Q(number__gt=0), name="catalog_form_number_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.number} {self.title}"


class TemplateFile(models.Model):
    """A downloadable template of a procedure version (mẫu đơn, tờ khai) for the portal page."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("procedure version"),
        on_delete=models.CASCADE,
        related_name="template_files",
    )
    name = models.CharField(_("name"), max_length=300)
    file = models.FileField(_("file"), upload_to="catalog/templates/%Y/")

    class Meta:
        verbose_name = _("template file")
        verbose_name_plural = _("template files")
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return self.name

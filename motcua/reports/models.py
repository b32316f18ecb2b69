"""Signed period reports and their restatements.

A leader signs a unit's report for a period: its figures are stored as they were at that
moment and never change afterwards, whatever happens to the dossiers or the calendar. When a
figure has to change (a correction after signing), a restatement records the figures before
and after, the difference and the reason, and the signed row stays as it was signed. Both
tables are append-only: rows are written by ``reports.services`` and never updated.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from motcua.lib.formatting import format_date


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Signed figures are kept as signed: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("signed reports and restatements are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("signed reports and restatements are append-only")


class AppendOnlyModel(models.Model):
    """Rows are inserted once, by a service, and never saved again nor deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("signed reports and restatements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("signed reports and restatements are append-only")


class SignedReport(AppendOnlyModel):
    """A unit's period report as a leader signed it: the figures, fixed at the signing moment.

    ``figures`` is the report's snapshot (``reports.signatures.report_snapshot``: the unit,
    the period, every figure and the online-service coverage per level) and ``figures_hash``
    the SHA-256 of its canonical JSON, so an edit made to the row behind the application's
    back is detectable (``signatures.signed_report_verify``). A unit's period is signed once;
    later changes are :class:`Restatement` rows.
    """

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="signed_reports",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The Decree 09/2019 period the dates were chosen by ("quarter:2024-2"), if any (§4.2).
    period_name = models.CharField(_("named period"), max_length=20, blank=True)
    figures = models.JSONField(_("signed figures"))
    figures_hash = models.CharField(_("figures hash (SHA-256)"), max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="signed_reports",
    )
    # A copy: the signature names its signer even if the user is renamed later.
    signed_by_name = models.CharField(_("signer's name"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("signed report")
        verbose_name_plural = _("signed reports")
        ordering = ["-period_end", "unit__code"]
        constraints = [
            # One signature per unit and period: the second signer is told to restate instead
            # (and two concurrent signers cannot both win).
            models.UniqueConstraint(
                fields=["unit", "period_start", "period_end"], name="reports_signed_once"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="reports_signed_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        period = f"{format_date(self.period_start)}–{format_date(self.period_end)}"
        return f"{self.unit.name} ({self.unit.code}) {period}"


class Restatement(AppendOnlyModel):
    """A change to a signed report's figures after signing: before, after, why, who and when.

    ``previous_figures`` are the figures the report stood at (the signed ones, or the
    previous restatement's), ``figures`` the recomputed ones and ``changes`` the figures that
    differ, as ``[{"figure": "resolved", "before": 1604, "after": 1605}, ...]``. The report's
    current figures are those of its latest restatement.
    """

    signed_report = models.ForeignKey(
        SignedReport,
        verbose_name=_("signed report"),
        on_delete=models.PROTECT,
        related_name="restatements",
    )
    number = models.PositiveIntegerField(_("number"))
    previous_figures = models.JSONField(_("figures before"))
    figures = models.JSONField(_("figures after"))
    figures_hash = models.CharField(_("figures hash (SHA-256)"), max_length=64)
    changes = models.JSONField(_("changes"))
    reason = models.TextField(_("reason"))
    restated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("restated by"),
        on_delete=models.PROTECT,
        related_name="restatements",
    )
    restated_by_name = models.CharField(_("name of the person restating"), max_length=200)
    restated_at = models.DateTimeField(_("restated at"))

    class Meta:
        verbose_name = _("restatement")
        verbose_name_plural = _("restatements")
        ordering = ["signed_report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["signed_report", "number"], name="reports_restatement_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="reports_restatement_number_positive"
            ),
            # A restatement without a reason explains nothing: refused by the database too.
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="reports_restatement_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signed_report} #{self.number}"

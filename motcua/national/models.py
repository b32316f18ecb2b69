"""What motcua sent to the national portal and what it acknowledged (integrations-vn.md §1.2,
§1.4: "idempotent, replayable, observable" sync)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.national.choices import Outcome


class NationalRecord(models.Model):
    """One dossier's synchronisation with the national portal.

    The dossier's own event chain is the queue: the feed consumer raises ``wanted_seq`` to the
    newest event number it saw; the sender sends the events after ``acked_seq`` in order, one
    at a time, and raises ``acked_seq`` only when the portal acknowledged. A failure leaves the
    later events of this dossier waiting (``next_attempt_at``) while other dossiers proceed, so
    the portal never shows a later status before an earlier one. ``uncertain`` says the last
    attempt's outcome is unknown (time-out, 5xx, broken reply): the next attempt looks the
    dossier up first (TraCuuHoSo) so a step that did arrive is not sent twice.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="national_record",
    )
    # The code exactly as issued and sent (MaHoSo), and the national unit code (madonvi).
    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    unit_code = models.CharField(_("national unit code"), max_length=40, blank=True)
    created = models.BooleanField(_("known to the portal"), default=False)
    wanted_seq = models.PositiveIntegerField(_("newest event to send"), default=0)
    acked_seq = models.PositiveIntegerField(_("newest event acknowledged"), default=0)
    acked_event_id = models.BigIntegerField(_("event acknowledged (id)"), default=0)
    pending = models.BooleanField(_("events waiting"), default=False)
    last_status = models.PositiveSmallIntegerField(
        _("last national status acknowledged"), null=True, blank=True
    )
    mapping_version = models.CharField(_("mapping version"), max_length=40, blank=True)
    payload_hash = models.CharField(
        _("hash of the last dossier payload"), max_length=64, blank=True
    )
    attempts = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    uncertain = models.BooleanField(_("last outcome unknown"), default=False)
    last_outcome = models.CharField(
        _("last outcome"), max_length=20, choices=Outcome.choices, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    acked_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("national portal record")
        verbose_name_plural = _("national portal records")
        ordering = ["code"]
        indexes = [models.Index(fields=["pending", "next_attempt_at"], name="national_due")]

    def __str__(self) -> str:
        return f"{self.code} {self.acked_seq}/{self.wanted_seq}"


class Reconciliation(models.Model):
    """One reconciliation run: every difference between motcua, what was acknowledged and what
    the portal reports (TraCuuHoSo), by dossier code. The daily job runs once a local day."""

    day = models.DateField(_("day reconciled"), null=True, blank=True)
    daily = models.BooleanField(_("the daily run"), default=False)
    ran_at = models.DateTimeField(_("ran at"))
    checked = models.PositiveIntegerField(_("dossiers checked"), default=0)
    # [{"code": ..., "kind": Difference, "detail": ...}], in code order.
    differences = models.JSONField(_("differences"), default=list, blank=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-ran_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(daily=True),
                name="national_reconciliation_daily_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ran_at:%d/%m/%Y %H:%M} {len(self.differences)}"

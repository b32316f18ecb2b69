"""Digitisations of component scans (Circular 01/2023/TT-VPCP; docs/digitise.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.digitise.choices import Reason, Status, Step, SuggestionKind

# The text layer kept for search and display; the signed PDF holds all of it.
TEXT_LIMIT = 20_000


class Digitisation(models.Model):
    """One component scan (``DossierFile`` of kind COMPONENT) made a signed, searchable PDF/A.

    Written by the worker (``services.digitisation_run``), which claims a queued row so two
    workers never run the same one. What was measured (pages, lowest dpi, colour, text) is kept
    so the clerk sees why a scan was rejected; the output is stored like an upload (written
    under a pending name, read back only when its SHA-256 matches). A component counts as
    digitised only when every one of its files has a done and confirmed digitisation.
    """

    file = models.OneToOneField(
        "dossiers.DossierFile",
        verbose_name=_("file"),
        on_delete=models.PROTECT,
        related_name="digitisation",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.WAITING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    lowest_dpi = models.PositiveIntegerField(_("lowest resolution (dpi)"), null=True, blank=True)
    colour = models.BooleanField(_("colour"), null=True, blank=True)
    text_found = models.BooleanField(_("text found"), null=True, blank=True)
    pdfa = models.CharField(_("PDF/A conformance"), max_length=4, blank=True)

    reason_code = models.CharField(
        _("reason code"), max_length=16, choices=Reason.choices, blank=True
    )
    # In Vietnamese whatever the worker's language: it is what the clerk reads.
    reason = models.TextField(_("reason"), blank=True)

    output = models.FileField(_("signed PDF/A"), upload_to="digitised/%Y/%m/", blank=True)
    output_sha256 = models.CharField(_("SHA-256 of the output"), max_length=64, blank=True)
    output_size = models.PositiveIntegerField(_("output size in bytes"), null=True, blank=True)
    text = models.TextField(_("text layer (start)"), blank=True)
    text_truncated = models.BooleanField(_("text layer cut"), default=False)

    signed_by = models.CharField(_("signed by"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_values = models.JSONField(_("confirmed values"), default=dict, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digitisation")
        verbose_name_plural = _("digitisations")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.file_id} {self.status}"

    @property
    def counts(self) -> bool:
        """Whether this file counts towards its component being digitised."""
        return self.status == Status.DONE and self.confirmed_at is not None


class Suggestion(models.Model):
    """A value OCR found in the text layer, for the clerk to confirm; ``valid`` says whether
    it passed its pattern (ID number: ``core.identity``; dossier code: the code's shape)."""

    digitisation = models.ForeignKey(
        Digitisation,
        verbose_name=_("digitisation"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SuggestionKind.choices)
    value = models.CharField(_("value"), max_length=300)
    valid = models.BooleanField(_("valid"))

    class Meta:
        verbose_name = _("OCR suggestion")
        verbose_name_plural = _("OCR suggestions")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"

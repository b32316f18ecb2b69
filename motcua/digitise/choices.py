"""The enumerations of the digitise app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Where a digitisation stands. ``rejected``: the file itself is refused (broken,
    encrypted, active content, below the Circular 01/2023 rules: rescan it); ``failed``: the
    system could not finish (no signer, OCR error: queue it again once fixed)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


# Statuses from which the clerk may queue the file again.
REQUEUEABLE = (Status.REJECTED, Status.FAILED)


class Step(models.TextChoices):
    """The step shown to the clerk while the worker runs."""

    WAITING = "waiting", _("Waiting for the worker")
    CHECKING = "checking", _("Checking the file")
    CONVERTING = "converting", _("Converting the images to PDF")
    RECOGNISING = "recognising", _("Recognising the text (OCR)")
    SIGNING = "signing", _("Signing")
    FINISHED = "finished", _("Finished")


class Reason(models.TextChoices):
    """Why a digitisation was rejected or failed (the clerk reads the ``reason`` text)."""

    UNREADABLE = "unreadable", _("The stored file cannot be read")
    BROKEN = "broken", _("Broken file")
    ENCRYPTED = "encrypted", _("Encrypted PDF")
    ACTIVE_CONTENT = "active_content", _("PDF with JavaScript")
    EMBEDDED_FILES = "embedded_files", _("PDF with embedded files")
    TOO_MANY_PAGES = "too_many_pages", _("Too many pages")
    TOO_SMALL = "too_small", _("Image too small")
    TOO_LARGE = "too_large", _("Image too large")
    LOW_DPI = "low_dpi", _("Resolution below the rule")
    NOT_COLOUR = "not_colour", _("Not a colour scan")
    NO_SIGNER = "no_signer", _("No digitiser's signature configured")
    OCR_FAILED = "ocr_failed", _("Text recognition failed")
    SIGNING_FAILED = "signing_failed", _("Signing failed")


class SuggestionKind(models.TextChoices):
    """What an OCR suggestion is."""

    ID_NUMBER = "id_number", _("Personal ID number")
    NAME = "name", _("Full name")
    DATE = "date", _("Date")
    DOCUMENT_NUMBER = "document_number", _("Document number")
    DOSSIER_CODE = "dossier_code", _("Dossier code")

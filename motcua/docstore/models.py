"""A person's electronic document store (Circular 01/2023 "kho dữ liệu điện tử").

Documents are kept per person, keyed by the 12-digit personal ID number, so that a component
digitised once is reused in the person's later dossiers instead of being scanned again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.docstore.choices import ViewReason


class StoredDocument(models.Model):
    """One paper of one person, digitised: its name ("Giấy khai sinh"), issuer, number and
    validity, the dossier and component it came from, and its own copy of the file.

    The file is stored in the default storage under a generated name and read back only
    through ``lib.uploads.open_checked`` (its ``sha256``). The same bytes added twice for the
    same person are one document (unique ``id_number`` + ``sha256``). ``name_key`` is the name
    in NFC, case-folded: what a dossier's component names are matched against.
    """

    id_number = models.CharField(_("personal ID number"), max_length=12)
    name = models.CharField(_("name"), max_length=500)
    name_key = models.CharField(_("name for matching"), max_length=500, editable=False)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source_dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("source dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_component = models.ForeignKey(
        "dossiers.DossierComponent",
        verbose_name=_("source component"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="docstore/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number", "sha256"], name="docstore_document_once_per_person"
            ),
        ]
        indexes = [
            # The person's list (newest first, keyset pages) and the reuse panel's matching.
            models.Index(fields=["id_number", "-added_at", "-id"], name="docstore_person_list"),
            models.Index(fields=["id_number", "name_key"], name="docstore_person_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number})"


class DocumentReuse(models.Model):
    """A stored document reused for a component of a dossier: counted by Decision 766 and
    sent with the national sync. Once per document and component."""

    document = models.ForeignKey(
        StoredDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="reuses",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="+"
    )
    component = models.ForeignKey(
        "dossiers.DossierComponent",
        verbose_name=_("component"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The copy attached to the dossier: the dossier's files stay complete on their own.
    dossier_file = models.ForeignKey(
        "dossiers.DossierFile",
        verbose_name=_("dossier file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reused by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("reused by (name)"), max_length=200)
    at = models.DateTimeField(_("reused at"))

    class Meta:
        verbose_name = _("document reuse")
        verbose_name_plural = _("document reuses")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "component"], name="docstore_reuse_once_per_component"
            ),
        ]
        indexes = [models.Index(fields=["dossier", "at"], name="docstore_reuse_dossier")]

    def __str__(self) -> str:
        return f"{self.document} → {self.component}"


class DocumentView(models.Model):
    """Someone was shown a stored document (its details, or its file): who, when, why, and
    in which dossier's context. Only ever inserted."""

    document = models.ForeignKey(
        StoredDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="views",
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A copy, so the row still says who it was if the account is renamed.
    viewer_name = models.CharField(_("viewer (name)"), max_length=200)
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=20, choices=ViewReason.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document view")
        verbose_name_plural = _("document views")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["document", "at"], name="docstore_view_document")]

    def __str__(self) -> str:
        return f"{self.viewer_name} {self.get_reason_display()} {self.document_id}"

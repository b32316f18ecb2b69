"""The register of certified copies (sổ chứng thực) and its per-type, per-year counter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.certification.choices import DocumentType


class CertificationCounter(models.Model):
    """The last number given in a unit's register for one document type and year.

    Its row is locked (``select_for_update``) while a copy is certified, and its number moves
    in the same transaction as the entry is created: a failed certification rolls both back,
    so the numbers have no gap and no repeat (Circular 01/2020/TT-BTP Art. 4).
    """

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_type = models.CharField(
        _("document type"), max_length=30, choices=DocumentType.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("certification counter")
        verbose_name_plural = _("certification counters")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "document_type", "year"], name="certification_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.document_type} {self.year}: {self.last_number}"


class CertifiedCopy(models.Model):
    """One entry of a unit's register: an electronic copy certified true to its original.

    The stored PDF is the original's scan followed by the certification page (the statutory
    wording, the number, the date, the official, a QR code of the public check), signed with
    the certifying official's PAdES signature; ``sha256`` is that signed file's hash, checked
    on every read. ``token`` is the unguessable part of the public check's address. A revoked
    copy stays in the register with who revoked it, when and why.
    """

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="certified_copies",
    )
    document_type = models.CharField(
        _("document type"), max_length=30, choices=DocumentType.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    # As printed on the copy: the format setting may change later, the paper does not.
    number_text = models.CharField(_("certification number"), max_length=80)

    requester_name = models.CharField(_("requester"), max_length=200)
    requester_id_number = models.CharField(_("requester's ID number"), max_length=12)
    original_name = models.CharField(_("name of the original paper"), max_length=300)
    original_number = models.CharField(_("number of the original"), max_length=100, blank=True)
    original_issuer = models.CharField(_("issued by"), max_length=300)
    original_issued_on = models.DateField(_("date of issue"))
    pages = models.PositiveSmallIntegerField(_("pages of the copy"))

    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certifying official"),
        on_delete=models.PROTECT,
        related_name="certified_copies",
    )
    # The official's name as printed on the certification page.
    certified_by_name = models.CharField(_("official's name"), max_length=200)
    signer_name = models.CharField(_("signer (certificate)"), max_length=300)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certified_copies",
    )

    file = models.FileField(_("certified copy"), upload_to="certification/%Y/%m/")
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    token = models.CharField(_("verification token"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"))

    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("certified copy")
        verbose_name_plural = _("certified copies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "document_type", "year", "number"],
                name="certified_copy_number_unique",
            ),
            # Revoked means all three: when, by whom, why.
            models.CheckConstraint(
                condition=(
                    Q(revoked_at__isnull=True, revoked_by__isnull=True, revocation_reason="")
                    | (
                        Q(revoked_at__isnull=False, revoked_by__isnull=False)
                        & ~Q(revocation_reason="")
                    )
                ),
                name="certified_copy_revocation_complete",
            ),
        ]
        indexes = [
            # The register's keyset pages (motcua.lib.paging): newest entry first.
            models.Index(fields=["unit", "id"], name="certified_copy_unit_id"),
        ]

    def __str__(self) -> str:
        return self.number_text

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

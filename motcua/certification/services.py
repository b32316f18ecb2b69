"""Certifying a copy and revoking it: the only writes of the register.

``copy_certify`` numbers, builds, signs and stores in one transaction with the counter row
locked: two clerks certifying at once get consecutive numbers, and a certification that fails
anywhere (a bad scan, a missing signer, a database error) rolls the number back with the rest,
so the register has no gap (Circular 01/2020/TT-BTP Art. 4). The scan is checked before the
lock is taken, so a bad scan never holds up the others.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid
from datetime import date, datetime
from io import BytesIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.accounts.models import User
from motcua.certification import copypdf
from motcua.certification.access import user_may_certify
from motcua.certification.choices import TYPE_CODES, TYPE_NAMES_VI, DocumentType
from motcua.certification.errors import (
    AlreadyRevoked,
    CertificationError,
    CopyNotFound,
    InvalidInput,
    NotPermitted,
)
from motcua.certification.models import CertificationCounter, CertifiedCopy
from motcua.core.clock import LOCAL_TZ
from motcua.core.identity import InvalidValue, check_personal_id
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_e_certified_set
from motcua.lib import uploads
from motcua.lib.formatting import nfc
from motcua.lib.site import site_url
from motcua.signatures.errors import SignatureError
from motcua.signatures.services import sign_pdf
from motcua.signatures.signers import configured_signer
from motcua.units.models import AdministrativeUnit

# The longest text accepted per field: the model's columns.
LIMITS = {
    "requester_name": 200,
    "original_name": 300,
    "original_number": 100,
    "original_issuer": 300,
    "reason": 2000,
}
# How a message names each field to a person (the form's labels).
LABELS = {
    "requester_name": gettext_lazy("Requester's full name"),
    "original_name": gettext_lazy("Name of the original paper"),
    "original_number": gettext_lazy("Number of the original"),
    "original_issuer": gettext_lazy("Issued by"),
    "reason": gettext_lazy("Reason for revocation"),
}
# What the certification's signature says it is for (the stamp's "Lý do" line).
SIGN_REASON = "Chứng thực bản sao đúng với bản chính"


def _text(value: str | None, field: str, *, required: bool = True) -> str:
    """``value`` trimmed and in NFC, or :class:`InvalidInput` naming ``field``."""
    text = nfc(" ".join((value or "").split()))
    label = LABELS[field]
    if required and not text:
        raise InvalidInput(_("%(field)s: this field is required") % {"field": label}, field=field)
    if len(text) > LIMITS[field]:
        raise InvalidInput(
            _("%(field)s: at most %(limit)s characters") % {"field": label, "limit": LIMITS[field]},
            field=field,
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise InvalidInput(
            _("%(field)s: contains control or invisible characters") % {"field": label},
            field=field,
        )
    return text


def _id_number(value: str) -> str:
    number = (value or "").strip()
    try:
        check_personal_id(number)
    except InvalidValue:
        raise InvalidInput(
            _("requester_id_number: '%(value)s' is not a 12-digit personal ID number")
            % {"value": number[:20]},
            field="requester_id_number",
        ) from None
    return number


def _next_number(
    unit: AdministrativeUnit, document_type: DocumentType, year: int
) -> tuple[CertificationCounter, int]:
    """The counter row, locked until the transaction ends, and the number it gives next."""
    counters = CertificationCounter.objects.select_for_update()
    key = {"unit": unit, "document_type": document_type, "year": year}
    counter = counters.filter(**key).first()
    if counter is None:
        try:
            # A savepoint: a parallel first certification of the year may create it first.
            with transaction.atomic():
                CertificationCounter.objects.create(**key)
        except IntegrityError:
            pass
        counter = counters.get(**key)
    return counter, counter.last_number + 1


def number_text(number: int, year: int, document_type: DocumentType) -> str:
    """The number as printed (``MOTCUA_CERTIFICATION_NUMBER_FORMAT``)."""
    return str(settings.MOTCUA_CERTIFICATION_NUMBER_FORMAT).format(
        number=number, year=year, code=TYPE_CODES[document_type]
    )


def verify_url(token: str) -> str:
    """The public check's address (the QR code on the copy)."""
    return site_url(reverse("verify:copy", kwargs={"token": token}))


def _signer_common_name(signed: bytes) -> str:
    reader = PdfFileReader(BytesIO(signed), strict=False)
    certificate = reader.embedded_regular_signatures[-1].signer_cert
    subject = certificate.subject.native
    return nfc(str(subject.get("common_name") or certificate.subject.human_friendly))[:300]


def copy_certify(
    *,
    unit_id: int,
    document_type: DocumentType | str,
    source: bytes,
    requester_name: str,
    requester_id_number: str,
    original_name: str,
    original_number: str,
    original_issuer: str,
    original_issued_on: date,
    actor: User,
    dossier_id: int | None = None,
    signer_name: str | None = None,
    at: datetime | None = None,
) -> CertifiedCopy:
    """Certify ``source`` (a PDF, JPEG or PNG scan of the original) as a true copy in the
    register of ``unit_id``: the next number of its document type and year, the certification
    page with a QR code of the public check, the official's signature (signer ``signer_name``,
    default ``MOTCUA_CERTIFICATION_SIGNER``), the stored file and the entry, all or nothing.

    When the copy is issued in a dossier of a certification procedure, the dossier counts as
    certified electronically (its figure moves with it). Raises :class:`InvalidInput` naming
    the field, :class:`NotPermitted`, or :class:`CertificationError` (field ``signer``) when
    the file cannot be signed; then nothing is written and no number is used.
    """
    moment = at or timezone.now()
    today = moment.astimezone(LOCAL_TZ).date()
    try:
        kind = DocumentType(document_type)
    except ValueError:
        raise InvalidInput(
            _("document_type: not a known document type"), field="document_type"
        ) from None
    unit = AdministrativeUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise InvalidInput(_("unit: no such unit"), field="unit")
    if not user_may_certify(actor, unit):
        raise NotPermitted(
            _("unit: you may not certify copies for %(unit)s") % {"unit": unit.name},
            field="unit",
        )
    fields = {
        "requester_name": _text(requester_name, "requester_name"),
        "requester_id_number": _id_number(requester_id_number),
        "original_name": _text(original_name, "original_name"),
        "original_number": _text(original_number, "original_number", required=False),
        "original_issuer": _text(original_issuer, "original_issuer"),
    }
    if not isinstance(original_issued_on, date):
        raise InvalidInput(
            _("original_issued_on: a date (dd/mm/yyyy) is required"), field="original_issued_on"
        )
    if original_issued_on > today:
        raise InvalidInput(
            _("original_issued_on: the date of issue is in the future"),
            field="original_issued_on",
        )
    dossier = None
    if dossier_id is not None:
        dossier = Dossier.objects.select_related("procedure_version").filter(pk=dossier_id).first()
        if dossier is None:
            raise InvalidInput(_("dossier: no such dossier"), field="dossier")
    scan = copypdf.scan_read(source)
    try:
        signer = configured_signer(signer_name or settings.MOTCUA_CERTIFICATION_SIGNER)
    except SignatureError as error:
        raise CertificationError(error.message, field="signer") from None

    with transaction.atomic():
        counter, number = _next_number(unit, kind, today.year)
        token = secrets.token_urlsafe(24)
        printed = number_text(number, today.year, kind)
        official = nfc(actor.full_name or actor.username)[:200]
        page = copypdf.certification_page(
            copypdf.CertificationText(
                unit_name=unit.name,
                number_text=printed,
                type_name=TYPE_NAMES_VI[kind],
                original_name=fields["original_name"],
                original_number=fields["original_number"],
                original_issuer=fields["original_issuer"],
                original_issued_on=original_issued_on,
                requester_name=fields["requester_name"],
                day=today,
                official_title=str(settings.MOTCUA_CERTIFICATION_OFFICIAL_TITLE),
                official_name=official,
                verify_url=verify_url(token),
                pages=scan.pages,
            )
        )
        try:
            signed = sign_pdf(source=copypdf.compose(scan, page), signer=signer, reason=SIGN_REASON)
        except SignatureError as error:
            raise CertificationError(error.message, field="signer") from None
        entry = CertifiedCopy(
            unit=unit,
            document_type=kind,
            year=today.year,
            number=number,
            number_text=printed,
            original_issued_on=original_issued_on,
            pages=scan.pages,
            certified_by=actor,
            certified_by_name=official,
            signer_name=_signer_common_name(signed),
            dossier=dossier,
            size=len(signed),
            sha256=hashlib.sha256(signed).hexdigest(),
            token=token,
            issued_at=moment,
            **fields,
        )
        # Written under a pending name, moved into place when the transaction commits: a
        # rollback leaves no file without its entry (lib.uploads).
        uploads.save_on_commit(entry.file, f"{uuid.uuid4().hex}.pdf", signed)
        entry.save()
        counter.last_number = number
        counter.save(update_fields=["last_number"])
        if dossier is not None and dossier.procedure_version.is_certification:
            dossier_e_certified_set(dossier_id=dossier.pk, e_certified=True)
    return entry


def copy_revoke(
    *, copy_id: int, actor: User, reason: str, at: datetime | None = None
) -> CertifiedCopy:
    """Revoke the copy ``copy_id``: it stays in the register, marked revoked (when, by whom,
    why), and the public check says so. ``reason`` is required. A copy revoked already raises
    :class:`AlreadyRevoked` (of two revocations at once exactly one wins). When it was the
    last valid copy of its dossier, the dossier no longer counts as certified electronically.
    """
    text = _text(reason, "reason")
    with transaction.atomic():
        entry = CertifiedCopy.objects.select_for_update().filter(pk=copy_id).first()
        if entry is None:
            raise CopyNotFound(_("no such certified copy"), field="copy")
        if not user_may_certify(actor, entry.unit_id):
            raise NotPermitted(_("you may not revoke copies of this unit's register"), field="copy")
        if entry.revoked_at is not None:
            raise AlreadyRevoked(
                _("this copy was already revoked on %(day)s")
                % {"day": entry.revoked_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")},
                field="copy",
            )
        entry.revoked_at = at or timezone.now()
        entry.revoked_by = actor
        entry.revocation_reason = text
        entry.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        if entry.dossier_id is not None:
            still_valid = CertifiedCopy.objects.filter(
                dossier_id=entry.dossier_id, revoked_at__isnull=True
            ).exists()
            dossier = Dossier.objects.select_related("procedure_version").get(pk=entry.dossier_id)
            if not still_valid and dossier.procedure_version.is_certification:
                dossier_e_certified_set(dossier_id=dossier.pk, e_certified=False)
    return entry

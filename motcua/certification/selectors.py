"""Reads of the register: a unit's pages, an entry by its public token, and the public check
of a presented file or hash against the signed copy."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from motcua.certification.choices import DocumentType, Outcome
from motcua.certification.errors import InvalidInput
from motcua.certification.models import CertifiedCopy
from motcua.lib import uploads
from motcua.lib.paging import Cursor, Ordering, Page, keyset_page
from motcua.signatures.errors import SignatureError
from motcua.signatures.selectors import verify_pdf

# Newest entry first; the id is unique, so no two rows tie.
REGISTER_ORDER = Ordering.of("-id")
REGISTER_PAGE_SIZE = 50
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
SHA256 = re.compile(r"[0-9a-f]{64}")


def register_page(
    *,
    unit_id: int,
    cursor: Cursor | None,
    document_type: DocumentType | None = None,
    year: int | None = None,
    size: int = REGISTER_PAGE_SIZE,
) -> Page[CertifiedCopy]:
    """One page of ``unit_id``'s register, newest first, optionally of one type and year."""
    rows = CertifiedCopy.objects.filter(unit_id=unit_id).select_related("certified_by")
    if document_type is not None:
        rows = rows.filter(document_type=document_type)
    if year is not None:
        rows = rows.filter(year=year)
    return keyset_page(rows, REGISTER_ORDER, cursor, size)


def copy_by_token(token: str) -> CertifiedCopy | None:
    """The entry whose public token is ``token`` (None for anything else)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    return CertifiedCopy.objects.select_related("unit").filter(token=token).first()


def mask_id_number(number: str) -> str:
    """'********1234': the public page shows only the last four digits."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


@dataclass(frozen=True)
class Check:
    """What the public check found: the outcome and the reasons behind it."""

    outcome: Outcome
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def matches(self) -> bool:
        return self.outcome == Outcome.MATCH


def _same(found: str, expected: str) -> bool:
    return hmac.compare_digest(found.encode(), expected.encode())


def verification_check(copy: CertifiedCopy, data: bytes) -> Check:
    """Whether ``data`` is byte for byte the signed copy (SHA-256, compared in constant
    time), and for a PDF whether its signatures are intact and trusted (``verify_pdf``)."""
    identical = _same(hashlib.sha256(data).hexdigest(), copy.sha256)
    report = None
    unreadable = ""
    if uploads.sniff(data) == "application/pdf":
        try:
            report = verify_pdf(data)
        except SignatureError as error:
            unreadable = error.message
    if identical:
        if report is not None and report.ok:
            return Check(Outcome.MATCH)
        problems = [p.label for p in report.problems] if report is not None else [unreadable]
        return Check(Outcome.SIGNATURE_PROBLEM, tuple(problems))
    reasons = [_("its content differs from the signed copy (the SHA-256 hashes differ)")]
    if report is not None:
        if report.ok:
            reasons.append(_("it is a signed PDF, but not the copy registered under this number"))
        else:
            reasons.extend(p.label for p in report.problems)
    elif unreadable:
        reasons.append(unreadable)
    else:
        reasons.append(_("it is not a PDF file"))
    return Check(Outcome.MISMATCH, tuple(reasons))


def hash_normalise(text: str) -> str:
    """A pasted SHA-256 (64 hexadecimal digits, spaces and colons ignored) in lower case, or
    :class:`InvalidInput` naming ``sha256``."""
    compact = re.sub(r"[\s:]", "", text or "").lower()
    if not SHA256.fullmatch(compact):
        raise InvalidInput(
            _("sha256: a SHA-256 hash is 64 hexadecimal digits (0-9, a-f)"), field="sha256"
        )
    return compact


def verification_hash_check(copy: CertifiedCopy, text: str) -> Check:
    """Whether the pasted SHA-256 ``text`` is the signed copy's (constant-time compare)."""
    if _same(hash_normalise(text), copy.sha256):
        return Check(Outcome.MATCH)
    return Check(
        Outcome.MISMATCH,
        (_("this hash is not the SHA-256 of the signed copy: the file differs"),),
    )

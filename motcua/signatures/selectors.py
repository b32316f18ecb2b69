"""Verifying the signatures in a PDF (a read: nothing is written, nothing is fetched).

Each signature is checked by pyHanko for integrity (the signed bytes still hash to the signed
digest), cryptographic validity, trust (the certificate chains to one of the configured roots)
and what later revisions changed. Revocation is checked only against data embedded in the file:
there is no network access, so a verification never hangs on an OCSP responder. An RFC 3161
signature timestamp, when the signature has one, is checked the same way (intact, valid,
chaining to the same roots) and its time reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.signatures.choices import Problem
from motcua.signatures.pdfinput import read_pdf, trust_root_certificates

# Later revisions that only add signatures, validation data or fill form fields leave the
# signed document as it was (PAdES: a second signer signs an empty field).
ACCEPTABLE_CHANGES = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)


@dataclass(frozen=True)
class SignatureCheck:
    """One signature's result: who, when (as the signer claims), and what is wrong."""

    field_name: str
    signer: str
    signed_at: datetime | None
    problems: tuple[Problem, ...]
    # The RFC 3161 signature timestamp's time, if the signature carries one, and whether
    # that timestamp is intact, valid and trusted.
    timestamp: datetime | None = None
    timestamp_ok: bool | None = None

    @property
    def ok(self) -> bool:
        """Intact, valid and trusted, with no disallowed change after it."""
        return not self.problems


@dataclass(frozen=True)
class VerificationReport:
    """Every signature of a file; ``ok`` only if there is one and all are good."""

    signatures: tuple[SignatureCheck, ...] = field(default_factory=tuple)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The file's problems: NO_SIGNATURE, or each signature's, without repeats."""
        if not self.signatures:
            return (Problem.NO_SIGNATURE,)
        seen: dict[Problem, None] = {}
        for check in self.signatures:
            seen.update(dict.fromkeys(check.problems))
        return tuple(seen)

    @property
    def ok(self) -> bool:
        """True only when the file has signatures and every one verifies."""
        return not self.problems


def _common_name(certificate: object) -> str:
    subject = getattr(certificate, "subject", None)
    if subject is None:
        return "?"
    return str(subject.native.get("common_name") or subject.human_friendly)


def verify_pdf(
    data: bytes, *, trust_roots: Sequence[str | Path] | None = None
) -> VerificationReport:
    """Check every signature in ``data`` against ``trust_roots`` (default from settings).

    Raises ``SignatureError`` (field ``"source"``) when ``data`` is not a readable PDF, or
    (field ``"trust_roots"``) when a root cannot be read.
    """
    reader = read_pdf(data, field="source")
    roots = trust_root_certificates(
        settings.MOTCUA_SIGNING_TRUST_ROOTS if trust_roots is None else trust_roots
    )
    checks = []
    for embedded in reader.embedded_regular_signatures:
        signer = "?"
        signed_at = None
        timestamp = None
        timestamp_ok = None
        problems: list[Problem] = []
        try:
            signer = _common_name(embedded.signer_cert)
            signed_at = embedded.self_reported_timestamp
            context = ValidationContext(
                trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
            )
            status = validate_pdf_signature(embedded, context)
        except Exception:  # noqa: BLE001 - a damaged signature is a finding, not a crash
            problems.append(Problem.UNREADABLE)
        else:
            # Altered signed bytes say all there is to say: pyHanko evaluates no trust then.
            if not status.intact:
                problems.append(Problem.MODIFIED)
            else:
                if not status.valid:
                    problems.append(Problem.INVALID)
                if status.docmdp_ok is False or status.modification_level not in (
                    None,
                    *ACCEPTABLE_CHANGES,
                ):
                    problems.append(Problem.CHANGED_AFTER_SIGNING)
                if not status.trusted:
                    problems.append(Problem.UNTRUSTED)
                stamp = status.timestamp_validity
                if stamp is not None:
                    timestamp = stamp.timestamp
                    timestamp_ok = bool(stamp.intact and stamp.valid and stamp.trusted)
                    if not timestamp_ok:
                        problems.append(Problem.TIMESTAMP_INVALID)
        checks.append(
            SignatureCheck(
                field_name=embedded.field_name,
                signer=signer,
                signed_at=signed_at,
                problems=tuple(problems),
                timestamp=timestamp,
                timestamp_ok=timestamp_ok,
            )
        )
    return VerificationReport(signatures=tuple(checks))

"""Certifying for real: the signed copy verifies, the numbers have no gap, failures use none."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from motcua.certification.choices import DocumentType
from motcua.certification.errors import CertificationError, InvalidInput
from motcua.certification.models import CertificationCounter, CertifiedCopy
from motcua.certification.tests.conftest import pdf_scan, png_scan
from motcua.lib.uploads import open_checked
from motcua.signatures.selectors import verify_pdf


def stored_bytes(entry: CertifiedCopy) -> bytes:
    with open_checked(entry.file, entry.sha256) as stream:
        return stream.read()


def test_certified_copy_is_signed_intact_and_trusted(certify):
    entry = certify()
    data = stored_bytes(entry)
    report = verify_pdf(data)
    assert report.ok, report.problems
    assert report.signatures[0].signer == "Lãnh đạo (THỬ NGHIỆM)"
    assert entry.signer_name == "Lãnh đạo (THỬ NGHIỆM)"
    text = PdfReader(__import__("io").BytesIO(data)).pages[-1].extract_text()
    assert "Chứng thực bản sao đúng với bản chính" in text
    assert entry.number_text in text
    assert f"/xac-minh/{entry.token}/" in text
    assert entry.number_text.startswith("1/")
    assert entry.pages == 1


def test_numbers_run_per_type_and_year_and_restart_next_year(certify):
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    births = [certify(at=at) for _ in range(3)]
    assert [e.number for e in births] == [1, 2, 3]
    assert births[2].number_text == "3/2026/SCT/BS-KS"
    diploma = certify(at=at, document_type=DocumentType.DIPLOMA, source=pdf_scan(3))
    assert (diploma.number, diploma.number_text, diploma.pages) == (1, "1/2026/SCT/BS-VB", 3)
    next_year = certify(at=datetime(2027, 1, 4, 2, 0, tzinfo=UTC))
    assert (next_year.year, next_year.number) == (2027, 1)


def test_a_failed_certification_uses_no_number(certify, settings):
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert certify(at=at).number == 1
    with pytest.raises(InvalidInput) as broken:
        certify(at=at, source=b"%PDF-1.7\nthis is not a pdf\n%%EOF")
    assert broken.value.field == "scan"
    with pytest.raises(CertificationError) as missing:
        certify(at=at, signer_name="nobody")
    assert missing.value.field == "signer"
    # A signer that exists but cannot open its key fails inside the locked transaction.
    settings.MOTCUA_SIGNERS = {
        **settings.MOTCUA_SIGNERS,
        "broken": {"backend": "pkcs12", "path": "/nonexistent.p12", "passphrase_env": "X"},
    }
    with pytest.raises(CertificationError):
        certify(at=at, signer_name="broken")
    assert certify(at=at).number == 2
    assert CertifiedCopy.objects.count() == 2
    assert CertificationCounter.objects.get().last_number == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requester_id_number": "12345"}, "requester_id_number"),
        ({"requester_name": "   "}, "requester_name"),
        ({"original_issued_on": date(2999, 1, 1)}, "original_issued_on"),
        ({"original_name": "x" * 301}, "original_name"),
        ({"source": b"GIF89a not accepted"}, "scan"),
        ({"document_type": "passport"}, "document_type"),
    ],
)
def test_bad_input_is_refused_naming_the_field(certify, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        certify(**overrides)
    assert refused.value.field == field
    assert not CertifiedCopy.objects.exists()


def encrypted_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf_scan(1)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (encrypted_pdf, "mã hoá"),
        (lambda: png_scan(1, 1), "quá nhỏ"),
    ],
)
def test_unusable_scans_are_refused_with_the_reason(certify, make, words):
    with pytest.raises(InvalidInput) as refused:
        certify(source=make())
    assert refused.value.field == "scan"
    assert words in refused.value.message
    assert not CertificationCounter.objects.filter(last_number__gt=0).exists()

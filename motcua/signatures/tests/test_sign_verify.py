"""Signing and verifying for real: PKCS#12, a SoftHSM2 token, tampering, an unknown CA."""

from __future__ import annotations

import json
import re
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from motcua.signatures.choices import Problem
from motcua.signatures.selectors import verify_pdf
from motcua.signatures.services import StampPlace, sign_pdf
from motcua.signatures.signers import build_signer, configured_signer
from motcua.signatures.tests.conftest import PIN

STAMP = re.compile(r"Ký bởi: Lãnh đạo \(THỬ NGHIỆM\) — \d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def sign(*args, **options):
    out = StringIO()
    call_command("documents", "sign", *map(str, args), stdout=out, **options)
    return out.getvalue()


def verify(path):
    """(exit status, report) of ``motcua documents verify``."""
    out = StringIO()
    try:
        call_command("documents", "verify", str(path), stdout=out)
    except SystemExit as stop:
        return stop.code, out.getvalue()
    return 0, out.getvalue()


def stamp_text(path):
    """The text drawn in the signature widgets' appearances (pypdf reads them as pages)."""
    reader = PdfReader(path)
    texts = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/FT") != "/Sig":
                continue
            appearance = widget["/AP"]["/N"].get_object()
            # A form XObject is laid out like a page: wrap it in one so pypdf extracts it.
            from pypdf import PageObject
            from pypdf.generic import NameObject

            carrier = PageObject.create_blank_page(width=600, height=100)
            carrier[NameObject("/Resources")] = appearance["/Resources"]
            carrier.replace_contents(appearance)
            texts.append(carrier.extract_text())
    return "\n".join(texts)


def test_sign_with_pkcs12_then_verify(signing_settings, unsigned_pdf, tmp_path):
    signed = tmp_path / "signed.pdf"
    assert "official" in sign(unsigned_pdf, signed, reason="Chứng thực bản sao")
    status, report = verify(signed)
    assert status == 0, report
    assert "Lãnh đạo (THỬ NGHIỆM)" in report
    assert re.search(r"\d{2}/\d{2}/\d{4}", report)
    with translation.override("vi"):
        assert "hợp lệ" in report


def test_the_stamp_is_in_the_pdf_in_vietnamese(signing_settings, unsigned_pdf, tmp_path):
    signed = tmp_path / "signed.pdf"
    sign(unsigned_pdf, signed, reason="Chứng thực bản sao")
    text = stamp_text(signed)
    assert STAMP.search(text), text
    assert "Lý do: Chứng thực bản sao" in text
    # The widget sits on the last page (where a signer signs a paper document).
    reader = PdfReader(signed)
    assert not reader.pages[0].get("/Annots")
    assert reader.pages[-1].get("/Annots")


def test_the_stamp_is_drawn_as_wide_as_it_was_measured(signing_settings, unsigned_pdf, tmp_path):
    # PDF reads a font's /W widths in thousandths of an em; the vendored font has 2.048 units
    # per em, and written raw its letters were drawn twice as wide, the stamp cut off.
    signed = tmp_path / "signed.pdf"
    sign(unsigned_pdf, signed)
    widths = []
    for page in PdfReader(signed).pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/FT") != "/Sig":
                continue
            fonts = widget["/AP"]["/N"].get_object()["/Resources"]["/Font"]
            for font in fonts.values():
                for descendant in font.get_object().get("/DescendantFonts") or []:
                    for entry in descendant.get_object()["/W"]:
                        entry = entry.get_object()
                        if isinstance(entry, list):
                            widths += [int(w) for w in entry]
    assert widths
    assert max(widths) <= 1000  # the em dash is one em; nothing in the stamp is wider


def test_a_second_signature_keeps_the_first_valid(signing_settings, unsigned_pdf, tmp_path):
    once, twice = tmp_path / "once.pdf", tmp_path / "twice.pdf"
    sign(unsigned_pdf, once, signer="digitiser")
    sign(once, twice, signer="official")
    status, report = verify(twice)
    assert status == 0, report
    assert "Cán bộ số hoá (THỬ NGHIỆM)" in report
    assert "Lãnh đạo (THỬ NGHIỆM)" in report


def test_one_byte_changed_after_signing_fails(signing_settings, unsigned_pdf, tmp_path):
    signed = tmp_path / "signed.pdf"
    sign(unsigned_pdf, signed)
    data = signed.read_bytes()
    # A byte inside the signed first revision: the document's producer "motcua".
    at = data.index(b"motcua")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:at] + b"n" + data[at + 1 :])
    status, report = verify(tampered)
    assert status == 1
    assert Problem.MODIFIED.label in report
    assert verify_pdf(tampered.read_bytes()).problems == (Problem.MODIFIED,)


def test_a_signer_from_another_ca_is_untrusted(signing_settings, other_ca, unsigned_pdf, tmp_path):
    # Signed under the other CA's own roots (signing refuses a chain it cannot trust) ...
    signed = sign_pdf(
        source=unsigned_pdf.read_bytes(),
        signer=build_signer("official", other_ca.signers["official"]),
        trust_roots=[other_ca.root_pem],
    )
    path = tmp_path / "other.pdf"
    path.write_bytes(signed)
    # ... then verified against this project's roots only.
    status, report = verify(path)
    assert status == 1
    assert Problem.UNTRUSTED.label in report
    with translation.override("vi"):
        assert "không tin cậy" in str(Problem.UNTRUSTED.label)
    assert verify_pdf(signed).problems == (Problem.UNTRUSTED,)


def test_signing_refuses_a_chain_outside_the_trust_roots(signing_settings, other_ca, unsigned_pdf):
    signing_settings.MOTCUA_SIGNERS = json.loads(other_ca.signers_json)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="^--signer: "):
        sign(unsigned_pdf, unsigned_pdf.with_name("x.pdf"))
    assert not unsigned_pdf.with_name("x.pdf").exists()


def test_an_unsigned_pdf_does_not_verify(signing_settings, unsigned_pdf):
    status, report = verify(unsigned_pdf)
    assert status == 1
    assert Problem.NO_SIGNATURE.label in report


def test_pkcs11_token_signs(signing_settings, softhsm_token, unsigned_pdf, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_TEST_TOKEN_PIN", PIN)
    signing_settings.MOTCUA_SIGNERS = {"token": softhsm_token}
    signed = tmp_path / "token.pdf"
    sign(unsigned_pdf, signed, signer="token")
    status, report = verify(signed)
    assert status == 0, report
    assert "Lãnh đạo (THỬ NGHIỆM)" in report
    assert STAMP.search(stamp_text(signed))


def test_pkcs11_wrong_pin_is_refused(signing_settings, softhsm_token, unsigned_pdf, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("MOTCUA_TEST_TOKEN_PIN", "000000")
    signing_settings.MOTCUA_SIGNERS = {"token": softhsm_token}
    target = unsigned_pdf.with_name("token.pdf")
    with pytest.raises(CommandError, match="^--signer: "):
        sign(unsigned_pdf, target, signer="token")
    assert not target.exists()


def test_a_digitised_paper_is_stamped_top_left_of_page_one(signing_settings, unsigned_pdf):
    # Circular 01/2023 Art. 8: the digitiser's name, time and signature at the top left of
    # page 1; a second signature goes below the first.
    data = sign_pdf(
        source=unsigned_pdf.read_bytes(),
        signer=configured_signer("digitiser"),
        place=StampPlace.FIRST_PAGE_TOP_LEFT,
    )
    again = sign_pdf(
        source=data, signer=configured_signer("official"), place=StampPlace.FIRST_PAGE_TOP_LEFT
    )
    page = PdfReader(BytesIO(again)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    boxes = [
        [float(v) for v in annotation.get_object()["/Rect"]]
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/FT") == "/Sig"
    ]
    assert len(boxes) == 2
    first, second = boxes
    assert first[0] < width / 4  # left
    assert first[3] > height * 0.9  # top
    assert second[3] <= first[1]  # below the first, not over it
    assert verify_pdf(again).ok

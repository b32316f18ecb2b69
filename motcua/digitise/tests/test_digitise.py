"""A scan becomes a signed, searchable PDF/A; bad files are refused with a reason (issue 14)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest

from motcua.digitise.choices import Reason, Status, Step, SuggestionKind
from motcua.digitise.errors import Conflict, InvalidInput
from motcua.digitise.models import Digitisation
from motcua.digitise.services import (
    digitisation_confirm,
    digitisation_request,
    digitisation_run,
)
from motcua.digitise.tests.conftest import (
    ID_NUMBER,
    NAME,
    birth_certificate,
    photo_without_text,
    png,
    png_header_only,
)
from motcua.docstore.models import StoredDocument
from motcua.dossiers.figures import ledger_differences
from motcua.dossiers.models import DossierComponent
from motcua.dossiers.services import dossier_file_attach
from motcua.lib import uploads
from motcua.signatures.selectors import verify_pdf

pytestmark = pytest.mark.django_db


def attach(dossier, data: bytes, name: str):
    component = dossier.components.get()
    return dossier_file_attach(
        dossier_id=dossier.pk, upload=io.BytesIO(data), name=name, component_id=component.pk
    )


def digitise(dossier, data: bytes, name: str = "giay-khai-sinh.jpg") -> Digitisation:
    stored = attach(dossier, data, name)
    digitisation = digitisation_request(file_id=stored.pk)
    return digitisation_run(digitisation_id=digitisation.pk)


def output_bytes(digitisation: Digitisation) -> bytes:
    with uploads.open_checked(digitisation.output, digitisation.output_sha256) as stream:
        return stream.read()


def pdftotext(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "out.pdf"
        path.write_bytes(data)
        return subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout


def test_a_sideways_noisy_birth_certificate_becomes_a_signed_searchable_pdfa(
    tesseract, signing, dossier, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = digitise(dossier, birth_certificate(angle=90))

    assert done.status == Status.DONE, done.reason
    assert (done.step, done.progress, done.pages, done.lowest_dpi) == (Step.FINISHED, 100, 1, 300)
    assert done.colour is True
    assert done.text_found is True
    assert done.reason == ""
    data = output_bytes(done)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "2"
        assert len(pdf.pages) == 1
    assert done.pdfa == "2B"
    text = pdftotext(data)
    assert NAME in text
    assert ID_NUMBER in text
    assert NAME in done.text
    assert ID_NUMBER in done.text

    report = verify_pdf(data)
    assert report.ok, report.problems
    assert [check.signer for check in report.signatures] == ["Cán bộ số hoá (THỬ NGHIỆM)"]
    assert done.signed_by == "Cán bộ số hoá (THỬ NGHIỆM)"
    assert done.signed_at is not None

    offered = {(s.kind, s.value): s.valid for s in done.suggestions.all()}
    assert offered[SuggestionKind.ID_NUMBER, ID_NUMBER] is True
    assert offered[SuggestionKind.NAME, NAME] is True
    component = DossierComponent.objects.get(dossier=dossier)
    assert component.digitised is False  # not before the clerk confirms

    confirmed = digitisation_confirm(
        digitisation_id=done.pk,
        values={"id_number": ID_NUMBER, "name": NAME, "document_number": "123/2015"},
        actor=world.clerk,
    )
    assert confirmed.confirmed_values["id_number"] == ID_NUMBER
    component.refresh_from_db()
    assert component.digitised is True
    assert ledger_differences() == {}
    kept = StoredDocument.objects.get(id_number=ID_NUMBER)
    assert (kept.source_component_id, kept.number) == (component.pk, "123/2015")

    with pytest.raises(Conflict, match="đã được Clerk xác nhận"):
        digitisation_confirm(
            digitisation_id=done.pk, values={"id_number": ID_NUMBER}, actor=world.officer
        )


def test_a_photo_without_text_is_digitised_but_flagged(tesseract, signing, dossier):
    done = digitise(dossier, photo_without_text(), "anh.jpg")
    assert done.status == Status.DONE
    assert done.text_found is False
    assert "Không tìm thấy chữ" in done.reason or "No text" in done.reason
    assert not done.suggestions.filter(valid=True).exists()


def _pdf(build=None, **save) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if build:
        build(pdf)
    buffer = io.BytesIO()
    pdf.save(buffer, **save)
    return buffer.getvalue()


def _javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')")
    )


def _attachment(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["payload.txt"] = pikepdf.AttachedFileSpec(pdf, b"not a scan")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "encrypted.pdf",
            lambda: _pdf(encryption=pikepdf.Encryption(owner="o", user="secret")),
            Reason.ENCRYPTED,
        ),
        (
            "encrypted-open.pdf",
            lambda: _pdf(encryption=pikepdf.Encryption(owner="o", user="")),
            Reason.ENCRYPTED,
        ),
        ("broken.pdf", lambda: b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", Reason.BROKEN),
        ("javascript.pdf", lambda: _pdf(_javascript), Reason.ACTIVE_CONTENT),
        ("attachment.pdf", lambda: _pdf(_attachment), Reason.EMBEDDED_FILES),
        ("one-pixel.png", lambda: png(1, 1), Reason.TOO_SMALL),
        ("wide.png", lambda: png(20_000, 120), Reason.TOO_LARGE),
        ("bomb.png", lambda: png_header_only(20_000, 20_000), Reason.TOO_LARGE),
        ("low-dpi.jpg", lambda: birth_certificate(dpi=100, angle=0), Reason.LOW_DPI),
        ("grey.jpg", lambda: birth_certificate(dpi=200, angle=0, colour=False), Reason.NOT_COLOUR),
    ],
)
def test_bad_files_are_rejected_with_a_reason_and_not_counted(signing, dossier, name, data, reason):
    done = digitise(dossier, data(), name)
    assert (done.status, done.reason_code) == (Status.REJECTED, reason)
    assert done.reason  # the clerk's message, in Vietnamese
    assert not done.output
    assert done.output_sha256 == ""
    assert not done.suggestions.exists()
    assert DossierComponent.objects.get(dossier=dossier).digitised is False
    assert ledger_differences() == {}


def test_rejection_reasons_are_vietnamese(signing, dossier):
    done = digitise(dossier, birth_certificate(dpi=100, angle=0), "low.jpg")
    assert "dpi" in done.reason
    assert "Quét lại" in done.reason


def test_without_a_digitiser_signer_it_fails_before_the_ocr(settings, dossier):
    settings.MOTCUA_SIGNERS = {}
    settings.MOTCUA_DIGITISE_SIGNER = "digitiser"
    done = digitise(dossier, birth_certificate(angle=0))
    assert (done.status, done.reason_code) == (Status.FAILED, Reason.NO_SIGNER)
    assert "MOTCUA_DIGITISE_SIGNER" in done.reason
    assert done.text == ""
    assert not done.output
    # Fixed configuration, queued again: the same row, queued.
    again = digitisation_request(file_id=done.file_id, again=True)
    assert (again.pk, again.status, again.reason) == (done.pk, Status.QUEUED, "")


def test_a_request_is_idempotent_and_enqueues_once(
    dossier, media, django_capture_on_commit_callbacks
):
    stored = attach(dossier, png(300, 300), "a.png")
    with django_capture_on_commit_callbacks() as callbacks:
        first = digitisation_request(file_id=stored.pk)
        second = digitisation_request(file_id=stored.pk)
    assert first.pk == second.pk
    assert Digitisation.objects.count() == 1
    enqueues = [c for c in callbacks if getattr(c, "__name__", "") == "<lambda>"]
    assert len(enqueues) == 1
    with pytest.raises(Conflict):
        digitisation_request(file_id=stored.pk, again=True)  # queued: nothing to redo


def test_a_claimed_digitisation_is_not_run_twice(signing, dossier):
    stored = attach(dossier, png(1, 1), "tiny.png")
    digitisation = digitisation_request(file_id=stored.pk)
    Digitisation.objects.filter(pk=digitisation.pk).update(status=Status.RUNNING)
    after = digitisation_run(digitisation_id=digitisation.pk)
    assert (after.status, after.attempts, after.reason) == (Status.RUNNING, 0, "")
    Digitisation.objects.filter(pk=digitisation.pk).update(status=Status.QUEUED)
    assert digitisation_run(digitisation_id=digitisation.pk).attempts == 1
    assert digitisation_run(digitisation_id=digitisation.pk).attempts == 1  # finished


def test_only_component_scans_are_digitised(dossier, media):
    result = dossier_file_attach(
        dossier_id=dossier.pk, upload=io.BytesIO(png(300, 300)), name="kq.png", kind="result"
    )
    with pytest.raises(InvalidInput) as refused:
        digitisation_request(file_id=result.pk)
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"id_number": "00631500123"}, "id_number"),
        ({"id_number": "0063150O1234"}, "id_number"),
        ({"dossier_code": "000.00.58.H06-241399-0001"}, "dossier_code"),
        ({"date": "31/02/2015"}, "date"),
        ({"name": "Nguyễn 123"}, "name"),
        ({"document_number": "1" * 61}, "document_number"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_confirming_a_bad_value_names_the_field_and_changes_nothing(
    dossier, world, media, values, field
):
    stored = attach(dossier, png(300, 300), "a.png")
    digitisation = digitisation_request(file_id=stored.pk)
    Digitisation.objects.filter(pk=digitisation.pk).update(status=Status.DONE)
    with pytest.raises(InvalidInput) as refused:
        digitisation_confirm(digitisation_id=digitisation.pk, values=values, actor=world.clerk)
    assert refused.value.field == field
    digitisation.refresh_from_db()
    assert digitisation.confirmed_at is None
    assert digitisation.confirmed_values == {}

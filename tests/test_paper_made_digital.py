"""Issue 14, "Done when", end to end through the clerk's and the public pages: a scanned
(rotated, noisy) Vietnamese birth certificate becomes a signed, searchable PDF/A whose text
layer holds the name and ID number; the clerk confirms the suggested ID number; the paper is
reused in the same person's next dossier; a certified copy is issued from it, verified on the
public page, and fails verification after one byte is changed. Runs on both databases.

Nothing is mocked: the real worker (``motcua worker --once`` runs the queued task),
ocrmypdf + Tesseract ``vie``, pyHanko with a development CA.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from motcua.certification.models import CertifiedCopy
from motcua.core.index766 import Ratio, inputs_from_figures
from motcua.core.metrics import Bucket, Period
from motcua.digitise.choices import Status
from motcua.digitise.models import Digitisation
from motcua.digitise.tests.conftest import (  # noqa: F401 (fixtures)
    ID_NUMBER,
    NAME,
    birth_certificate,
    dev_ca,
    media,
    signing,
    tesseract,
    world,
)
from motcua.docstore.models import DocumentReuse, StoredDocument
from motcua.docstore.services import document_store_add, dossier_reuse_eligibility_record
from motcua.dossiers.figures import ledger_differences
from motcua.dossiers.services import Applicant, Component
from motcua.lib import uploads
from motcua.national.mapping import mapping_table
from motcua.national.selectors import dossier_payload
from motcua.reports.selectors import report_for
from motcua.signatures.selectors import verify_pdf

# transaction=True: the worker closes its connections between tasks, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

PAPER = "Giấy khai sinh"
JANUARY = Period(date(2024, 1, 1), date(2024, 1, 31))
TASK_PATH = "motcua.digitise.tasks.digitise_file"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read(field_file, sha256: str) -> bytes:
    with uploads.open_checked(field_file, sha256) as stream:
        return stream.read()


def receive(town, *, certification: bool = False):
    """A dossier of the same person with the birth certificate among its components; with
    ``certification``, of a certification procedure (copies certified from originals)."""
    procedure = town.procedure
    if certification:
        procedure = town.offline_procedure
        procedure.is_certification = True
        procedure.save(update_fields=["is_certification"])
    return town.create(
        procedure=procedure,
        applicant=Applicant(name=NAME, id_number=ID_NUMBER, phone="0912345678"),
        components=[Component(PAPER, originals=1)],
        at="02/01/2024 09:00" if certification else "02/01/2024 08:00",
    )


def test_a_scanned_birth_certificate_is_digitised_reused_certified_and_verified(  # noqa: F811
    tesseract,  # noqa: F811
    signing,  # noqa: F811
    world,  # noqa: F811
    media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    clerk = signed_in(world.clerk)

    # 1. The clerk attaches the scan; the worker's task makes it a signed PDF/A.
    first = receive(world)
    component = first.components.get()
    scan = io.BytesIO(birth_certificate(angle=90))
    scan.name = "giay-khai-sinh.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            f"/mot-cua/ho-so/{first.code}/dinh-kem/", {"component": component.pk, "scan": scan}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    digitisation = Digitisation.objects.get(file__dossier=first)
    assert digitisation.status == Status.QUEUED
    # Enqueued when the attach committed; `motcua worker` runs it.
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == 1
    call_command("worker", "--once", "--no-scheduler", stdout=io.StringIO())
    digitisation.refresh_from_db()
    assert digitisation.status == Status.DONE, digitisation.reason

    page = clerk.get(f"/mot-cua/so-hoa/{first.code}/")
    assert page.status_code == 200
    assert ID_NUMBER in page.content.decode()  # offered to the clerk

    data = read(digitisation.output, digitisation.output_sha256)
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert NAME in text
    assert ID_NUMBER in text
    report = verify_pdf(data)
    assert report.ok, report.problems
    component.refresh_from_db()
    assert component.digitised is False  # not before the clerk confirms

    # 2. The clerk confirms the suggested ID number: digitised, kept in the person's store.
    response = clerk.post(
        f"/mot-cua/so-hoa/{first.code}/ban-so-hoa/{digitisation.pk}/xac-nhan/",
        {f"d{digitisation.pk}-id_number": ID_NUMBER, f"d{digitisation.pk}-name": NAME},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    component.refresh_from_db()
    assert component.digitised is True
    stored = StoredDocument.objects.get(id_number=ID_NUMBER)

    # 3. The same person's next dossier (a certification) reuses it from the store.
    second = receive(world, certification=True)
    needed = second.components.get()
    panel = clerk.get(f"/mot-cua/kho-giay-to/ho-so/{second.code}/")
    assert panel.status_code == 200
    assert PAPER in panel.content.decode()
    response = clerk.post(
        f"/mot-cua/kho-giay-to/ho-so/{second.code}/dung-lai/",
        {"document": stored.pk, "component": needed.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    needed.refresh_from_db()
    assert needed.digitised is True
    assert DocumentReuse.objects.filter(component=needed, document=stored).exists()
    last_event = second.events.order_by("-seq").first()
    payload = dossier_payload(second, last_event, mapping_table())
    reused = payload["TaiLieuNop"][0]
    assert (reused["DuocSoHoa"], reused["DuocTaiSuDung"]) == (1, 1)
    counted = report_for(world.city, JANUARY)  # 766 indicator 4.3, from the records
    assert (counted[Bucket.REUSE_ELIGIBLE], counted[Bucket.REUSED]) == (1, 1)

    # 4. A certified copy of it is issued in that dossier, signed by the official.
    upload = io.BytesIO(read(stored.file, stored.sha256))
    upload.name = "ban-chinh.pdf"
    response = clerk.post(
        "/mot-cua/chung-thuc/cap/",
        {
            "unit": world.city.pk,
            "document_type": CertifiedCopy._meta.get_field("document_type").choices[1][0],
            "scan": upload,
            "requester_name": NAME,
            "requester_id_number": ID_NUMBER,
            "original_name": PAPER,
            "original_number": "123/2015",
            "original_issuer": "UBND phường Đức Xuân",
            "original_issued_on": "05/03/2015",
            "dossier_code": second.code,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    copy = CertifiedCopy.objects.get()
    certified = read(copy.file, copy.sha256)
    assert verify_pdf(certified).ok
    second.refresh_from_db()
    assert second.electronic_certification is True
    assert ledger_differences() == {}

    # 5. The public page (no sign-in) says the copy is the signed one; one byte changed: not.
    public = Client()
    address = f"/xac-minh/{copy.token}/"
    shown = public.get(address).content.decode()
    assert copy.number_text in shown
    assert ID_NUMBER not in shown  # masked
    same = io.BytesIO(certified)
    same.name = "ban-sao.pdf"
    answer = public.post(address, {"file": same}).content.decode()
    assert "Tệp trùng khớp với bản sao đã ký" in answer
    changed = bytearray(certified)
    middle = len(changed) // 2
    changed[middle] = (changed[middle] + 1) % 256
    altered = io.BytesIO(bytes(changed))
    altered.name = "ban-sao.pdf"
    answer = public.post(address, {"file": altered}).content.decode()
    assert "Tệp trùng khớp với bản sao đã ký" not in answer
    assert re.search(r"không trùng khớp", answer, re.IGNORECASE)


def test_a_dossier_whose_paper_is_in_the_store_is_eligible_for_reuse(world, media):  # noqa: F811
    document_store_add(
        id_number=ID_NUMBER,
        name=PAPER,
        data=birth_certificate(angle=0),
        content_type="image/jpeg",
        source_dossier_id=None,
        source_component_id=None,
    )
    dossier = receive(world)
    assert dossier_reuse_eligibility_record(dossier_id=dossier.pk) == 1
    counted = report_for(world.city, JANUARY)
    assert (counted[Bucket.REUSE_ELIGIBLE], counted[Bucket.REUSED]) == (1, 0)
    assert inputs_from_figures(counted.totals, {}).ratios["4.3"] == Ratio(0, 1)
    assert dossier_reuse_eligibility_record(dossier_id=dossier.pk) == 0  # once
    assert ledger_differences() == {}

"""The clerk's digitisation page and the command line."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.management import CommandError, call_command

from motcua.digitise.choices import Status, SuggestionKind
from motcua.digitise.models import Digitisation, Suggestion
from motcua.digitise.services import digitisation_request
from motcua.digitise.tests.conftest import ID_NUMBER, png
from motcua.dossiers.models import DossierComponent
from motcua.dossiers.services import dossier_file_attach

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(dossier, media):
    component = dossier.components.get()
    return dossier_file_attach(
        dossier_id=dossier.pk,
        upload=io.BytesIO(png(300, 300)),
        name="giay-khai-sinh.png",
        component_id=component.pk,
    )


def url(dossier) -> str:
    return f"/mot-cua/so-hoa/{dossier.code}/"


def test_the_clerk_of_the_unit_sees_the_progress_and_the_page_refreshes(
    client, world, dossier, scan
):
    digitisation = digitisation_request(file_id=scan.pk)
    Digitisation.objects.filter(pk=digitisation.pk).update(
        status=Status.RUNNING, step="recognising", progress=25
    )
    client.force_login(world.clerk)
    response = client.get(url(dossier))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="running"' in page
    assert "Nhận dạng chữ (OCR)" in page
    assert 'value="25"' in page
    assert 'http-equiv="refresh"' in page


def test_a_clerk_of_another_unit_gets_404(client, world, dossier, scan):
    digitisation = digitisation_request(file_id=scan.pk)
    client.force_login(world.other_clerk)
    assert client.get(url(dossier)).status_code == 404
    assert client.get(f"{url(dossier)}ban-so-hoa/{digitisation.pk}/").status_code == 404
    response = client.post(f"{url(dossier)}tep/{scan.pk}/so-hoa/")
    assert response.status_code == 404
    assert client.post(f"{url(dossier)}ban-so-hoa/{digitisation.pk}/xac-nhan/").status_code == 404
    assert Digitisation.objects.get().status == Status.QUEUED


def test_signed_out_is_sent_to_sign_in(client, dossier):
    response = client.get(url(dossier))
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_the_button_queues_the_scan(
    client, world, dossier, scan, django_capture_on_commit_callbacks
):
    client.force_login(world.clerk)
    page = client.get(url(dossier)).content.decode()
    assert 'data-status="none"' in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{url(dossier)}tep/{scan.pk}/so-hoa/")
    assert response.status_code == 302
    assert Digitisation.objects.get(file=scan).status == Status.QUEUED
    assert len(callbacks) >= 1
    # Again while it is queued: told, nothing changes.
    response = client.post(f"{url(dossier)}tep/{scan.pk}/so-hoa/", {"again": "1"}, follow=True)
    assert "chỉ lượt số hoá bị từ chối hoặc lỗi" in response.content.decode()
    assert Digitisation.objects.count() == 1


def _done(scan) -> Digitisation:
    digitisation = digitisation_request(file_id=scan.pk)
    Digitisation.objects.filter(pk=digitisation.pk).update(status=Status.DONE, progress=100)
    Suggestion.objects.create(
        digitisation=digitisation, kind=SuggestionKind.ID_NUMBER, value=ID_NUMBER, valid=True
    )
    Suggestion.objects.create(
        digitisation=digitisation,
        kind=SuggestionKind.DOSSIER_CODE,
        value="000.00.58.H06-241399-0001",
        valid=False,
    )
    return digitisation


def test_the_form_offers_valid_suggestions_only(client, world, dossier, scan):
    digitisation = _done(scan)
    client.force_login(world.clerk)
    page = client.get(url(dossier)).content.decode()
    prefix = f"d{digitisation.pk}"
    assert f'name="{prefix}-id_number" id="id_{prefix}-id_number" value="{ID_NUMBER}"' in page
    assert f'name="{prefix}-dossier_code" id="id_{prefix}-dossier_code" value=""' in page
    assert "không đúng định dạng" in page


def test_a_bad_value_is_refused_naming_the_field_and_nothing_changes(client, world, dossier, scan):
    digitisation = _done(scan)
    client.force_login(world.clerk)
    response = client.post(
        f"{url(dossier)}ban-so-hoa/{digitisation.pk}/xac-nhan/",
        {
            f"d{digitisation.pk}-id_number": "12345",
            f"d{digitisation.pk}-name": "Nguyễn Thị Hồng Nhung",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Số định danh cá nhân" in page
    assert "12345" in page
    assert 'aria-invalid="true"' in page
    digitisation.refresh_from_db()
    assert digitisation.confirmed_at is None


def test_confirming_on_the_page_records_who_and_counts_the_component(
    client, world, dossier, media, signing
):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    scan = dossier_file_attach(
        dossier_id=dossier.pk,
        upload=buffer,
        name="giay-khai-sinh.pdf",
        component_id=dossier.components.get().pk,
    )
    digitisation = _done(scan)
    # A done digitisation has its signed output; here the scanned PDF stands in for it.
    Digitisation.objects.filter(pk=digitisation.pk).update(
        output=scan.file.name, output_sha256=scan.sha256
    )
    client.force_login(world.clerk)
    response = client.post(
        f"{url(dossier)}ban-so-hoa/{digitisation.pk}/xac-nhan/",
        {f"d{digitisation.pk}-id_number": ID_NUMBER},
    )
    assert response.status_code == 302
    digitisation.refresh_from_db()
    assert digitisation.confirmed_by == world.clerk
    assert digitisation.confirmed_values == {"id_number": ID_NUMBER}
    assert DossierComponent.objects.get(dossier=dossier).digitised is True
    # The output link serves the bytes only while they are the recorded ones.
    assert client.get(f"{url(dossier)}ban-so-hoa/{digitisation.pk}/").status_code == 200


def test_the_command_names_a_bad_file_id(dossier):
    with pytest.raises(CommandError, match="FILE_ID"):
        call_command("digitise", "run", "abc")
    with pytest.raises(CommandError, match="FILE_ID"):
        call_command("digitise", "run", "999999")


def test_the_command_runs_a_file_and_reports_a_rejection(signing, dossier, scan, media):
    small = dossier_file_attach(
        dossier_id=dossier.pk,
        upload=io.BytesIO(png(1, 1)),
        name="tiny.png",
        component_id=dossier.components.get().pk,
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="px"):
        call_command("digitise", "run", str(small.pk), stdout=out)
    assert Digitisation.objects.get(file=small).status == Status.REJECTED


def test_pending_queues_every_scan_without_a_digitisation(dossier, scan):
    out = io.StringIO()
    call_command("digitise", "pending", stdout=out)
    assert Digitisation.objects.filter(file=scan, status=Status.QUEUED).exists()
    call_command("digitise", "pending", stdout=out)
    assert Digitisation.objects.count() == 1

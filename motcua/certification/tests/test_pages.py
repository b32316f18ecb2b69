"""The staff pages and the public check, through the test client."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.certification.models import CertifiedCopy
from motcua.certification.services import copy_revoke
from motcua.certification.tests.conftest import ID_NUMBER, png_scan
from motcua.lib.uploads import open_checked


def signed_bytes(entry):
    with open_checked(entry.file, entry.sha256) as stream:
        return stream.read()


def check(entry, **data):
    return Client().post(f"/xac-minh/{entry.token}/", data)


def test_public_page_shows_the_entry_and_masks_the_id(certify):
    entry = certify()
    page = Client().get(f"/xac-minh/{entry.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert entry.number_text in html
    assert "Phường Đức Xuân" in html
    assert "********2345" in html
    assert ID_NUMBER not in html
    assert "Lãnh đạo (THỬ NGHIỆM)" in html


def test_the_exact_copy_matches_and_one_changed_byte_does_not(certify):
    entry = certify()
    data = signed_bytes(entry)
    same = check(entry, file=SimpleUploadedFile("ban-sao.pdf", data))
    assert same.status_code == 200
    assert "Tệp trùng khớp với bản sao đã ký" in same.content.decode()

    # One byte of the signed content changed (a digit of the page's text stream area).
    middle = len(data) // 3
    changed = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    other = check(entry, file=SimpleUploadedFile("ban-sao.pdf", changed))
    html = other.content.decode()
    assert "Tệp không trùng khớp với bản sao đã ký" in html
    assert "SHA-256" in html  # the reason is given

    by_hash = check(entry, sha256=hashlib.sha256(data).hexdigest().upper())
    assert "Tệp trùng khớp với bản sao đã ký" in by_hash.content.decode()
    wrong_hash = check(entry, sha256="0" * 64)
    assert "Tệp không trùng khớp với bản sao đã ký" in wrong_hash.content.decode()
    bad_hash = check(entry, sha256="xyz")
    assert bad_hash.status_code == 400
    assert "64" in bad_hash.content.decode()


def test_revoked_copy_is_shown_as_revoked(certify, world):
    entry = certify()
    copy_revoke(copy_id=entry.pk, actor=world.ward_clerk, reason="Cấp nhầm")
    html = Client().get(f"/xac-minh/{entry.token}/").content.decode()
    assert "đã bị thu hồi" in html


def test_a_wrong_token_is_404(db):
    assert Client().get("/xac-minh/nonexistent-token-000000/").status_code == 404
    assert Client().get("/xac-minh/%20/").status_code == 404


def test_public_checks_are_throttled(certify, settings):
    settings.MOTCUA_CERTIFICATION_VERIFY_MAX_PER_IP = 2
    entry = certify()
    answers = [check(entry, sha256="0" * 64).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.fixture
def clerk_client(world):
    client = Client()
    client.force_login(world.ward_clerk)
    return client


def form_data(world, **overrides):
    data = {
        "unit": str(world.ward.pk),
        "document_type": "birth_certificate",
        "requester_name": "Nguyễn Thị Minh Khai",
        "requester_id_number": ID_NUMBER,
        "original_name": "Giấy khai sinh",
        "original_number": "123/2001",
        "original_issuer": "UBND phường Đức Xuân",
        "original_issued_on": "04/05/2001",
        "scan": SimpleUploadedFile("scan.png", png_scan(), content_type="image/png"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_certify_page_issues_a_copy_and_lists_it(clerk_client, world, signing_settings):
    answer = clerk_client.post("/mot-cua/chung-thuc/cap/", form_data(world))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    entry = CertifiedCopy.objects.get()
    detail = clerk_client.get(answer["Location"])
    assert entry.number_text in detail.content.decode()
    register = clerk_client.get("/mot-cua/chung-thuc/?type=birth_certificate")
    assert entry.number_text in register.content.decode()
    download = clerk_client.get(f"/mot-cua/chung-thuc/{entry.pk}/tai-ve/")
    assert b"".join(download.streaming_content) == signed_bytes(entry)
    revoke = clerk_client.post(f"/mot-cua/chung-thuc/{entry.pk}/thu-hoi/", {"reason": ""})
    assert revoke.status_code == 400
    revoke = clerk_client.post(f"/mot-cua/chung-thuc/{entry.pk}/thu-hoi/", {"reason": "Nhầm"})
    assert revoke.status_code == 302
    again = clerk_client.post(f"/mot-cua/chung-thuc/{entry.pk}/thu-hoi/", {"reason": "Nhầm"})
    assert again.status_code == 400
    assert "thu hồi" in again.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"requester_name": None}, "requester_name", "Họ và tên người yêu cầu"),
        ({"requester_id_number": "0061900"}, "requester_id_number", "12 chữ số"),
        ({"original_issued_on": "01/01/2999"}, "original_issued_on", "tương lai"),
        ({"original_issued_on": "2001-05-04"}, "original_issued_on", "dd/mm/yyyy"),
        (
            {"scan": SimpleUploadedFile("scan.pdf", b"just text", content_type="application/pdf")},
            "scan",
            "PDF, JPEG",
        ),
    ],
)
def test_certify_page_bad_input(clerk_client, world, signing_settings, overrides, field, words):
    answer = clerk_client.post("/mot-cua/chung-thuc/cap/", form_data(world, **overrides))
    html = answer.content.decode()
    assert answer.status_code == 400
    assert f'id="{field}-error"' in html
    assert words in html, re.findall(r'class="field-error"[^<]*<', html) or html[:3000]
    assert not CertifiedCopy.objects.exists()


def test_certify_page_refuses_a_too_big_scan(clerk_client, world, signing_settings, settings):
    settings.MOTCUA_CERTIFICATION_MAX_BYTES = 1000
    answer = clerk_client.post("/mot-cua/chung-thuc/cap/", form_data(world))
    assert answer.status_code == 400
    assert 'id="scan-error"' in answer.content.decode()
    assert not CertifiedCopy.objects.exists()


def test_the_register_is_for_the_units_staff_only(certify, world):
    entry = certify()
    client = Client()
    client.force_login(world.other_clerk)
    assert client.get(f"/mot-cua/chung-thuc/{entry.pk}/").status_code == 404
    assert client.get(f"/mot-cua/chung-thuc/?unit={world.ward.pk}").status_code == 404
    assert Client().get("/mot-cua/chung-thuc/").status_code == 302  # sign in first

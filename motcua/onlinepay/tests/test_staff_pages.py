"""The fee staff's pages: the reconciliation of an uploaded statement (access, the three lists in
Vietnamese formats, a bad file answered 400 by line and column with nothing recorded) and
cancelling a receipt from the dossier's fee panel (reason required, one cancel only)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.services import user_create_or_update
from motcua.core import workflow
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import World, build_world, local
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent, Receipt

URL = "/thanh-toan/doi-soat/"


@pytest.fixture
def world(db) -> World:
    return build_world()


def upload(client, provider: str, text: str, name: str = "sao-ke.csv", day: str = ""):
    return client.post(
        URL,
        {
            "provider": provider,
            "day": day,
            "statement": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
        },
    )


def vietqr(*lines: str) -> str:
    """A VietQR bank statement (CSV) of ``lines``, under its header."""
    return "".join(line + "\n" for line in ("date,amount,content,bank_reference", *lines))


def test_the_page_is_for_fee_staff_and_leaders_only(client, world):
    assert reverse("onlinepay:reconcile") == URL
    anonymous = client.get(URL)
    assert anonymous.status_code == 302
    assert "dang-nhap" in anonymous["Location"]
    client.force_login(world.officer)
    assert client.get(URL).status_code == 404
    nobody = user_create_or_update(username="nobody", full_name="Không Vai Trò")
    client.force_login(nobody)
    assert client.get(URL).status_code == 404
    for user in (world.clerk, world.leader):
        client.force_login(user)
        page = client.get(URL)
        assert page.status_code == 200
        assert "Đối soát thanh toán" in page.content.decode()


def test_a_vietqr_statement_records_and_lists_in_vietnamese_formats(client, world):
    dossier = world.create(at="02/01/2024 08:00", fee=1_608_000)
    client.force_login(world.clerk)
    transfer = f"02/01/2024 09:00:00,1.608.000,{dossier.code} Nop phi,FT1"
    text = vietqr(transfer, "02/01/2024 09:05:00,2500000,khong ro noi dung,FT2")
    response = upload(client, "vietqr", text)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="days">02/01/2024<' in html
    assert 'id="recorded">1<' in html
    assert "Đã trả nhưng chưa ghi nhận: 1" in html
    assert "2.500.000 đ" in html
    assert "nội dung chuyển khoản không có mã hồ sơ nào" in html
    assert list(PaymentEvent.objects.values_list("reference", flat=True)) == ["FT1"]
    # Again: the transfer is matched, not recorded twice, and the page says the file is clean
    # once the unknown line is gone.
    again = upload(client, "vietqr", vietqr(transfer))
    assert 'id="clean"' in again.content.decode()
    assert PaymentEvent.objects.count() == 1


def test_a_bad_file_or_field_answers_400_naming_it_and_records_nothing(client, world):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    client.force_login(world.clerk)
    text = vietqr(f"02/01/2024,50000,{dossier.code},FT1", "02/01/2024,năm mươi,x,FT2")
    bad = upload(client, "vietqr", text)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "dòng 3, cột amount" in html
    assert "Không đọc được tệp: chưa ghi nhận gì." in html
    assert not PaymentEvent.objects.exists()
    no_provider = upload(client, "", text)
    assert no_provider.status_code == 400
    assert 'id="provider_error"' in no_provider.content.decode()
    bad_day = upload(client, "vnpay", "reference,transaction,amount,paid_at\n", day="31/02/2024")
    assert bad_day.status_code == 400
    assert 'id="day_error"' in bad_day.content.decode()
    missing = client.post(URL, {"provider": "vnpay"})
    assert missing.status_code == 400
    assert 'id="statement_error"' in missing.content.decode()
    wrong_kind = upload(client, "vnpay", "x", name="sao-ke.pdf")
    assert wrong_kind.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_gateway_statement_lists_what_the_ledger_lacks(client, world):
    client.force_login(world.leader)
    text = "reference,transaction,amount,paid_at\nNOSUCHREF,777,1608000,02/01/2024 10:00:00\n"
    response = upload(client, "vnpay", text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "NOSUCHREF" in html
    assert "1.608.000 đ" in html
    assert "Đã trả nhưng chưa ghi nhận: 1" in html


def paid_receipt(world) -> Receipt:
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    dossier_transition(
        dossier_id=dossier.pk,
        action=workflow.Action.PAY,
        actor=world.clerk,
        details=Details(payment_method=PaymentMethod.CASH),
        at=local("02/01/2024 09:00"),
    )
    return Receipt.objects.get(dossier=dossier)


def test_the_fee_panel_cancels_a_receipt_and_issues_its_replacement(client, world):
    receipt = paid_receipt(world)
    client.force_login(world.clerk)
    page = client.get(reverse("backoffice:dossier", args=[receipt.dossier.code])).content.decode()
    cancel_url = reverse("onlinepay:receipt_cancel", args=[receipt.pk])
    assert f'action="{cancel_url}"' in page

    response = client.post(cancel_url, {"reason": "Ghi sai số tiền bằng chữ"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/ho-so/{receipt.dossier.code}/#fees")
    receipt.refresh_from_db()
    assert receipt.cancel_reason == "Ghi sai số tiền bằng chữ"
    page = client.get(response["Location"]).content.decode()
    assert "ĐÃ HỦY" in page
    assert "thay thế biên lai số 0000001" in page
    # Numbered in the book of the year it is issued (now), not the cancelled one's.
    replacement = Receipt.objects.get(replaces=receipt)
    assert replacement.book.year == timezone.localtime(replacement.issued_at).year
    assert f"biên lai thay thế là số {replacement.number:07d}" in page
    # A cancelled receipt offers no cancel button; the replacement does.
    assert f'action="{cancel_url}"' not in page
    assert reverse("onlinepay:receipt_cancel", args=[replacement.pk]) in page

    again = client.post(cancel_url, {"reason": "Lần nữa"})
    assert again.status_code == 409
    assert "biên lai số 0000001 đã bị hủy" in again.content.decode()
    assert Receipt.objects.count() == 2


def test_a_cancel_is_refused_without_reason_or_right_changing_nothing(client, world):
    receipt = paid_receipt(world)
    url = reverse("onlinepay:receipt_cancel", args=[receipt.pk])
    client.force_login(world.clerk)
    blank = client.post(url, {"reason": "  "})
    assert blank.status_code == 400
    assert 'id="reason_error"' in blank.content.decode()
    assert "cần ghi lý do hủy" in blank.content.decode()
    client.force_login(world.officer)  # sees the dossier, but collects no fees
    assert client.post(url, {"reason": "Sai"}).status_code in (403, 404)
    client.force_login(world.other_clerk)  # another ward's desk: not visible
    assert client.post(url, {"reason": "Sai"}).status_code == 404
    assert client.get(url).status_code == 405
    receipt.refresh_from_db()
    assert receipt.cancelled_at is None
    assert Receipt.objects.count() == 1

"""The one-stop forms 01–06 and the fee receipt (§2, §9), built from dossiers made through the
services and read back with pypdf and poppler's pdftotext."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import pytest
import segno
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from motcua.documents import printouts
from motcua.documents.qrcontent import qr_content
from motcua.documents.tests.tools import pdftotext
from motcua.dossiers.choices import ReturnMethod
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier, Extension
from motcua.dossiers.services import Applicant, Details, dossier_transition
from motcua.dossiers.tests.world import World, local
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent

A5 = (420, 595)  # points, 148 × 210 mm
A4_LANDSCAPE = (842, 595)
CODE = re.compile(r"000\.00\.58\.H06-240108-\d{4}")


def _step(world: World, dossier: Dossier, action: str, actor, at: str, **kwargs) -> Dossier:
    return dossier_transition(
        dossier_id=dossier.pk, action=action, actor=actor, at=local(at), **kwargs
    )


def _processed(world: World, dossier: Dossier) -> Dossier:
    _step(
        world,
        dossier,
        "transfer",
        world.clerk,
        "08/01/2024 09:00",
        details=Details(assignee=world.officer, step="Thẩm định"),
    )
    _step(
        world,
        dossier,
        "hand_over",
        world.officer,
        "09/01/2024 10:30",
        details=Details(assignee=world.officer, step="Trình ký"),
    )
    _step(world, dossier, "approve", world.officer, "10/01/2024 14:00")
    _step(
        world,
        dossier,
        "return_result",
        world.clerk,
        "11/01/2024 09:15",
        details=Details(return_method=ReturnMethod.COUNTER),
    )
    return Dossier.objects.get(pk=dossier.pk)


def _read(pdf: bytes, tmp_path, name: str) -> tuple[PdfReader, str, str]:
    """(pypdf reader, pypdf text, pdftotext text) of ``pdf``."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    extracted = "\n".join(page.extract_text() for page in reader.pages)
    return reader, extracted, pdftotext(str(path), "-")


def _size(reader: PdfReader, page: int = 0) -> tuple[int, int]:
    box = reader.pages[page].mediabox
    return round(float(box.width)), round(float(box.height))


def _flat(text: str) -> str:
    """Whitespace collapsed, so wrapped lines compare as one."""
    return " ".join(text.split())


def test_form_01_is_two_a5_copies_with_code_due_moment_and_diacritics(world, dossier, tmp_path):
    pdf = printouts.receipt_01(dossier)
    reader, text, poppler = _read(pdf, tmp_path, "01")

    assert [_size(reader, n) for n in range(len(reader.pages))] == [A5] * len(reader.pages)
    assert len(reader.pages) == 2  # one A5 sheet per copy (liên)
    for extracted in (_flat(text), _flat(poppler)):
        assert unicodedata.is_normalized("NFC", extracted)
        assert extracted.count(f"Mã hồ sơ: {dossier.code}") == 2
        assert "Liên 1: Giao người nộp hồ sơ" in extracted
        assert "Liên 2: Lưu kèm Phiếu kiểm soát quá trình giải quyết hồ sơ" in extracted
        assert extracted.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2
        assert extracted.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 2
        assert extracted.count("Độc lập - Tự do - Hạnh phúc") == 2
        assert extracted.count("Bắc Kạn, ngày 08 tháng 01 năm 2024") == 2
        assert "BỘ PHẬN MỘT CỬA THÀNH PHỐ" in extracted
        assert "UBND THÀNH PHỐ BẮC KẠN" in extracted
        assert "Nguyễn Thị Ánh Tuyết" in extracted
        assert "Chứng thực hợp đồng, giao dịch" in extracted
        assert "Giấy chứng nhận quyền sử dụng đất" in extracted
        assert "2. Số lượng hồ sơ: 01 bộ." in extracted
        assert "3. Thời gian giải quyết hồ sơ theo quy định: 05 ngày làm việc." in extracted
        assert "4. Thời gian nhận hồ sơ: lúc 08 giờ 05 phút, ngày 08/01/2024." in extracted
        assert "Quyển số: ……, Số thứ tự: ……" in extracted
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in extracted
        assert "Clerk" in extracted  # the receiving officer's name
    due_at = timezone.localtime(dossier.due_at)
    due = printouts.moment_text(dossier.due_at)
    assert due == f"{due_at:%H} giờ {due_at:%M} phút, ngày {due_at:%d/%m/%Y}"
    assert due_at.date() == date(2024, 1, 15)  # 5 working days from Monday morning
    assert _flat(poppler).count(f"hẹn trả kết quả lúc {due}") == 2
    # Components: originals, certified copies, photocopies per row (pdftotext -layout).
    layout = pdftotext("-layout", str(tmp_path / "01.pdf"), "-")
    assert re.search(r"2\s+Giấy chứng nhận quyền sử dụng đất\s+0\s+2\s+1", layout)
    assert printouts.receipt_01(Dossier.objects.get(pk=dossier.pk)) == pdf  # deterministic


def test_form_01_embeds_the_qr_code_with_the_tracking_url(world, dossier, settings):
    settings.MOTCUA_BASE_URL = "https://dichvucong.backan.gov.vn/"
    url = printouts.tracking_url(dossier)
    assert url == f"https://dichvucong.backan.gov.vn/dich-vu-cong/tra-cuu/?code={dossier.code}"

    reader = PdfReader(io.BytesIO(printouts.receipt_01(dossier)))
    assert url in "".join(reader.pages[0].extract_text().split())  # wrapped on the page
    images = [page.images for page in reader.pages]
    assert [len(found) for found in images] == [1, 1]  # one QR on each copy
    # The embedded image, module by module, against segno's matrix of the Circular 01/2023
    # content (test_qr.py decodes the rendered page with zbar and reads every field).
    content = qr_content(
        printouts.paper_facts(
            dossier,
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            dossier.received_at,
            appointment_at=dossier.due_at,
        )
    )
    assert f"TraCuu={url}" in content.splitlines()
    qr = segno.make_qr(content, error="m")
    matrix = [list(row) for row in qr.matrix]
    for found in images:
        picture = found[0].image.convert("L")
        side = len(matrix) + 8  # 4-module quiet zone each side
        assert picture.size == (side * 4, side * 4)
        modules = picture.resize((side, side), Image.Resampling.NEAREST)
        decoded = [
            [1 if modules.getpixel((4 + x, 4 + y)) < 128 else 0 for x in range(len(matrix))]
            for y in range(len(matrix))
        ]
        assert decoded == matrix
    assert Image.open(io.BytesIO(printouts.qr_png(content))).size == (side * 4, side * 4)


def test_form_01_is_refused_for_a_dossier_not_yet_received(world):
    submitted = world.create(channel="online", at="08/01/2024 20:00")
    with pytest.raises(InvalidInput) as error:
        printouts.receipt_01(submitted)
    assert error.value.field == "dossier"


def test_forms_02_and_03_carry_the_reason(world, tmp_path):
    submitted = world.create(channel="online", at="09/01/2024 10:00")
    reason = "Thiếu bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực"
    done = _step(
        world, submitted, "request_completion", world.clerk, "10/01/2024 08:30", reason=reason
    )
    reader, text, poppler = _read(printouts.supplement_02(done, reason=reason), tmp_path, "02")
    assert _size(reader) == A5
    for extracted in (_flat(text), _flat(poppler)):
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in extracted
        assert reason in extracted
        assert "Bắc Kạn, ngày 10 tháng 01 năm 2024" in extracted
        assert "NGƯỜI HƯỚNG DẪN" in extracted
        assert submitted.code in extracted

    refusal = "Thủ tục không thuộc thẩm quyền của Ủy ban nhân dân thành phố"
    refused = _step(world, submitted, "refuse", world.clerk, "11/01/2024 09:00", reason=refusal)
    reader, text, poppler = _read(printouts.refusal_03(refused, reason=refusal), tmp_path, "03")
    assert _size(reader) == A5
    for extracted in (_flat(text), _flat(poppler)):
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in extracted
        assert refusal in extracted
        assert "Bắc Kạn, ngày 11 tháng 01 năm 2024" in extracted
        assert "thông báo không tiếp nhận, giải quyết hồ sơ này" in extracted
    with pytest.raises(InvalidInput) as error:
        printouts.refusal_03(refused, reason="  ")
    assert error.value.field == "reason"


def test_form_04_gives_old_and_new_dates_and_the_signer(world, dossier, tmp_path):
    _step(world, dossier, "transfer", world.clerk, "08/01/2024 09:00")
    _step(
        world,
        dossier,
        "apologise",
        world.officer,
        "12/01/2024 15:00",
        reason="Phải xác minh thực địa",
        details=Details(new_due_at=local("19/01/2024 16:30"), signed_by="Hoàng Văn Dũng"),
    )
    extension = Extension.objects.get(dossier=dossier)
    reader, text, poppler = _read(printouts.apology_04(extension), tmp_path, "04")
    assert _size(reader) == A5
    for extracted in (_flat(text), _flat(poppler)):
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in extracted
        assert "Kính gửi: Ông/Bà Nguyễn Thị Ánh Tuyết" in extracted
        assert f"hẹn trả kết quả: lúc {printouts.moment_text(dossier.due_at)}" in extracted
        assert "vào lúc 16 giờ 30 phút, ngày 19/01/2024" in extracted  # the new date
        assert "Lý do: Phải xác minh thực địa" in extracted
        assert "Phòng Tư pháp xin lỗi Ông/Bà" in extracted
        assert "THỦ TRƯỞNG CƠ QUAN" in extracted
        assert "Hoàng Văn Dũng" in extracted
        assert "Bắc Kạn, ngày 12 tháng 01 năm 2024" in extracted
    assert printouts.apology_04(extension) == printouts.apology_04(
        Extension.objects.get(pk=extension.pk)
    )


def test_form_05_lists_every_hand_over_from_the_events(world, dossier, tmp_path):
    done = _processed(world, dossier)
    reader, text, poppler = _read(printouts.control_sheet_05(done), tmp_path, "05")
    assert {_size(reader, n) for n in range(len(reader.pages))} == {A5}
    flat = _flat(poppler)
    assert unicodedata.is_normalized("NFC", flat)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in flat
    assert f"Mã hồ sơ: {dossier.code}" in flat
    assert "Kèm theo hồ sơ của: Nguyễn Thị Ánh Tuyết" in flat
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Tư pháp" in flat
    # The four rows in order: transfer, hand-over, result back, result returned.
    moments = [
        "09 giờ 00 phút, ngày 08/01/2024",
        "10 giờ 30 phút, ngày 09/01/2024",
        "14 giờ 00 phút, ngày 10/01/2024",
        "09 giờ 15 phút, ngày 11/01/2024",
    ]
    positions = [flat.index(moment) for moment in moments]
    assert positions == sorted(positions)
    assert "1. Giao: Bộ phận Một cửa thành phố" in flat
    assert "2. Nhận: Phòng Tư pháp" in flat
    assert "2. Nhận: Bộ phận tiếp nhận và trả kết quả" in flat
    assert "2. Nhận: Nguyễn Thị Ánh Tuyết" in flat
    assert "Thẩm định" in flat
    assert "Trình ký" in flat
    assert _flat(text).count("Trước hạn") >= 2  # resolved two days early
    assert printouts.control_sheet_05(done) == printouts.control_sheet_05(
        Dossier.objects.get(pk=done.pk)
    )


def test_form_06_has_one_row_per_dossier_received_in_the_period(world, dossier, tmp_path):
    _processed(world, dossier)
    second = world.create(
        at="12/01/2024 14:00",
        applicant=Applicant(name="Lý Thị Hà", phone="0987654321", address="Xã Dương Quang"),
    )
    world.create(at="15/01/2024 08:00")  # after the period
    world.create(at="29/12/2023 08:00")  # before it
    world.create(at="08/01/2024 08:00", receiving_agency=world.ward_desk, actor=world.ward_clerk)

    pdf = printouts.tracking_log_06(
        agency=world.city_desk, start=date(2024, 1, 2), end=date(2024, 1, 12)
    )
    reader, text, poppler = _read(pdf, tmp_path, "06")
    assert {_size(reader, n) for n in range(len(reader.pages))} == {A4_LANDSCAPE}
    flat = _flat(poppler)
    assert "SỔ THEO DÕI HỒ SƠ" in flat
    assert "Từ ngày 02/01/2024 đến ngày 12/01/2024" in flat
    assert "Bắc Kạn, ngày 12 tháng 01 năm 2024" in flat
    assert re.findall(r"000\.00\.58\.H06-\d{6}-\d{4}", flat) == [dossier.code, second.code]
    assert "000.40.58.H06" not in flat  # another agency's dossier
    assert "Lý Thị Hà" in flat
    assert "Xã Dương Quang, 0987654321" in flat
    for heading in ("Nhận hồ sơ", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết"):
        assert heading in flat
    layout = pdftotext("-layout", str(tmp_path / "06.pdf"), "-")
    first = next(line for line in layout.splitlines() if dossier.code in line)
    assert "Trước hạn" in first
    # Received, due, transferred, result back, returned: the day under each time.
    assert re.search(r"08/01/2024\s+15/01/2024\s+08/01/2024\s+10/01/2024\s+11/01/2024", layout)
    assert re.search(r"08:05\s+08:05\s+09:00\s+14:00\s+09:15", layout)
    assert pdf == printouts.tracking_log_06(
        agency=world.city_desk, start=date(2024, 1, 2), end=date(2024, 1, 12)
    )
    with pytest.raises(InvalidInput) as error:
        printouts.tracking_log_06(
            agency=world.city_desk, start=date(2024, 1, 12), end=date(2024, 1, 2)
        )
    assert error.value.field == "end"


def test_fee_receipt_for_a_payment(world, tmp_path):
    owing = world.create(at="08/01/2024 08:05", fee=50000)
    _step(
        world,
        owing,
        "pay",
        world.clerk,
        "08/01/2024 08:10",
        details=Details(payment_method=PaymentMethod.CASH, payment_reference="BL-0007"),
    )
    event = PaymentEvent.objects.get(payment__dossier=owing)
    reader, text, poppler = _read(printouts.fee_receipt(event), tmp_path, "fee")
    assert _size(reader) == A5
    for extracted in (_flat(text), _flat(poppler)):
        assert "BIÊN NHẬN THU PHÍ, LỆ PHÍ" in extracted
        assert "Số tiền: 50.000 đ" in extracted
        assert "Mã giao dịch: BL-0007" in extracted
        assert "Tiền mặt tại Bộ phận tiếp nhận và trả kết quả" in extracted
        assert "lúc 08 giờ 10 phút, ngày 08/01/2024" in extracted
        assert CODE.search(extracted)
    assert printouts.fee_receipt(event) == printouts.fee_receipt(
        PaymentEvent.objects.get(pk=event.pk)
    )

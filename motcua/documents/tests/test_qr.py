"""The Circular 01/2023 QR code on every paper: built, printed, rasterised, decoded by zbar,
parsed back."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest

from motcua.documents import printouts
from motcua.documents.qrcontent import (
    HEADER,
    VIETNAM,
    PaperFacts,
    moment,
    parse_moment,
    parse_qr_content,
    qr_content,
)
from motcua.documents.tests.test_printouts import _processed, _step
from motcua.documents.tests.tools import qr_codes_per_page
from motcua.dossiers.models import Extension
from motcua.dossiers.services import Details
from motcua.dossiers.tests.world import local
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent

SYSTEM = "Hệ thống thông tin giải quyết TTHC tỉnh Bắc Kạn"
BASE = "https://dichvucong.backan.gov.vn/"


@pytest.fixture
def qr_settings(settings):
    settings.MOTCUA_SYSTEM_NAME = SYSTEM
    settings.MOTCUA_BASE_URL = BASE
    return settings


# -- the content, as a pure function ----------------------------------------------------------


def test_the_content_reads_back_field_by_field():
    facts = PaperFacts(
        paper_name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        system_name=unicodedata.normalize("NFD", SYSTEM),  # decomposed in, NFC out
        issued_at=datetime(2024, 1, 8, 1, 5, tzinfo=UTC),
        dossier_code="000.00.58.H06-240108-0001",
        procedure_code="1.001193",
        applicant_id="006190012345",
        appointment_at=datetime(2024, 1, 15, 1, 5, tzinfo=UTC),
        agency_code="000.00.58.H06",
        tracking_url=BASE + "dich-vu-cong/tra-cuu/?code=000.00.58.H06-240108-0001",
    )
    text = qr_content(facts)
    assert text.splitlines()[0] == HEADER
    assert unicodedata.is_normalized("NFC", text)
    fields = parse_qr_content(text)
    assert list(fields) == [
        "MaHoSo", "MaTTHC", "SoDinhDanh", "TenGiayTo", "HeThong", "ThoiGianCap", "NgayHenTra",
        "CoQuan", "TraCuu",
    ]  # fmt: skip
    assert fields["HeThong"] == SYSTEM
    assert fields["ThoiGianCap"] == "08/01/2024 08:05"  # Viet Nam time
    assert parse_moment(fields["NgayHenTra"]) == datetime(2024, 1, 15, 8, 5, tzinfo=VIETNAM)
    assert fields["TraCuu"].endswith("?code=000.00.58.H06-240108-0001")  # '=' in a value


def test_line_breaks_in_a_value_cannot_forge_a_field():
    text = qr_content(
        PaperFacts(
            paper_name="Phiếu\nMaHoSo=GIẢ",
            system_name="motcua",
            issued_at=date(2024, 1, 12),
        )
    )
    fields = parse_qr_content(text)
    assert fields == {
        "TenGiayTo": "Phiếu MaHoSo=GIẢ",
        "HeThong": "motcua",
        "ThoiGianCap": "12/01/2024",
    }


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "line 1"),
        ("MOTCUA-QR/2\nTenGiayTo=x", "line 1"),
        (f"{HEADER}\nTenGiayTo=x\nHeThong=y\nThoiGianCap=z\nLa=1", "line 5"),
        (f"{HEADER}\nTenGiayTo=x\nTenGiayTo=y", "line 3"),
        (f"{HEADER}\nTenGiayTo x", "line 2"),
        (f"{HEADER}\nTenGiayTo=x\nHeThong=y", "ThoiGianCap"),
    ],
)
def test_what_is_not_the_format_is_refused_naming_the_line(text, named):
    with pytest.raises(ValueError, match=named):
        parse_qr_content(text)


def test_a_paper_without_its_name_or_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="TenGiayTo"):
        qr_content(PaperFacts(paper_name=" ", system_name="s", issued_at=date(2024, 1, 1)))
    with pytest.raises(ValueError, match="time zone"):
        qr_content(PaperFacts(paper_name="p", system_name="s", issued_at=datetime(2024, 1, 1)))


# -- on paper: every form, decoded from its rendering ------------------------------------------


def _decoded(pdf: bytes, tmp_path) -> list[dict[str, str]]:
    """The parsed QR code of each page that has one (the first page of each copy)."""
    pages = qr_codes_per_page(pdf, tmp_path)
    return [parse_qr_content(codes[0]) for codes in pages if codes]


def _assert_dossier_fields(fields, dossier, paper, issued):
    assert fields["MaHoSo"] == dossier.code
    assert fields["MaTTHC"] == dossier.procedure_version.procedure.code
    assert fields["SoDinhDanh"] == "006190012345"
    assert fields["TenGiayTo"] == paper
    assert fields["HeThong"] == SYSTEM
    assert fields["ThoiGianCap"] == issued
    assert fields["CoQuan"] == dossier.receiving_agency.code
    assert fields["TraCuu"] == f"{BASE}dich-vu-cong/tra-cuu/?code={dossier.code}"
    for value in fields.values():
        assert unicodedata.is_normalized("NFC", value)


def test_form_01_carries_the_circular_fields_and_the_appointment_on_each_copy(
    qr_settings, world, dossier, tmp_path
):
    pdf = printouts.receipt_01(dossier)
    pages = qr_codes_per_page(pdf, tmp_path)
    assert [len(codes) for codes in pages] == [1, 1]  # one QR code on each copy
    for codes in pages:
        fields = parse_qr_content(codes[0])
        _assert_dossier_fields(
            fields, dossier, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "08/01/2024 08:05"
        )
        assert parse_moment(fields["NgayHenTra"]) == dossier.due_at
        assert fields["NgayHenTra"] == moment(dossier.due_at)


def test_forms_02_and_03_carry_the_circular_fields(qr_settings, world, tmp_path):
    from motcua.dossiers.services import Applicant

    submitted = world.create(
        channel="online",
        at="09/01/2024 10:00",
        applicant=Applicant(name="Đặng Thị Thuỷ", id_number="006190012345"),
    )
    done = _step(world, submitted, "request_completion", world.clerk, "10/01/2024 08:30",
                 reason="Thiếu bản sao")  # fmt: skip
    [fields] = _decoded(printouts.supplement_02(done, reason="Thiếu bản sao"), tmp_path)
    _assert_dossier_fields(
        fields, submitted, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "10/01/2024 08:30"
    )
    assert "NgayHenTra" not in fields
    refused = _step(world, submitted, "refuse", world.clerk, "11/01/2024 09:00", reason="Sai")
    [fields] = _decoded(printouts.refusal_03(refused, reason="Sai"), tmp_path)
    _assert_dossier_fields(
        fields, submitted, "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "11/01/2024 09:00"
    )


def test_form_04_carries_the_new_appointment(qr_settings, world, dossier, tmp_path):
    _step(world, dossier, "transfer", world.clerk, "08/01/2024 09:00")
    details = Details(new_due_at=local("19/01/2024 16:30"), signed_by="Hoàng Văn Dũng")
    _step(world, dossier, "apologise", world.officer, "12/01/2024 15:00",
          reason="Phải xác minh thực địa", details=details)  # fmt: skip
    extension = Extension.objects.get(dossier=dossier)
    [fields] = _decoded(printouts.apology_04(extension), tmp_path)
    _assert_dossier_fields(
        fields, dossier, "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "12/01/2024 15:00"
    )
    assert fields["NgayHenTra"] == "19/01/2024 16:30"


def test_form_05_carries_the_circular_fields(qr_settings, world, dossier, tmp_path):
    done = _processed(world, dossier)
    [fields, *_more] = _decoded(printouts.control_sheet_05(done), tmp_path)
    assert not _more  # the QR code is on the first page only
    _assert_dossier_fields(
        fields, dossier, "Phiếu kiểm soát quá trình giải quyết hồ sơ", "08/01/2024 08:05"
    )


def test_form_06_names_the_log_the_agency_and_its_day(qr_settings, world, dossier, tmp_path):
    pdf = printouts.tracking_log_06(
        agency=world.city_desk, start=date(2024, 1, 2), end=date(2024, 1, 12)
    )
    [fields] = _decoded(pdf, tmp_path)
    assert fields == {
        "TenGiayTo": "Sổ theo dõi hồ sơ từ ngày 02/01/2024 đến ngày 12/01/2024",
        "HeThong": SYSTEM,
        "ThoiGianCap": "12/01/2024",
        "CoQuan": world.city_desk.code,
    }


def test_the_fee_receipt_carries_the_circular_fields(qr_settings, world, dossier, tmp_path):
    owing = world.create(at="08/01/2024 08:05", fee=50000, applicant=dossier_applicant(dossier))
    details = Details(payment_method=PaymentMethod.CASH, payment_reference="BL-0007")
    _step(world, owing, "pay", world.clerk, "08/01/2024 08:10", details=details)
    event = PaymentEvent.objects.get(payment__dossier=owing)
    [fields] = _decoded(printouts.fee_receipt(event), tmp_path)
    _assert_dossier_fields(fields, owing, "Biên nhận thu phí, lệ phí", "08/01/2024 08:10")


def dossier_applicant(dossier):
    from motcua.dossiers.services import Applicant

    return Applicant(name=dossier.applicant_name, id_number=dossier.applicant_id_number)

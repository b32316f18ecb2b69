"""Loading unit, succession and agency files: the shipped data, reloads, and refused files."""

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from motcua.lib.parsing import parse_date
from motcua.units.choices import UnitKind, UnitLevel
from motcua.units.models import AdministrativeUnit, Agency, Succession
from motcua.units.selectors import unit_at, units_below
from motcua.units.services import (
    BAC_KAN_FILES,
    UnitDataError,
    load_bac_kan,
    load_units,
)

UNITS_HEADER = "code,name,kind,parent_code,valid_from,valid_to,legal_ref\n"
GOOD_UNITS = (
    UNITS_HEADER
    + "06,Tỉnh Bắc Kạn,province,,,30/06/2025,\n"
    + "058,Thành phố Bắc Kạn,city,06,,30/06/2025,\n"
    + "01834,Phường Nguyễn Thị Minh Khai,ward,058,,30/06/2025,\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts() -> tuple[int, int, int]:
    return AdministrativeUnit.objects.count(), Succession.objects.count(), Agency.objects.count()


def refused(paths) -> list[str]:
    """Load ``paths``, expect a refusal, and return the problems as text."""
    with pytest.raises(UnitDataError) as caught:
        load_units(paths)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.django_db
def test_it_loads_the_shipped_bac_kan_data():
    report = load_bac_kan()

    assert (report.units.created, report.successions.created, report.agencies.created) == (
        133,
        10,
        44,
    )
    assert report.total == 187
    city = unit_at("058", date(2024, 5, 22))
    assert (city.name, city.kind, city.level, city.parent.code) == (
        "Thành phố Bắc Kạn",
        UnitKind.CITY,
        UnitLevel.DISTRICT,
        "06",
    )
    communes = city.children.order_by("code")
    assert [(u.code, u.name) for u in communes] == [
        ("01834", "Phường Nguyễn Thị Minh Khai"),
        ("01837", "Phường Sông Cầu"),
        ("01840", "Phường Đức Xuân"),
        ("01843", "Phường Phùng Chí Kiên"),
        ("01846", "Phường Huyền Tụng"),
        ("01849", "Xã Dương Quang"),
        ("01852", "Xã Nông Thượng"),
        ("01855", "Phường Xuất Hóa"),
    ]
    assert [u.kind for u in communes].count(UnitKind.WARD) == 6
    # 117 village-level groups: the seed's 117 Project 06 working groups (one per group).
    assert units_below(city).filter(level=UnitLevel.VILLAGE).count() == 117
    assert set(
        Agency.objects.filter(unit=city, kind="department").values_list("code", flat=True)
    ) == {
        "PTP-058",
        "PTNMT-058",
        "PQLDT-058",
        "PTCKH-058",
        "PLDTBXH-058",
        "PGDDT-058",
        "PVHTT-058",
        "PNV-058",
        "PYT-058",
        "PKT-058",
    }
    assert Agency.objects.get(code="BPMC-058").electronic_code == "000.00.58.H06"
    assert Agency.objects.get(code="BPMC-01834").electronic_code == "000.34.58.H06"
    assert Agency.objects.get(code="BPMC-01855").electronic_code == "000.55.58.H06"
    don_phong = unit_at("01984", date(2025, 6, 30))
    assert (don_phong.name, don_phong.parent.name) == ("Xã Đôn Phong", "Huyện Bạch Thông")
    assert Succession.objects.filter(effective_date=date(2025, 7, 1)).count() == 10


@pytest.mark.django_db
def test_it_reloads_without_creating_anything_twice(bac_kan):
    before = counts()

    report = load_bac_kan()

    assert counts() == before == (133, 10, 44)
    assert (report.created, report.updated, report.units.unchanged) == (0, 0, 133)
    assert (report.successions.unchanged, report.agencies.unchanged) == (10, 44)


@pytest.mark.django_db
def test_it_updates_changed_rows_in_place(bac_kan, tmp_path):
    old = unit_at("01834-T01", date(2024, 1, 1))
    text = (
        Path(BAC_KAN_FILES[0])
        .read_text(encoding="utf-8")
        .replace("01834-T01,Tổ 1,", "01834-T01,Tổ 1A,")
    )
    units_file = write(tmp_path, "units.csv", text)

    report = load_units([units_file, *BAC_KAN_FILES[1:]])

    assert (report.units.updated, report.units.created, report.units.unchanged) == (1, 0, 132)
    renamed = AdministrativeUnit.objects.get(pk=old.pk)
    assert renamed.name == "Tổ 1A"
    assert counts() == (133, 10, 44)


@pytest.mark.django_db
def test_it_accepts_utf8_with_bom_iso_dates_and_any_column_order(tmp_path):
    text = (
        "valid_to,kind,name,code,parent_code\n"
        "2025-06-30,province,Tỉnh Bắc Kạn,06,\n"
        "2025-06-30,city,Thành phố Bắc Kạn,058,06\n"
    )
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    report = load_units(path)

    assert report.units.created == 2
    assert unit_at("058", date(2025, 6, 30)).valid_to == date(2025, 6, 30)


@pytest.mark.django_db
def test_it_stores_text_in_nfc(tmp_path):
    name = "Tỉnh Bắc Kạn"
    path = write(
        tmp_path, "u.csv", UNITS_HEADER + f"06,{unicodedata.normalize('NFD', name)},province,,,,\n"
    )

    load_units(path)

    stored = AdministrativeUnit.objects.get(code="06").name
    assert stored == name
    assert unicodedata.is_normalized("NFC", stored)


def test_it_parses_both_date_forms():
    assert parse_date("01/07/2025") == parse_date("2025-07-01") == date(2025, 7, 1)
    assert parse_date("1/7/2025") == date(2025, 7, 1)
    with pytest.raises(ValueError):
        parse_date("31/02/2025")
    with pytest.raises(ValueError):
        parse_date("07-01-2025")


# --- refused files: every problem with its place, nothing written --------------------------


@pytest.mark.django_db
def test_it_refuses_a_wrong_header(tmp_path):
    path = write(tmp_path, "u.csv", "ma,ten,kind,parent_code\n06,Tỉnh Bắc Kạn,province,\n")

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, dòng 1: ")
    assert "code, name" in problems[0]
    assert "ma, ten" in problems[0]
    assert "code,name,kind,parent_code,valid_from,valid_to,legal_ref" in problems[0]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_malformed_date_naming_line_and_column(tmp_path):
    path = write(
        tmp_path,
        "u.csv",
        GOOD_UNITS + "01837,Phường Sông Cầu,ward,058,,31/06/2025,\n",
    )

    problems = refused(path)

    assert problems == [
        f"{path}, dòng 5, cột valid_to: '31/06/2025' không phải là ngày; "
        "hãy viết dd/mm/yyyy hoặc yyyy-mm-dd"
    ]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_an_unknown_parent_code(tmp_path):
    path = write(tmp_path, "u.csv", GOOD_UNITS + "01837,Phường Sông Cầu,ward,059,,30/06/2025,\n")

    problems = refused(path)

    assert problems == [f"{path}, dòng 5, cột parent_code: không có mã đơn vị 059"]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_duplicate_code_naming_both_lines(tmp_path):
    path = write(tmp_path, "u.csv", GOOD_UNITS + "058,Thị xã Bắc Kạn,town,06,,30/06/2025,\n")

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, dòng 5, cột code: ")
    assert "058" in problems[0]
    assert "dòng 3" in problems[0]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_latin1_file_naming_the_line(tmp_path):
    text = UNITS_HEADER + "06,Tinh Bac Kan,province,,,,\n99,Café,province,,,,\n"
    path = write(tmp_path, "u.csv", text, encoding="latin-1")

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, dòng 3: ")
    assert "0xE9" in problems[0]
    assert "UTF-8" in problems[0]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_utf16_file(tmp_path):
    path = write(tmp_path, "u.csv", "\ufeff" + GOOD_UNITS, encoding="utf-16-le")

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, dòng 1: ")
    assert "UTF-16" in problems[0]


@pytest.mark.django_db
def test_it_reports_every_bad_row_and_writes_none_of_the_good_ones(tmp_path):
    path = write(
        tmp_path,
        "u.csv",
        GOOD_UNITS
        + "01837,Phường Sông Cầu,quarter,058,,30/06/2025,\n"
        + "01840,,ward,058,,30/06/2025,\n"
        + "01843,Phường Phùng Chí Kiên,ward,058,01/07/2025,30/06/2025,\n"
        + "01846,Phường Huyền Tụng,ward,058,,30/06/2025\n",
    )

    problems = refused(path)

    assert [p.split(":")[0] for p in problems] == [
        f"{path}, dòng 5, cột kind",
        f"{path}, dòng 6, cột name",
        f"{path}, dòng 7, cột valid_to",
        f"{path}, dòng 8",
    ]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_overlapping_versions_of_a_code(tmp_path):
    path = write(
        tmp_path,
        "u.csv",
        UNITS_HEADER
        + "19,Tỉnh Thái Nguyên,province,,,,\n19,Tỉnh Thái Nguyên mới,province,,01/07/2025,,\n",
    )

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, dòng 3, cột valid_from: ")
    assert "dòng 2" in problems[0]


@pytest.mark.django_db
def test_it_refuses_a_child_that_outlives_its_parent_or_sits_at_the_wrong_level(tmp_path):
    path = write(
        tmp_path,
        "u.csv",
        GOOD_UNITS
        + "01834-T01,Tổ 1,residential_group,01834,,,\n"
        + "063,Huyện Bạch Thông,district,01834,,30/06/2025,\n",
    )

    problems = refused(path)

    assert [p.split(":")[0] for p in problems] == [
        f"{path}, dòng 5, cột parent_code",
        f"{path}, dòng 6, cột parent_code",
    ]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_succession_with_an_unknown_unit_and_leaves_the_database_alone(
    bac_kan, tmp_path
):
    path = write(
        tmp_path,
        "s.csv",
        "predecessor_code,successor_code,kind,effective_date,legal_ref\n"
        "01834,01843,merger,01/07/2025,\n"
        "01999,01843,merger,01/07/2025,\n"
        "01834,01840,merge,01/07/2025,\n",
    )

    problems = refused(path)

    assert problems[0] == (f"{path}, dòng 3, cột predecessor_code: không có mã đơn vị 01999")
    assert problems[1].startswith(f"{path}, dòng 4, cột kind: ")
    assert len(problems) == 2
    assert counts() == (133, 10, 44)


@pytest.mark.django_db
def test_it_refuses_an_electronic_code_owned_by_another_agency(bac_kan, tmp_path):
    path = write(
        tmp_path,
        "a.csv",
        "code,name,kind,unit_code,electronic_code,valid_from,valid_to\n"
        "BPMC-063,Bộ phận Một cửa huyện Bạch Thông,one_stop,063,000.00.58.H06,,30/06/2025\n",
    )

    problems = refused(path)

    assert problems == [
        f"{path}, dòng 2, cột electronic_code: mã định danh điện tử 000.00.58.H06 "
        "đã thuộc về cơ quan BPMC-058"
    ]
    assert not Agency.objects.filter(code="BPMC-063").exists()


@pytest.mark.django_db
def test_it_refuses_a_missing_file(tmp_path):
    problems = refused([tmp_path / "nowhere.csv"])

    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'nowhere.csv'}: ")


@pytest.mark.django_db
def test_it_refuses_a_header_that_matches_no_format(tmp_path):
    path = write(tmp_path, "x.csv", "ma,ten\n06,Tỉnh Bắc Kạn\n")

    problems = refused(path)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, dòng 1: ")
    assert "units: code,name,kind,parent_code,valid_from,valid_to,legal_ref" in problems[0]
    assert "agencies: code,name,kind,unit_code,electronic_code,valid_from,valid_to" in problems[0]


@pytest.mark.django_db
def test_a_bad_file_among_good_ones_stops_the_whole_load(tmp_path):
    bad = write(tmp_path, "agencies.csv", "code;name;kind;unit_code\n")

    problems = refused([*BAC_KAN_FILES[:2], bad])

    assert len(problems) == 1
    assert problems[0].startswith(f"{bad}, dòng 1: ")
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_a_duplicate_agency_code_and_electronic_code(tmp_path):
    agencies = write(
        tmp_path,
        "a.csv",
        "code,name,kind,unit_code,electronic_code,valid_from,valid_to\n"
        "BPMC-058,Bộ phận Một cửa,one_stop,058,000.00.58.H06,,30/06/2025\n"
        "BPMC-058,Bộ phận Một cửa (2),one_stop,058,,,30/06/2025\n"
        "BPMC-01834,Bộ phận Một cửa phường,one_stop,01834,000.00.58.H06,,30/06/2025\n"
        "UBND-058,Ủy ban nhân dân thành phố,peoples_committee,058,,,\n",
    )

    problems = refused([BAC_KAN_FILES[0], agencies])

    assert [p.split(":")[0] for p in problems] == [
        f"{agencies}, dòng 3, cột code",
        f"{agencies}, dòng 4, cột electronic_code",
        f"{agencies}, dòng 5, cột valid_from",
    ]
    assert "dòng 2" in problems[1]
    assert "tồn tại lâu hơn đơn vị Thành phố Bắc Kạn" in problems[2]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_refuses_malformed_csv_naming_the_line_where_the_record_starts(tmp_path):
    # Text after a closing quote on line 3: the strict reader refuses it there.
    text = UNITS_HEADER + '06,"Tỉnh Bắc Kạn",province,,,,\n058,"Thành" phố,city,06,,,\n'
    path = write(tmp_path, "u.csv", text)

    problems = refused(path)

    assert problems == [f"{path}, dòng 3: không phải CSV hợp lệ (',' expected after '\"')"]
    assert counts() == (0, 0, 0)

"""Factories for catalogue tests: the agencies a catalogue file refers to, and file writers."""

from __future__ import annotations

from pathlib import Path

import factory

from motcua.catalog.fileformat import COLUMNS
from motcua.units.choices import AgencyKind, UnitKind
from motcua.units.models import AdministrativeUnit, Agency

CITY_AGENCIES = {
    "PTP-058": "Phòng Tư pháp",
    "PTNMT-058": "Phòng Tài nguyên và Môi trường",
    "PQLDT-058": "Phòng Quản lý đô thị",
    "PTCKH-058": "Phòng Tài chính - Kế hoạch",
    "PLDTBXH-058": "Phòng Lao động - Thương binh và Xã hội",
    "PGDDT-058": "Phòng Giáo dục và Đào tạo",
    "PVHTT-058": "Phòng Văn hóa và Thông tin",
    "PNV-058": "Phòng Nội vụ",
    "PYT-058": "Phòng Y tế",
    "PKT-058": "Phòng Kinh tế",
    "UBND-058": "UBND thành phố Bắc Kạn",
}


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = "058"
    name = "Thành phố Bắc Kạn"
    kind = UnitKind.CITY


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = "PTP-058"
    name = factory.LazyAttribute(lambda o: CITY_AGENCIES.get(o.code, o.code))
    kind = AgencyKind.DEPARTMENT
    unit = factory.SubFactory(CityFactory)


def city_agencies() -> dict[str, Agency]:
    return {code: AgencyFactory(code=code) for code in CITY_AGENCIES}


def row(**cells: str) -> dict[str, str]:
    """A good row (Đăng ký khai sinh, commune level) with some cells replaced."""
    base = {
        "ma_thu_tuc": "1.001193",
        "ten_thu_tuc": "Đăng ký khai sinh",
        "ma_linh_vuc": "HOTICH",
        "ten_linh_vuc": "Hộ tịch",
        "cap_thuc_hien": "xã",
        "ma_co_quan": "",
        "co_quan_thuc_hien": "UBND cấp xã",
        "thoi_han": "1",
        "don_vi_thoi_han": "ngày làm việc",
        "thoi_han_truc_tuyen": "",
        "le_phi": "0",
        "chung_thuc": "không",
        "muc_do_dvc": "toàn trình",
        "thanh_phan_ho_so": "Tờ khai đăng ký khai sinh [1/0/0]; Giấy chứng sinh [1/0/0]",
        "hieu_luc_tu": "01/01/2023",
        "het_hieu_luc_tu": "",
    }
    base.update(cells)
    return base


def building_permit_row(**cells: str) -> dict[str, str]:
    """A good row (a building permit, district level, with an online time limit) with some
    cells replaced."""
    return row(
        ma_thu_tuc="1.004227",
        ten_thu_tuc="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        ma_linh_vuc="XAYDUNG",
        ten_linh_vuc="Hoạt động xây dựng",
        cap_thuc_hien="huyện",
        ma_co_quan="PQLDT-058",
        co_quan_thuc_hien="",
        thoi_han="15",
        thoi_han_truc_tuyen="12",
        **cells,
    )


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS, sep: str = ",") -> str:
    def quote(value: str) -> str:
        if any(ch in value for ch in (sep, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [sep.join(columns)]
    lines += [sep.join(quote(r.get(c, "")) for c in columns) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def write_csv(
    path: Path, rows: list[dict[str, str]], *, bom: bool = True, **kwargs: object
) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + csv_text(rows, **kwargs).encode())  # type: ignore[arg-type]
    return path

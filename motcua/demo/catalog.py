"""The demo catalogue of Bắc Kạn city: 257 city-level procedures (189 online) and 114 commune-level
procedures (75 online), the figures of the city's reform report; and their versions from
1/7/2025, when the city level ended (``two_level_rows``, data/bac_kan_2025.csv).

Deterministic: every choice (code, time limit, fee, online level, components) comes from a hash
of the procedure's name, so ``motcua demo generate-catalog`` always writes the same
``data/bac_kan_demo.csv``. What it chooses from is data, in ``motcua/demo/data``: the
procedures' names (``catalog_names.csv``, the national procedure database's wording) and each
field's departments, time limits, fees and papers (``catalog_fields.csv``). The codes have the
national shape (1.001193) but are made up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

from motcua.catalog.choices import LimitUnit, OnlineLevel, ProcedureLevel
from motcua.catalog.fileformat import Component, Fee, ProcedureRow, write_file
from motcua.lib.spreadsheet import write_csv
from motcua.lib.tablefile import read_file_bytes, read_table

DISTRICT_TOTAL, DISTRICT_ONLINE = 257, 189
COMMUNE_TOTAL, COMMUNE_ONLINE = 114, 75

T = TypeVar("T")
WD, WH, CD = LimitUnit.WORKING_DAYS, LimitUnit.WORKING_HOURS, LimitUnit.CALENDAR_DAYS
COMMUNE_BODY = "UBND cấp xã"
START_DATES = (
    date(2023, 1, 1),
    date(2023, 1, 1),
    date(2023, 1, 1),
    date(2023, 3, 15),
    date(2023, 7, 1),
)
DATA = Path(__file__).resolve().parent / "data"
# One line per field: the city department that handled its city-level procedures, the
# provincial department that took them on 1/7/2025 (empty: the commune did), and what the
# generator picks from: time limits ("3 working_days"), fees in đồng, the form, other papers.
FIELDS_PATH = DATA / "catalog_fields.csv"
FIELD_COLUMNS = (
    "ma_linh_vuc",
    "ten_linh_vuc",
    "ma_co_quan",
    "ma_co_quan_2025",
    "thoi_han",
    "le_phi",
    "mau_don",
    "giay_to",
)
# The procedures' names in the national database's wording, per level and field, city level
# first; bien_the = có: also make the variants "Cấp lại…", "Cấp sửa đổi, bổ sung…", "Gia hạn…".
NAMES_PATH = DATA / "catalog_names.csv"
NAME_COLUMNS = ("cap_thuc_hien", "ma_linh_vuc", "ten_thu_tuc", "bien_the")
SEPARATOR = "|"  # between the values of a cell that holds several


@dataclass(frozen=True)
class FieldSpec:
    name: str
    agency: str  # the city department that handles the field's city-level procedures
    limits: tuple[tuple[int, str], ...]
    fees: tuple[int, ...]
    form: str
    papers: tuple[str, ...]
    province_agency: str = ""  # from 1/7/2025; "" when the commune took the procedures


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    rows = read_table(read_file_bytes(path), path.name, columns=columns, cell_text=_text)
    return [cells for _line, cells in rows]


def _text(_column: str, value: object) -> str:
    return str(value)


def _limit(text: str) -> tuple[int, str]:
    count, unit = text.split()
    return int(count), LimitUnit(unit)


@cache
def fields() -> dict[str, FieldSpec]:
    """The fields of the demo catalogue by code (data/catalog_fields.csv)."""
    return {
        cells["ma_linh_vuc"]: FieldSpec(
            name=cells["ten_linh_vuc"],
            agency=cells["ma_co_quan"],
            limits=tuple(_limit(t) for t in cells["thoi_han"].split(SEPARATOR)),
            fees=tuple(int(t) for t in cells["le_phi"].split(SEPARATOR)),
            form=cells["mau_don"],
            papers=tuple(cells["giay_to"].split(SEPARATOR)),
            province_agency=cells.get("ma_co_quan_2025", ""),
        )
        for cells in _read(FIELDS_PATH, FIELD_COLUMNS)
    }


@cache
def base_names(level: str) -> tuple[tuple[str, str, bool], ...]:
    """(field code, name, make variants) of ``level``, in the file's order
    (data/catalog_names.csv)."""
    return tuple(
        (cells["ma_linh_vuc"], cells["ten_thu_tuc"], cells["bien_the"] == "có")
        for cells in _read(NAMES_PATH, NAME_COLUMNS)
        if cells["cap_thuc_hien"] == level
    )


VARIANT_PREFIXES = ("Cấp lại ", "Cấp sửa đổi, bổ sung ", "Gia hạn ")
# Procedures that need the person or the paper original in the room: never offered online here.
OFFLINE_WORDS = (
    "lưu động",
    "khiếu nại",
    "tố cáo",
    "Tiếp công dân",
    "Xử lý đơn",
    "tranh chấp",
    "giải trình",
    "di chúc",
    "Tặng",
    "Thu hồi",
    "Hòa giải",
    "cách ly",
)
# Flagship services of the national portal: always offered online, full-process.
ONLINE_FIRST = (
    "Đăng ký khai sinh",
    "Đăng ký khai tử",
    "Đăng ký kết hôn",
    "Cấp bản sao Trích lục",
    "Cấp Giấy xác nhận tình trạng hôn nhân",
    "Liên thông",
    "Đăng ký thành lập hộ kinh doanh",
    "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
    "Chứng thực bản sao điện tử",
)
CERTIFICATION_PREFIXES = ("Chứng thực", "Cấp bản sao có chứng thực", "Sửa lỗi sai sót")


def _hash(*parts: object) -> int:
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _pick(options: tuple[T, ...], *key: object) -> T:
    return options[_hash(*key) % len(options)]


def _names(
    base: tuple[tuple[str, str, bool], ...], total: int, level: str
) -> list[tuple[str, str]]:
    """The base names, then license variants round-robin until ``total`` (no duplicates)."""
    names = [(field, name) for field, name, _variants in base]
    seen = {name.casefold() for _field, name in names}
    licensed = [(field, name) for field, name, variants in base if variants]
    for prefix in VARIANT_PREFIXES:
        for field, name in licensed:
            if len(names) >= total:
                break
            variant = prefix + name.removeprefix("Cấp ")
            if variant.casefold() not in seen:
                seen.add(variant.casefold())
                names.append((field, variant))
    if len(names) < total:
        raise ValueError(f"{level}: only {len(names)} names for {total} procedures")
    return names[:total]


def _online_rank(name: str) -> int:
    if any(word in name for word in OFFLINE_WORDS):
        return 2
    return 0 if name.startswith(ONLINE_FIRST) else 1


def _online_levels(names: list[tuple[str, str]], online: int, level: str) -> dict[str, str]:
    """Exactly ``online`` procedures offered online, offline-by-nature ones last to get it."""
    order = sorted(
        (name for _f, name in names),
        key=lambda n: (_online_rank(n), _hash(level, n, "online")),
    )
    levels: dict[str, str] = {}
    for rank, name in enumerate(order):
        if rank >= online:
            levels[name] = OnlineLevel.NONE
        elif _online_rank(name) == 0:
            levels[name] = OnlineLevel.FULL
        else:
            # About two in five online services are full-process (Decree 42/2022 Art. 11.1.a).
            full = _hash(level, name, "full") % 5 < 2
            levels[name] = OnlineLevel.FULL if full else OnlineLevel.PARTIAL
    return levels


def _time_limit(spec: FieldSpec, level: str, name: str) -> tuple[int, str]:
    if "khiếu nại" in name or "tố cáo" in name or "tranh chấp" in name:
        return (45, CD) if "lần hai" in name or "Giải quyết tranh chấp" in name else (30, CD)
    if "Tiếp công dân" in name:
        return 8, WH
    if level == ProcedureLevel.COMMUNE and spec.name == "Hộ tịch" and "lưu động" not in name:
        return _pick(((1, WD), (3, WD), (8, WH), (5, WD)), level, name, "limit")
    return _pick(spec.limits, level, name, "limit")


def _fees(spec: FieldSpec, level: str, name: str) -> tuple[Fee, ...]:
    if spec.name == "Chứng thực":
        if name.startswith("Chứng thực bản sao"):
            return (Fee("Hai trang đầu", 2000), Fee("Từ trang thứ ba, mỗi trang", 1000))
        if "chữ ký" in name:
            return (Fee("", 10000),)
        if name.startswith("Sửa lỗi") or name.startswith("Cấp bản sao"):
            return (Fee("", 25000),) if name.startswith("Sửa lỗi") else (Fee("Mỗi trang", 2000),)
        if "Công nhận" in name:
            return ()
        return (Fee("", 50000),)
    if spec.name == "Hộ tịch":
        if level == ProcedureLevel.DISTRICT and "kết hôn" in name:
            return (Fee("", 1000000),)
        if level == ProcedureLevel.DISTRICT:
            return (Fee("", 100000),) if "Đăng ký" in name else (Fee("", 50000),)
        if name.startswith(
            ("Đăng ký khai sinh", "Đăng ký khai tử", "Đăng ký kết hôn", "Liên thông")
        ):
            return ()  # free by law (Law on Civil Status Art. 11)
    if name.startswith("Cấp lại ") or name.startswith("Gia hạn "):
        amount = _pick(spec.fees, level, name, "fee")
        return (Fee("", amount // 2),) if amount >= 20000 else ()
    if "Đăng ký đất đai" in name:
        return (Fee("Lệ phí cấp giấy chứng nhận", 100000), Fee("Phí thẩm định hồ sơ", 500000))
    amount = _pick(spec.fees, level, name, "fee")
    return (Fee("", amount),) if amount else ()


def _components(spec: FieldSpec, level: str, name: str) -> tuple[Component, ...]:
    count = 1 + _hash(level, name, "papers") % min(3, len(spec.papers))
    start = _hash(level, name, "first paper") % len(spec.papers)
    papers = [spec.papers[(start + i) % len(spec.papers)] for i in range(count)]
    components = [Component(spec.form, 1, 0, 0)]
    for paper in papers:
        kind = _hash(level, name, paper) % 3
        components.append(Component(paper, int(kind == 0), int(kind == 1), int(kind == 2)))
    return tuple(components)


def _code(level: str, name: str, used: set[str]) -> str:
    value = _hash(level, name, "code")
    prefix = "1" if value % 3 else "2"
    number = (value // 3) % 12000 + 100
    code = f"{prefix}.{number:06d}"
    while code in used:
        number += 1
        code = f"{prefix}.{number:06d}"
    used.add(code)
    return code


def demo_rows() -> list[ProcedureRow]:
    """The 371 procedures of the demo catalogue, city level first."""
    rows: list[ProcedureRow] = []
    used: set[str] = set()
    for level, total, online in (
        (ProcedureLevel.DISTRICT, DISTRICT_TOTAL, DISTRICT_ONLINE),
        (ProcedureLevel.COMMUNE, COMMUNE_TOTAL, COMMUNE_ONLINE),
    ):
        names = _names(base_names(level), total, level)
        online_levels = _online_levels(names, online, level)
        for field_code, name in names:
            spec = fields()[field_code]
            limit, unit = _time_limit(spec, level, name)
            online_level = online_levels[name]
            online_limit = None
            # Some online services promise a shorter limit (§1.6).
            shorter = _hash(level, name, "online limit") % 4 == 0
            if online_level != OnlineLevel.NONE and unit == WD and limit >= 5 and shorter:
                online_limit = limit - 2
            district = level == ProcedureLevel.DISTRICT
            rows.append(
                ProcedureRow(
                    line=0,
                    code=_code(level, name, used),
                    name=name,
                    field_code=field_code,
                    field_name=spec.name,
                    level=level,
                    agency_code=spec.agency if district else "",
                    competent_body="" if district else COMMUNE_BODY,
                    time_limit=limit,
                    time_limit_unit=unit,
                    online_time_limit=online_limit,
                    fees=_fees(spec, level, name),
                    is_certification=name.startswith(CERTIFICATION_PREFIXES),
                    online_level=online_level,
                    components=_components(spec, level, name),
                    valid_from=_pick(START_DATES, level, name, "start"),
                    valid_to=None,
                )
            )
    return rows


def write_demo_catalog(path: Path) -> int:
    """Write the demo catalogue file; returns the number of procedures."""
    rows = demo_rows()
    write_file(path, rows)
    return len(rows)


# -- the two-level government (from 1/7/2025) ---------------------------------------------------

# The district tier ended on 30/06/2025 (§10.2). Every former city-level procedure gets a new
# version from that day: the commune's People's Committee settles it (UBND cấp xã), or, where
# the province took the authority, a provincial department. Which field went where is our best
# understanding of the 2025 decrees dividing authority between the two levels; the article-level
# texts were not read, so every line is marked assumed (da_xac_minh = không) in the basis file.
TWO_LEVEL_START = date(2025, 7, 1)
COMMUNE_BASIS = (
    "Luật Tổ chức chính quyền địa phương 2025; Nghị định 118/2025/NĐ-CP; các nghị định năm 2025 "
    "phân định thẩm quyền của chính quyền địa phương hai cấp (số hiệu, điều khoản chưa xác minh)"
)
PROVINCE_BASIS = (
    "Nghị định 118/2025/NĐ-CP; nghị định năm 2025 phân định thẩm quyền của chính quyền địa "
    "phương hai cấp trong lĩnh vực %s (số hiệu, điều khoản chưa xác minh)"
)
BASIS_COLUMNS = (
    "ma_linh_vuc",
    "ten_linh_vuc",
    "cap_thuc_hien",
    "ma_co_quan",
    "hieu_luc_tu",
    "can_cu",
    "da_xac_minh",
)


def two_level_rows() -> list[ProcedureRow]:
    """The versions from 1/7/2025 of the 257 former city-level procedures, same content but
    for the level and the competent body (time limits and fees are not changed here)."""
    rows = []
    for row in demo_rows():
        if row.level != ProcedureLevel.DISTRICT:
            continue
        agency = fields()[row.field_code].province_agency
        rows.append(
            ProcedureRow(
                **{
                    **row.__dict__,
                    "level": ProcedureLevel.PROVINCE if agency else ProcedureLevel.COMMUNE,
                    "agency_code": agency,
                    "competent_body": "" if agency else COMMUNE_BODY,
                    "valid_from": TWO_LEVEL_START,
                    "valid_to": None,
                }
            )
        )
    return rows


def two_level_basis() -> list[tuple[str, ...]]:
    """One line per field of the former city level: where it went and on what basis."""
    lines: list[tuple[str, ...]] = []
    for code, spec in fields().items():
        agency = spec.province_agency
        lines.append(
            (
                code,
                spec.name,
                "tỉnh" if agency else "xã",
                agency,
                f"{TWO_LEVEL_START:%d/%m/%Y}",
                PROVINCE_BASIS % spec.name.lower() if agency else COMMUNE_BASIS,
                "không",
            )
        )
    return lines


def write_two_level_catalog(path: Path, basis_path: Path) -> int:
    """Write the 1/7/2025 versions (import format) and their basis file; returns the rows."""
    rows = two_level_rows()
    write_file(path, rows)
    with basis_path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv(handle, BASIS_COLUMNS, two_level_basis())
    return len(rows)

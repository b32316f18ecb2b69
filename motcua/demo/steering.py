"""The seed's digital-transformation and Project 06 figures for Thành phố Bắc Kạn (058) as of
22/05/2024, loaded through the services; idempotent (``motcua demo load`` runs it each time).

Values (seed README): 25.328 e-ID accounts; 1.459/24.007 people of working age with a digital
signature; 11.152/12.064 households with fibre; 100% of communes and wards covered by
2G/3G/4G (8/8); 100% of agencies connected by fibre, over the demo's agencies of the city and
its communes and wards on that day (28: docs/steering.md). Targets the province set for 2024:
digitisation 100%, electronic certification 20%. Working groups: the city's 1 of 13 members,
one per commune or ward (8, 56 members) and one per village or residential group (117, 702
members), with generated Vietnamese names (no real people; phones left empty).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time

from django.db import transaction

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.lib.formatting import nfc
from motcua.steering import definitions as codes
from motcua.steering.choices import MemberRole
from motcua.steering.models import IndicatorDefinition, IndicatorTarget, WorkingGroup
from motcua.steering.services import (
    indicator_definitions_load,
    indicator_target_set,
    indicator_value_record,
    working_group_create,
    working_group_member_add,
)
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_at, unit_lineage, valid_on

DEMO_UNIT = "058"
DEMO_DAY = date(2024, 5, 22)
DEMO_PERIOD_START = date(2024, 1, 1)  # the seed's "first six months": 1 January to the day
# The account that "entered" the seed's values, when the demo users exist (motcua.demo).
DEMO_ENTERED_BY = "lanhdao.thanhpho"
DEMO_NOTE = "Số liệu báo cáo tại cuộc họp Ban Chỉ đạo CCHC thành phố ngày 23/5/2024"

CITY_POSITIONS: tuple[tuple[MemberRole, str], ...] = (
    (MemberRole.LEADER, "Chủ tịch UBND thành phố"),
    (MemberRole.DEPUTY, "Trưởng Công an thành phố"),
    (MemberRole.DEPUTY, "Phó Chủ tịch UBND thành phố"),
    (MemberRole.MEMBER, "Chánh Văn phòng HĐND và UBND thành phố"),
    (MemberRole.MEMBER, "Trưởng phòng Văn hóa và Thông tin"),
    (MemberRole.MEMBER, "Trưởng phòng Tư pháp"),
    (MemberRole.MEMBER, "Trưởng phòng Lao động - Thương binh và Xã hội"),
    (MemberRole.MEMBER, "Trưởng phòng Y tế"),
    (MemberRole.MEMBER, "Trưởng phòng Giáo dục và Đào tạo"),
    (MemberRole.MEMBER, "Trưởng phòng Tài nguyên và Môi trường"),
    (MemberRole.MEMBER, "Trưởng phòng Nội vụ"),
    (MemberRole.MEMBER, "Giám đốc Bảo hiểm xã hội thành phố"),
    (MemberRole.MEMBER, "Phó Trưởng Công an thành phố"),
)
COMMUNE_POSITIONS: tuple[tuple[MemberRole, str], ...] = (
    (MemberRole.LEADER, "Chủ tịch UBND {kind}"),
    (MemberRole.DEPUTY, "Trưởng Công an {kind}"),
    (MemberRole.MEMBER, "Công chức Tư pháp - Hộ tịch"),
    (MemberRole.MEMBER, "Công chức Văn hóa - Xã hội"),
    (MemberRole.MEMBER, "Công chức Văn phòng - Thống kê"),
    (MemberRole.MEMBER, "Bí thư Đoàn Thanh niên {kind}"),
    (MemberRole.MEMBER, "Chủ tịch Hội Liên hiệp Phụ nữ {kind}"),
)
VILLAGE_POSITIONS: tuple[tuple[MemberRole, str], ...] = (
    (MemberRole.LEADER, "{head}"),
    (MemberRole.DEPUTY, "{police}"),
    (MemberRole.MEMBER, "Bí thư Chi bộ"),
    (MemberRole.MEMBER, "Chi hội trưởng Chi hội Phụ nữ"),
    (MemberRole.MEMBER, "Bí thư Chi đoàn"),
    (MemberRole.MEMBER, "Chi hội trưởng Chi hội Cựu chiến binh"),
)

FAMILY = (
    "Nguyễn", "Hoàng", "Nông", "Triệu", "Lý", "Ma", "Hà", "Lương", "Đàm", "Lục",
    "Bế", "Dương", "Trần", "Lê", "Phạm", "Vũ", "Đặng", "La", "Lộc", "Hứa",
)  # fmt: skip
MIDDLE_MALE = ("Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Tiến", "Đình")
MIDDLE_FEMALE = ("Thị", "Thu", "Thanh", "Ngọc", "Hồng", "Kim")
GIVEN_MALE = (
    "Hùng", "Cường", "Dũng", "Hải", "Long", "Nam", "Sơn", "Tuấn", "Thắng", "Bình",
    "Khánh", "Toàn", "Hưng", "Phúc", "Quý", "Thành", "Trung", "Vinh", "Kiên", "Lâm",
)  # fmt: skip
GIVEN_FEMALE = (
    "Lan", "Hoa", "Hương", "Mai", "Thảo", "Hạnh", "Nga", "Hằng",
    "Linh", "Huyền", "Phương", "Trang", "Yến", "Dung", "Loan", "Thủy",
)  # fmt: skip


def demo_name(k: int) -> str:
    """The k-th generated name: the same for the same k on every machine (picked by the bytes
    of a SHA-256 of k, not by a random generator). About one in three is a woman's name."""
    pick = hashlib.sha256(f"motcua-demo-{k}".encode()).digest()
    family = FAMILY[pick[0] % len(FAMILY)]
    if pick[1] % 3 == 0:
        middle = MIDDLE_FEMALE[pick[2] % len(MIDDLE_FEMALE)]
        given = GIVEN_FEMALE[pick[3] % len(GIVEN_FEMALE)]
    else:
        middle = MIDDLE_MALE[pick[2] % len(MIDDLE_MALE)]
        given = GIVEN_MALE[pick[3] % len(GIVEN_MALE)]
    return nfc(f"{family} {middle} {given}")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _kind_word(unit: AdministrativeUnit) -> str:
    """'phường' or 'xã', from the unit's name (Phường Đức Xuân, Xã Dương Quang)."""
    return "xã" if unit.name.startswith("Xã") else "phường"


def _group_name(unit: AdministrativeUnit) -> str:
    name = f"Tổ công tác Đề án 06 {_lower_first(unit.name)}"
    if unit.level == UnitLevel.VILLAGE and unit.parent is not None:
        name += f", {_lower_first(unit.parent.name)}"
    return nfc(name)


def _positions(unit: AdministrativeUnit) -> tuple[tuple[MemberRole, str], ...]:
    if unit.level == UnitLevel.DISTRICT:
        return CITY_POSITIONS
    if unit.level == UnitLevel.COMMUNE:
        kind = _kind_word(unit)
        return tuple((role, text.format(kind=kind)) for role, text in COMMUNE_POSITIONS)
    village = unit.name.startswith("Thôn")
    head = "Trưởng thôn" if village else "Tổ trưởng tổ dân phố"
    police = "Công an viên" if village else "Cảnh sát khu vực"
    return tuple((role, text.format(head=head, police=police)) for role, text in VILLAGE_POSITIONS)


def _load_groups(city: AdministrativeUnit) -> tuple[int, int]:
    """One group per unit of the city's tree on the demo day; members only for a group that
    has none yet. Returns (groups, members) created."""
    units = [
        u
        for u in unit_lineage(city).filter(valid_on(DEMO_DAY)).select_related("parent")
        if u.level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE, UnitLevel.VILLAGE)
    ]
    rank = {UnitLevel.DISTRICT: 0, UnitLevel.COMMUNE: 1, UnitLevel.VILLAGE: 2}
    units.sort(key=lambda u: (rank[UnitLevel(u.level)], u.code))
    groups = members = 0
    person = 0
    for unit in units:
        name = _group_name(unit)
        group = WorkingGroup.objects.filter(unit=unit, name=name).first()
        if group is None:
            group = working_group_create(unit=unit, name=name)
            groups += 1
        positions = _positions(unit)
        if group.members.exists():
            person += len(positions)
            continue
        for role, position in positions:
            working_group_member_add(
                group=group, name=demo_name(person), position=position, role=role
            )
            person += 1
            members += 1
    return groups, members


def _load_values(city: AdministrativeUnit) -> int:
    """The seed's values for the city; returns how many were recorded (0 when present)."""
    user = User.objects.filter(username=DEMO_ENTERED_BY).first()
    entered_at = datetime.combine(DEMO_DAY, time(16, 0), LOCAL_TZ)
    communes = AdministrativeUnit.objects.filter(
        valid_on(DEMO_DAY), parent=city, level=UnitLevel.COMMUNE
    ).count()
    agencies = Agency.objects.filter(valid_on(DEMO_DAY), unit__in=unit_lineage(city)).count()
    figures: dict[str, tuple[int, int | None]] = {
        codes.EID_ACCOUNTS: (25328, None),
        codes.DIGITAL_SIGNATURE: (1459, 24007),
        codes.FIBRE_HOUSEHOLDS: (11152, 12064),
        codes.MOBILE_COVERAGE: (communes, communes),
        codes.AGENCY_FIBRE: (agencies, agencies),
    }
    definitions = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=figures)}
    recorded = 0
    for code, (numerator, denominator) in figures.items():
        before = definitions[code].values.filter(unit=city).count()
        indicator_value_record(
            definition=definitions[code],
            unit=city,
            period_start=DEMO_PERIOD_START,
            period_end=DEMO_DAY,
            numerator=numerator,
            denominator=denominator,
            entered_by=user,
            note=DEMO_NOTE,
            entered_at=entered_at,
        )
        recorded += definitions[code].values.filter(unit=city).count() - before
    return recorded


def _load_targets(city: AdministrativeUnit) -> int:
    targets = {codes.DIGITISATION: 100, codes.E_CERTIFICATION: 20}
    set_now = 0
    for code, value in targets.items():
        definition = IndicatorDefinition.objects.get(code=code)
        current = IndicatorTarget.objects.filter(
            definition=definition, unit=city, year=DEMO_DAY.year
        ).first()
        if current is not None and current.value == value:
            continue
        indicator_target_set(definition=definition, unit=city, year=DEMO_DAY.year, value=value)
        set_now += 1
    return set_now


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Definitions, the seed's values and targets for 058, and the Project 06 working groups;
    returns what each step created (all 0 on a second load). Needs the Bắc Kạn units
    (``units.services.load_bac_kan``)."""
    counts = {"definitions": indicator_definitions_load()}
    city = unit_at(DEMO_UNIT, DEMO_DAY)
    counts["values"] = _load_values(city)
    counts["targets"] = _load_targets(city)
    counts["groups"], counts["members"] = _load_groups(city)
    return counts

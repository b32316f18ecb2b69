"""Fixtures for the directives' tests: the Bắc Kạn units (motcua/conftest.py), people with
roles in the city and two wards, and a meeting of the city's steering committee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.directives.models import Meeting
from motcua.directives.services import (
    directive_cancel,
    directive_create,
    directive_update,
    meeting_create,
)
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_at

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MEETING_DAY = date(2024, 5, 23)  # a Thursday; 5 working days -> 30/05, 10 -> 06/06


def local(text: str) -> datetime:
    """'dd/mm/yyyy HH:MM' in Vietnam time."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


def person(
    username: str,
    role: Role,
    unit: AdministrativeUnit,
    *,
    email: str = "",
    agency: Agency | None = None,
    full_name: str | None = None,
) -> User:
    user = user_create_or_update(
        username=username, full_name=full_name or username, email=email, password="x"
    )
    role_grant(user=user, role=role, unit=unit, agency=agency)
    return user


@dataclass
class People:
    city: AdministrativeUnit
    ward: AdministrativeUnit  # Phường Đức Xuân
    other_ward: AdministrativeUnit  # Phường Nguyễn Thị Minh Khai
    interior: Agency  # Phòng Nội vụ
    city_desk: Agency  # Bộ phận Một cửa thành phố
    city_leader: User
    city_steering: User
    city_clerk: User
    interior_head: User  # a leader narrowed to Phòng Nội vụ
    ward_leader: User
    ward_clerk: User
    other_ward_clerk: User
    outsider: User  # no role at all


@pytest.fixture(scope="module")
def people(bac_kan_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        city = unit_at("058", MEETING_DAY)
        ward = unit_at("01840", MEETING_DAY)
        other_ward = unit_at("01834", MEETING_DAY)
        interior = Agency.objects.get(code="PNV-058")
        city_desk = Agency.objects.get(code="BPMC-058")
        yield People(
            city=city,
            ward=ward,
            other_ward=other_ward,
            interior=interior,
            city_desk=city_desk,
            city_leader=person(
                "ld.city", Role.LEADER, city, email="ld.city@example.vn", full_name="Lãnh đạo TP"
            ),
            city_steering=person("bcd.city", Role.STEERING, city, email="bcd.city@example.vn"),
            city_clerk=person("mc.city", Role.CLERK, city, agency=city_desk),
            interior_head=person(
                "tp.noivu",
                Role.LEADER,
                city,
                agency=interior,
                email="tp.noivu@example.vn",
                full_name="Trưởng phòng Nội vụ",
            ),
            ward_leader=person("ld.ducxuan", Role.LEADER, ward, email="ld.ducxuan@example.vn"),
            ward_clerk=person("mc.ducxuan", Role.CLERK, ward),
            other_ward_clerk=person("mc.ntmk", Role.CLERK, other_ward),
            outsider=user_create_or_update(username="khach", full_name="Khách", password="x"),
        )
        transaction.set_rollback(True)


@pytest.fixture
def meeting(people) -> Meeting:
    return meeting_create(
        actor=people.city_leader,
        unit=people.city,
        body="Ban Chỉ đạo cải cách hành chính thành phố Bắc Kạn",
        title="Họp đánh giá công tác CCHC 6 tháng đầu năm 2024",
        held_on=MEETING_DAY,
        chair="Chủ tịch UBND thành phố",
        at=local("23/05/2024 11:30"),
    )


@pytest.fixture
def scenario(people, meeting):
    """Seven conclusions of the 23/05/2024 meeting, followed until 21/06/2024."""
    culture = Agency.objects.get(code="PVHTT-058")

    def assign(text, *, days=None, day=None, **assignee):
        return directive_create(
            actor=people.city_leader,
            meeting=meeting,
            text=text,
            head_name="Thủ trưởng đơn vị",
            working_days=days,
            deadline_day=day,
            at=local("23/05/2024 14:00"),
            **assignee,
        )

    def update(directive, status, at):
        directive.refresh_from_db()
        directive_update(
            actor=people.city_leader,
            directive_id=directive.pk,
            status=status,
            note="Báo cáo.",
            expected_version=directive.version,
            at=local(at),
        )
        directive.refresh_from_db()

    made = {
        "a1": assign("Rà soát quy trình", days=5, agency=people.interior),  # 30/05
        "a2": assign("Khắc phục tồn tại", days=10, agency=people.interior),  # 06/06
        "a3": assign("Báo cáo 6 tháng", day=date(2024, 6, 20), agency=people.interior),
        "b1": assign("Kiểm tra hồ sơ cuối ngày", days=5, agency=people.city_desk),  # 30/05
        "c1": assign("Nâng cao chất lượng một cửa", days=15, unit=people.ward),  # 13/06
        "d1": assign("Thanh toán trực tuyến", day=date(2024, 6, 28), agency=culture),
        "e1": assign("Việc đã bỏ", days=5, agency=people.city_desk),  # 30/05, cancelled
    }
    update(made["a1"], "done", "29/05/2024 16:00")  # on time
    update(made["a2"], "in_progress", "05/06/2024 09:00")
    update(made["a2"], "done", "11/06/2024 10:00")  # late
    update(made["b1"], "done", "30/05/2024 17:00")  # exactly at the deadline: on time
    update(made["c1"], "in_progress", "07/06/2024 10:00")  # overdue from 13/06 17:00
    made["e1"].refresh_from_db()
    directive_cancel(
        actor=people.city_leader,
        directive_id=made["e1"].pk,
        reason="Trùng nội dung.",
        expected_version=1,
        at=local("24/05/2024 08:00"),
    )
    return made

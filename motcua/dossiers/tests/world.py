"""A small world for dossier tests, benchmarks and worker processes: a city, two wards, their
one-stop sections, a procedure, staff. Shared so the three stay the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.dossiers.choices import Channel
from motcua.dossiers.services import (
    Applicant,
    Component,
    Details,
    dossier_create,
    dossier_transition,
)
from motcua.units.models import AdministrativeUnit, Agency

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """'dd/mm/yyyy HH:MM' in Vietnam time."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


@dataclass
class World:
    province: AdministrativeUnit
    city: AdministrativeUnit
    ward: AdministrativeUnit
    other_ward: AdministrativeUnit
    city_desk: Agency
    justice: Agency
    ward_desk: Agency
    other_desk: Agency
    procedure: ProcedureVersion
    offline_procedure: ProcedureVersion
    clerk: User
    officer: User
    leader: User
    ward_clerk: User
    other_clerk: User

    def create(self, *, channel: str = Channel.DIRECT, at: str = "02/01/2024 08:00", **kwargs):
        """A dossier for the land-certificate procedure, received by the city's clerk."""
        defaults = {
            "procedure": self.procedure,
            "receiving_agency": self.city_desk,
            "channel": channel,
            "applicant": Applicant(
                name="Nguyễn Thị Minh Khai", id_number="006190012345", phone="0912345678"
            ),
            "components": [Component("Tờ khai", originals=1, digitised=True)],
            "actor": None if channel == Channel.ONLINE else self.clerk,
            "at": local(at),
        }
        defaults.update(kwargs)
        return dossier_create(**defaults).dossier

    def take(
        self, dossier, action, at: str, *, actor=None, as_applicant=False, reason="", **details
    ):
        """``action`` on ``dossier`` at the local moment ``at``, by ``actor`` (or the applicant),
        with its details as keywords."""
        return dossier_transition(
            dossier_id=dossier.pk,
            action=action,
            actor=actor,
            as_applicant=as_applicant,
            reason=reason,
            details=Details(**details),
            at=local(at),
        )


def build_world() -> World:
    """Create the world's rows (call inside a database transaction)."""
    province = AdministrativeUnit.objects.create(code="06", name="Tỉnh Bắc Kạn", kind="province")
    city = AdministrativeUnit.objects.create(
        code="058", name="Thành phố Bắc Kạn", kind="city", parent=province
    )
    ward = AdministrativeUnit.objects.create(
        code="01840", name="Phường Đức Xuân", kind="ward", parent=city
    )
    other_ward = AdministrativeUnit.objects.create(
        code="01837", name="Phường Sông Cầu", kind="ward", parent=city
    )
    city_desk = Agency.objects.create(
        code="BPMC-058",
        name="Bộ phận Một cửa thành phố",
        kind="one_stop",
        unit=city,
        electronic_code="000.00.58.H06",
    )
    justice = Agency.objects.create(
        code="PTP-058", name="Phòng Tư pháp", kind="department", unit=city
    )
    ward_desk = Agency.objects.create(
        code="BPMC-01840",
        name="Bộ phận Một cửa phường Đức Xuân",
        kind="one_stop",
        unit=ward,
        electronic_code="000.40.58.H06",
    )
    other_desk = Agency.objects.create(
        code="BPMC-01837",
        name="Bộ phận Một cửa phường Sông Cầu",
        kind="one_stop",
        unit=other_ward,
        electronic_code="000.37.58.H06",
    )
    field = Field.objects.create(code="DATDAI", name="Đất đai")

    def version(code: str, name: str, online_level: str) -> ProcedureVersion:
        procedure = Procedure.objects.create(code=code)
        return ProcedureVersion.objects.create(
            procedure=procedure,
            version=1,
            valid_from=date(2023, 1, 1),
            name=name,
            field=field,
            level="district",
            competent_agency=justice,
            time_limit=5,
            time_limit_unit="working_days",
            online_level=online_level,
        )

    procedure = version("1.000001", "Chứng thực hợp đồng, giao dịch", "partial")
    offline = version("1.000002", "Đăng ký biến động đất đai", "none")

    def staff(username: str, role: Role, unit: AdministrativeUnit, agency: Agency | None = None):
        user = user_create_or_update(username=username, full_name=username.title())
        role_grant(user=user, role=role, unit=unit, agency=agency)
        return user

    return World(
        province=province,
        city=city,
        ward=ward,
        other_ward=other_ward,
        city_desk=city_desk,
        justice=justice,
        ward_desk=ward_desk,
        other_desk=other_desk,
        procedure=procedure,
        offline_procedure=offline,
        clerk=staff("clerk", Role.CLERK, city, city_desk),
        officer=staff("officer", Role.OFFICER, city, justice),
        leader=staff("leader", Role.LEADER, city),
        ward_clerk=staff("wardclerk", Role.CLERK, ward, ward_desk),
        other_clerk=staff("otherclerk", Role.CLERK, other_ward, other_desk),
    )

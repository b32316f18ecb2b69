"""A district of its own with two communes (``Town``), for the reports' tests that control
every dossier in it: the ``town`` fixture (conftest.py) builds it for each test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.core import workflow
from motcua.dossiers.choices import Channel
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Component, Details, dossier_create
from motcua.dossiers.services import dossier_transition as transition
from motcua.dossiers.tests.world import local
from motcua.reports import eod
from motcua.units.models import AdministrativeUnit, Agency

A = workflow.Action


@dataclass
class Town:
    """A district of its own with two communes, so the tests control every dossier in it."""

    district: AdministrativeUnit
    ward: AdministrativeUnit
    other_ward: AdministrativeUnit
    desk: Agency
    other_desk: Agency
    committee: Agency
    procedure: ProcedureVersion
    clerk: User
    other_clerk: User
    officer: User
    leader: User

    def receive(self, at: str, *, desk: Agency | None = None) -> Dossier:
        """A dossier received at the counter at ``at``: due 5 working days later."""
        desk = desk or self.desk
        return dossier_create(
            procedure=self.procedure,
            receiving_agency=desk,
            channel=Channel.DIRECT,
            applicant=Applicant(name="Nông Thị Mai", id_number="006190012345"),
            components=[Component("Tờ khai", originals=1, digitised=True)],
            fee=0,
            actor=self.clerk if desk == self.desk else self.other_clerk,
            at=local(at),
        ).dossier

    def act(self, dossier: Dossier, action: A, at: str, **details) -> Dossier:
        actor = self.clerk if action is A.TRANSFER else self.officer
        return transition(
            dossier_id=dossier.pk,
            action=action,
            actor=actor,
            reason="Lý do",
            details=Details(**details),
            at=local(at),
        )


def build_town() -> Town:
    """The town's units, agencies, procedure and staff, in the test's database."""
    district = AdministrativeUnit.objects.create(code="T90", name="Huyện Thử", kind="district")
    ward = AdministrativeUnit.objects.create(
        code="T9001", name="Xã Một", kind="commune", parent=district
    )
    other_ward = AdministrativeUnit.objects.create(
        code="T9002", name="Xã Hai", kind="commune", parent=district
    )
    desk = Agency.objects.create(
        code="BPMC-T9001",
        name="Bộ phận Một cửa xã Một",
        kind="one_stop",
        unit=ward,
        electronic_code="T90.01",
    )
    other_desk = Agency.objects.create(
        code="BPMC-T9002",
        name="Bộ phận Một cửa xã Hai",
        kind="one_stop",
        unit=other_ward,
        electronic_code="T90.02",
    )
    committee = Agency.objects.create(
        code="UBND-T9001", name="Ủy ban nhân dân xã Một", kind="peoples_committee", unit=ward
    )
    procedure = ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(code="T.000001"),
        version=1,
        valid_from=date(2023, 1, 1),
        name="Đăng ký khai sinh (thử)",
        field=Field.objects.create(code="T-HOTICH", name="Hộ tịch (thử)"),
        level="commune",
        competent_agency=committee,
        time_limit=5,
        time_limit_unit="working_days",
        online_level="partial",
    )

    def staff(username: str, full_name: str, role: Role, unit, agency=None) -> User:
        user = user_create_or_update(username=username, full_name=full_name)
        role_grant(user=user, role=role, unit=unit, agency=agency)
        return user

    return Town(
        district=district,
        ward=ward,
        other_ward=other_ward,
        desk=desk,
        other_desk=other_desk,
        committee=committee,
        procedure=procedure,
        clerk=staff("t.clerk", "Lò Thị Hoa", Role.CLERK, ward, desk),
        other_clerk=staff("t.clerk2", "Lục Văn Sơn", Role.CLERK, other_ward, other_desk),
        officer=staff("t.officer", "Hoàng Văn Đức", Role.OFFICER, ward, committee),
        leader=staff("t.leader", "Bế Thị Lan", Role.LEADER, district),
    )


def per_officer(summary: eod.Summary) -> dict[tuple[int, int | None, eod.EodList], int]:
    return {
        (row.unit.pk, officer.assignee.pk if officer.assignee else None, which): n
        for row in summary.units
        for officer in row.officers
        for which, n in officer.counts.items()
        if n
    }

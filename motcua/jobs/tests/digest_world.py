"""The world of the jobs tests: the dossier tests' city (``dossiers.tests.world``) with
leaders who have e-mail addresses and dossiers due around Friday 12/04/2024, the digest day.
``world_process.py`` builds it in a database that worker processes share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.core import workflow
from motcua.directives.models import Meeting
from motcua.directives.services import meeting_create
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import World, build_world, local
from motcua.units.models import AdministrativeUnit

# Friday 12/04/2024 is a working day; the next one is Monday 15/04/2024. Every dossier is due
# 5 working days after its receipt, at the same time of day.
DIGEST_AT = "12/04/2024 16:30"
DIGEST_DAY = "2024-04-12"


@dataclass
class DigestWorld:
    world: World
    leader: User
    deputy: User
    no_email: User
    ward_leader: User
    overdue: Dossier  # due Thu 11/04/2024 14:00, held by the officer
    ward_overdue: Dossier  # received by the ward, due Fri 12/04/2024 10:00
    due_today: Dossier  # due Fri 12/04/2024 16:45
    due_next: Dossier  # due Mon 15/04/2024 09:00
    later: Dossier  # due Tue 16/04/2024 09:00: on no list

    def codes(self) -> dict[str, str]:
        return {
            name: getattr(self, name).code
            for name in ("overdue", "ward_overdue", "due_today", "due_next", "later")
        }


def april_meeting(city: AdministrativeUnit, actor: User | None) -> Meeting:
    """The city's reform committee meets on Monday 08/04/2024, recorded at 10:00."""
    return meeting_create(
        actor=actor,
        unit=city,
        body="Ban Chỉ đạo cải cách hành chính thành phố",
        title="Họp giao ban tháng 4",
        held_on=date(2024, 4, 8),
        chair="Lý Thị Hà",
        at=local("08/04/2024 10:00"),
    )


def build_digest_world() -> DigestWorld:
    world = build_world()

    def leader(username: str, full_name: str, email: str, unit: AdministrativeUnit) -> User:
        user = user_create_or_update(username=username, full_name=full_name, email=email)
        role_grant(user=user, role=Role.LEADER, unit=unit)
        return user

    # The world's own leader ("leader", on the city) gets a name and an address.
    chief = leader("leader", "Lý Thị Hà", "ha.lt@backan.example", world.city)
    deputy = leader("deputy", "Hoàng Văn Nam", "nam.hv@backan.example", world.city)
    no_email = leader("noemail", "Ma Văn Tư", "", world.city)
    ward_leader = leader("wardleader", "Nông Thị Thu", "thu.nt@backan.example", world.ward)
    overdue = world.create(at="04/04/2024 14:00")
    dossier_transition(
        dossier_id=overdue.pk,
        action=workflow.Action.TRANSFER,
        actor=world.clerk,
        details=Details(assignee=world.officer),
        at=local("05/04/2024 08:00"),
    )
    ward_overdue = world.create(
        at="05/04/2024 10:00", receiving_agency=world.ward_desk, actor=world.ward_clerk
    )
    due_today = world.create(at="05/04/2024 16:45")
    due_next = world.create(at="08/04/2024 09:00")
    later = world.create(at="09/04/2024 09:00")
    return DigestWorld(
        world=world,
        leader=chief,
        deputy=deputy,
        no_email=no_email,
        ward_leader=ward_leader,
        overdue=Dossier.objects.get(pk=overdue.pk),
        ward_overdue=ward_overdue,
        due_today=due_today,
        due_next=due_next,
        later=later,
    )

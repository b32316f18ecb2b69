"""A procedure settled by "UBND cấp xã" in every commune has no competent agency in the
catalogue: a transfer goes to the People's Committee of the unit that received the dossier
(§1.1, §10.2). Before, the counter refused such a transfer ("the competent agency is
required") for every former city-level procedure moved to the communes on 1/7/2025."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.dossiers.choices import Status
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.services import dossier_transition
from motcua.dossiers.tests.world import local
from motcua.units.models import Agency


@pytest.fixture
def commune_procedure(world):
    base = world.procedure
    return ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(code="9.000001"),
        version=1,
        name="Thủ tục cấp xã",
        field=base.field,
        level="commune",
        competent_agency=None,
        time_limit=base.time_limit,
        time_limit_unit=base.time_limit_unit,
        online_level=base.online_level,
        valid_from=base.valid_from,
    )


def test_a_commune_procedure_goes_to_the_receiving_units_peoples_committee(
    world, commune_procedure
):
    committee = Agency.objects.create(
        code="UBND-01840", name="UBND phường Đức Xuân", kind="peoples_committee", unit=world.ward
    )
    dossier = world.create(
        procedure=commune_procedure,
        receiving_agency=world.ward_desk,
        actor=world.ward_clerk,
        at="02/01/2024 08:00",
    )
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action="transfer",
        actor=world.ward_clerk,
        at=local("02/01/2024 09:00"),
    )
    assert dossier.status == Status.IN_PROCESSING
    assert dossier.competent_agency == committee
    assert dossier.handling_unit == world.ward


def test_without_a_peoples_committee_the_transfer_names_the_field(world, commune_procedure):
    dossier = world.create(
        procedure=commune_procedure,
        receiving_agency=world.ward_desk,
        actor=world.ward_clerk,
        at="02/01/2024 08:00",
    )
    with pytest.raises(InvalidInput) as refused:
        dossier_transition(
            dossier_id=dossier.pk,
            action="transfer",
            actor=world.ward_clerk,
            at=local("02/01/2024 09:00"),
        )
    assert refused.value.field == "to_agency"
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED

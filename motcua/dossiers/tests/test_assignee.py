"""Who a dossier may be handed to (``accounts.access.handlers``): an officer or leader of
the unit and agency it goes to, never a person of another commune or department, whose
queue would hold a dossier they may not open. Before, the dossier page offered every officer
of the province and the services took any of them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.core import workflow
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_services import act

A = workflow.Action


def person(username: str, role: Role, unit, agency=None):  # type: ignore[no-untyped-def]
    user = user_create_or_update(username=username, full_name=username.title())
    role_grant(user=user, role=role, unit=unit, agency=agency)
    return user


def unchanged(dossier: Dossier) -> tuple:  # type: ignore[type-arg]
    fresh = Dossier.objects.get(pk=dossier.pk)
    return fresh.status, fresh.version, fresh.assignee_id, fresh.current_agency_id


def test_a_transfer_to_someone_of_another_unit_or_agency_is_refused_naming_the_field(world):
    elsewhere = person("xuly.songcau", Role.OFFICER, world.other_ward)
    at_the_desk = person("xuly.motcua", Role.OFFICER, world.city, world.city_desk)
    for wrong in (elsewhere, at_the_desk):
        dossier = world.create(at="01/04/2024 08:00")
        before = unchanged(dossier)
        with pytest.raises(InvalidInput) as refused:
            act(world, dossier, A.TRANSFER, "01/04/2024 09:00", assignee=wrong)
        assert refused.value.field == "assignee"
        assert wrong.full_name in str(refused.value)
        assert "không xử lý hồ sơ của cơ quan" in str(refused.value)
        assert unchanged(dossier) == before
    # The justice division's officer, and the city's leader (a grant on the whole unit).
    for right in (world.officer, world.leader):
        dossier = world.create(at="01/04/2024 08:00")
        moved = act(world, dossier, A.TRANSFER, "01/04/2024 09:00", assignee=right)
        assert (moved.assignee_id, moved.current_agency_id) == (right.pk, world.justice.pk)


def test_a_hand_over_names_someone_of_the_agency_it_goes_to(world):
    colleague = person("xuly.tuphap2", Role.OFFICER, world.city, world.justice)
    ward_officer = person("xuly.ducxuan", Role.OFFICER, world.ward)
    dossier = world.create(at="01/04/2024 08:00")
    dossier = act(world, dossier, A.TRANSFER, "01/04/2024 09:00", assignee=world.officer)
    # Within the justice division: a colleague of it.
    dossier = act(world, dossier, A.HAND_OVER, "01/04/2024 10:00", assignee=colleague)
    assert dossier.assignee_id == colleague.pk
    # To the ward's desk: not the justice officer, but an officer of the ward.
    before = unchanged(dossier)
    with pytest.raises(InvalidInput) as refused:
        act(
            world,
            dossier,
            A.HAND_OVER,
            "01/04/2024 11:00",
            to_agency=world.ward_desk,
            assignee=world.officer,
        )
    assert refused.value.field == "assignee"
    assert unchanged(dossier) == before
    moved = act(
        world,
        dossier,
        A.HAND_OVER,
        "01/04/2024 11:00",
        to_agency=world.ward_desk,
        assignee=ward_officer,
    )
    assert (moved.assignee_id, moved.current_agency_id) == (ward_officer.pk, world.ward_desk.pk)


def test_the_dossier_page_offers_the_people_of_its_unit_once_each(world):
    elsewhere = person("xuly.songcau", Role.OFFICER, world.other_ward)
    # Two grants in the city: still one choice.
    role_grant(user=world.officer, role=Role.LEADER, unit=world.city)
    dossier = world.create(at="01/04/2024 08:00")
    client = Client()
    client.force_login(world.clerk)
    page = client.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    select = re.search(r'<select id="[^"]*" name="assignee".*?</select>', page, re.S)
    assert select is not None
    offered = re.findall(r'<option value="([^"]+)"', select.group(0))
    assert sorted(offered) == sorted([world.officer.username, world.leader.username])
    assert elsewhere.username not in offered

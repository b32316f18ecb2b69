"""The dossiers' and events' changelists at a province's scale (issue 17): counted up to a cap,
newest first on the search's index, searched by folded words and by code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from motcua.accounts.services import user_create_or_update
from motcua.dossiers.services import Applicant
from motcua.dossiers.tests.world import build_world
from motcua.lib.admin import CappedCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = user_create_or_update(username="quantri.ds", full_name="Quản trị", password="x")
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_the_changelists_count_up_to_the_cap_and_say_so(admin_client, monkeypatch):
    world = build_world()
    for day in range(2, 6):
        world.create(at=f"0{day}/01/2024 08:00")
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    page = admin_client.get("/admin/dossiers/dossier/").content.decode()
    assert "3+ hồ sơ" in page
    events = admin_client.get("/admin/dossiers/dossierevent/").content.decode()
    assert "3+" in events
    monkeypatch.setattr(CappedCountPaginator, "CAP", 10)
    assert "4 hồ sơ" in admin_client.get("/admin/dossiers/dossier/").content.decode()


def test_newest_first_and_searched_by_folded_words_and_by_code(admin_client):
    world = build_world()
    old = world.create(at="02/01/2024 08:00")
    new = world.create(
        at="05/01/2024 08:00",
        applicant=Applicant(name="Hoàng Văn Thụ", id_number="006190099999", phone="0988777666"),
    )
    page = admin_client.get("/admin/dossiers/dossier/").content.decode()
    assert page.index(new.code) < page.index(old.code)
    found = admin_client.get("/admin/dossiers/dossier/", {"q": "hoang van thu"}).content.decode()
    assert new.code in found
    assert old.code not in found
    by_phone = admin_client.get("/admin/dossiers/dossier/", {"q": "0988777666"}).content.decode()
    assert new.code in by_phone
    events = admin_client.get("/admin/dossiers/dossierevent/", {"q": old.code}).content.decode()
    assert old.code in events
    assert new.code not in events
    # Only the code sorts (its index); another column asked in the address (6: the receipt,
    # oldest first) is ignored, as sorting by it sorted every dossier.
    by_receipt = admin_client.get("/admin/dossiers/dossier/", {"o": "6"}).content.decode()
    assert by_receipt.index(new.code) < by_receipt.index(old.code)
    sort = re.search(r'class="sortable column-code[^"]*">.*?href="\?(o=[^"]+)"', page, re.S)
    assert sort is not None  # the code's header is a sort link, and the only one
    assert page.count('class="sortable') == 1
    by_code = admin_client.get(f"/admin/dossiers/dossier/?{sort[1]}").content.decode()
    assert by_code.index(old.code) < by_code.index(new.code)

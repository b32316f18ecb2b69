"""The demo in the two-level government (issue 10 item 1): the province's centre and
departments, the catalogue's versions from 1/7/2025, a desk for every online procedure today,
and the accounts of the new units."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from motcua.catalog.choices import OFFERED_ONLINE, ProcedureLevel
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import online_coverage, procedures_in_force
from motcua.catalog.services import (
    TWO_LEVEL_BASIS_PATH,
    TWO_LEVEL_CATALOG_PATH,
    load_demo_catalog,
    load_two_level_catalog,
)
from motcua.demo.catalog import two_level_basis, write_two_level_catalog
from motcua.demo.services import ALL_ACCOUNTS, CURRENT_ACCOUNTS, demo_accounts_load
from motcua.portal.selectors import receiving_desks
from motcua.units.choices import AgencyKind
from motcua.units.models import Agency

pytestmark = pytest.mark.django_db
AFTER = date(2025, 7, 1)


@pytest.fixture(scope="module")
def present(bac_kan_world, django_db_blocker):
    """The Bắc Kạn world plus the catalogue's versions from 1/7/2025 and the accounts."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = load_two_level_catalog()
        demo_accounts_load()
        yield report
        transaction.set_rollback(True)


def test_the_shipped_2025_files_are_what_the_generator_writes(tmp_path):
    path, basis = tmp_path / "c.csv", tmp_path / "b.csv"
    assert write_two_level_catalog(path, basis) == 257
    assert path.read_bytes() == TWO_LEVEL_CATALOG_PATH.read_bytes()
    assert basis.read_bytes() == TWO_LEVEL_BASIS_PATH.read_bytes()
    # Nothing in the basis is claimed as verified: every line is marked assumed.
    assert {line[-1] for line in two_level_basis()} == {"không"}


def test_every_former_city_procedure_moves_to_the_commune_or_the_province(present):
    assert len(present.new_versions) == 257
    today = timezone.localdate()
    for day in AFTER, today:
        assert not procedures_in_force(day).filter(level=ProcedureLevel.DISTRICT).exists()
    province = procedures_in_force(AFTER).filter(level=ProcedureLevel.PROVINCE)
    assert province.exists()
    assert all(v.competent_agency.unit.code == "19" for v in province)
    commune = procedures_in_force(AFTER).filter(level=ProcedureLevel.COMMUNE)
    assert commune.count() == 371 - province.count()
    assert not commune.filter(competent_agency__isnull=False).exists()
    # The 2024 versions are untouched but for their end, the day the new ones start.
    for day in date(2024, 1, 1), date(2025, 6, 30):
        assert online_coverage(day, ProcedureLevel.DISTRICT) == (189, 257)
    old = ProcedureVersion.objects.filter(version=1, level=ProcedureLevel.DISTRICT)
    assert old.count() == 257
    assert set(old.values_list("valid_to", flat=True)) == {AFTER}
    assert {a.unit.code for a in Agency.objects.filter(procedure_versions__in=old)} == {"058"}


def test_loading_the_catalogue_again_changes_nothing(present):
    first, second = load_demo_catalog(), load_two_level_catalog()
    assert (len(first.unchanged), len(second.unchanged)) == (371, 257)
    assert ProcedureVersion.objects.count() == 371 + 257


def test_every_online_procedure_in_force_today_has_a_desk_today(present):
    today = timezone.localdate()
    online = procedures_in_force(today).filter(online_level__in=OFFERED_ONLINE)
    assert online.count() == 189 + 75
    for version in online:
        desks = list(receiving_desks(version, today))
        assert desks, version.procedure.code
        assert all(d.kind == AgencyKind.SERVICE_CENTRE for d in desks)


def test_province_procedures_go_to_the_provincial_centre_and_every_commune_centre(present):
    today = timezone.localdate()
    version = procedures_in_force(today).get(name="Phục hồi danh dự")
    assert version.competent_agency.code == "STP-19"
    codes = [d.code for d in receiving_desks(version, today)]
    assert codes == ["TTPVHCC-19", "TTPVHCC-01843", "TTPVHCC-01840", "TTPVHCC-01849"]
    with override_settings(MOTCUA_PROVINCE_PROCEDURES_AT_COMMUNE_CENTRES=False):
        assert [d.code for d in receiving_desks(version, today)] == ["TTPVHCC-19"]
    commune = procedures_in_force(today).get(name="Đăng ký khai sinh có yếu tố nước ngoài")
    assert commune.level == ProcedureLevel.COMMUNE
    assert sorted(d.code for d in receiving_desks(commune, today)) == [
        "TTPVHCC-01840",
        "TTPVHCC-01843",
        "TTPVHCC-01849",
    ]


def test_the_new_units_staff_are_granted_in_the_units_valid_today(present):
    for account in CURRENT_ACCOUNTS:
        assert not account.historical
        grant = account_grant(account.username)
        assert grant.unit.valid_from == AFTER or grant.unit.code == "19"
        assert grant.unit.valid_to is None
    kinds = {(a.unit_code, a.role) for a in CURRENT_ACCOUNTS}
    for unit in "01840", "01843", "01849":
        assert {r for u, r in kinds if u == unit} == {"clerk", "officer", "leader"}
    assert ("19", "clerk") in kinds


def account_grant(username):
    from motcua.accounts.models import RoleAssignment

    return RoleAssignment.objects.select_related("unit").get(user__username=username)


def test_demo_accounts_lists_every_account_with_where_to_go():
    out = StringIO()
    call_command("demo", "accounts", stdout=out)
    text = out.getvalue()
    for account in ALL_ACCOUNTS:
        assert account.username in text
    current, historical = text.split("Lịch sử")
    assert "tiepnhan.ducxuan" in current
    assert "motcua.thanhpho" in historical
    assert "30/06/2025" in historical
    for place in "/mot-cua/", "/mot-cua/hang-doi/", "/bao-cao/", "/chi-dao/":
        assert place in text

"""The read resources: units, agencies, procedures, and a unit's figures computed as the
dashboard computes them (compared with /bao-cao/api/ on the 2024 scenario), unit scope,
paging bounds and query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.api.tests.helpers import bearer, make_client
from motcua.units.selectors import unit_at

pytestmark = pytest.mark.django_db

SEED = {"unit": "058", "from": "01/01/2024", "to": "22/05/2024"}
SEED_ISO = {"unit": "058", "from": "2024-01-01", "to": "2024-05-22"}


@pytest.fixture(scope="module")
def demo(bac_kan_2024, django_db_blocker):
    """The 2024 scenario, a leader of Thành phố Bắc Kạn (058) and a clerk of the old Phường
    Đức Xuân (01840), once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        on = date(2024, 5, 1)
        for username, role, code in (
            ("leader.058", Role.LEADER, "058"),
            ("clerk.01840", Role.CLERK, "01840"),
        ):
            user = user_create_or_update(username=username, full_name=username)
            role_grant(user=user, role=role, unit=unit_at(code, on))
        yield
        transaction.set_rollback(True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def machine(scopes: list[str], units: list[str]) -> tuple[Client, dict[str, str]]:
    http = Client()
    client, secret = make_client(scopes, units)
    return http, bearer(http, client, secret)


def every_item(http: Client, url: str, params: dict[str, str], headers: dict[str, str]) -> list:
    items, cursor = [], None
    while True:
        page = http.get(url, {**params, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert page.status_code == 200, page.content
        items += page.json()["items"]
        cursor = page.json()["next"]
        if cursor is None:
            return items


def test_figures_are_the_dashboards(demo):
    leader = signed_in("leader.058")
    dashboard = leader.get("/bao-cao/api/figures", SEED).json()
    http, headers = machine(["figures:read"], ["058"])
    report = http.get("/api/v1/figures/report", SEED_ISO, headers=headers)
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["figures"] == dashboard["figures"]
    assert body["index766"] == dashboard["index766"]
    assert body["period"] == {"from": "2024-01-01", "to": "2024-05-22"}
    assert body["figures"]["received"] > 0
    index = http.get("/api/v1/figures/index766", SEED_ISO, headers=headers).json()
    assert index["total"] == dashboard["index766"]["total"]
    # The staff member's own session gets the same answer.
    assert leader.get("/api/v1/figures/report", SEED_ISO).json()["figures"] == body["figures"]


def test_drill_lists_the_dashboards_dossiers_a_page_at_a_time(demo):
    leader = signed_in("leader.058")
    expected, following = [], "/bao-cao/api/drill"
    params: dict[str, str] | None = {**SEED, "figure": "resolved_late"}
    while following:
        page = leader.get(following, params or {}).json()
        expected += page["dossiers"]
        following, params = page["next"], None
    http, headers = machine(["figures:read"], ["058"])
    drill = {**SEED_ISO, "figure": "resolved_late", "limit": "7"}
    items = every_item(http, "/api/v1/figures/drill", drill, headers)
    assert [i["code"] for i in items] == expected
    first = http.get("/api/v1/figures/drill", drill, headers=headers).json()
    assert first["count"] == len(expected)


def test_a_unit_outside_the_clients_units_is_not_found(demo):
    http, headers = machine(["figures:read"], ["01840"])
    other = http.get("/api/v1/figures/report", SEED_ISO, headers=headers)
    assert other.status_code == 404
    assert other.json()["errors"][0]["field"] == "unit"
    # As for the ward's own clerk on the dashboard.
    clerk = signed_in("clerk.01840")
    assert clerk.get("/bao-cao/api/figures", SEED).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({**SEED_ISO, "figure": "received", "to": "2024-02-31"}, "to"),
        ({**SEED_ISO, "figure": "received", "period": "year:2024"}, "period"),
        ({"unit": "058", "period": "year:2024"}, "figure"),
        ({**SEED_ISO, "figure": "received,nope"}, "figure"),
        ({**SEED_ISO, "figure": "received", "limit": "201"}, "limit"),
        ({**SEED_ISO, "figure": "received", "cursor": "forged"}, "cursor"),
    ],
)
def test_bad_figure_parameters_name_the_field(demo, params, field):
    http, headers = machine(["figures:read"], ["058"])
    answer = http.get("/api/v1/figures/drill", params, headers=headers)
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_units_at_a_date_versions_and_lineage(demo):
    http, headers = machine(["catalog:read"], [])
    old = http.get("/api/v1/units/01840", {"at": "2024-05-01"}, headers=headers).json()
    new = http.get("/api/v1/units/01840", {"at": "2025-07-01"}, headers=headers).json()
    assert old["valid_to"] == "2025-06-30"
    assert new["valid_from"] == "2025-07-01"
    assert {p["code"] for p in new["predecessors"]} == {"01834", "01840", "01846"}
    assert old["parent"] == "058"
    assert [a["code"] for a in old["ancestors"]] == ["06", "058"]
    versions = http.get("/api/v1/units/01840/versions", headers=headers).json()
    assert [v["valid_from"] for v in versions] == [None, "2025-07-01"]
    lineage = every_item(
        http, "/api/v1/units/01840/lineage", {"at": "2025-07-01", "level": "commune"}, headers
    )
    assert {u["code"] for u in lineage} == {"01834", "01840", "01846"}
    missing = http.get("/api/v1/units/99999", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["errors"] == [{"field": "code", "message": missing.json()["detail"]}]


def test_unit_pages_cost_the_same_queries_whatever_their_size(demo):
    http, headers = machine(["catalog:read"], [])
    http.get("/api/v1/units", headers=headers)  # the client's first call creates its counter
    counts = []
    for limit in ("2", "200"):
        with CaptureQueriesContext(connection) as queries:
            answer = http.get(
                "/api/v1/units", {"at": "2024-05-01", "limit": limit}, headers=headers
            )
        assert answer.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # The client, its rate counter, the page, the call log.
    assert counts[0] <= 4


def test_agencies_and_procedures(demo):
    http, headers = machine(["catalog:read"], [])
    agencies = every_item(http, "/api/v1/agencies", {"at": "2024-05-01", "unit": "058"}, headers)
    assert "BPMC-058" in {a["code"] for a in agencies}
    one = http.get("/api/v1/agencies/BPMC-058", headers=headers).json()
    assert one["electronic_code"] == "000.00.58.H06"
    assert one["unit"] == "058"
    http.get("/api/v1/procedures", {"limit": "1"}, headers=headers)
    with CaptureQueriesContext(connection) as small:
        http.get("/api/v1/procedures", {"at": "2024-05-01", "limit": "2"}, headers=headers)
    with CaptureQueriesContext(connection) as large:
        listed = http.get(
            "/api/v1/procedures", {"at": "2024-05-01", "limit": "50"}, headers=headers
        )
    assert len(small) == len(large)
    items = listed.json()["items"]
    assert items
    assert all(item["components"] is not None for item in items)
    code = items[0]["code"]
    detail = http.get(f"/api/v1/procedures/{code}", {"at": "2024-05-01"}, headers=headers)
    assert detail.status_code == 200
    assert detail.json()["code"] == code
    history = http.get(f"/api/v1/procedures/{code}/versions", headers=headers).json()
    assert [v["version"] for v in history] == sorted(v["version"] for v in history)
    found = http.get(
        "/api/v1/procedures", {"at": "2024-05-01", "search": "khai sinh"}, headers=headers
    ).json()["items"]
    assert found
    assert all("khai sinh" in item["name"].lower() for item in found)


def test_a_client_sees_the_dossiers_a_clerk_of_its_ward_sees(demo):
    from motcua.dossiers.access import dossier_list_for_user

    client, _secret = make_client(["dossiers:read"], ["01840"])
    ward = client.units.get()
    clerk = user_create_or_update(username="clerk.new.01840", full_name="Clerk")
    role_grant(user=clerk, role=Role.CLERK, unit=ward)
    seen_by_client = set(dossier_list_for_user(client.user).values_list("code", flat=True))
    seen_by_clerk = set(dossier_list_for_user(clerk).values_list("code", flat=True))
    assert seen_by_client
    assert seen_by_client == seen_by_clerk
    # The old wards merged into the new 01840 (§10.2) are covered; the city's own desk is not.
    city = signed_in("leader.058")
    assert city.get("/api/v1/figures/report", SEED_ISO).status_code == 200
    assert len(seen_by_client) < len(
        set(
            dossier_list_for_user(User.objects.get(username="leader.058")).values_list(
                "code", flat=True
            )
        )
    )

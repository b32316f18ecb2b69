"""The live dashboard through Django's test client: sign-in, scope, the seed's figures with the
dossiers behind every number, bad parameters, figures that follow a transition at once, and the
end-of-day list with dossiers whose due moments the tests control."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import user_create_or_update
from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Bucket, Period
from motcua.core.periods import named_period
from motcua.demo.services import DEMO_PASSWORD
from motcua.dossiers.models import Dossier, PendingTally
from motcua.dossiers.selectors import due_windows, next_working_day
from motcua.dossiers.services import dossier_transition as transition
from motcua.dossiers.tally import fold_day, tally_compact, tally_differences, tally_rebuild
from motcua.dossiers.tests.world import local
from motcua.lib.formatting import format_datetime
from motcua.lib.paging import read_cursor
from motcua.reports import dashboard, eod
from motcua.reports.selectors import index_for, report_drill_down, report_for, report_rows
from motcua.reports.tests.town import per_officer
from motcua.reports.views import _numbers, drill_url
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_at

A = workflow.Action
SEED = {"unit": "058", "from": "01/01/2024", "to": "22/05/2024"}
SEED_PERIOD = Period(date(2024, 1, 1), date(2024, 5, 22))


@pytest.fixture(scope="module")
def demo(bac_kan_2024, django_db_blocker, demo_load_once):
    """The Bắc Kạn 2024 scenario and the demo's accounts (``demo_load`` finds the units, the
    catalogue and the dossiers stored and adds the users), once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load_once()
        yield
        transaction.set_rollback(True)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def count_of(text: str) -> int:
    """'1.608' -> 1608, '05' -> 5."""
    return int(text.replace(".", ""))


def headline_numbers(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-headline="([a-z_]+)">([^<]+)<', html))


def api(url: str) -> str:
    """The JSON API twin of a drill-down page's address."""
    return url.replace("&amp;", "&").replace("/bao-cao/ho-so/", "/bao-cao/api/drill")


def every_page(client: Client, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    """A JSON drill-down read to its end: the first page with ``dossiers`` the codes of every
    page (the API pages by cursor; ``next`` is the following page's address)."""
    first = client.get(url, params or {}).json()
    codes, following = list(first["dossiers"]), first["next"]
    while following:
        page = client.get(following).json()
        codes += page["dossiers"]
        following = page["next"]
    return {**first, "dossiers": codes}


# -- sign-in and scope ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_asks_for_a_sign_in_and_then_shows_the_dashboard(demo):
    client = Client()
    assert client.get("/").headers["Location"] == "/bao-cao/"
    assert client.get("/bao-cao/").headers["Location"] == "/dang-nhap/?next=/bao-cao/"
    assert client.get("/bao-cao/api/figures").status_code == 401
    page = client.get("/dang-nhap/?next=/bao-cao/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.content.decode()

    response = client.post(
        "/dang-nhap/",
        {"username": "lanhdao.thanhpho", "password": DEMO_PASSWORD, "next": "/bao-cao/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/bao-cao/"
    # The leader's top unit, for the current month to date.
    dashboard_page = client.get("/bao-cao/")
    assert dashboard_page.status_code == 200
    assert "Thành phố Bắc Kạn</strong> (058)" in dashboard_page.content.decode()
    assert dashboard_page.headers["Cache-Control"].startswith("max-age=0")

    # Signing out is a POST.
    assert client.get("/dang-xuat/").status_code == 405
    assert client.post("/dang-xuat/").headers["Location"] == "/dang-nhap/"
    assert client.get("/bao-cao/").status_code == 302


@pytest.mark.django_db
def test_a_unit_outside_the_users_units_is_not_found(demo):
    ward_clerk = signed_in("motcua.ducxuan")  # one-stop clerk of Phường Đức Xuân (01840)
    page = ward_clerk.get("/bao-cao/", SEED)
    assert page.status_code == 404
    assert "058" in page.content.decode()
    assert ward_clerk.get("/bao-cao/api/figures", SEED).status_code == 404
    drill = {**SEED, "figure": "resolved_late"}
    assert ward_clerk.get("/bao-cao/ho-so/", drill).status_code == 404
    assert ward_clerk.get("/bao-cao/api/drill", drill).status_code == 404
    assert ward_clerk.get("/bao-cao/api/end-of-day", {"unit": "058"}).status_code == 404
    # A code that names no unit answers alike: 404, naming the parameter.
    leader = signed_in("lanhdao.thanhpho")
    unknown = leader.get("/bao-cao/", {**SEED, "unit": "99999"})
    assert unknown.status_code == 404
    assert "unit: không có đơn vị hành chính mã 99999" in unknown.content.decode()
    body = leader.get("/bao-cao/api/figures", {**SEED, "unit": "99999"}).json()
    assert (body["code"], body["fields"]) == ("not_found", ["unit"])
    # Their own ward they see, and it is what they get by default.
    own = ward_clerk.get("/bao-cao/", {**SEED, "unit": "01840"})
    assert own.status_code == 200
    assert "Phường Đức Xuân</strong> (01840)" in ward_clerk.get("/bao-cao/").content.decode()
    # The city's leader and steering member see the city and the wards below it.
    for username in ("lanhdao.thanhpho", "bcd.thanhpho"):
        assert signed_in(username).get("/bao-cao/", {**SEED, "unit": "01840"}).status_code == 200
    # Someone with no role sees nothing.
    user_create_or_update(username="nobody", full_name="Không Vai Trò")
    assert signed_in("nobody").get("/bao-cao/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/bao-cao/", {**SEED, "from": "32/01/2024"}, "from"),
        ("/bao-cao/", {**SEED, "to": "22-05-2024x"}, "to"),
        ("/bao-cao/", {**SEED, "from": "23/05/2024"}, "to"),
        ("/bao-cao/", {"unit": "058", "from": "01/01/2024"}, "to"),
        ("/bao-cao/", {"unit": "058", "period": "half:2024-3"}, "period"),
        ("/bao-cao/", {**SEED, "period": "half:2024"}, "period"),
        ("/bao-cao/", {**SEED, "at": "22/05/2024"}, "at"),
        ("/bao-cao/ho-so/", {**SEED, "figure": "late"}, "figure"),
        ("/bao-cao/ho-so/", SEED, "figure"),
        ("/bao-cao/ho-so/", {**SEED, "figure": "received", "part": "01999"}, "part"),
        ("/bao-cao/api/figures", {**SEED, "to": "31/02/2024"}, "to"),
        ("/bao-cao/api/drill", {**SEED, "figure": "received,nope"}, "figure"),
        ("/bao-cao/api/end-of-day", {"unit": "058", "at": "hôm nay"}, "at"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(demo, path, params, parameter):
    response = signed_in("lanhdao.thanhpho").get(path, params)
    assert response.status_code == 400
    if "/api/" in path:
        body = response.json()
        assert body["code"] == "bad_parameter"
        assert body["fields"] == [parameter]
        assert body["message"].startswith(f"{parameter}: ")
    else:
        assert f"{parameter}: " in response.content.decode()


# -- the seed's figures --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_headline_shows_the_seed_figures_in_vietnamese_format(demo):
    html = signed_in("lanhdao.thanhpho").get("/bao-cao/", SEED).content.decode()
    numbers = headline_numbers(html)
    assert {key: numbers[key] for key in ("received", "received_online", "received_direct")} == {
        "received": "1.608",
        "received_online": "1.342",
        "received_direct": "266",
    }
    assert numbers["carried_over"] == "39"
    assert (numbers["resolved"], numbers["resolved_in_time"], numbers["resolved_late"]) == (
        "1.604",
        "1.599",
        "05",
    )
    assert (numbers["pending"], numbers["pending_within_time"], numbers["pending_overdue"]) == (
        "43",
        "43",
        "0",
    )
    rates = dict(re.findall(r'data-rate="([a-z_]+)">\s*<h3>[^<]*</h3>\s*<p[^>]*>([^<]+)<', html))
    assert rates == {
        "on_time": "99,69%",
        "online_submission": "83,46%",
        "paid_online": "33,84%",
        "digitised": "77%",
        "e_certified": "25%",
        "reused": "–",  # nothing was eligible: no store of papers in 2024
        "satisfied": "100%",
    }
    assert re.search(r'data-coverage="district">.*189/257.*73,54%', html)
    assert re.search(r'data-coverage="commune">.*75/114.*65,79%', html)


@pytest.mark.django_db
def test_every_headline_number_links_to_exactly_the_dossiers_it_counts(demo):
    client = signed_in("lanhdao.thanhpho")
    html = client.get("/bao-cao/", SEED).content.decode()
    start, end = html.index('id="headline"'), html.index('id="index766"')
    links = set(
        re.findall(r'<a href="([^"]+)" data-figure="[^"]+"[^>]*>([^<]+)</a>', html[start:end])
    )
    assert len({url for url, _ in links}) >= 19  # every figure, and early + on time
    for url, shown in links:
        listed = every_page(client, api(url))
        assert listed["count"] == len(listed["dossiers"]) == count_of(shown), url
    # The same list as the report's own drill-down, in its order.
    late = every_page(client, "/bao-cao/api/drill", {**SEED, "figure": "resolved_late"})
    city = unit_at("058", SEED_PERIOD.end)
    assert late["dossiers"] == report_drill_down(city, SEED_PERIOD, Bucket.RESOLVED_LATE)
    in_time = every_page(
        client, "/bao-cao/api/drill", {**SEED, "figure": "resolved_early,resolved_on_time"}
    )
    assert in_time["count"] == 1599
    assert set(in_time["dossiers"]) == set(
        report_drill_down(city, SEED_PERIOD, Bucket.RESOLVED_EARLY)
    ) | set(report_drill_down(city, SEED_PERIOD, Bucket.RESOLVED_ON_TIME))


@pytest.mark.django_db
def test_the_drill_down_page_lists_the_dossiers_a_page_at_a_time(demo):
    client = signed_in("lanhdao.thanhpho")
    page = client.get("/bao-cao/ho-so/", {**SEED, "figure": "resolved_late"}).content.decode()
    # Each code links to its dossier's page.
    codes = re.findall(r'<td data-code><a href="/[^"]+">([^<]+)</a></td>', page)
    city = unit_at("058", SEED_PERIOD.end)
    assert codes == report_drill_down(city, SEED_PERIOD, Bucket.RESOLVED_LATE)
    assert '<strong id="drill-count">5</strong>' in page
    # 1.608 received: 17 keyset pages of 100, followed by their "next" links; together they
    # are the figure's list, each dossier once, in order.
    response = client.get("/bao-cao/ho-so/", {**SEED, "figure": "received"})
    first = response.content.decode()
    assert '<strong id="drill-count">1.608</strong>' in first
    assert "previous" not in response.context["links"]
    pages, listed = [], []
    while True:
        html = response.content.decode()
        shown = re.findall(r'<td data-code><a href="/[^"]+">([^<]+)</a></td>', html)
        pages.append(len(shown))
        listed += shown
        assert f'<span id="page-number">Trang {len(pages)}</span>' in html
        following = response.context["links"].get("next")
        if following is None:
            break
        response = client.get("/bao-cao/ho-so/" + following.replace("&amp;", "&"))
    assert pages == [100] * 16 + [8]
    assert listed == report_drill_down(city, SEED_PERIOD, Bucket.RECEIVED)
    assert len(set(listed)) == 1608
    # Back from the last page: the 16th, the same rows as on the way forward.
    back = client.get("/bao-cao/ho-so/" + response.context["links"]["previous"])
    assert (
        re.findall(r"<td data-code><a [^>]+>([^<]+)<", back.content.decode()) == listed[1500:1600]
    )
    # A cursor that is not one: 400 naming the parameter, as JSON too.
    bad = client.get("/bao-cao/ho-so/", {**SEED, "figure": "received", "cursor": "garbage"})
    assert bad.status_code == 400
    assert "cursor: " in bad.content.decode()
    bad = client.get("/bao-cao/api/drill", {**SEED, "figure": "received", "cursor": "garbage"})
    assert (bad.status_code, bad.json()["fields"]) == (400, ["cursor"])


@pytest.mark.django_db
def test_the_units_side_by_side_add_up_and_each_cell_lists_its_dossiers(demo):
    client = signed_in("lanhdao.thanhpho")
    city = unit_at("058", SEED_PERIOD.end)
    rows = dashboard.unit_rows(city, SEED_PERIOD)
    assert [row.label for row in rows] == [
        row.label for row in report_rows(city, SEED_PERIOD, "unit")
    ]
    assert rows[0].part == dashboard.OWN_DESK
    assert all(row.part for row in rows)
    for bucket in (Bucket.RECEIVED, Bucket.RESOLVED_LATE, Bucket.PENDING):
        assert sum(row[bucket] for row in rows) == report_for(city, SEED_PERIOD)[bucket]
        seen: set[str] = set()
        for row in rows:
            listed = every_page(
                client, "/bao-cao/api/drill", {**SEED, "figure": bucket.value, "part": row.part}
            )["dossiers"]
            assert len(listed) == row[bucket], (row.label, bucket)
            assert not seen & set(listed)
            seen |= set(listed)
        assert seen == set(report_drill_down(city, SEED_PERIOD, bucket))
    # The page links each cell to its row's part.
    html = client.get("/bao-cao/", SEED).content.decode()
    table = html[html.index('id="units-table"') :]
    assert "figure=received&amp;part=01840" in table
    assert "figure=resolved_late&amp;part=own" in table


@pytest.mark.django_db
def test_the_units_side_by_side_come_a_page_at_a_time(demo, monkeypatch):
    """A province has 90+ communes: the table shows a page of them (and the total on every
    page); its links keep the period and land on the table."""
    from motcua.reports import views

    monkeypatch.setattr(views, "UNITS_PER_PAGE", 3)
    client = signed_in("lanhdao.thanhpho")
    city = unit_at("058", SEED_PERIOD.end)
    labels = [row.label for row in dashboard.unit_rows(city, SEED_PERIOD)]
    assert len(labels) == 9  # the city's own desk, its 6 wards and 2 communes

    def page_rows(query: dict[str, str]) -> tuple[list[str], dict[str, str]]:
        response = client.get("/bao-cao/", query)
        assert response.status_code == 200
        return [row["label"] for row in response.context["rows"]], response.context["units_links"]

    shown, links = page_rows(SEED)
    assert shown[1:3] == labels[1:3]
    assert shown[-1] == "Tổng số"
    assert set(links) == {"next"}
    assert links["next"].endswith("&units=2#units")
    assert "from=01%2F01%2F2024" in links["next"]
    seen = shown[:-1]
    for number in (2, 3):
        shown, links = page_rows({**SEED, "units": str(number)})
        assert shown[-1] == "Tổng số"
        seen += shown[:-1]
    assert seen[1:] == labels[1:]
    assert set(links) == {"previous"}
    assert "units=" not in page_rows({**SEED, "units": "2"})[1]["previous"]  # page 1: none
    assert page_rows({**SEED, "units": "40"})[0][:-1] == shown[:-1]  # past the end: the last
    html = client.get("/bao-cao/", {**SEED, "units": "2"}).content.decode()
    assert 'id="page-number">Trang 2/3<' in html
    for bad in ("0", "abc", "-1", "99999"):
        response = client.get("/bao-cao/", {**SEED, "units": bad})
        assert response.status_code == 400, bad
        assert "units: số trang của danh sách đơn vị" in response.content.decode()


@pytest.mark.django_db
def test_the_monthly_trend_is_the_report_month_by_month(demo):
    city = unit_at("058", SEED_PERIOD.end)
    months = dashboard.monthly_trend(city, SEED_PERIOD)
    assert [(m.period.start, m.period.end) for m in months] == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 4, 30)),
        (date(2024, 5, 1), date(2024, 5, 22)),
    ]
    assert sum(m[Bucket.RECEIVED] for m in months) == 1608
    assert sum(m[Bucket.RESOLVED] for m in months) == 1604
    assert sum(m[Bucket.RESOLVED_LATE] for m in months) == 5
    html = signed_in("lanhdao.thanhpho").get("/bao-cao/", SEED).content.decode()
    chart = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html)
    assert chart is not None
    assert '"labels": ["01/2024", "02/2024", "03/2024", "04/2024", "05/2024"]' in chart[1]
    assert str([m[Bucket.RECEIVED] for m in months]) in chart[1]
    # The accessible table has the same numbers, each linked to the month's dossiers.
    table = html[html.index('id="trend-table"') : html.index('id="units"')]
    assert "from=01/05/2024&amp;to=22/05/2024&amp;figure=received" in table


@pytest.mark.django_db
def test_the_decision_766_groups_are_shown_with_their_scores(demo):
    html = signed_in("lanhdao.thanhpho").get("/bao-cao/", SEED).content.decode()
    index = index_for(report_for(unit_at("058", SEED_PERIOD.end), SEED_PERIOD))
    section = html[html.index('id="index766"') : html.index('id="trend"')]
    for group in index.groups:
        assert f"{group.group.number}. {group.group.name_vi}" in section
    assert "–/18" in section  # group 1: nothing measured
    assert "18,00/18" in section  # group 5: 5.4 at its maximum
    data = signed_in("lanhdao.thanhpho").get("/bao-cao/api/figures", SEED).json()
    assert data["index766"]["reachable"] == index.reachable == 82
    assert data["figures"]["received"] == 1608


@pytest.mark.django_db
def test_a_named_period_of_decree_09_2019(demo):
    client = signed_in("lanhdao.thanhpho")
    html = client.get("/bao-cao/", {"unit": "058", "period": "half:2024"}).content.decode()
    assert "15/12/2023" in html
    assert "14/06/2024" in html
    half = named_period("half", 2024)
    data = client.get("/bao-cao/api/figures", {"unit": "058", "period": "half:2024"}).json()
    assert data["period"] == {"from": half.start.isoformat(), "to": half.end.isoformat()}
    assert (
        data["figures"]["received"] == report_for(unit_at("058", half.end), half)[Bucket.RECEIVED]
    )


@pytest.mark.django_db
def test_the_interface_switches_to_english(demo):
    client = signed_in("lanhdao.thanhpho")
    client.post("/i18n/setlang/", {"language": "en", "next": "/bao-cao/"})
    html = client.get("/bao-cao/", SEED).content.decode()
    assert 'lang="en"' in html
    assert "Headline figures" in html
    assert headline_numbers(html)["received"] == "1.608"  # numbers stay Vietnamese-formatted
    assert "1. Publicity and transparency" in html


# -- figures are current --------------------------------------------------------------------


def test_a_transition_shows_on_the_next_page_load(town):
    client = signed_in("t.leader")
    april = {"unit": "T90", "from": "01/04/2024", "to": "30/04/2024"}
    dossier = town.act(town.receive("01/04/2024 08:00"), A.TRANSFER, "01/04/2024 09:00")
    before = headline_numbers(client.get("/bao-cao/", april).content.decode())
    assert (before["resolved"], before["pending"]) == ("0", "1")

    town.act(dossier, A.APPROVE, "03/04/2024 10:00")

    after = headline_numbers(client.get("/bao-cao/", april).content.decode())
    assert (after["resolved"], after["resolved_in_time"], after["pending"]) == ("1", "1", "0")
    figures = client.get("/bao-cao/api/figures", april).json()["figures"]
    assert (figures["resolved"], figures["pending"]) == (1, 0)


# -- end of the working day ------------------------------------------------------------------


def moment(value) -> str:
    return format_datetime(timezone.localtime(value))


def test_the_end_of_day_list_per_unit_and_officer(town):
    # At Friday 12/04/2024 10:00: today is Friday, the next working day Monday 15/04/2024.
    # Every dossier is due 5 working days after its receipt, at the same time of day.
    due_today = town.receive("05/04/2024 14:00")  # due Fri 12/04 14:00
    overdue = town.receive("04/04/2024 14:00")  # due Thu 11/04 14:00
    overdue_this_morning = town.receive("05/04/2024 08:00")  # due Fri 12/04 08:00
    due_monday = town.receive("08/04/2024 09:00")  # due Mon 15/04 09:00
    due_tuesday = town.receive("09/04/2024 09:00")  # due Tue 16/04 09:00: not on the list
    other_ward = town.receive("05/04/2024 16:00", desk=town.other_desk)  # due Fri 12/04 16:00
    stopped = town.receive("05/04/2024 15:00")  # due Fri 12/04 15:00, but its clock stopped
    resolved = town.receive("04/04/2024 09:00")  # due Thu 11/04 09:00, resolved in time
    expected_due = {
        due_today: "14:00 12/04/2024",
        overdue: "14:00 11/04/2024",
        overdue_this_morning: "08:00 12/04/2024",
        due_monday: "09:00 15/04/2024",
        due_tuesday: "09:00 16/04/2024",
        other_ward: "16:00 12/04/2024",
    }
    assert {d: moment(d.effective_due_at) for d in expected_due} == expected_due
    # An officer holds two of them; the others are nobody's yet.
    town.act(due_today, A.TRANSFER, "08/04/2024 08:00", assignee=town.officer)
    town.act(overdue, A.TRANSFER, "08/04/2024 08:00", assignee=town.officer)
    town.act(stopped, A.TRANSFER, "08/04/2024 08:00", assignee=town.officer)
    town.act(stopped, A.REQUEST_SUPPLEMENT, "10/04/2024 09:00")
    town.act(resolved, A.TRANSFER, "05/04/2024 08:00")
    town.act(resolved, A.APPROVE, "10/04/2024 09:00")

    client = signed_in("t.leader")
    data = client.get("/bao-cao/api/end-of-day", {"unit": "T90", "at": "12/04/2024 10:00"})
    listed = data.json()
    assert (listed["today"], listed["next_working_day"]) == ("2024-04-12", "2024-04-15")
    assert listed["overdue"] == [overdue.code, overdue_this_morning.code]
    assert listed["due_today"] == [due_today.code, other_ward.code]
    assert listed["due_next_working_day"] == [due_monday.code]
    assert listed["counts"] == {"overdue": 2, "due_today": 2, "due_next_working_day": 1}
    assert listed["next"] == dict.fromkeys(listed["counts"])  # every list shown whole
    assert without_counts(listed["units"]) == [
        {
            "code": "T9001",
            "name": "Xã Một",
            "officers": [
                {
                    "username": "t.officer",
                    "name": "Hoàng Văn Đức",
                    "overdue": [overdue.code],
                    "due_today": [due_today.code],
                    "due_next_working_day": [],
                },
                {
                    "username": None,
                    "name": None,
                    "overdue": [overdue_this_morning.code],
                    "due_today": [],
                    "due_next_working_day": [due_monday.code],
                },
            ],
        },
        {
            "code": "T9002",
            "name": "Xã Hai",
            "officers": [
                {
                    "username": None,
                    "name": None,
                    "overdue": [],
                    "due_today": [other_ward.code],
                    "due_next_working_day": [],
                }
            ],
        },
    ]
    # The page shows the same lists, the unassigned ones under "Not assigned".
    html = client.get("/bao-cao/cuoi-ngay/", {"unit": "T90", "at": "12/04/2024 10:00"})
    page = html.content.decode()
    assert re.findall(r'data-eod-count="([a-z_]+)">([^<]+)<', page) == [
        ("overdue", "2"),
        ("due_today", "2"),
        ("due_next", "1"),
    ]
    assert stopped.code not in page
    assert due_tuesday.code not in page
    assert page.count('data-eod-officer="t.officer"') == 1
    assert page.count('data-eod-officer=""') == 2  # nobody's, in each commune
    # The dashboard shows the three counts and links to that page: its size and cost do not
    # grow with the units and officers of a province.
    board = client.get("/bao-cao/", {"unit": "T90", "at": "12/04/2024 10:00"}).content.decode()
    assert re.findall(r'data-eod-count="([a-z_]+)">([^<]+)<', board) == [
        ("overdue", "2"),
        ("due_today", "2"),
        ("due_next", "1"),
    ]
    assert "data-eod-officer" not in board
    assert overdue.code not in board
    assert 'href="/bao-cao/cuoi-ngay/?unit=T90&amp;at=12/04/2024+10:00" id="eod-page"' in board

    # Bounded: the first rows of each list and every count (per officer too); each list in
    # full a keyset page at a time, the pages together the list of end_of_day, in order.
    at = local("12/04/2024 10:00")
    full = dashboard.end_of_day(town.district, at=at)
    summary = eod.end_of_day_summary(town.district, at=at, rows=1)
    assert summary.counts == {
        eod.EodList.OVERDUE: 2,
        eod.EodList.DUE_TODAY: 2,
        eod.EodList.DUE_NEXT: 1,
    }
    assert [d.code for d in summary.first[eod.EodList.OVERDUE]] == [overdue.code]
    nobody = summary.units[0].officers[1]
    assert (nobody.assignee, nobody.counts[eod.EodList.OVERDUE]) == (None, 1)
    assert nobody.rows.get(eod.EodList.OVERDUE) is None  # its one is not among the first
    for which, expected in (
        (eod.EodList.OVERDUE, full.overdue),
        (eod.EodList.DUE_TODAY, full.due_today),
        (eod.EodList.DUE_NEXT, full.due_next),
    ):
        codes, cursor = [], None
        while True:
            page_of = eod.eod_page(town.district, which, cursor, at=at, size=1).page
            codes += [d.code for d in page_of.rows]
            if page_of.next_cursor is None:
                break
            cursor = read_cursor(page_of.next_cursor, eod.EOD_ORDER)
        assert codes == [d.code for d in expected], which
    # One unit's and officer's list, on the page and in JSON.
    mine = {"unit": "T90", "at": "12/04/2024 10:00", "list": "overdue"}
    commune = str(AdministrativeUnit.objects.get(code="T9001").pk)
    html = client.get("/bao-cao/cuoi-ngay/", {**mine, "receiving": commune, "officer": "-"})
    assert re.findall(r"<td data-code>([^<]+)<", html.content.decode()) == [
        overdue_this_morning.code
    ]
    data = client.get("/bao-cao/api/end-of-day", {**mine, "officer": "t.officer"}).json()
    assert (data["dossiers"], data["next"]) == ([overdue.code], None)
    for name, value in (
        ("list", "late"),
        ("receiving", "T9001"),
        ("officer", "nobody"),
        ("cursor", "x"),
    ):
        bad = client.get("/bao-cao/api/end-of-day", {**mine, name: value})
        assert (bad.status_code, bad.json()["fields"]) == (400, [name])
        assert client.get("/bao-cao/cuoi-ngay/", {**mine, name: value}).status_code == 400


def without_counts(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's units and officers without their counts and "see more" addresses."""
    return [
        {
            **unit,
            "officers": [
                {k: v for k, v in officer.items() if k not in ("counts", "next")}
                for officer in unit["officers"]
            ],
        }
        for unit in units
    ]


def test_the_end_of_day_counts_read_what_is_due_later_only_when_it_may_be_overdue(town):
    """The counts read the dossiers due before the end of the next working day apart from
    those due later, of which only a clock stopped late or the supplement rule makes one
    overdue (``eod._may_count``): those are counted, the others due later are not read."""
    at = local("12/04/2024 10:00")  # Friday; the lists end on Monday 15/04 at midnight
    overdue = town.receive("04/04/2024 14:00")  # due Thu 11/04 14:00
    due_monday = town.receive("08/04/2024 09:00")  # due Mon 15/04 09:00
    later = town.receive("09/04/2024 09:00")  # due Tue 16/04 09:00: on no list
    # Due Wed 17/04 09:00, asked for a supplement on Fri 19/04 (18/04 is a holiday): stopped
    # after its due moment, so overdue whatever the moment asked.
    stopped_late = town.receive("10/04/2024 09:00")
    town.act(stopped_late, A.TRANSFER, "10/04/2024 09:05", assignee=town.officer)
    town.act(stopped_late, A.REQUEST_SUPPLEMENT, "19/04/2024 09:00")
    # Asked twice for a supplement and running again, due 17/04: overdue by the 766 rule.
    twice = town.receive("10/04/2024 10:00")
    twice = town.act(twice, A.TRANSFER, "10/04/2024 10:05", assignee=town.officer)
    for day in ("10/04/2024", "11/04/2024"):
        town.act(twice, A.REQUEST_SUPPLEMENT, f"{day} 10:30")
        twice = transition(dossier_id=twice.pk, action=A.SUPPLEMENT, actor=town.clerk,
                           at=local(f"{day} 11:00"))  # fmt: skip
    assert twice.supplement_requests == 2
    # Stopped before its due moment: within time while it waits.
    waiting = town.receive("10/04/2024 14:00")
    town.act(waiting, A.TRANSFER, "10/04/2024 14:05", assignee=town.officer)
    town.act(waiting, A.REQUEST_SUPPLEMENT, "11/04/2024 09:00")

    summary = eod.end_of_day_summary(town.district, at=at)
    windows = eod.due_windows(town.district, at)
    for which in eod.EodList:
        assert summary.counts[which] == eod.listed(town.district, which, windows).count()
    overdue_list = set(eod.listed(town.district, eod.EodList.OVERDUE, windows))
    assert overdue_list == {overdue, stopped_late, twice}
    assert list(eod.listed(town.district, eod.EodList.DUE_NEXT, windows)) == [due_monday]
    assert later not in overdue_list
    assert waiting not in overdue_list
    officers = {
        (entry.assignee and entry.assignee.username): entry.counts[eod.EodList.OVERDUE]
        for unit in summary.units
        for entry in unit.officers
    }
    assert officers == {"t.officer": 2, None: 1}


def test_a_dossier_handed_on_between_the_counts_and_the_rows_does_not_fail_the_page(
    town, monkeypatch
):
    """Another clerk's transfer lands between the summary's two reads (the counts, then the
    first rows): the page answers with the counts' snapshot instead of failing."""
    at = local("12/04/2024 10:00")
    overdue = town.receive("04/04/2024 14:00")  # due Thu 11/04 14:00, nobody's yet
    reads = eod._first_rows

    def handed_on_first(lists, rows):
        town.act(overdue, A.TRANSFER, "12/04/2024 09:59", assignee=town.officer)
        return reads(lists, rows)

    monkeypatch.setattr(eod, "_first_rows", handed_on_first)
    summary = eod.end_of_day_summary(town.district, at=at)
    assert summary.counts[eod.EodList.OVERDUE] == 1
    entries = [entry for unit in summary.units for entry in unit.officers]
    assert [entry.assignee for entry in entries] == [None]  # the officer had no count
    assert entries[0].rows == {}
    assert [d.code for d in summary.first[eod.EodList.OVERDUE]] == [overdue.code]


def test_the_end_of_day_list_follows_the_clock(town):
    # Friday 17:00 after the afternoon: Friday's dossier is overdue, Monday's is next.
    friday = town.receive("05/04/2024 14:00")  # due Fri 12/04 14:00
    monday = town.receive("08/04/2024 09:00")  # due Mon 15/04 09:00
    eod = dashboard.end_of_day(town.district, at=local("12/04/2024 17:00"))
    assert [d.code for d in eod.overdue] == [friday.code]
    assert [d.code for d in eod.due_next] == [monday.code]
    assert eod.due_today == []
    # The same dossiers by the reports' definition of overdue, as of the end of that day.
    assert report_drill_down(
        town.district, Period(date(2024, 4, 1), date(2024, 4, 12)), Bucket.PENDING_OVERDUE
    ) == [friday.code]
    # Monday morning: Monday's dossier is due today; Tuesday 16/04 is the next working day.
    eod = dashboard.end_of_day(town.district, at=local("15/04/2024 08:00"))
    assert [d.code for d in eod.due_today] == [monday.code]
    assert eod.next_working_day == date(2024, 4, 16)
    # Wednesday 17/04: the next working day skips the Hùng Kings' day (Thursday 18/04/2024).
    assert dashboard.end_of_day(town.district, at=local("17/04/2024 10:00")).next_working_day == (
        date(2024, 4, 19)
    )


def test_the_end_of_day_page_shows_its_units_a_page_at_a_time(town, monkeypatch):
    """Its units (each with its officers' lists) come a page at a time, as the dashboard's
    table does; the counts above them are the whole lists' on every page."""
    from motcua.reports import views

    monkeypatch.setattr(views, "UNITS_PER_PAGE", 1)
    town.receive("01/04/2024 08:00")
    town.receive("02/04/2024 08:00")
    town.receive("03/04/2024 08:00", desk=town.other_desk)
    client = signed_in("t.leader")
    seen = []
    for number in ("1", "2"):
        response = client.get("/bao-cao/cuoi-ngay/", {"unit": "T90", "units": number})
        page = response.content.decode()
        assert re.findall(r'data-eod-count="overdue">([^<]+)<', page) == ["3"]
        seen += re.findall(r'data-eod-unit="([^"]+)"', page)
        links = response.context["units_links"]
    assert seen == ["T9001", "T9002"]
    assert set(links) == {"previous"}
    assert links["previous"] == "?unit=T90#end-of-day"
    bad = client.get("/bao-cao/cuoi-ngay/", {"unit": "T90", "units": "abc"})
    assert bad.status_code == 400
    assert "units: số trang của danh sách đơn vị" in bad.content.decode()


def test_the_dashboard_counts_today_s_overdue_from_the_ledger_as_the_lists_count_them(town):
    """On the day of ``at`` the dashboard's overdue count is the ledger's stock at the end of
    today less the dossiers due later today (``eod.end_of_day_counts``): the same numbers as
    counting the lists, at any moment of today, with dossiers resolved and clocks stopped."""
    today = timezone.localdate()
    day = lambda back, hour: f"{today - timedelta(days=back):%d/%m/%Y} {hour}"  # noqa: E731
    made = {back: town.receive(day(back, "08:00")) for back in range(2, 17)}
    made |= {-back: town.receive(day(back, "14:30")) for back in range(2, 17)}
    for back, action in ((16, A.APPROVE), (14, A.REQUEST_SUPPLEMENT), (2, A.REQUEST_SUPPLEMENT)):
        town.act(made[back], A.TRANSFER, day(1, "10:00"))
        town.act(made[back], action, day(1, "15:00"))
    # Today, and the next working day (whatever day the suite runs, one with dossiers due).
    days = [today, next_working_day(town.ward, today)]
    hours = ("00:01", "08:00", "11:00", "14:30", "23:59")
    moments = [timezone.now()] + [local(f"{d:%d/%m/%Y} {hour}") for d in days for hour in hours]
    due_today = 0
    for at in moments:
        summary = eod.end_of_day_summary(town.district, at=at)
        with CaptureQueriesContext(connection) as read:
            counts = eod.end_of_day_counts(town.district, at=at)
        assert counts.counts == summary.counts, at
        assert any("dayfigure" in query["sql"] for query in read.captured_queries)
        # The dashboard's report of a period ending that day gives the ledger's stock.
        on = at.astimezone(LOCAL_TZ).date()
        report = report_for(town.district, Period(on.replace(day=1), on))
        with_report = eod.end_of_day_counts(town.district, at=at, report=report)
        assert with_report.counts == summary.counts, at
        due_today += counts.counts[eod.EodList.DUE_TODAY]
    assert summary.counts[eod.EodList.OVERDUE] > 0
    assert due_today > 0
    # Another day: the dossiers are counted.
    yesterday = local(day(1, "16:00"))
    assert (
        eod.end_of_day_counts(town.district, at=yesterday).counts
        == eod.end_of_day_summary(town.district, at=yesterday).counts
    )


def _listed_per_officer(unit, at) -> dict[tuple[int, int | None, eod.EodList], int]:
    """Each list read whole (``eod.listed``, the lists' definition), counted per unit and
    officer."""
    found: Counter[tuple[int, int | None, eod.EodList]] = Counter()
    windows = due_windows(unit, at)
    for which in eod.EodList:
        rows = eod.listed(unit, which, windows).values_list("receiving_unit_id", "assignee_id")
        for unit_id, user_id in rows:
            found[unit_id, user_id, which] += 1
    return dict(found)


def test_the_end_of_day_counts_per_officer_from_the_tally_are_the_lists(town):
    """Today and after, the overdue dossiers with a running clock due before today are
    counted from the pending tally (``dossiers.tally``), kept by the dossiers' triggers: per
    unit and officer the counts are the lists' lengths, after transitions, a bulk update, the
    nightly fold and a rebuild."""
    today = timezone.localdate()
    day = lambda back, hour: f"{today - timedelta(days=back):%d/%m/%Y} {hour}"  # noqa: E731
    made = {back: town.receive(day(back, "08:00")) for back in range(2, 17)}
    made |= {-back: town.receive(day(back, "14:30"), desk=town.other_desk) for back in range(2, 9)}
    for back in (3, 5, 8, 11):
        town.act(made[back], A.TRANSFER, day(1, "10:00"), assignee=town.officer)
    for back, action in ((16, A.APPROVE), (14, A.REQUEST_SUPPLEMENT), (8, A.APPROVE)):
        if back != 8:
            town.act(made[back], A.TRANSFER, day(1, "10:00"))
        town.act(made[back], action, day(1, "15:00"))
    days = [today, next_working_day(town.ward, today)]
    moments = [timezone.now()] + [
        local(f"{d:%d/%m/%Y} {hour}") for d in days for hour in ("00:01", "11:00", "23:59")
    ]

    def check() -> None:
        for at in moments:
            with CaptureQueriesContext(connection) as read:
                summary = eod.end_of_day_summary(town.district, at=at)
            assert per_officer(summary) == _listed_per_officer(town.district, at), at
            assert any("pendingtally" in q["sql"] for q in read.captured_queries), at
        assert tally_differences() == {}

    check()
    # The case has an officer's overdue dossiers (the one received 11 days ago at least).
    overdue = per_officer(eod.end_of_day_summary(town.district))
    assert overdue[town.ward.pk, town.officer.pk, eod.EodList.OVERDUE] >= 1
    # A bulk update and an update by hand are kept as a transition is.
    Dossier.objects.filter(pk__in=[made[2].pk, made[6].pk]).update(assignee=town.officer)
    Dossier.objects.filter(pk=made[-3].pk).update(
        effective_due_at=F("effective_due_at") + timedelta(days=30)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE dossiers_dossier SET receiving_unit_id = %s WHERE id = %s",
            [town.ward.pk, made[-5].pk],
        )
    check()
    # The worker's fold: the days up to yesterday become one row per unit and officer (up to
    # the day before yesterday in the first hour of a day); folded again, nothing changes.
    rows = PendingTally.objects.count()
    now = timezone.now()
    assert tally_compact(now) > 0
    assert PendingTally.objects.count() < rows
    folded = PendingTally.objects.filter(due_day__lte=fold_day(now))
    assert not folded.filter(due_day__lt=fold_day(now)).exists()
    ids = sorted(folded.values_list("pk", flat=True))
    assert tally_compact(now) == 0
    assert sorted(folded.values_list("pk", flat=True)) == ids
    check()
    # A tally gone wrong is named, and rebuilt.
    PendingTally.objects.filter(unit=town.ward).delete()
    assert {key[0] for key in tally_differences()} == {town.ward.pk}
    tally_rebuild()
    check()
    # The migration's own count of the dossiers already there, on either engine.
    migration = importlib.import_module("motcua.dossiers.migrations.0031_pending_tally")
    local_day = migration.day_pg if connection.vendor == "postgresql" else migration.day_sqlite
    PendingTally.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(migration.fill(local_day))
    check()
    # A past day is counted from the dossiers: the tally keeps today's state only.
    yesterday = local(day(1, "16:00"))
    with CaptureQueriesContext(connection) as read:
        summary = eod.end_of_day_summary(town.district, at=yesterday)
    assert not any("pendingtally" in q["sql"] for q in read.captured_queries)
    assert per_officer(summary) == _listed_per_officer(town.district, yesterday)


@pytest.mark.parametrize("part", [None, "own", "01840"])
def test_a_linked_number_points_where_drill_url_does(part):
    # The dashboard builds its ~1.200 links from a prefix made once (views._numbers); they
    # must stay the drill-down's own URL, whatever the figures and the part.
    unit, period = AdministrativeUnit(code="19"), Period(date(2026, 1, 1), date(2026, 6, 30))
    totals = {bucket: 7 for bucket in Bucket}
    number = _numbers(unit, period, totals, part)
    for figures in ([Bucket.RECEIVED], [Bucket.RESOLVED_EARLY, Bucket.RESOLVED_ON_TIME]):
        assert number(*figures).url == drill_url(unit, period, figures, part)
        assert number(*figures).text == ("7" if len(figures) == 1 else "14")

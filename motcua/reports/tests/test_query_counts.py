"""The leader's dashboard (/bao-cao/) reads a fixed number of queries whatever the number of
dossiers in its period: two or fourteen, received, transferred and settled on different days.
The exact count is compared, not a ceiling: one query more per dossier is what this test
exists to catch. (``test_dashboard_reports`` keeps a ceiling on the seed's five months.)

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts import access
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.dossiers.choices import ReturnMethod
from motcua.dossiers.models import DayFigure, Dossier
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import World, build_world, local
from motcua.reports import dashboard, eod, views
from motcua.reports.selectors import report_drill_down
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.tree import unit_tree

PERIOD = {"unit": "058", "from": "01/01/2024", "to": "31/03/2024"}


def queries(client: Client, url: str, params: dict[str, str]) -> list[str]:
    """The SQL a GET ran (after one GET that warms per-process caches)."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def dossiers(world: World, days: range) -> None:
    """Dossiers received on ``days`` of January 2024; every other one transferred, every
    third one approved and its result returned."""
    for day in days:
        dossier = world.create(at=f"{day:02d}/01/2024 08:00")
        if day % 2:
            continue
        act = {"dossier_id": dossier.pk, "at": local(f"{day:02d}/01/2024 10:00")}
        dossier_transition(action=workflow.Action.TRANSFER, actor=world.clerk, **act)
        if day % 3 == 0:
            act["at"] = local(f"{day + 1:02d}/01/2024 10:00")
            dossier_transition(action=workflow.Action.APPROVE, actor=world.officer, **act)
            act["at"] = local(f"{day + 2:02d}/01/2024 10:00")
            dossier_transition(
                action=workflow.Action.RETURN_RESULT,
                actor=world.clerk,
                details=Details(return_method=ReturnMethod.COUNTER),
                **act,
            )


@pytest.mark.django_db
def test_the_dashboard_reads_as_many_queries_for_fourteen_dossiers_as_for_two(settings):
    # The calendar tables' version is checked once per CACHE_SECONDS in a process, not per
    # page: held still here (and the calendars read once) so the count depends on the data only.
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    world = build_world()
    leader = Client()
    leader.force_login(world.leader)
    dossiers(world, range(2, 4))
    queries(leader, "/bao-cao/", PERIOD)
    small = queries(leader, "/bao-cao/", PERIOD)
    dossiers(world, range(4, 16))
    large = queries(leader, "/bao-cao/", PERIOD)
    assert len(small) == len(large), "\n".join(large)


# -- the province level, the lists behind the numbers, the API (issue 17 item 1) -----------


def thai_nguyen() -> AdministrativeUnit:
    """Tỉnh Thái Nguyên after the 2025 reorganisation (communes directly under the province)."""
    return AdministrativeUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", kind="province", valid_from=date(2025, 7, 1)
    )


def communes(province: AdministrativeUnit, numbers: range) -> list[Agency]:
    """Communes of ``province``, each with its public administration service centre."""
    desks = []
    for number in numbers:
        commune = AdministrativeUnit.objects.create(
            code=f"0{5000 + number}",
            name=f"Xã Số {number + 1}",
            kind="commune",
            parent=province,
            valid_from=date(2025, 7, 1),
        )
        desks.append(
            Agency.objects.create(
                code=f"TTHCC-{commune.code}",
                name=f"Trung tâm Phục vụ hành chính công {commune.name}",
                kind="service_centre",
                unit=commune,
                electronic_code=f"000.{number:02d}.19.H55",
            )
        )
    return desks


def commune_dossiers(world: World, desk: Agency, month: int) -> None:
    """Two dossiers of a commune in ``month`` of 2025: one received, one transferred, by the
    centre's clerk."""
    clerk = staff(desk.unit, f"motcua.{desk.unit.code}", Role.CLERK, desk)
    for day in (4, 5):
        dossier = world.create(
            receiving_agency=desk, actor=clerk, at=f"{day:02d}/{month:02d}/2025 08:00"
        )
        if day == 5:
            dossier_transition(
                action=workflow.Action.TRANSFER,
                actor=clerk,
                dossier_id=dossier.pk,
                at=local(f"{day:02d}/{month:02d}/2025 10:00"),
            )


@pytest.mark.django_db
def test_the_province_dashboard_reads_as_many_queries_for_six_communes_as_for_two(settings):
    """The units side by side and the monthly trend are one grouped ledger query each, the
    end-of-day list six: more communes with data, or more months, cost no query more."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    world = build_world()
    province = thai_nguyen()
    desks = communes(province, range(2))
    leader = Client()
    leader.force_login(staff(province, "lanhdao.thainguyen"))
    quarter = {"unit": "19", "from": "01/08/2025", "to": "31/10/2025"}
    for desk in desks[:2]:
        commune_dossiers(world, desk, 8)
    queries(leader, "/bao-cao/", quarter)
    small = queries(leader, "/bao-cao/", quarter)
    desks += communes(province, range(2, 6))  # more communes, each with its dossiers
    for month, desk in zip((8, 9, 10, 10), desks[2:], strict=True):
        commune_dossiers(world, desk, month)
    large = queries(leader, "/bao-cao/", quarter)
    assert len(small) == len(large), "\n".join(large)
    # Five months cost what three do.
    longer = queries(leader, "/bao-cao/", {**quarter, "to": "31/12/2025"})
    assert len(longer) == len(large), "\n".join(longer)


def staff(
    unit: AdministrativeUnit, username: str, role: Role = Role.LEADER, agency: Agency | None = None
) -> User:
    user = user_create_or_update(username=username, full_name=username.title())
    role_grant(user=user, role=role, unit=unit, agency=agency)
    return user


def walk(client: Client, url: str, params: dict[str, str]) -> list[tuple[int, str]]:
    """Every page of a list, by its "next" links: (queries, page) per page, each page read
    twice so its count is the warm one."""
    pages = []
    query = "?" + urlencode(params)
    while True:
        client.get(url + query)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url + query)
        assert response.status_code == 200
        pages.append((len(captured.captured_queries), response.content.decode()))
        following = response.context["links"].get("next") if response.context else None
        if following is None:
            return pages
        query = following.replace("&amp;", "&")


@pytest.mark.django_db
def test_a_drill_down_page_reads_as_many_queries_on_page_three_as_on_page_one(
    settings, monkeypatch
):
    """A drill-down reads its page, not the unit's history: two dossiers or a dozen, page 1
    or page 3, the same queries; the pages together are the figure's list, each dossier once."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    monkeypatch.setattr(views, "DRILL_PAGE_SIZE", 4)
    world = build_world()
    leader = Client()
    leader.force_login(world.leader)
    drill = {**PERIOD, "figure": "received"}
    dossiers(world, range(2, 4))
    small = walk(leader, "/bao-cao/ho-so/", drill)
    dossiers(world, range(4, 16))
    large = walk(leader, "/bao-cao/ho-so/", drill)
    assert [count for count, _ in large] == [small[0][0]] * 4
    codes = [
        code for _, page in large for code in re.findall(r"<td data-code><a [^>]+>([^<]+)<", page)
    ]
    expected = report_drill_down(
        world.city, Period(date(2024, 1, 1), date(2024, 3, 31)), Bucket.RECEIVED
    )
    assert codes == expected
    assert len(set(codes)) == 14


def calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """A list that grows by one at each call of ``module.name`` (which still answers)."""
    made: list[int] = []
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return made


@pytest.mark.django_db
def test_only_the_dashboard_reads_the_first_year_its_period_picker_offers(settings, monkeypatch):
    """The period picker begins at the unit's first receipt, read from the ledger
    (``dashboard.first_year``). Only the dashboard shows the picker; the drill-downs, the
    briefing and the end-of-day page built it too, and the unit picker the drill-downs and
    the briefing do not show either."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    world = build_world()
    dossiers(world, range(2, 6))
    leader = Client()
    leader.force_login(world.leader)

    # The unit picker's units come from the tree in memory (units.tree), with no statement of
    # their own: its builds are counted, as the first year's reads are.
    pickers = calls(monkeypatch, access, "units_for_user")
    firsts = calls(monkeypatch, dashboard, "first_year")
    queries(leader, "/bao-cao/", PERIOD)
    assert firsts
    for url, params in [
        ("/bao-cao/ho-so/", {**PERIOD, "figure": "received"}),
        ("/bao-cao/tom-tat/", PERIOD),
        ("/bao-cao/cuoi-ngay/", {"unit": "058"}),
    ]:
        pickers.clear()
        firsts.clear()
        queries(leader, url, params)
        assert not firsts, url
        assert bool(pickers) == (url == "/bao-cao/cuoi-ngay/"), url


@pytest.mark.django_db
def test_the_first_year_is_the_lineage_s_first_receipt_whether_or_not_in_the_ledger_s_first():
    """``dashboard.first_year`` asks the ledger's first year before probing unit by unit
    (docs/performance.md): a unit that received in it, one whose first receipt came a year
    later (a resolution or a zero count before it does not count), one that never received."""
    world = build_world()
    ledger = [
        (world.ward, Bucket.RECEIVED, date(2024, 3, 5), 2),
        (world.other_ward, Bucket.RESOLVED, date(2024, 6, 1), 1),
        (world.other_ward, Bucket.RECEIVED, date(2024, 7, 1), 0),
        (world.other_ward, Bucket.RECEIVED, date(2025, 2, 1), 1),
    ]
    for unit, figure, day, n in ledger:
        DayFigure.objects.create(unit=unit, figure=figure.value, day=day, n=n)
    assert dashboard.first_year(world.ward) == 2024
    assert dashboard.first_year(world.other_ward) == 2025
    assert dashboard.first_year(world.city) == 2024  # its wards' first
    assert dashboard.first_year(world.city_desk.unit) == 2024
    DayFigure.objects.filter(unit=world.ward).delete()
    assert dashboard.first_year(world.ward) is None
    assert dashboard.first_year(world.city) == 2025
    DayFigure.objects.all().delete()
    assert dashboard.first_year(world.province) is None


@pytest.mark.django_db(transaction=True)
def test_a_province_s_first_year_is_the_ledger_s_first_without_asking_its_lineage():
    """In a request whose tree names no unit outside the lineage (a province's dashboard),
    the first receipt anywhere is the lineage's own: one statement, not two, and the same
    year as outside a request. A ward's lineage is still asked."""
    world = build_world()
    DayFigure.objects.create(unit=world.ward, figure="received", day=date(2024, 3, 5), n=2)
    outside = {unit.pk: dashboard.first_year(unit) for unit in (world.province, world.ward)}
    request_started.send(sender=None)
    try:
        unit_tree()
        with CaptureQueriesContext(connection) as province:
            assert dashboard.first_year(world.province) == outside[world.province.pk] == 2024
        with CaptureQueriesContext(connection) as ward:
            assert dashboard.first_year(world.ward) == outside[world.ward.pk] == 2024
    finally:
        request_finished.send(sender=None)
    assert len(province.captured_queries) == 1
    assert len(ward.captured_queries) == 2


@pytest.mark.django_db
def test_the_api_lists_read_as_many_queries_on_every_page(settings, monkeypatch):
    """/bao-cao/api/drill and /bao-cao/api/end-of-day: a cursor per page, a fixed number of
    queries per page whatever the data."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    monkeypatch.setattr(views, "API_PAGE_SIZE", 4)
    monkeypatch.setattr(eod, "PAGE_ROWS", 4)
    monkeypatch.setattr(views, "PAGE_ROWS", 4)
    world = build_world()
    leader = Client()
    leader.force_login(world.leader)
    dossiers(world, range(2, 4))
    at = {"unit": "058", "at": "20/02/2024 10:00"}

    def api_pages(url: str, params: dict[str, str]) -> list[tuple[int, list[str]]]:
        found, address = [], url + "?" + urlencode(params)
        while address:
            leader.get(address)
            with CaptureQueriesContext(connection) as captured:
                data = leader.get(address).json()
            found.append((len(captured.captured_queries), data["dossiers"]))
            address = data["next"]
        return found

    small_drill = api_pages("/bao-cao/api/drill", {**PERIOD, "figure": "received"})
    small_summary = queries(leader, "/bao-cao/api/end-of-day", at)
    small_list = api_pages("/bao-cao/api/end-of-day", {**at, "list": "overdue"})
    dossiers(world, range(4, 16))
    large_drill = api_pages("/bao-cao/api/drill", {**PERIOD, "figure": "received"})
    large_summary = queries(leader, "/bao-cao/api/end-of-day", at)
    large_list = api_pages("/bao-cao/api/end-of-day", {**at, "list": "overdue"})
    assert {count for count, _ in large_drill} == {small_drill[0][0]}
    assert len(large_drill) == 4
    assert len(large_summary) == len(small_summary), "\n".join(large_summary)
    # Past its first page, a list by due moment reads its page's ids, then its rows; once
    # the dossiers with a due moment run out, also the ids of those without one, which sort
    # last (lib.paging.Ordering.ranges).
    first = small_list[0][0]
    middle = len(large_list) - 2
    assert middle >= 1
    assert [count for count, _ in large_list] == [first] + [first + 1] * middle + [first + 2]
    listed = [code for _, page in large_list for code in page]
    full = dashboard.end_of_day(world.city, at=local("20/02/2024 10:00")).overdue
    assert listed == [d.code for d in full]
    assert len(large_list) >= 2  # more than one page of overdue dossiers


@pytest.mark.django_db
def test_the_end_of_day_page_reads_as_many_queries_for_more_officers_and_dossiers(settings):
    """The end-of-day list on its own page: counts per unit and officer in one grouped query,
    their names in one query each, the first rows of each list in one query each."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    world = build_world()
    leader = Client()
    leader.force_login(world.leader)
    at = {"unit": "058", "at": "20/02/2024 10:00"}

    def assigned(number: int) -> None:
        officer = staff(world.city, f"canbo{number}")
        role_grant(user=officer, role=Role.OFFICER, unit=world.city, agency=world.justice)
        dossier = world.create(at=f"{10 + number:02d}/01/2024 08:00")
        dossier_transition(
            action=workflow.Action.TRANSFER,
            actor=world.clerk,
            dossier_id=dossier.pk,
            details=Details(assignee=officer),
            at=local(f"{10 + number:02d}/01/2024 09:00"),
        )

    dossiers(world, range(2, 4))
    assigned(0)  # an officer and nobody: the names of both kinds are read
    small = queries(leader, "/bao-cao/cuoi-ngay/", at)
    for number in range(1, 4):
        assigned(number)
    dossiers(world, range(4, 16))
    large = queries(leader, "/bao-cao/cuoi-ngay/", at)
    assert len(small) == len(large), "\n".join(large)


# -- the end-of-day lists: the same statements whether a list has rows or not (issue 17) ---


def _at(moment) -> str:
    """A moment as the ``at`` parameter takes it (dd/mm/yyyy HH:MM, Vietnam time)."""
    return moment.astimezone(local("01/01/2024 00:00").tzinfo).strftime("%d/%m/%Y %H:%M")


@pytest.mark.django_db
def test_the_dashboard_reads_as_many_queries_when_each_end_of_day_list_has_rows_as_when_none_has(
    settings,
):
    """The end-of-day lists are read whether they have rows or not: the same statements at a
    moment when the three lists are empty and at one when each has a dossier (overdue, due
    today, due on the next working day), assigned to an officer or to nobody."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    world = build_world()
    leader = Client()
    leader.force_login(world.leader)
    made = [world.create(at=at) for at in ("08/01/2024 08:00", "08/01/2024 10:00")]
    made.append(world.create(at="09/01/2024 08:00"))
    dossier_transition(
        action=workflow.Action.TRANSFER,
        actor=world.clerk,
        dossier_id=made[2].pk,
        at=local("09/01/2024 10:00"),
    )
    due = [d.effective_due_at for d in Dossier.objects.filter(pk__in=[d.pk for d in made])]
    due.sort()
    # A minute after the first is due: it is overdue, the second (received two hours later)
    # due today, the third (received a working day later) on the next working day.
    busy = {**PERIOD, "at": _at(due[0] + timedelta(minutes=1))}
    quiet = {**PERIOD, "at": "08/01/2024 09:00"}
    eod_busy = eod.end_of_day_summary(world.city, at=due[0] + timedelta(minutes=1))
    assert all(eod_busy.counts.values()), eod_busy.counts
    eod_quiet = eod.end_of_day_summary(world.city, at=local("08/01/2024 09:00"))
    assert not any(eod_quiet.counts.values()), eod_quiet.counts
    queries(leader, "/bao-cao/", quiet)
    empty = queries(leader, "/bao-cao/", quiet)
    full = queries(leader, "/bao-cao/", busy)
    assert len(empty) == len(full), "\n".join(full)

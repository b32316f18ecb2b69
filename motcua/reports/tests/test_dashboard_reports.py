"""Reports in the browser (issue 10 item 4): form II.06a as PDF and XLSX and the briefing from
the dashboard, drill-down lists as XLSX and CSV, the period picker's quick picks, the period
the dashboard opens on, the 766 index in words, out-of-range dates answered 400, and a fixed
number of queries per page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.accounts.models import User
from motcua.core import index766, workflow
from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Bucket, Measure, Period
from motcua.core.periods import named_period, quick_picks
from motcua.dossiers.choices import Status, Timeliness
from motcua.dossiers.models import Dossier
from motcua.lib.formatting import format_date, format_number
from motcua.reports import dashboard, drill, views
from motcua.reports.selectors import report_drill_down, report_for
from motcua.reports.tests.test_dashboard import demo as demo  # noqa: F401 (the fixture)
from motcua.reports.tests.test_dashboard import signed_in
from motcua.units.selectors import lineage_ids, unit_at, unit_lineage

A = workflow.Action
SEED = {"unit": "058", "from": "01/01/2024", "to": "22/05/2024"}
SEED_PERIOD = Period(date(2024, 1, 1), date(2024, 5, 22))
HALF_2024 = {"unit": "058", "period": "half:2024"}


def leader() -> Client:
    return signed_in("lanhdao.thanhpho")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def totals_row(content: bytes) -> list[object]:
    """The totals row of a downloaded form II.06a workbook (its last row), figures only."""
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][1] == "Tổng cộng"
    return list(rows[-1][2:])


# -- form II.06a and the briefing ------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_links_to_the_downloads_of_its_period(demo):
    html = leader().get("/bao-cao/", SEED).content.decode()
    links = dict(re.findall(r'href="([^"]+)" data-download="([a-z-]+)"', html))
    by_kind = {kind: url.replace("&amp;", "&") for url, kind in links.items()}
    query = "unit=058&from=01/01/2024&to=22/05/2024"
    assert by_kind == {
        "form-pdf": f"/bao-cao/bieu-II.06a.pdf?{query}",
        "form-xlsx": f"/bao-cao/bieu-II.06a.xlsx?{query}",
        "briefing": f"/bao-cao/tom-tat/?{query}",
        "briefing-pdf": f"/bao-cao/tom-tat.pdf?{query}",
    }


@pytest.mark.django_db
def test_form_06a_as_xlsx_holds_the_seed_figures(demo):
    response = leader().get("/bao-cao/bieu-II.06a.xlsx", SEED)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        'filename="bieu-II.06a-058-20240101-20240522.xlsx"'
        in (response.headers["Content-Disposition"])
    )
    # Received total (in the period + carried over), online, in person, carried over,
    # resolved, early, on time, late, pending, within time, overdue, withdrawn or stopped.
    row = totals_row(response.content)
    assert row[:4] == [1608 + 39, 1342, 266, 39]
    assert row[4] == 1604
    assert row[4:8] == [1604, row[5], row[6], 5]
    assert row[5] + row[6] == 1599
    assert row[8:11] == [43, 43, 0]


@pytest.mark.django_db
def test_form_06a_for_half_1_of_2024_as_xlsx_and_pdf(demo):
    half = named_period("half", 2024)
    report = report_for(unit_at("058", half.end), half)
    client = leader()
    workbook = client.get("/bao-cao/bieu-II.06a.xlsx", HALF_2024)
    row = totals_row(workbook.content)
    assert row[:4] == [
        report[Bucket.RECEIVED] + report[Bucket.CARRIED_OVER],
        report[Bucket.RECEIVED_ONLINE],
        report[Bucket.RECEIVED_DIRECT],
        report[Bucket.CARRIED_OVER],
    ]
    assert row[4] == report[Bucket.RESOLVED]
    assert row[7] == report[Bucket.RESOLVED_LATE]
    assert report[Bucket.RECEIVED] >= 1608  # the half-year holds the seed's period

    document = client.get("/bao-cao/bieu-II.06a.pdf", HALF_2024)
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    text = pdf_text(document.content)
    assert "15/12/2023" in text
    assert "14/06/2024" in text
    for figure in (Bucket.RECEIVED_ONLINE, Bucket.RESOLVED, Bucket.RECEIVED):
        assert format_number(report[figure]) in text


@pytest.mark.django_db
def test_form_06a_as_pdf_holds_the_seed_figures(demo):
    response = leader().get("/bao-cao/bieu-II.06a.pdf", SEED)
    text = pdf_text(response.content)
    assert "Biểu số II.06a" in text
    for shown in ("1.647", "1.342", "266", "1.604", "1.608"):
        assert shown in text


@pytest.mark.django_db
def test_the_briefing_as_text_to_copy_and_as_a_document(demo):
    client = leader()
    page = client.get("/bao-cao/tom-tat/", SEED)
    assert page.status_code == 200
    box = re.search(
        r'<textarea id="briefing-text"[^>]*>(.*?)</textarea>', page.content.decode(), re.S
    )
    assert box is not None
    assert "1.608" in box[1]
    assert "1.342" in box[1]
    document = client.get("/bao-cao/tom-tat.pdf", SEED)
    assert document.headers["Content-Type"] == "application/pdf"
    text = pdf_text(document.content)
    assert "1.608" in text
    assert "Thành phố Bắc Kạn" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/bao-cao/bieu-II.06a.pdf",
        "/bao-cao/bieu-II.06a.xlsx",
        "/bao-cao/tom-tat/",
        "/bao-cao/tom-tat.pdf",
        "/bao-cao/ho-so.xlsx",
        "/bao-cao/ho-so.csv",
    ],
)
def test_downloads_keep_to_the_users_units(demo, path):
    ward_clerk = signed_in("motcua.ducxuan")  # one-stop clerk of Phường Đức Xuân (01840)
    params = {**SEED, "figure": "received"}
    assert ward_clerk.get(path, params).status_code == 404
    assert ward_clerk.get(path, {**params, "unit": "01840"}).status_code == 200
    anonymous = Client().get(path, params)
    assert anonymous.status_code == 302


# -- drill-down exports ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_drill_down_list_exports_to_xlsx_and_csv(demo, monkeypatch):
    client = leader()
    city = unit_at("058", SEED_PERIOD.end)
    late = report_drill_down(city, SEED_PERIOD, Bucket.RESOLVED_LATE)
    page = client.get("/bao-cao/ho-so/", {**SEED, "figure": "resolved_late"}).content.decode()
    assert 'data-export="xlsx"' in page
    assert 'data-export="csv"' in page

    workbook = client.get("/bao-cao/ho-so.xlsx", {**SEED, "figure": "resolved_late"})
    assert workbook.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == late
    assert len(rows[0]) == 11

    listed = client.get("/bao-cao/ho-so.csv", {**SEED, "figure": "resolved_late"})
    assert listed.headers["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(listed.streaming_content)  # streamed, a chunk of dossiers at a time
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[1] for row in table[1:]] == late
    assert table[0] == list(rows[0])

    # The whole list, not one page: 1.608 received, read by chunks (of 500 here: four), two
    # queries each, none per dossier (the rows' columns are all read: DOSSIER_ROW_FIELDS).
    monkeypatch.setattr(views, "EXPORT_CHUNK", 500)
    with CaptureQueriesContext(connection) as queries:
        received = client.get("/bao-cao/ho-so.csv", {**SEED, "figure": "received"})
        text = b"".join(received.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 1 + 1608
    assert [line[0] for line in lines[1:3]] == ["1", "2"]
    assert len(lines) == len({line[1] for line in lines})
    assert len(queries) < 25, [q["sql"][:80] for q in queries]


@pytest.mark.django_db
def test_a_list_row_reads_the_same_from_values_as_from_the_model(demo):
    """The drill-downs and their exports read a row's columns with ``values()`` (no model
    per dossier: a year's late resolutions were 355.000 models); the end-of-day lists read
    models, which also tell a row's unit and officer. Both give the same row: the agency
    holding it (else the receiving one), the officer (full name, else username), the dates,
    the status and the timeliness."""
    dossiers = Dossier.objects.order_by("pk")
    # Officers with and without a full name.
    first, second = dossiers.values_list("pk", flat=True)[:2]
    named = User.objects.create(username="can.bo.a", full_name="Nguyễn Văn A")
    dossiers.filter(pk=first).update(assignee=named)
    dossiers.filter(pk=second).update(assignee=User.objects.create(username="can.bo.b"))
    by_values = {
        values["code"]: views._dossier_row(values)
        for values in dossiers.values(*drill.DOSSIER_ROW_FIELDS)
    }
    models = dossiers.select_related(
        "procedure_version__procedure", "current_agency", "receiving_agency", "assignee"
    )
    for dossier in models:
        row = views._dossier_row(views._row_values(dossier))
        assert by_values[dossier.code] == row
        assert row["agency"] == str(dossier.current_agency or dossier.receiving_agency)
        assert row["assignee"] == (str(dossier.assignee) if dossier.assignee else "")
    rows = list(by_values.values())
    # The demo holds every case: assigned or not, resolved or pending, each timeliness.
    assert {row["assignee"] for row in rows} >= {"Nguyễn Văn A", "can.bo.b", ""}
    assert {bool(row["resolved"]) for row in rows} == {True, False}
    assert len({row["timeliness"] for row in rows}) == 4
    assert any(d.current_agency_id not in (None, d.receiving_agency_id) for d in models)


# -- the period picker -----------------------------------------------------------------------


def test_quick_picks_for_a_fixed_day():
    picks = {(p.kind, p.previous): (p.period, p.value) for p in quick_picks(date(2026, 12, 2))}
    expected = {
        ("month", False): (Period(date(2026, 11, 15), date(2026, 12, 2)), "month:2026-12"),
        ("month", True): (Period(date(2026, 10, 15), date(2026, 11, 14)), "month:2026-11"),
        ("quarter", False): (Period(date(2026, 9, 15), date(2026, 12, 2)), "quarter:2026-4"),
        ("quarter", True): (Period(date(2026, 6, 15), date(2026, 9, 14)), "quarter:2026-3"),
        ("half", False): (Period(date(2026, 6, 15), date(2026, 12, 2)), "half:2026-2"),
        ("half", True): (Period(date(2025, 12, 15), date(2026, 6, 14)), "half:2026-1"),
        ("year", False): (Period(date(2025, 12, 15), date(2026, 12, 2)), "year:2026"),
        ("year", True): (Period(date(2024, 12, 15), date(2025, 12, 14)), "year:2025"),
    }
    assert picks == expected
    # After the cut-off day the next periods have begun; with calendar periods they have not.
    later = {(p.kind, p.previous): p.period for p in quick_picks(date(2026, 12, 20))}
    assert later["year", False] == Period(date(2026, 12, 15), date(2026, 12, 20))
    assert later["half", True] == Period(date(2026, 6, 15), date(2026, 12, 14))
    plain = {(p.kind, p.previous): p.period for p in quick_picks(date(2026, 5, 2), cutoff_day=1)}
    assert plain["half", False] == Period(date(2026, 1, 1), date(2026, 5, 2))
    assert plain["half", True] == Period(date(2025, 7, 1), date(2025, 12, 31))
    assert plain["quarter", True] == Period(date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.django_db
def test_the_quick_picks_on_the_page_follow_today(demo):
    html = leader().get("/bao-cao/", SEED).content.decode()
    links = {
        key: url.replace("&amp;", "&")
        for url, key in re.findall(r'href="([^"]+)" data-quick="([a-z-]+)"', html)
    }
    assert len(links) == 8
    for pick in quick_picks(timezone.localdate()):
        key = pick.kind + ("-previous" if pick.previous else "")
        start, end = format_date(pick.period.start), format_date(pick.period.end)
        assert links[key] == f"/bao-cao/?unit=058&from={start}&to={end}"
    # The picker offers every Decree 09/2019 period of every year from the data's first.
    first = dashboard.first_year(unit_at("058", SEED_PERIOD.end))
    assert first is not None
    for year in range(first, timezone.localdate().year + 1):
        assert f'<optgroup label="{year}">' in html
    assert 'value="half:2024-1" selected' not in html
    assert 'value="month:2024-12"' in html
    assert 'value="half:2025-2"' in html


@pytest.mark.django_db
def test_the_dashboard_opens_on_the_latest_period_with_data(demo):
    city = unit_at("058", SEED_PERIOD.end)
    today = timezone.localdate()
    latest = dashboard.latest_activity(city, today)
    assert latest is not None
    assert latest.year == 2024
    # Read from the ledger, the answer is the dossiers' own: the last receipt or resolution,
    # and the year of the first receipt.
    found = Dossier.objects.filter(receiving_unit__in=unit_lineage(city)).aggregate(
        received=Max("received_at"), resolved=Max("resolved_at"), first=Min("received_at")
    )
    local = {name: moment.astimezone(LOCAL_TZ).date() for name, moment in found.items()}
    assert latest == max(local["received"], local["resolved"])
    assert dashboard.first_year(city) == local["first"].year
    period = dashboard.default_period(city, today)
    assert period.start == latest.replace(day=1)
    assert period.start <= latest <= period.end
    assert (period.end + timedelta(days=1)).day == 1
    assert report_for(city, period)[Bucket.RESOLVED] + report_for(city, period)[Bucket.RECEIVED]
    html = leader().get("/bao-cao/").content.decode()
    assert f'name="from" value="{format_date(period.start)}"' in html
    numbers = dict(re.findall(r'data-headline="([a-z_]+)">([^<]+)<', html))
    assert numbers["received"] != "0" or numbers["resolved"] != "0"


def test_the_dashboard_opens_on_this_month_when_it_has_data(town):  # noqa: F811
    # ``today`` is a parameter, so the rule is checked on fixed days.
    april_10, june_3 = date(2024, 4, 10), date(2024, 6, 3)
    assert dashboard.default_period(town.district, april_10) == Period(
        date(2024, 4, 1), april_10
    )  # nothing at all: this month
    town.receive("01/04/2024 08:00")
    # The month that has data, to today, asked in one statement (no probe per unit) ...
    lineage_ids(town.district)
    with CaptureQueriesContext(connection) as asked:
        opened = dashboard.default_period(town.district, april_10)
    assert opened == Period(date(2024, 4, 1), april_10)
    # (The tree's token besides: in a test's transaction every walk reads it, units.tree.)
    asked_sql = [q["sql"] for q in asked.captured_queries if "units_treeversion" not in q["sql"]]
    assert len(asked_sql) == 1, asked_sql
    # ... and later, not an empty June: the whole of April.
    april = Period(date(2024, 4, 1), date(2024, 4, 30))
    assert dashboard.default_period(town.district, june_3) == april
    assert dashboard.default_period(town.ward, june_3) == april
    assert dashboard.default_period(town.other_ward, june_3) == Period(date(2024, 6, 1), june_3)
    # A resolution counts as data too.
    dossier = town.receive("03/05/2024 08:00")
    town.act(town.act(dossier, A.TRANSFER, "03/05/2024 09:00"), A.APPROVE, "04/06/2024 10:00")
    assert dashboard.default_period(town.district, june_3) == Period(
        date(2024, 5, 1), date(2024, 5, 31)
    )
    assert dashboard.default_period(town.district, date(2024, 6, 10)) == Period(
        date(2024, 6, 1), date(2024, 6, 10)
    )
    # The page opens on it, with its figures.
    html = signed_in("t.leader").get("/bao-cao/").content.decode()
    assert 'name="from" value="01/06/2024"' in html
    assert 'name="to" value="30/06/2024"' in html
    assert dict(re.findall(r'data-headline="([a-z_]+)">([^<]+)<', html))["resolved"] == "1"


# -- the 766 index in words ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_766_index_reads_in_words(demo):
    html = leader().get("/bao-cao/", SEED).content.decode()
    section = html[html.index('id="index766"') : html.index('id="trend"')]
    report = report_for(unit_at("058", SEED_PERIOD.end), SEED_PERIOD)
    taken = report.average_days(Measure.PROCESSING_SECONDS)
    allowed = report.average_days(Measure.STATUTORY_SECONDS)
    assert taken is not None
    assert allowed is not None
    indicator = re.search(r'data-indicator="2.2">(.*?)</div>', section, re.S)
    assert indicator is not None
    words = indicator[1]
    assert format_number(taken, 1) in words
    assert format_number(allowed, 1) in words
    assert "177,30%" not in section
    assert "332.247.060" not in section
    # A share in its own unit: "n of d dossiers ...: x%".
    index = index766.score(index766.inputs_from_figures(report.totals, report.coverage))
    in_time = next(i for g in index.groups for i in g.measured if i.code == "2.1")
    shares = re.search(r'data-indicator="2.1">(.*?)</div>', section, re.S)
    assert shares is not None
    assert format_number(in_time.ratio.numerator) in shares[1]
    assert format_number(in_time.ratio.denominator) in shares[1]


@pytest.mark.django_db
def test_the_satisfaction_card_says_why_it_differs_from_5_4(demo):
    html = leader().get("/bao-cao/", SEED).content.decode()
    report = report_for(unit_at("058", SEED_PERIOD.end), SEED_PERIOD)
    parts = index766.satisfaction_parts(report.totals)
    assert parts is not None
    late, unsatisfied = parts
    five_four = 1 - late - unsatisfied
    shown = format_number(float(five_four * 100), 2) + "%"
    note = re.search(r'data-note="satisfied">([^<]+)<', html)
    assert note is not None
    assert shown in note[1]
    # The index shows the same 5.4 and what it deducts.
    item = re.search(r'data-indicator="5.4">(.*?)</div>', html, re.S)
    assert item is not None
    assert shown in item[1]
    assert format_number(float(late * 100), 2) + "%" in item[1]
    # One definition: the index's own ratio is 1 − late − not satisfied.
    index = index766.score(index766.inputs_from_figures(report.totals, report.coverage))
    measured = {i.code: i.value for g in index.groups for i in g.measured}
    assert measured["5.4"] == five_four


# -- bad dates -------------------------------------------------------------------------------

DATED = [
    "/bao-cao/",
    "/bao-cao/ho-so/",
    "/bao-cao/ho-so.xlsx",
    "/bao-cao/ho-so.csv",
    "/bao-cao/bieu-II.06a.pdf",
    "/bao-cao/bieu-II.06a.xlsx",
    "/bao-cao/tom-tat/",
    "/bao-cao/tom-tat.pdf",
    "/bao-cao/api/figures",
    "/bao-cao/api/drill",
]
MOMENTS = ["/bao-cao/", "/bao-cao/cuoi-ngay/", "/bao-cao/api/end-of-day"]
BAD_PERIODS = [
    ({"to": "31/12/9999"}, "to"),
    ({"from": "01/01/0001"}, "from"),
    ({"from": "01/01/1999"}, "from"),
    ({"to": "ngày mai"}, "to"),
    ({"from": "29/02/2023"}, "from"),
    ({"from": "23/05/2024"}, "to"),  # after to: a reversed range
]


def answered_400(response, parameter: str, path: str) -> None:
    assert response.status_code == 400, (path, parameter)
    if "/api/" in path:
        body = response.json()
        assert body["fields"] == [parameter]
        assert body["message"].startswith(f"{parameter}: ")
    else:
        assert f"{parameter}: " in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", DATED)
@pytest.mark.parametrize(("change", "parameter"), BAD_PERIODS)
def test_a_bad_or_out_of_range_date_answers_400(demo, path, change, parameter):
    params = {**SEED, "figure": "received", **change}
    answered_400(leader().get(path, params), parameter, path)


@pytest.mark.django_db
@pytest.mark.parametrize("path", DATED)
def test_a_named_period_out_of_range_answers_400(demo, path):
    params = {"unit": "058", "figure": "received", "period": "year:9999"}
    answered_400(leader().get(path, params), "period", path)


@pytest.mark.django_db
@pytest.mark.parametrize("path", MOMENTS)
@pytest.mark.parametrize("at", ["31/12/2999 16:00", "01/01/1999 08:00", "31/12/2024 24:00", "x"])
def test_a_bad_or_out_of_range_moment_answers_400(demo, path, at):
    answered_400(leader().get(path, {"unit": "058", "at": at}), "at", path)


@pytest.mark.django_db
def test_the_calendars_last_day_is_answered(demo):
    client = leader()
    assert client.get("/bao-cao/", {**SEED, "to": "31/12/2098"}).status_code == 200
    at = {"unit": "058", "at": "31/12/2098 16:00"}
    assert client.get("/bao-cao/cuoi-ngay/", at).status_code == 200
    assert client.get("/bao-cao/api/end-of-day", at).status_code == 200
    assert client.get("/bao-cao/", {**SEED, "to": "01/01/2099"}).status_code == 400
    assert client.get("/bao-cao/", {**SEED, "from": "31/12/1999"}).status_code == 400


# -- paging and queries ----------------------------------------------------------------------


def queries(client: Client, path: str, params: dict[str, object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_dashboard_reads_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    """Reports read the figures' ledger, never the dossiers one by one: the queries grow with
    the months of the trend and the units side by side, not with the dossiers (measured: 79
    for the seed's five months)."""
    client = leader()
    client.get("/bao-cao/", SEED)  # warm the per-process caches (calendars)
    with django_assert_max_num_queries(90):
        assert client.get("/bao-cao/", SEED).status_code == 200
    # Three months cost the same whatever number of dossiers they hold.
    first = queries(client, "/bao-cao/", {**SEED, "from": "01/01/2024", "to": "31/03/2024"})
    later = queries(client, "/bao-cao/", {**SEED, "from": "01/03/2024", "to": "22/05/2024"})
    assert first == later


@pytest.mark.django_db
def test_a_drill_down_page_reads_a_fixed_number_of_queries(
    demo, django_assert_max_num_queries, settings
):
    # The calendar tables' version is checked once per CACHE_SECONDS in a process, not per
    # page: held still, so the count depends on the page only (not on how many desks its
    # dossiers come from).
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    client = leader()
    params = {**SEED, "figure": "received"}
    client.get("/bao-cao/ho-so/", params)
    counts = set()
    cursors = {1: ""}
    response = client.get("/bao-cao/ho-so/", params)
    for number in range(2, 18):
        following = response.context["links"]["next"]
        cursors[number] = parse_qs(following.lstrip("?"))["cursor"][0]
        response = client.get("/bao-cao/ho-so/" + following)
    for page in (1, 2, 17):
        with django_assert_max_num_queries(40):
            counts.add(queries(client, "/bao-cao/ho-so/", {**params, "cursor": cursors[page]}))
    assert len(counts) == 1  # 100 rows or 8: the same queries
    # A cursor that is not one answers 400 naming it.
    assert client.get("/bao-cao/ho-so/", {**params, "cursor": "x"}).status_code == 400


def test_a_row_s_labels_are_those_of_the_active_language():
    """``views._label`` keeps each label as text by language: a drill-down's rows in English
    after Vietnamese ones (and back) say their status and timeliness in the page's language."""
    seen = {}
    for language in ("vi", "en", "vi"):
        with translation.override(language):
            expected = (str(Status.RETURNED.label), str(Timeliness.LATE.label))
            found = (views._label(Status, "returned"), views._label(Timeliness, "late"))
            assert found == expected
            seen[language] = found
    assert seen["vi"] != seen["en"]

"""The demo on the day it is opened (issue 10 item 1): the whole demo loaded once for the module,
then what a newcomer meets today at the three new units."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.clock.selectors import calendar_for
from motcua.core.clock import LOCAL_TZ
from motcua.demo.live import (
    LIVE_DESKS,
    LIVE_UNITS,
    OFFICER_ACCOUNTS,
    live_params,
    load_live_year,
)
from motcua.demo.scenario import expected_figures, scenario_lines
from motcua.demo.services import CURRENT_ACCOUNTS, demo_load
from motcua.documents.pdf import Document
from motcua.dossiers.choices import Channel, Status, Timeliness
from motcua.dossiers.ledger_checkpoints import last_closed_span, last_closed_year, span_end
from motcua.dossiers.models import Dossier, LedgerCheckpointYear, LedgerMonth
from motcua.payments.models import Payment
from motcua.portal.tests.applicant import APPLICANT_FIELDS
from motcua.reports.eod import end_of_day_summary
from motcua.units.models import Agency
from motcua.units.selectors import unit_at

pytestmark = pytest.mark.django_db
PENDING = (Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_load_once):
    """``demo load`` as a newcomer runs it today, once for the module (rolled back after)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load_once()
        transaction.set_rollback(True)


def live() -> object:
    return Dossier.objects.filter(imported=True, receiving_agency__code__in=LIVE_DESKS)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _due_day(dossier: Dossier) -> date:
    due = dossier.reappointed_due_at or dossier.effective_due_at or dossier.due_at
    return due.astimezone(LOCAL_TZ).date()


def test_loading_again_changes_no_count(demo):
    counts = {
        "dossiers": Dossier.objects.count(),
        "versions": ProcedureVersion.objects.count(),
        "users": User.objects.count(),
        "payments": Payment.objects.count(),
    }

    again = demo_load()

    assert again["live_dossiers"] == demo["live_dossiers"]
    assert again["dossiers"] == demo["dossiers"] == 1707
    assert counts == {
        "dossiers": Dossier.objects.count(),
        "versions": ProcedureVersion.objects.count(),
        "users": User.objects.count(),
        "payments": Payment.objects.count(),
    }


def test_the_load_takes_the_ledger_s_rollups_as_a_deployment_s_nights_have(demo):
    """Every closed half-month and year is rolled up, as the worker's nightly step has done
    in a deployment: the demo's reports read them from the first page, and a second load
    finds nothing to take."""
    today = timezone.localdate()
    assert demo["ledger_spans"] > 0
    assert demo["ledger_years"] > 0
    last = LedgerMonth.objects.aggregate(last=Max("last_day"))["last"]
    assert last == span_end(last_closed_span(today))
    assert LedgerMonth.objects.filter(blocks=False).count() == 0
    assert LedgerCheckpointYear.objects.aggregate(last=Max("day"))["last"].year == (
        last_closed_year(today)
    )

    again = demo_load()

    assert again["ledger_spans"] == again["ledger_years"] == 0


def test_a_load_on_a_later_day_keeps_the_stored_year_and_adds_nothing(demo):
    stored = live().count()

    report = load_live_year(timezone.localdate() + timedelta(days=40))

    assert (report.created, report.kept) == (0, stored)
    assert live().count() == stored


def test_the_live_year_is_the_same_for_the_same_day_and_differs_for_another(demo):
    day = date(2026, 3, 18)

    def digest(on: date) -> str:
        lines = "\n".join(scenario_lines(live_params(on)))
        return hashlib.sha256(lines.encode()).hexdigest()

    assert digest(day) == digest(day)
    assert digest(day) != digest(day + timedelta(days=1))


def test_the_live_year_has_about_two_thousand_dossiers_of_the_three_units(demo):
    assert 1500 <= demo["live_dossiers"] <= 3000
    assert live().count() == demo["live_dossiers"]
    units = set(live().values_list("receiving_agency__unit__code", flat=True))
    assert units == set(LIVE_UNITS)
    today = timezone.localdate()
    first = live().order_by("submitted_at").first().submitted_at.astimezone(LOCAL_TZ).date()
    assert today - timedelta(days=420) <= first < today - timedelta(days=300)
    # Nothing happened after the moment of loading: the history ends last night, and this
    # morning's counter receipts are made up to that moment (the import refuses what is ahead).
    assert not live().filter(last_event_at__gt=timezone.now()).exists()


def test_this_mornings_counter_receipts_are_those_before_the_moment_of_loading(demo):
    working = next(
        day
        for day in (date(2026, 3, 16) + timedelta(days=n) for n in range(10))
        if calendar_for(agency=Agency.objects.get(code=LIVE_DESKS[0])).is_working_day(day)
    )

    def morning(loaded_at):
        records = [json.loads(line) for line in scenario_lines(live_params(working, loaded_at))]
        return [
            r for r in records[1:]
            if r["channel"] == "direct" and r["submitted_at"][:10] == working.isoformat()
        ]  # fmt: skip

    every = morning(None)
    assert len(every) == 6
    dawn = datetime(working.year, working.month, working.day, 6, 0, tzinfo=LOCAL_TZ)
    assert morning(dawn) == []
    # A receipt is made when its last possible step, the transfer ten minutes on, is past.
    done = sorted(datetime.fromisoformat(r["submitted_at"]) + timedelta(minutes=10) for r in every)
    for moment in (done[2], done[-1]):
        made = morning(moment)
        assert made == [r for r in every if r["code"] in {m["code"] for m in made}]
        assert len(made) == sum(1 for d in done if d <= moment) >= 3
        assert all(datetime.fromisoformat(e["at"]) <= moment for r in made for e in r["events"])
    # The other records do not move: the draws are the same whatever the moment.
    assert len(list(scenario_lines(live_params(working, dawn)))) == (
        len(list(scenario_lines(live_params(working)))) - 6
    )


def test_every_state_is_present_on_the_day_it_is_opened(demo):
    today = timezone.localdate()
    calendar = calendar_for(agency=Agency.objects.get(code=LIVE_DESKS[0]))
    working = [today + timedelta(days=n) for n in range(0, 30)]
    working = [d for d in working if calendar.is_working_day(d)]
    first, second = working[0], working[1]  # today on a working day, and the next one

    for desk in LIVE_DESKS:
        waiting = live().filter(receiving_agency__code=desk, status=Status.SUBMITTED)
        assert waiting.exists(), desk
        assert all(d.received_at is None and d.channel == Channel.ONLINE for d in waiting)
        # Submitted after the last close: after 17:00, or on a day off.
        for d in waiting:
            moment = d.submitted_at.astimezone(LOCAL_TZ)
            assert moment.hour >= 17 or not calendar.is_working_day(moment.date())
    statuses = set(live().values_list("status", flat=True))
    assert {Status.SUBMITTED, *PENDING, Status.RESOLVED, Status.RETURNED} <= statuses
    pending = list(live().filter(status__in=PENDING))
    due_days = {_due_day(d) for d in pending}
    assert first in due_days
    assert second in due_days
    assert any(day > second for day in due_days)
    overdue = [d for d in pending if _due_day(d) < today and d.status != Status.AWAITING_SUPPLEMENT]
    assert len(overdue) >= 6
    paused = live().filter(status=Status.AWAITING_SUPPLEMENT)
    assert paused.exists()
    assert all(d.paused_since is not None for d in paused)
    kinds = set(live().values_list("timeliness", flat=True))
    assert {Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE} <= kinds
    assert live().filter(rating__isnull=False).exists()
    assert live().filter(channel=Channel.ONLINE).exists()
    assert live().filter(channel=Channel.DIRECT).exists()
    assert Payment.objects.filter(dossier__in=live(), amount__gt=0).exists()


def test_the_figures_ledger_agrees_with_the_dossiers_of_the_new_units(demo):
    params = live_params(timezone.localdate())
    for unit in LIVE_UNITS:
        out = StringIO()
        call_command(
            "report",
            "verify",
            "--unit",
            unit,
            "--from",
            f"{params.period_start:%d/%m/%Y}",
            "--to",
            f"{params.period_end:%d/%m/%Y}",
            stdout=out,
        )
        assert "khớp" in out.getvalue(), out.getvalue()
    assert expected_figures(params)["pending_overdue"] == 6


def test_each_new_clerk_has_online_submissions_to_accept(demo):
    for slug, desk in zip(("ducxuan", "backan", "phongquang"), LIVE_DESKS, strict=True):
        page = client_for(f"tiepnhan.{slug}").get(reverse("backoffice:online"))
        assert page.status_code == 200
        html = page.content.decode()
        for code in (
            live()
            .filter(receiving_agency__code=desk, status=Status.SUBMITTED)
            .values_list("code", flat=True)
        ):
            assert code in html


def test_each_new_officer_has_work_in_the_queue(demo):
    for slug in "ducxuan", "backan", "phongquang":
        page = client_for(f"chuyenvien.{slug}").get(reverse("backoffice:queue"))
        assert page.status_code == 200
        codes = set(re.findall(r"000\.\d\d\.19\.H55-\d{6}-\d{4}", page.content.decode()))
        assert codes, slug


def test_the_assignees_are_the_officer_accounts_of_the_competent_agencies():
    officers = {(a.agency_code, a.username) for a in CURRENT_ACCOUNTS if a.role is Role.OFFICER}
    assert set(OFFICER_ACCOUNTS) <= officers
    assert {agency for agency, _ in OFFICER_ACCOUNTS} == {f"UBND-{u}-2025" for u in LIVE_UNITS}


def test_the_transferred_dossiers_are_assigned_to_their_units_officer(demo):
    officers = dict(OFFICER_ACCOUNTS)
    transferred = live().filter(
        status__in=(*PENDING[1:], Status.RESOLVED, Status.RETURNED), competent_agency__isnull=False
    )
    rows = list(transferred.values_list("code", "competent_agency__code", "assignee__username"))
    assert set(transferred.values_list("status", flat=True)) == {
        *PENDING[1:],
        Status.RESOLVED,
        Status.RETURNED,
    }
    assert [(code, who) for code, agency, who in rows if who != officers[agency]] == []
    # Before the transfer no one is assigned, as in a live office.
    waiting = live().filter(status__in=(Status.SUBMITTED, Status.RECEIVED))
    assert waiting.exists()
    assert not waiting.filter(assignee__isnull=False).exists()


def test_the_end_of_day_lists_name_each_units_officer(demo):
    named: dict[str, int] = {}
    for code in LIVE_UNITS:
        summary = end_of_day_summary(unit_at(code, timezone.localdate()))
        for unit in summary.units:
            for entry in unit.officers:
                if entry.assignee is not None:
                    named[entry.assignee.username] = sum(entry.counts.values())
    assert set(named) == {username for _, username in OFFICER_ACCOUNTS}
    assert all(named.values())


def test_each_new_leader_sees_the_units_figures(demo):
    for slug in "ducxuan", "backan", "phongquang":
        page = client_for(f"lanhdao.{slug}").get(reverse("reports:dashboard"))
        assert page.status_code == 200


def _pdf() -> SimpleUploadedFile:
    document = Document()
    document.add_page()
    document.text_line("Tờ khai đăng ký khai sinh")
    return SimpleUploadedFile("to-khai.pdf", document.to_bytes(), content_type="application/pdf")


def test_the_ward_clerk_opens_an_online_dossier_sent_to_her_ward_today(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    code = "2.005266"  # Đăng ký khai sinh: commune level, full online
    citizen = Client()
    page = citizen.get(reverse("portal:submit", args=[code]))
    assert page.status_code == 200
    key = re.search(r'name="submission_key" value="([^"]+)"', page.content.decode()).group(1)
    version = ProcedureVersion.objects.filter(procedure__code=code).order_by("-version").first()
    component = version.components.order_by("position").first().pk
    new = Dossier.objects.filter(imported=False, receiving_agency__code="TTPVHCC-01840")
    before = list(new.values_list("pk", flat=True))
    sent = citizen.post(
        reverse("portal:submit", args=[code]),
        {
            "desk": Agency.objects.get(code="TTPVHCC-01840").pk,
            **APPLICANT_FIELDS,
            "submission_key": key,
            f"file_{component}": _pdf(),
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    # The demo citizen's own dossiers (motcua/demo/citizen.py) were there before.
    dossier = new.exclude(pk__in=before).get()

    clerk = client_for("tiepnhan.ducxuan")
    opened = clerk.get(reverse("backoffice:dossier", args=[dossier.code]))

    assert opened.status_code == 200
    assert dossier.code in clerk.get(reverse("backoffice:online")).content.decode()
    # The 2024 account of the ward, granted in the unit that ended on 30/06/2025, does not.
    old = client_for("motcua.ducxuan").get(reverse("backoffice:dossier", args=[dossier.code]))
    assert old.status_code == 404


@pytest.mark.parametrize("today", [date(2025, 11, 15), date(2026, 2, 14), date(2027, 7, 1)])
def test_a_live_year_can_be_made_for_any_day_since_the_new_units(demo, today):
    # (generation only: what a first load on that day would import)
    lines = list(scenario_lines(live_params(today)))
    assert len(lines) > 300


def test_before_the_new_units_there_is_no_live_year_and_no_failure(demo):
    stored = live().count()
    assert load_live_year(date(2025, 11, 14)).created == 0
    assert live().count() == stored


def test_the_demo_citizen_has_a_stored_paper_a_procedure_with_a_form_asks_for(demo):
    """The VNeID stand-in's citizen finds a paper to reuse (README): after the load, one of
    his stored papers matches a component of a procedure offering a declaration form."""
    from motcua.catalog.models import DeclarationForm
    from motcua.catalog.selectors import procedure_in_force
    from motcua.demo.citizen import CITIZEN_ID
    from motcua.docstore.selectors import documents_of_person, matches_by_name

    today = timezone.localdate()
    papers = documents_of_person(CITIZEN_ID)
    matched = set()
    for form in DeclarationForm.objects.select_related("version__procedure"):
        version = procedure_in_force(form.version.procedure.code, today)
        if version is not None:
            names = list(version.components.values_list("name", flat=True))
            matched |= set(matches_by_name(papers, names, today))
    assert matched
    mine = Dossier.objects.filter(applicant_id_number=CITIZEN_ID)
    assert {Status.RETURNED, Status.IN_PROCESSING} <= set(mine.values_list("status", flat=True))


def test_no_dossier_of_the_history_is_still_pending(demo):
    """The 2024 history's leftovers are settled in July 2024 (motcua/demo/history.py): no
    dossier received before the two-level government is still pending today, and today's
    overdue figures of the new units hold none of them."""
    from motcua.demo.history import history_leftovers_settle, history_pending_before

    assert demo["history_settled"] > 0
    assert history_pending_before(date(2025, 7, 1)) == 0
    settled = Dossier.objects.filter(received_at__lt=datetime(2025, 7, 1, tzinfo=LOCAL_TZ))
    july = settled.filter(resolved_at__gte=datetime(2024, 7, 1, tzinfo=LOCAL_TZ))
    assert july.count() >= demo["history_settled"]
    assert all(d.resolved_at.astimezone(LOCAL_TZ).date() >= date(2024, 7, 1) for d in july)
    assert history_leftovers_settle() == 0

"""Round trips of the write path, counted (issue 17 item 3): every statement a receipt and a
transition send, on each engine, and why each is needed. A statement added to the write path
fails here until it is explained.

No statement touches a row shared by all dossiers: the only shared rows written are the
agency's daily code counter (a receipt, §3 of the domain spec: gapless numbers per agency and
day must serialise) and none at all for a transition (the ledger takes plain inserts).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.ledger_checkpoints import span_start
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

A = workflow.Action


# A day of the current half-month, as live writes are: a write back-dated into a closed one
# also adjusts its rollup (and a closed year's stock checkpoint, ledger_checkpoints),
# statements more.
def _live_day() -> date:
    """The latest weekday of this half-month up to today (today itself when it has none
    yet)."""
    today = timezone.localdate()
    day, first = today, span_start(today)
    while day.weekday() >= 5 and day > first:
        day -= timedelta(days=1)
    return day if day.weekday() < 5 else today


LIVE_DAY = _live_day()
DAY = f"{LIVE_DAY:%d/%m/%Y}"


@pytest.fixture(autouse=True)
def after_the_day(monkeypatch):
    """The writes are at fixed hours of DAY, up to 15:00: today, before them (a run after
    midnight failed: "08:00 07/12/2026 chưa tới"), the clock reads DAY's 16:00, as a live
    write refuses a moment ahead (``dossiers.selectors.recorded_until``)."""
    evening = datetime.combine(LIVE_DAY, time(16), LOCAL_TZ)
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: max(real(), evening))


@pytest.fixture(autouse=True)
def calendars_held_still(settings):
    """The calendar tables' version is checked once per CACHE_SECONDS in a process (one
    statement a second at most, whatever the traffic), not per write: held still here."""
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}


def shapes(captured) -> list[str]:
    """Each statement as its verb and first table, savepoints left out (the test's own)."""
    found = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            continue
        verb = sql.split()[0].upper()
        if sql.startswith("WITH"):
            verb = "WITH"
        if verb == "SELECT":  # its own table, not a subquery's: parenthesised parts dropped
            while (shorter := re.sub(r"\([^()]*\)", "", sql)) != sql:
                sql = shorter
        tables = re.findall(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
        table = tables[0] if tables else sql[:60]
        found.append(f"{verb} {table}")
    return found


def test_a_counter_receipt(world):
    world.create(at=f"{DAY} 08:00")  # the first of a process fills caches (fees, SQL)
    with CaptureQueriesContext(connection) as captured:
        world.create(at=f"{DAY} 08:10")
    POSTGRES = connection.vendor == "postgresql"
    expected = [
        # The agency's next number of the day, its row locked to commit (§3, gapless).
        "INSERT dossiers_dossiercodecounter",
        # The dossier, its first event and the ledger's delta rows of both tables: one
        # statement on PostgreSQL (data-modifying CTEs). No read of what the new dossier
        # counts in: its row, components and fee are known before writing
        # (figures.snapshot_new), so its ledger rows go with it (storage.Joined).
        *(["WITH dossiers_dossier"] if POSTGRES else ["INSERT dossiers_dossier"]),
        *(
            []
            if POSTGRES
            else [
                "INSERT dossiers_dossierevent",
                "INSERT dossiers_dayfigure",
                "INSERT dossiers_fielddayfigure",
            ]
        ),
        # The documents handed in (form 01 table).
        "INSERT dossiers_dossiercomponent",
    ]
    assert shapes(captured) == expected


def test_a_transition_that_changes_figures(world):
    dossier = world.create(at=f"{DAY} 08:00")
    world.take(dossier, A.TRANSFER, f"{DAY} 09:00", actor=world.clerk)
    with CaptureQueriesContext(connection) as captured:
        world.take(dossier, A.APPROVE, f"{DAY} 10:00", actor=world.officer)
    POSTGRES = connection.vendor == "postgresql"
    expected = [
        # The dossier, locked for the transaction (its chain tip and version on the row).
        "SELECT dossiers_dossier",
        # The officer's grants (roles and units) for the scope check.
        "SELECT accounts_roleassignment",
        # What the dossier counted in before the change (its facts, one statement).
        "SELECT dossiers_dossier",
        # What it counts in after is derived from the facts read before and its new columns
        # (figures.snapshot_after, the same definitions): no read, and known before writing.
        # So the dossier's new facts, its event and the ledger's delta rows of both tables go
        # as one statement on PostgreSQL (storage.Joined; before issue 17's lean write path,
        # the ledger rows were a statement of their own).
        *(["WITH dossiers_dossier"] if POSTGRES else ["UPDATE dossiers_dossier"]),
        *(
            []
            if POSTGRES
            else [
                "INSERT dossiers_dossierevent",
                "INSERT dossiers_dayfigure",
                "INSERT dossiers_fielddayfigure",
            ]
        ),
    ]
    assert shapes(captured) == expected


def test_a_transfer(world):
    dossier = world.create(at=f"{DAY} 08:00")
    with CaptureQueriesContext(connection) as captured:
        world.take(dossier, A.TRANSFER, f"{DAY} 09:00", actor=world.clerk)
    postgres = connection.vendor == "postgresql"
    expected = [
        # The dossier, locked. The clerk's grants were read at the receipt: once per user
        # object (accounts.access), so a request's second action reads none.
        "SELECT dossiers_dossier",
        # The procedure's competent agency and the receiving agency's code, in one query.
        "SELECT units_agency",
        *(["WITH dossiers_dossier"] if postgres else ["UPDATE dossiers_dossier"]),
        *([] if postgres else ["INSERT dossiers_dossierevent"]),
    ]
    assert shapes(captured) == expected


def test_a_plain_transition(world):
    dossier = world.create(at=f"{DAY} 08:00")
    world.take(dossier, A.TRANSFER, f"{DAY} 09:00", actor=world.clerk)
    with CaptureQueriesContext(connection) as captured:
        world.take(dossier, A.HAND_OVER, f"{DAY} 10:00", actor=world.officer, step="Thẩm định")
    POSTGRES = connection.vendor == "postgresql"
    expected = [
        "SELECT dossiers_dossier",  # the dossier, locked
        "SELECT accounts_roleassignment",  # the officer's grants
        "SELECT units_agency",  # the agency it leaves, named in the event (control sheet)
        # The dossier's new step and its event (one statement on PostgreSQL). No figure can
        # change (figures.FIGURE_ACTIONS): no snapshot, no ledger row.
        *(["WITH dossiers_dossier"] if POSTGRES else ["UPDATE dossiers_dossier"]),
        *([] if POSTGRES else ["INSERT dossiers_dossierevent"]),
    ]
    assert shapes(captured) == expected


@pytest.mark.parametrize(
    ("paused", "action", "details"),
    [
        (False, A.APPROVE, {"result_digitised": True, "electronic_certification": True}),
        (False, A.DENY, {}),
        (True, A.WITHDRAW, {}),  # ends the open pause at its moment
        (True, A.STOP, {}),
    ],
)
def test_figures_derived_without_a_read_equal_the_dossiers_recomputed(
    world, paused, action, details
):
    """The actions whose after-snapshot is derived (services._ROW_ONLY) leave the ledger
    exactly what the dossiers recompute to (``motcua report verify``'s check)."""
    from motcua.dossiers import figures

    dossier = world.create(at=f"{DAY} 08:00")
    world.take(dossier, A.TRANSFER, f"{DAY} 09:00", actor=world.clerk)
    if paused:
        world.take(
            dossier, A.REQUEST_SUPPLEMENT, f"{DAY} 10:00", actor=world.officer, reason="Thiếu"
        )
    as_applicant = action is A.WITHDRAW
    world.take(
        dossier,
        action,
        f"{DAY} 15:00",
        actor=None if as_applicant else world.officer,
        as_applicant=as_applicant,
        reason="Lý do",
        **details,
    )
    assert figures.ledger_differences() == {}

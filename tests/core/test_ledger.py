"""The running ledger gives the same figures as the definitions, for any history and period.

``contributions`` is what the write path adds per dossier; summing it over a period's days
(flows) and up to its edges (stocks) must equal ``count`` over the dossiers themselves.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.clock import WorkingCalendar
from motcua.core.metrics import (
    Bucket,
    DossierFacts,
    Measure,
    Period,
    contributions,
    count,
    sums,
)
from motcua.core.timeliness import Pause
from tests.core.ledger_sums import from_ledger

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(first_year=2023, last_year=2025)
BASE = datetime(2023, 12, 1, 7, 0, tzinfo=TZ)


@st.composite
def histories(draw):
    """A dossier received around the 2024 Tết break, with up to three pauses, in any state."""
    received = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 120)))
    due = received + timedelta(hours=draw(st.integers(1, 24 * 40)))
    fate = draw(st.sampled_from(["pending", "resolved", "ended"]))
    pauses, supplements, moment = [], [], received
    for _ in range(draw(st.integers(0, 3))):
        start = moment + timedelta(minutes=draw(st.integers(1, 60 * 24 * 15)))
        closed = draw(st.booleans())
        end = start + timedelta(minutes=draw(st.integers(1, 60 * 24 * 20))) if closed else None
        pauses.append(Pause(start, end))
        if draw(st.booleans()):
            supplements.append(start)
        if end is None:
            break
        moment = end
    last = pauses[-1].end or pauses[-1].start if pauses else received
    finished = last + timedelta(minutes=draw(st.integers(1, 60 * 24 * 60)))
    rated = draw(st.booleans()) and fate == "resolved"
    return DossierFacts(
        received_at=received,
        channel=draw(st.sampled_from(["online", "direct", "postal"])),
        resolved_at=finished if fate == "resolved" else None,
        timeliness=draw(st.sampled_from(["early", "on_time", "late"]))
        if fate == "resolved"
        else "",
        ended_at=finished if fate == "ended" else None,
        due_at=due,
        pauses=tuple(pauses),
        supplement_starts=tuple(supplements),
        has_obligation=draw(st.booleans()),
        paid_online=draw(st.booleans()),
        digitised=draw(st.booleans()),
        certification=draw(st.booleans()),
        e_certified=draw(st.booleans()),
        rated_at=finished + timedelta(hours=draw(st.integers(0, 24 * 10))) if rated else None,
        satisfied=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(histories(), max_size=12), st.integers(0, 200), st.integers(0, 120))
def test_the_ledger_sums_to_the_figures_the_definitions_count(dossiers, start, length):
    ledger = Counter()
    for facts in dossiers:
        ledger.update(contributions(facts, CAL))
    first = date(2023, 12, 1) + timedelta(days=start)
    period = Period(first, first + timedelta(days=length))
    assert from_ledger(ledger, period) == dict(count(dossiers, period, lambda d: CAL))
    measures = {
        m: sum(
            n for (key, day), n in ledger.items() if key is m and period.start <= day <= period.end
        )
        for m in Measure
    }
    assert measures == sums(dossiers, period, CAL)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_overdue_at_the_end_of_every_day_matches_day_by_day(facts):
    # The ledger checks only the days where "overdue" can change; walk every day instead.
    ledger = contributions(facts, CAL)
    first = facts.received_at.date()
    for offset in range(0, 200):
        day = first + timedelta(days=offset)
        period = Period(day, day)
        expected = count([facts], period, lambda d: CAL)
        got = from_ledger(ledger, period)
        assert got[Bucket.PENDING_OVERDUE] == expected[Bucket.PENDING_OVERDUE], day


def test_a_dossier_finished_the_day_it_was_received_leaves_no_stock():
    received = datetime(2024, 3, 4, 8, 0, tzinfo=TZ)
    facts = DossierFacts(
        received_at=received,
        channel="direct",
        resolved_at=received + timedelta(hours=2),
        timeliness="early",
        due_at=received + timedelta(days=3),
    )
    ledger = contributions(facts, CAL)
    day = received.date()
    assert ledger == Counter(
        {
            (Bucket.RECEIVED, day): 1,
            (Bucket.RECEIVED_DIRECT, day): 1,
            (Bucket.RESOLVED, day): 1,
            (Bucket.RESOLVED_EARLY, day): 1,
            (Measure.PROCESSING_SECONDS, day): 2 * 3600,
            (Measure.STATUTORY_SECONDS, day): CAL.between(received, facts.due_at).seconds,
        }
    )

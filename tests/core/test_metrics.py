"""The figure definitions: the report form balances on any history, and drill-downs match."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.clock import WorkingCalendar
from motcua.core.metrics import Bucket, DossierFacts, Period, buckets, count, drill_down
from motcua.core.timeliness import Pause

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(first_year=2023, last_year=2025)
PERIOD = Period(date(2024, 1, 1), date(2024, 5, 22))
BASE = datetime(2023, 7, 1, 8, 0, tzinfo=TZ)


def at(text):
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


@st.composite
def histories(draw):
    """A dossier somewhere between mid-2023 and late 2024, in any state."""
    received = BASE + timedelta(hours=draw(st.integers(0, 24 * 500)))
    fate = draw(st.sampled_from(["pending", "resolved", "ended", "never_received"]))
    later = received + timedelta(hours=draw(st.integers(1, 24 * 90)))
    due = received + timedelta(days=draw(st.integers(1, 30)))
    pause_start = received + timedelta(hours=draw(st.integers(0, 24 * 20)))
    pauses = ()
    if draw(st.booleans()):
        end = draw(st.one_of(st.none(), st.just(pause_start + timedelta(hours=30))))
        pauses = (Pause(pause_start, end),)
    return DossierFacts(
        received_at=None if fate == "never_received" else received,
        channel=draw(st.sampled_from(["online", "direct", "postal"])),
        resolved_at=later if fate == "resolved" else None,
        timeliness=draw(st.sampled_from(["early", "on_time", "late"]))
        if fate == "resolved"
        else "",
        ended_at=later if fate == "ended" else None,
        due_at=due,
        pauses=pauses,
        supplement_starts=tuple(p.start for p in pauses),
        has_obligation=draw(st.booleans()),
        paid_online=draw(st.booleans()),
        digitised=draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(histories(), max_size=40), st.integers(0, 300), st.integers(0, 200))
def test_the_report_form_balances_on_any_history(dossiers, start, length):
    period = Period(
        date(2023, 7, 1) + timedelta(days=start), date(2023, 7, 1) + timedelta(days=start + length)
    )
    totals = count(dossiers, period, lambda d: CAL)
    left = totals[Bucket.CARRIED_OVER] + totals[Bucket.RECEIVED]
    assert left == totals[Bucket.RESOLVED] + totals[Bucket.ENDED] + totals[Bucket.PENDING]
    assert (
        totals[Bucket.RECEIVED] == totals[Bucket.RECEIVED_ONLINE] + totals[Bucket.RECEIVED_DIRECT]
    )
    assert totals[Bucket.RESOLVED] == (
        totals[Bucket.RESOLVED_EARLY]
        + totals[Bucket.RESOLVED_ON_TIME]
        + totals[Bucket.RESOLVED_LATE]
    )
    assert (
        totals[Bucket.PENDING]
        == totals[Bucket.PENDING_WITHIN_TIME] + totals[Bucket.PENDING_OVERDUE]
    )
    for bucket in Bucket:
        assert len(drill_down(dossiers, period, bucket, lambda d: CAL)) == totals[bucket]


def facts(**kwargs):
    defaults = {
        "received_at": at("10/01/2024 08:00"),
        "channel": "online",
        "due_at": at("28/05/2024 08:00"),
    }
    return DossierFacts(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("dossier", "expected"),
    [
        (
            facts(),
            {Bucket.RECEIVED, Bucket.RECEIVED_ONLINE, Bucket.PENDING, Bucket.PENDING_WITHIN_TIME},
        ),
        (
            facts(
                received_at=at("20/12/2023 08:00"),
                resolved_at=at("03/01/2024 09:00"),
                timeliness="on_time",
            ),
            {Bucket.CARRIED_OVER, Bucket.RESOLVED, Bucket.RESOLVED_ON_TIME},
        ),
        (
            facts(
                received_at=at("20/12/2023 08:00"),
                resolved_at=at("29/12/2023 09:00"),
                timeliness="early",
            ),
            set(),
        ),
        (
            facts(channel="postal", ended_at=at("11/01/2024 08:00")),
            {Bucket.RECEIVED, Bucket.RECEIVED_DIRECT, Bucket.ENDED},
        ),
        (facts(received_at=at("23/05/2024 07:00")), set()),
        (
            facts(received_at=at("20/05/2024 08:00"), due_at=at("21/05/2024 08:00")),
            {Bucket.RECEIVED, Bucket.RECEIVED_ONLINE, Bucket.PENDING, Bucket.PENDING_OVERDUE},
        ),
        (
            # Waiting for a supplement since before its due moment: the clock stands still.
            facts(
                received_at=at("20/05/2024 08:00"),
                due_at=at("21/05/2024 08:00"),
                pauses=(Pause(at("20/05/2024 15:00"), None),),
                supplement_starts=(at("20/05/2024 15:00"),),
            ),
            {Bucket.RECEIVED, Bucket.RECEIVED_ONLINE, Bucket.PENDING, Bucket.PENDING_WITHIN_TIME},
        ),
    ],
)
def test_it_puts_each_dossier_in_the_figures_the_form_defines(dossier, expected):
    assert buckets(dossier, PERIOD, CAL) == expected


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="ends"):
        Period(date(2024, 5, 22), date(2024, 1, 1))

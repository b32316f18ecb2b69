"""Two clocks in the figures (issue 10 item 2) and one definition of overdue (issue 10 bug).

Event times are when things happened: a dossier received at the counter in the evening may be
paused, resolved, withdrawn or rated before its official receipt moment (§1.5). The figures
take it in at the receipt moment, so whatever happened before counts then; the ledger still
sums to the definitions, the form's balance holds, and working time taken never counts time
before the receipt moment nor goes negative.

"Overdue" has one definition (``core.timeliness.is_overdue``): a clock stopped after the due
moment stays overdue, and supplement requests recorded without a pause (an imported count)
count from the receipt moment.
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
    buckets,
    contributions,
    count,
    durations,
    overdue_at,
    sums,
    supplement_requests_at,
)
from motcua.core.timeliness import (
    EarlyRule,
    Pause,
    Timeliness,
    classify,
    effective_due,
    is_overdue,
)
from tests.core.ledger_sums import from_ledger

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(first_year=2023, last_year=2025)
BASE = datetime(2023, 12, 1, 7, 0, tzinfo=TZ)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


@st.composite
def evening_histories(draw):
    """A dossier submitted at any hour (often after office hours), received at its official
    receipt moment, whose pauses, end and rating may come before that moment."""
    submitted = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 120)))
    received = CAL.receipt_moment(submitted)
    due = CAL.due(received, draw(st.integers(1, 15)), "working_days")
    fate = draw(st.sampled_from(["pending", "resolved", "ended"]))
    # Minutes after the submission: small steps keep many events before the receipt moment.
    step = st.integers(1, draw(st.sampled_from([30, 60 * 24 * 10])))
    pauses, supplements, moment = [], [], submitted
    for _ in range(draw(st.integers(0, 3))):
        start = moment + timedelta(minutes=draw(step))
        end = start + timedelta(minutes=draw(step)) if draw(st.booleans()) else None
        pauses.append(Pause(start, end))
        if draw(st.booleans()):
            supplements.append(start)
        if end is None:
            break
        moment = end
    last = (pauses[-1].end or pauses[-1].start) if pauses else submitted
    finished = last + timedelta(minutes=draw(step))
    rated = fate == "resolved" and draw(st.booleans())
    # The recorded effective due moment: none (derived), the one the pauses give, or a later
    # one a history file gives without the pauses that explain it.
    closed = [p for p in pauses if p.end is not None]
    derived = effective_due(CAL, due, closed, closed[-1].end) if closed else due
    recorded = draw(
        st.sampled_from(
            [None, derived, derived + timedelta(minutes=draw(st.integers(1, 60 * 24 * 15)))]
        )
    )
    return DossierFacts(
        received_at=received,
        channel=draw(st.sampled_from(["online", "direct", "postal"])),
        resolved_at=finished if fate == "resolved" else None,
        timeliness=draw(st.sampled_from(["early", "on_time", "late"]))
        if fate == "resolved"
        else "",
        ended_at=finished if fate == "ended" else None,
        due_at=due,
        effective_due_at=recorded,
        pauses=tuple(pauses),
        supplement_starts=tuple(supplements),
        # Sometimes more requests recorded than pauses (an imported count).
        supplement_requests=len(supplements) + draw(st.integers(0, 2)),
        supplement_limit=draw(st.sampled_from([1, 1, 0, 3, None])),
        has_obligation=draw(st.booleans()),
        paid_online=draw(st.booleans()),
        digitised=draw(st.booleans()),
        rated_at=finished + timedelta(minutes=draw(step)) if rated else None,
        satisfied=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(evening_histories(), max_size=10), st.integers(0, 200), st.integers(0, 90))
def test_the_ledger_sums_to_the_definitions_when_things_happen_before_receipt(
    dossiers, start, length
):
    ledger = Counter()
    for facts in dossiers:
        ledger.update(contributions(facts, CAL))
    first = date(2023, 12, 1) + timedelta(days=start)
    period = Period(first, first + timedelta(days=length))
    counted = count(dossiers, period, lambda d: CAL)
    assert from_ledger(ledger, period) == dict(counted)
    measures = {
        m: sum(n for (key, day), n in ledger.items() if key is m and first <= day <= period.end)
        for m in Measure
    }
    assert measures == sums(dossiers, period, CAL)
    # The form's balance (§4.1): carried over + received = resolved + ended + pending.
    assert counted[Bucket.CARRIED_OVER] + counted[Bucket.RECEIVED] == (
        counted[Bucket.RESOLVED] + counted[Bucket.ENDED] + counted[Bucket.PENDING]
    )


@settings(max_examples=150, deadline=None)
@given(evening_histories())
def test_overdue_at_the_end_of_every_day_matches_day_by_day(facts):
    ledger = contributions(facts, CAL)
    first = facts.received_at.date() - timedelta(days=2)
    for offset in range(0, 120):
        day = first + timedelta(days=offset)
        expected = count([facts], Period(day, day), lambda d: CAL)
        assert (
            from_ledger(ledger, Period(day, day))[Bucket.PENDING_OVERDUE]
            == expected[Bucket.PENDING_OVERDUE]
        ), day


@settings(max_examples=300, deadline=None)
@given(evening_histories())
def test_working_time_taken_counts_from_the_receipt_moment_and_is_never_negative(facts):
    found = durations(facts, CAL)
    if facts.resolved_at is None:
        assert found == {}
        return
    taken = found[Measure.PROCESSING_SECONDS]
    assert taken >= 0
    assert (
        taken <= CAL.between(facts.received_at, max(facts.resolved_at, facts.received_at)).seconds
    )
    assert found[Measure.STATUTORY_SECONDS] == CAL.between(facts.received_at, facts.due_at).seconds


def test_a_dossier_resolved_the_evening_it_came_counts_on_the_receipt_day():
    facts = DossierFacts(
        received_at=at("03/04/2024 07:00"),  # handed in on Tuesday at 18:10
        channel="direct",
        resolved_at=at("02/04/2024 18:30"),
        timeliness="early",
        due_at=at("09/04/2024 17:00"),
        rated_at=at("02/04/2024 18:40"),
        satisfied=True,
    )
    tuesday, wednesday = date(2024, 4, 2), date(2024, 4, 3)
    assert buckets(facts, Period(tuesday, tuesday), CAL) == set()
    assert {Bucket.RECEIVED, Bucket.RESOLVED, Bucket.RESOLVED_EARLY, Bucket.RATED} <= buckets(
        facts, Period(wednesday, wednesday), CAL
    )
    assert durations(facts, CAL)[Measure.PROCESSING_SECONDS] == 0
    # Finished before its due moment: early by either rule (§1.7), never late.
    for rule in EarlyRule:
        assert (
            classify(CAL, finished_at=facts.resolved_at, due_at=facts.due_at, rule=rule)
            == Timeliness.EARLY
        )


# -- one definition of overdue -----------------------------------------------------------------


def test_a_clock_stopped_in_the_evening_after_its_due_moment_stays_overdue():
    due = at("05/04/2024 17:00")  # Friday
    stopped = [Pause(at("05/04/2024 20:00"), None)]
    assert is_overdue(CAL, at=at("05/04/2024 19:59"), due_at=due)
    # Waiting for the supplement the whole next week: still overdue, as when it stopped.
    for moment in ("05/04/2024 21:00", "08/04/2024 08:00", "12/04/2024 16:00"):
        assert is_overdue(CAL, at=at(moment), due_at=due, pauses=stopped), moment
    # Stopped before the due moment: never overdue while stopped.
    early = [Pause(at("05/04/2024 16:00"), None)]
    assert not is_overdue(CAL, at=at("19/04/2024 16:00"), due_at=due, pauses=early)
    # Resumed on Monday 08:00 after two working hours (Friday 16-17, Monday 7-8): due 09:00.
    resumed = [Pause(at("05/04/2024 16:00"), at("08/04/2024 08:00"))]
    assert not is_overdue(CAL, at=at("08/04/2024 09:00"), due_at=due, pauses=resumed)
    assert is_overdue(CAL, at=at("08/04/2024 09:01"), due_at=due, pauses=resumed)


def test_supplement_requests_recorded_without_a_pause_count_from_the_receipt_moment():
    facts = DossierFacts(
        received_at=at("03/04/2024 07:00"),
        channel="direct",
        due_at=at("09/04/2024 17:00"),
        supplement_requests=2,  # imported: two requests, no pause recorded
    )
    assert supplement_requests_at(facts, at("03/04/2024 06:59")) == 0
    assert supplement_requests_at(facts, at("03/04/2024 07:00")) == 2
    assert overdue_at(facts, CAL, at("04/04/2024 09:00"))  # 766 2.1: more than one request
    wednesday = Period(date(2024, 4, 3), date(2024, 4, 3))
    assert Bucket.PENDING_OVERDUE in buckets(facts, wednesday, CAL)
    ledger = contributions(facts, CAL)
    assert ledger[Bucket.PENDING_OVERDUE, date(2024, 4, 3)] == 1
    # The rule is a setting: none, or a higher limit, and the dossier is within time.
    for limit in (None, 2):
        relaxed = DossierFacts(**{**facts.__dict__, "supplement_limit": limit})
        assert not overdue_at(relaxed, CAL, at("04/04/2024 09:00"))
        assert Bucket.PENDING_WITHIN_TIME in buckets(relaxed, wednesday, CAL)
    # One request with its pause and one recorded without: the second counts from receipt.
    mixed = DossierFacts(
        **{
            **facts.__dict__,
            "pauses": (Pause(at("05/04/2024 09:00"), at("05/04/2024 10:00")),),
            "supplement_starts": (at("05/04/2024 09:00"),),
        }
    )
    assert supplement_requests_at(mixed, at("04/04/2024 09:00")) == 1
    assert supplement_requests_at(mixed, at("05/04/2024 09:00")) == 2


def test_a_recorded_effective_due_moment_rules_from_the_end_of_the_last_pause():
    # Imported: due 08/04 08:00 on the receipt, 15/04 08:00 as the old system moved it for a
    # wait it did not record as a pause. Within time on 10/04, as in the queue (overdue_q).
    facts = DossierFacts(
        received_at=at("01/04/2024 08:00"),
        channel="direct",
        due_at=at("08/04/2024 08:00"),
        effective_due_at=at("15/04/2024 08:00"),
    )
    assert not overdue_at(facts, CAL, at("10/04/2024 09:00"))
    assert overdue_at(facts, CAL, at("15/04/2024 08:01"))
    # With a closed pause, the recorded moment rules once it ended; before, the derived one.
    paused = DossierFacts(
        **{**facts.__dict__, "pauses": (Pause(at("02/04/2024 08:00"), at("09/04/2024 08:00")),)}
    )
    assert not overdue_at(paused, CAL, at("09/04/2024 07:59"))  # clock stopped in time
    assert not overdue_at(paused, CAL, at("12/04/2024 09:00"))
    assert overdue_at(paused, CAL, at("15/04/2024 09:00"))

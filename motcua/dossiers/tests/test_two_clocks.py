"""Two clocks (issue 10 item 2, ARCHITECTURE invariant 9): event times are when things
happened; the statutory clock starts at the official receipt moment (§1.5) and never forbids
recording what happened between submission and that moment.

The service and the command line; the pages are tested in
``motcua/backoffice/tests/test_two_clocks_page.py``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command

from motcua.audit.services import audit_verify
from motcua.core import workflow
from motcua.core.metrics import Bucket, Measure, Period
from motcua.dossiers import figures
from motcua.dossiers.choices import Channel, Status, Timeliness
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import DayFigure, Dossier, DossierEvent, DossierFile
from motcua.dossiers.services import dossier_file_attach
from motcua.dossiers.tests.conftest import local
from motcua.feedback.choices import RatingLevel
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent
from motcua.reports.selectors import report_drill_down, report_for, report_recomputed

pytestmark = pytest.mark.django_db

A = workflow.Action
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Tuesday 02/04/2024 18:10, after office hours: the official receipt moment is Wednesday
# 03/04/2024 07:00, and five working days of eight hours from it end on Tuesday 09/04/2024 17:00.
EVENING = "02/04/2024 18:10"
RECEIPT = local("03/04/2024 07:00")
DUE = local("09/04/2024 17:00")


def ledger_holds():
    """The ledger equals the dossiers recomputed (``motcua report verify``'s check) and the
    hash chains hold (``motcua audit verify``)."""
    assert figures.ledger_differences() == {}
    assert audit_verify() == []


def ledger_days(figure: Bucket | Measure) -> Counter[date]:
    days: Counter[date] = Counter()
    for row in DayFigure.objects.filter(figure=figure.value):  # append-only deltas: summed
        days[row.day] += row.n
    return +days


def test_a_counter_receipt_at_18_10_is_paid_transferred_handed_over_and_given_a_file_at_once(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    dossier = world.create(at=EVENING, fee=20000)
    assert (dossier.submitted_at, dossier.received_at, dossier.due_at) == (
        local(EVENING),
        RECEIPT,
        DUE,
    )
    dossier = world.take(
        dossier, A.PAY, "02/04/2024 18:20", actor=world.clerk, payment_method="cash"
    )
    dossier = world.take(dossier, A.TRANSFER, "02/04/2024 18:25", actor=world.clerk)
    dossier = world.take(
        dossier,
        A.HAND_OVER,
        "02/04/2024 18:40",
        actor=world.officer,
        reason="Ghi chú: đã kiểm tra bản gốc",
        step="Thẩm định",
    )
    stored = dossier_file_attach(
        dossier_id=dossier.pk,
        upload=BytesIO(PDF),
        name="to-khai.pdf",
        component_id=dossier.components.get().pk,
        actor=world.clerk,
        at=local("02/04/2024 18:45"),
    )

    dossier = Dossier.objects.get(pk=dossier.pk)
    # The statutory clock did not move: it still counts from the official receipt moment.
    assert (dossier.received_at, dossier.due_at, dossier.effective_due_at) == (RECEIPT, DUE, DUE)
    assert dossier.status == Status.IN_PROCESSING
    # Every event at its real time, the tip of the chain at the last one.
    assert list(dossier.events.order_by("seq").values_list("action", "at")) == [
        ("receive", local(EVENING)),
        ("pay", local("02/04/2024 18:20")),
        ("transfer", local("02/04/2024 18:25")),
        ("hand_over", local("02/04/2024 18:40")),
    ]
    assert dossier.last_event_at == local("02/04/2024 18:40")
    assert PaymentEvent.objects.get().at == local("02/04/2024 18:20")
    assert stored.uploaded_at == local("02/04/2024 18:45")
    assert DossierFile.objects.filter(dossier=dossier).count() == 1
    # The figures take the dossier in on the receipt day, not the evening before.
    assert ledger_days(Bucket.RECEIVED) == Counter({date(2024, 4, 3): 1})
    assert ledger_days(Bucket.OBLIGATION) == Counter({date(2024, 4, 3): 1})
    ledger_holds()


def test_an_online_payment_at_20_00_after_an_evening_receipt_is_recorded(world):
    dossier = world.create(channel=Channel.ONLINE, at="05/01/2024 19:40", fee=30000)  # Friday
    dossier = world.take(dossier, A.RECEIVE, "05/01/2024 19:50", actor=world.clerk)
    assert dossier.received_at == local("08/01/2024 07:00")  # Monday's first session
    assert dossier.due_at == local("12/01/2024 17:00")
    dossier = world.take(
        dossier,
        A.PAY,
        "05/01/2024 20:00",
        as_applicant=True,
        payment_method=PaymentMethod.ONLINE_NATIONAL,
        payment_reference="DVCQG-1",
    )
    assert PaymentEvent.objects.get().at == local("05/01/2024 20:00")
    assert Dossier.objects.get(pk=dossier.pk).due_at == local("12/01/2024 17:00")
    # Paid online is a fact of the dossiers received in a period (766 indicator 3.6): it
    # counts on the receipt day, Monday, though paid on Friday evening.
    assert ledger_days(Bucket.PAID_ONLINE) == Counter({date(2024, 1, 8): 1})
    ledger_holds()


def test_a_supplement_asked_for_before_the_receipt_moment_stops_the_clock_from_it(world):
    dossier = world.create(at=EVENING)
    dossier = world.take(dossier, A.TRANSFER, "02/04/2024 18:15", actor=world.clerk)
    dossier = world.take(
        dossier,
        A.REQUEST_SUPPLEMENT,
        "02/04/2024 18:30",
        actor=world.officer,
        reason="Thiếu",
    )
    assert dossier.paused_since == local("02/04/2024 18:30")
    dossier = world.take(dossier, A.SUPPLEMENT, "03/04/2024 09:00", as_applicant=True)
    # Stopped from 07:00 (the clock had not started before) to 09:00: two working hours.
    assert dossier.effective_due_at == local("10/04/2024 09:00")
    assert dossier.due_at == DUE
    ledger_holds()


def test_a_dossier_settled_before_its_receipt_moment_is_early_and_took_no_time(world):
    dossier = world.create(at=EVENING)
    dossier = world.take(dossier, A.TRANSFER, "02/04/2024 18:15", actor=world.clerk)
    dossier = world.take(dossier, A.APPROVE, "02/04/2024 18:30", actor=world.officer)
    assert dossier.resolved_at == local("02/04/2024 18:30")
    assert dossier.timeliness == Timeliness.EARLY  # finished before its due day (§1.7)
    dossier = world.take(dossier, A.RETURN_RESULT, "02/04/2024 18:35", actor=world.clerk,
                  return_method="counter")  # fmt: skip
    world.take(dossier, A.RATE, "02/04/2024 18:40", as_applicant=True,
        rating=RatingLevel.SATISFIED)  # fmt: skip

    # Everything counts from the receipt moment: on Wednesday, none of it on Tuesday.
    for figure in (Bucket.RECEIVED, Bucket.RESOLVED, Bucket.RESOLVED_EARLY, Bucket.RATED):
        assert ledger_days(figure) == Counter({date(2024, 4, 3): 1}), figure
    assert ledger_days(Measure.PROCESSING_SECONDS) == Counter()  # no working time taken
    assert ledger_days(Measure.STATUTORY_SECONDS) == Counter({date(2024, 4, 3): 5 * 8 * 3600})
    ledger_holds()
    # The report of each day agrees with the dossiers, and the balance holds.
    for day in (date(2024, 4, 2), date(2024, 4, 3)):
        period = Period(day, day)
        fast, slow = report_for(world.city, period), report_recomputed(world.city, period)
        assert fast.totals == slow.totals
        assert fast.measures == slow.measures
        assert fast[Bucket.CARRIED_OVER] + fast[Bucket.RECEIVED] == (
            fast[Bucket.RESOLVED] + fast[Bucket.ENDED] + fast[Bucket.PENDING]
        )
    assert report_for(world.city, Period(date(2024, 4, 2), date(2024, 4, 2)))[Bucket.RESOLVED] == 0
    wednesday = Period(date(2024, 4, 3), date(2024, 4, 3))
    assert report_drill_down(world.city, wednesday, Bucket.RESOLVED) == [dossier.code]


def test_a_withdrawal_before_the_receipt_moment_counts_on_the_receipt_day(world):
    dossier = world.create(at=EVENING)
    world.take(dossier, A.WITHDRAW, "02/04/2024 19:00", actor=world.clerk, reason="Xin rút")
    assert ledger_days(Bucket.ENDED) == Counter({date(2024, 4, 3): 1})
    assert ledger_days(Bucket.PENDING) == Counter()  # in and out on the same day
    ledger_holds()


def test_events_still_keep_their_order_and_follow_the_submission(world):
    dossier = world.create(at=EVENING)
    before = (DossierEvent.objects.count(), Dossier.objects.get(pk=dossier.pk).version)
    for moment in ("02/04/2024 18:05", "01/04/2024 09:00"):
        with pytest.raises(InvalidInput) as refused:
            world.take(dossier, A.TRANSFER, moment, actor=world.clerk)
        assert refused.value.field == "at"
        assert "trước sự kiện cuối cùng của hồ sơ (18:10 02/04/2024)" in refused.value.message
    assert (DossierEvent.objects.count(), Dossier.objects.get(pk=dossier.pk).version) == before


# -- the command line -------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("dossiers", *args, stdout=out)
    return out.getvalue()


def test_the_command_line_pays_and_transfers_before_the_receipt_moment(world):
    out = run(
        "receive", "--user", "clerk", "--procedure", "1.000001", "--agency", "BPMC-058",
        "--channel", "direct", "--name", "Nguyễn Văn An", "--phone", "0912345678",
        "--component", "Tờ khai [1/0/0]", "--fee", "20000", "--at", EVENING,
    )  # fmt: skip
    code = out.splitlines()[0].removeprefix("Mã hồ sơ: ")
    assert "03/04/2024 07:00" in out
    assert "09/04/2024 17:00" in out
    paid = run("transition", code, "pay", "--user", "clerk", "--method", "cash",
               "--at", "02/04/2024 18:20")  # fmt: skip
    assert paid.startswith(f"{code}: ")
    moved = run("transition", code, "transfer", "--user", "clerk", "--at", "02/04/2024 18:25")
    assert "Đang xử lý" in moved
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.received_at, dossier.due_at) == (
        Status.IN_PROCESSING,
        RECEIPT,
        DUE,
    )
    assert dossier.last_event_at == local("02/04/2024 18:25")
    shown = run("show", code, "--user", "clerk")
    assert "02/04/2024 18:10" in shown
    assert "03/04/2024 07:00" in shown
    ledger_holds()

"""The 2024 history's leftovers settled after its half-year: the scenario leaves the dossiers
pending at 30/06/2024 (43, pinned by the half-year's figures) pending for ever, so today's
"in processing, overdue" of the units that replaced the old wards filled with May 2024
dossiers. Each is taken to its end in July 2024 (on working days, through the services: the
ledger and the hash chains stay right), after the half-year, so its figures do not move.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max

from motcua.accounts.models import User
from motcua.clock.selectors import calendar_for
from motcua.core.clock import LOCAL_TZ
from motcua.core.workflow import Action
from motcua.demo.acting import take
from motcua.dossiers.choices import ResultForm, ReturnMethod, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Details
from motcua.payments.choices import PaymentMethod
from motcua.payments.selectors import amount_owed

# The history's half-year ends on 30/06/2024; its leftovers are settled from the next day.
SETTLE_FROM = datetime(2024, 7, 1, 8, 0, tzinfo=LOCAL_TZ)
# Dossiers received before the two-level government (1/7/2025) are the history's.
NEW_UNITS = datetime(2025, 7, 1, tzinfo=LOCAL_TZ)
PENDING = (
    Status.RECEIVED,
    Status.IN_PROCESSING,
    Status.AWAITING_SUPPLEMENT,
    Status.AWAITING_PAYMENT,
)
# The city's one-stop clerk and its leader, who cover the old wards (2024 accounts).
CLERK, LEADER = "motcua.thanhpho", "lanhdao.thanhpho"
STEP = timedelta(minutes=20)


def _leftovers() -> list[Dossier]:
    return list(
        Dossier.objects.filter(status__in=PENDING, received_at__lt=NEW_UNITS).order_by(
            "received_at", "pk"
        )
    )


def _start(dossier: Dossier) -> datetime:
    """The first working moment after both the half-year and the dossier's last event."""
    last: datetime = dossier.events.aggregate(last=Max("at"))["last"] or SETTLE_FROM
    calendar = calendar_for(agency=dossier.receiving_agency)
    moment = calendar.next_working_moment(max(SETTLE_FROM, last + STEP))
    # A morning's work: a moment late in the day moves to the next working day's opening.
    local = moment.astimezone(LOCAL_TZ)
    if local.time() > time(15, 0):
        next_day = datetime.combine(local.date() + timedelta(days=1), time(0, 0), tzinfo=LOCAL_TZ)
        moment = calendar.next_working_moment(next_day)
    return moment


@transaction.atomic
def history_leftovers_settle() -> int:
    """Take every dossier of the history (received before 1/7/2025) still pending to a
    returned result, from July 2024 on: supplied, paid, transferred, approved, returned.
    Idempotent: a second call finds nothing pending. Returns how many were settled."""
    leftovers = _leftovers()
    if not leftovers:
        return 0
    clerk = User.objects.get(username=CLERK)
    leader = User.objects.get(username=LEADER)
    for dossier in leftovers:
        at = _start(dossier)
        if dossier.status == Status.AWAITING_SUPPLEMENT:
            take(dossier, Action.SUPPLEMENT, clerk, at)
            at += STEP
        elif dossier.status == Status.AWAITING_PAYMENT:
            owed = amount_owed(dossier.pk)
            if owed > 0:
                cash = Details(amount=owed, payment_method=PaymentMethod.CASH)
                take(dossier, Action.CONFIRM_PAYMENT, clerk, at, cash)
            else:
                take(dossier, Action.CONFIRM_PAYMENT, clerk, at)
            at += STEP
        elif dossier.status == Status.RECEIVED:
            take(dossier, Action.TRANSFER, clerk, at)
            at += STEP
        # The result is digitised when the components were: the dossier's "digitised" (766
        # indicator 4.2) is not dated, so the half-year's 77% must not move.
        digitised = not dossier.components.filter(digitised=False).exists()
        result = Details(result_form=ResultForm.PAPER, result_digitised=digitised)
        take(dossier, Action.APPROVE, leader, at, result)
        returned = Details(return_method=ReturnMethod.COUNTER)
        take(dossier, Action.RETURN_RESULT, clerk, at + STEP, returned)
    return len(leftovers)


def history_pending_before(day: date) -> int:
    """How many dossiers received before ``day`` are still pending (the demo's check)."""
    moment = datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ)
    return Dossier.objects.filter(status__in=PENDING, received_at__lt=moment).count()

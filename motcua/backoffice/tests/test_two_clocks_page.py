"""Two clocks at the counter (issue 10 item 2): the demo clerk receives a dossier at 18:10,
then takes the fee and transfers it the same evening, before the official receipt moment
(07:00 the next working day, §1.5). Nothing is refused; the due moment counts from 07:00.

Through Django's test client; the pages act "now", so the test sets the clock
(``django.utils.timezone.now``, which the pages and the services read) to each moment.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.audit.services import audit_verify
from motcua.catalog.selectors import procedure_in_force
from motcua.clock.selectors import calendar_for
from motcua.demo.services import DEMO_ACCOUNTS, DEMO_DAY, DEMO_PASSWORD
from motcua.dossiers import figures
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentEvent
from motcua.units.models import Agency
from motcua.units.selectors import unit_at

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CLERK = "motcua.thanhpho"  # the city's one-stop clerk (BPMC-058)
CITY_PROCEDURE = "1.005474"  # settled by PTP-058, with a 100.000 đồng fee in the demo


def local(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def clerk_account(bac_kan_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        account = next(a for a in DEMO_ACCOUNTS if a.username == CLERK)
        user = user_create_or_update(
            username=account.username,
            full_name=account.full_name,
            position=account.position,
            password=DEMO_PASSWORD,
        )
        role_grant(
            user=user,
            role=account.role,
            unit=unit_at(account.unit_code, DEMO_DAY),
            agency=Agency.objects.get(code=account.agency_code),
        )
        yield
        transaction.set_rollback(True)


class Clock:
    """The moment the pages take as now."""

    moment: datetime

    def set(self, text: str) -> None:
        self.moment = local(text)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    found = Clock()
    found.set("14/05/2024 08:00")
    monkeypatch.setattr(timezone, "now", lambda: found.moment)
    return found


def test_the_clerk_receives_at_18_10_then_takes_the_fee_and_transfers_before_07_00(
    clerk_account, clock, db
):
    clock.set("14/05/2024 18:10")  # a Tuesday evening, after the 17:00 close
    clerk = Client()
    clerk.force_login(User.objects.get(username=CLERK))
    version = procedure_in_force(CITY_PROCEDURE, clock.moment.date())
    data = {
        "token": "t-two-clocks",
        "agency": "BPMC-058",
        "applicant_name": "Hà Thị Thu",
        "applicant_phone": "0912 345 678",
        "sets_count": "1",
    }
    for requirement in version.components.all():
        key = f"c{requirement.pk}"
        data |= {key: "1", f"{key}_originals": "1", f"{key}_certified": "0"}
        data |= {f"{key}_photocopies": "0"}
    received = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data)
    assert received.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Hà Thị Thu")
    calendar = calendar_for(agency=Agency.objects.get(code="BPMC-058"))
    due = calendar.due(local("15/05/2024 07:00"), *version.time_limit_for(online=False))
    assert (dossier.submitted_at, dossier.received_at, dossier.due_at) == (
        local("14/05/2024 18:10"),
        local("15/05/2024 07:00"),
        due,
    )

    clock.set("14/05/2024 18:20")
    paid = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/pay/",
        {"version": str(dossier.version), "payment_method": "cash", "amount": "100.000"},
    )
    assert paid.status_code == 302, paid.content.decode()[:2000]
    dossier.refresh_from_db()

    clock.set("14/05/2024 18:25")
    moved = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/transfer/", {"version": str(dossier.version)}
    )
    assert moved.status_code == 302, moved.content.decode()[:2000]

    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROCESSING
    assert dossier.competent_agency.code == "PTP-058"
    assert (dossier.received_at, dossier.due_at, dossier.effective_due_at) == (
        local("15/05/2024 07:00"),
        due,
        due,
    )
    assert list(dossier.events.order_by("seq").values_list("action", "at")) == [
        ("receive", local("14/05/2024 18:10")),
        ("pay", local("14/05/2024 18:20")),
        ("transfer", local("14/05/2024 18:25")),
    ]
    assert PaymentEvent.objects.get(payment__dossier=dossier).at == local("14/05/2024 18:20")
    page = clerk.get(f"/mot-cua/ho-so/{dossier.code}/")
    assert page.status_code == 200
    assert "Đang xử lý" in page.content.decode()
    assert figures.ledger_differences() == {}
    assert audit_verify() == []

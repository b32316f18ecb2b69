"""Two workers sending reminders at the same moment, each on its own database connection:
the unique (directive, day) row lets exactly one of them send.

The SQLite test database is in memory with a shared cache, where a connection that meets
another's write lock fails at once with "database table is locked" instead of waiting (the
file database of a real deployment waits, busy_timeout; PostgreSQL waits on the row). A
worker retries a job that failed that way, and so does :func:`as_a_worker` here.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.core import mail
from django.db import OperationalError

from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.directives.models import DirectiveReminder
from motcua.directives.services import directive_create, directive_reminders_send, meeting_create
from motcua.directives.tests.conftest import local
from motcua.lib.tests.threads import together
from motcua.units.models import AdministrativeUnit, Agency


def as_a_worker(job, attempts: int = 50):
    """Run ``job``, again after a transient lock of the in-memory test database."""
    for _ in range(attempts - 1):
        try:
            return job()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.02)
    return job()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_reminder():
    province = AdministrativeUnit.objects.create(code="T1", name="Tỉnh Thử", kind="province")
    city = AdministrativeUnit.objects.create(
        code="T1-01", name="Thành phố Thử", kind="city", parent=province
    )
    agency = Agency.objects.create(
        code="PNV-T1", name="Phòng Nội vụ thử", kind="department", unit=city
    )
    leader = user_create_or_update(username="ld", full_name="Lãnh đạo", email="ld@example.vn")
    role_grant(user=leader, role=Role.LEADER, unit=city)
    meeting = meeting_create(
        actor=leader,
        unit=city,
        body="Ban Chỉ đạo CCHC",
        title="Họp",
        held_on=date(2024, 5, 23),
        chair="Chủ tịch",
        at=local("23/05/2024 11:00"),
    )
    directive = directive_create(
        actor=leader,
        meeting=meeting,
        text="Kiểm tra hồ sơ cuối ngày.",
        agency=agency,
        head_name="Trưởng phòng",
        working_days=5,
        at=local("23/05/2024 11:00"),
    )
    counts: list[int] = []
    at = local("29/05/2024 08:00")

    def worker() -> None:
        counts.append(as_a_worker(lambda: directive_reminders_send(at=at)))

    outcomes = together(worker, worker)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(counts) == [0, 1]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ld@example.vn"]
    assert DirectiveReminder.objects.filter(directive=directive).count() == 1
    # And a third call afterwards, on this connection: still nothing more.
    assert directive_reminders_send(at=local("29/05/2024 16:00")) == 0
    assert len(mail.outbox) == 1

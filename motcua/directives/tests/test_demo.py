"""The demo meeting of 23/05/2024 and its directives, as of the demo's moment (21/06/2024)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.utils import translation

from motcua.core.metrics import Period
from motcua.demo.directives import DEMO_AT, load_demo
from motcua.directives.choices import Timeliness
from motcua.directives.models import Directive, DirectiveUpdate, Meeting
from motcua.directives.selectors import (
    completion_on_time,
    directives_overdue,
    meeting_conclusions,
)
from motcua.directives.services import directive_reminders_send
from motcua.directives.tests.conftest import local

pytestmark = pytest.mark.django_db


def test_the_demo_meeting_and_its_directives(people, django_capture_on_commit_callbacks):
    assert load_demo() == 6
    assert load_demo() == 0  # idempotent
    meeting = Meeting.objects.get()
    assert (meeting.unit.code, meeting.held_on) == ("058", date(2024, 5, 23))
    assert meeting.body == "Ban Chỉ đạo cải cách hành chính thành phố Bắc Kạn"
    assert Directive.objects.count() == 6
    assert DirectiveUpdate.objects.count() == 6

    conclusions = meeting_conclusions(meeting, at=DEMO_AT)
    assert [(c.directive.number, c.timeliness) for c in conclusions] == [
        (1, Timeliness.ON_TIME),
        (2, Timeliness.ON_TIME),
        (3, Timeliness.LATE),
        (4, Timeliness.OVERDUE),
        (5, Timeliness.WITHIN_TIME),
        (6, Timeliness.WITHIN_TIME),
    ]
    deadlines = [c.directive.deadline for c in conclusions]
    assert deadlines == [
        local("30/05/2024 17:00"),
        local("20/06/2024 17:00"),
        local("06/06/2024 17:00"),
        local("13/06/2024 17:00"),
        local("28/06/2024 17:00"),
        local("30/09/2024 17:00"),
    ]
    overdue = list(directives_overdue(at=DEMO_AT))
    assert [d.unit.code for d in overdue] == ["01840"]

    rows, total = completion_on_time(Period(date(2024, 5, 23), date(2024, 6, 21)))
    with translation.override("en"):
        assert {row.key: row.text for row in rows} == {
            "agency:BPMC-058": "1/1 makes up 100%",
            "agency:PNV-058": "0/1 makes up 0%",
            "agency:PVHTT-058": "1/1 makes up 100%",
            "unit:01840": "0/1 makes up 0%",
        }
        assert total.text == "2/4 makes up 50%"

    # At the demo's moment, the overdue ward directive is reminded to the ward's leader.
    with django_capture_on_commit_callbacks(execute=True):
        assert directive_reminders_send(at=DEMO_AT) == 1
    assert mail.outbox[0].to == ["ld.ducxuan@example.vn"]
    assert "đã quá hạn 6 ngày làm việc" in mail.outbox[0].body

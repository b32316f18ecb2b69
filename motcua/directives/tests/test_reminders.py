"""Reminders: who is e-mailed, when (within the window of working days, or overdue), once a
day, never for done or cancelled directives, in Vietnamese with the deadline, after commit."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction

from motcua.directives.models import DirectiveReminder
from motcua.directives.services import (
    directive_cancel,
    directive_create,
    directive_reminders_send,
    directive_update,
    reminder_recipients,
    reminder_send,
    reminders_due,
)
from motcua.directives.tests.conftest import local
from motcua.units.models import Agency

pytestmark = pytest.mark.django_db

AT = local("23/05/2024 14:00")
TEXT = "Rà soát lại quá trình thực hiện cải cách hành chính; khắc phục tồn tại, hạn chế."


@pytest.fixture
def directives(people, meeting):
    """1: Phòng Nội vụ, head with an account, 5 working days (30/05 17:00).
    2: Phường Đức Xuân, head without an account, 10 working days (06/06 17:00).
    3: a far deadline (28/06)."""
    first = directive_create(
        actor=people.city_leader,
        meeting=meeting,
        text=TEXT,
        agency=people.interior,
        head_name="Trưởng phòng Nội vụ",
        head_user=people.interior_head,
        working_days=5,
        at=AT,
    )
    second = directive_create(
        actor=people.city_leader,
        meeting=meeting,
        text="Nâng cao chất lượng Bộ phận Một cửa phường.",
        unit=people.ward,
        head_name="Chủ tịch UBND phường Đức Xuân",
        working_days=10,
        at=AT,
    )
    third = directive_create(
        actor=people.city_leader,
        meeting=meeting,
        text="Đẩy mạnh thanh toán trực tuyến.",
        agency=Agency.objects.get(code="PVHTT-058"),
        head_name="Trưởng phòng Văn hóa và Thông tin",
        deadline_day=date(2024, 6, 28),
        at=AT,
    )
    return first, second, third


def send(at, capture):
    with capture(execute=True):
        return directive_reminders_send(at=at)


def test_recipients_are_the_heads_account_and_the_assignee_units_leaders(people, directives):
    first, second, third = directives
    # The city's leader (unit-wide) and the leader narrowed to Phòng Nội vụ, who is the head.
    assert reminder_recipients(first) == ["tp.noivu@example.vn", "ld.city@example.vn"]
    assert reminder_recipients(second) == ["ld.ducxuan@example.vn"]
    # Phòng Văn hóa: the city's unit-wide leader only, not the Phòng Nội vụ one.
    assert reminder_recipients(third) == ["ld.city@example.vn"]


def test_it_reminds_within_two_working_days_once_a_day_after_commit(
    people, directives, django_capture_on_commit_callbacks
):
    first = directives[0]
    # Tue 28/05 08:00: the window ends at the close of Thu 30/05; only the first is in it.
    with django_capture_on_commit_callbacks(execute=False) as pending:
        assert directive_reminders_send(at=local("28/05/2024 08:00")) == 1
    assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(pending) == 1
    for callback in pending:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tp.noivu@example.vn", "ld.city@example.vn"]
    assert message.subject == (
        "[Nhắc việc] Kết luận số 1 cuộc họp ngày 23/05/2024 – hạn hoàn thành 17:00 30/05/2024"
    )
    body = message.body
    for piece in (
        "Kính gửi: Trưởng phòng Nội vụ, Phòng Nội vụ.",
        "Ban Chỉ đạo cải cách hành chính thành phố Bắc Kạn",
        f"“{TEXT}”",
        "Hạn hoàn thành: 17:00 30/05/2024 (còn 2 ngày làm việc)",
        "Tình trạng: Chưa thực hiện",
        "hoàn thành đúng hạn",
        f"{settings.MOTCUA_BASE_URL}/chi-dao/chi-dao-dieu-hanh/ket-luan/{first.pk}/",
    ):
        assert piece in body
    reminder = DirectiveReminder.objects.get()
    assert (reminder.directive_id, reminder.day) == (first.pk, date(2024, 5, 28))

    # Called again the same day (another worker, a restart): nothing more.
    assert send(local("28/05/2024 16:00"), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    # The next working day: once more, one day left.
    assert send(local("29/05/2024 08:00"), django_capture_on_commit_callbacks) == 1
    assert "(còn 1 ngày làm việc)" in mail.outbox[1].body
    assert DirectiveReminder.objects.count() == 2


def test_overdue_directives_are_reminded_as_overdue(
    people, directives, django_capture_on_commit_callbacks
):
    first, second, _ = directives
    directive_update(
        actor=people.interior_head,
        directive_id=first.pk,
        status="in_progress",
        note="Đang tổng hợp báo cáo của các phòng.",
        expected_version=1,
        at=local("29/05/2024 10:00"),
    )
    # Wed 05/06 08:00: the first is overdue by 4 working days (31/05, 03/06, 04/06, 05/06);
    # the second is due at the close of 06/06, inside the window.
    assert send(local("05/06/2024 08:00"), django_capture_on_commit_callbacks) == 2
    overdue, soon = mail.outbox
    assert overdue.subject.startswith("[Quá hạn] Kết luận số 1 ")
    assert "Hạn hoàn thành: 17:00 30/05/2024 (đã quá hạn 4 ngày làm việc)" in overdue.body
    assert "Tình trạng: Đang thực hiện" in overdue.body
    assert "Cập nhật gần nhất: 10:00 29/05/2024: Đang tổng hợp báo cáo của các phòng." in (
        overdue.body
    )
    assert "khẩn trương" in overdue.body
    assert soon.to == ["ld.ducxuan@example.vn"]
    assert soon.subject.endswith("hạn hoàn thành 17:00 06/06/2024")
    assert "(còn 1 ngày làm việc)" in soon.body
    assert "Kính gửi: Chủ tịch UBND phường Đức Xuân, Phường Đức Xuân." in soon.body


def test_done_and_cancelled_directives_are_never_reminded(
    people, directives, django_capture_on_commit_callbacks
):
    first, second, _ = directives
    directive_update(
        actor=people.interior_head,
        directive_id=first.pk,
        status="done",
        note="Đã xong.",
        expected_version=1,
        at=local("24/05/2024 08:00"),
    )
    directive_cancel(
        actor=people.city_leader,
        directive_id=second.pk,
        reason="Gộp vào kế hoạch của phường.",
        expected_version=1,
        at=local("24/05/2024 08:00"),
    )
    assert send(local("06/06/2024 16:00"), django_capture_on_commit_callbacks) == 0
    assert send(local("20/12/2024 08:00"), django_capture_on_commit_callbacks) == 1  # the third
    assert [m.subject.split(" – ")[0] for m in mail.outbox] == [
        "[Quá hạn] Kết luận số 3 cuộc họp ngày 23/05/2024"
    ]


def test_a_directive_with_no_one_to_email_is_skipped_and_not_recorded(
    people, meeting, django_capture_on_commit_callbacks
):
    directive_create(
        actor=people.city_leader,
        meeting=meeting,
        text="Niêm yết công khai thủ tục hành chính.",
        unit=people.other_ward,  # no leader with an e-mail there, head without an account
        head_name="Chủ tịch UBND phường Nguyễn Thị Minh Khai",
        working_days=1,
        at=AT,
    )
    assert send(local("24/05/2024 08:00"), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert DirectiveReminder.objects.count() == 0


def test_the_window_follows_the_setting(
    people, directives, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_DIRECTIVES = {"REMIND_WORKING_DAYS": 0, "EVIDENCE_MAX_BYTES": 10_000_000}
    assert send(local("29/05/2024 08:00"), django_capture_on_commit_callbacks) == 0
    settings.MOTCUA_DIRECTIVES = {"REMIND_WORKING_DAYS": 7, "EVIDENCE_MAX_BYTES": 10_000_000}
    assert send(local("29/05/2024 08:00"), django_capture_on_commit_callbacks) == 2


def test_the_database_refuses_a_second_reminder_for_the_same_day(people, directives):
    first = directives[0]
    DirectiveReminder.objects.create(
        directive=first, day=date(2024, 5, 28), sent_at=AT, recipients="a@example.vn"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DirectiveReminder.objects.create(
            directive=first, day=date(2024, 5, 28), sent_at=AT, recipients="b@example.vn"
        )


def test_of_two_workers_that_both_selected_a_directive_only_one_sends(
    people, directives, django_capture_on_commit_callbacks
):
    """The race, step by step: both select before either records the day's reminder."""
    at = local("29/05/2024 08:00")
    first_worker, second_worker = reminders_due(at=at), reminders_due(at=at)
    assert first_worker == second_worker == [directives[0]]
    with django_capture_on_commit_callbacks(execute=True):
        assert [reminder_send(directive=d, at=at) for d in first_worker] == [True]
        assert [reminder_send(directive=d, at=at) for d in second_worker] == [False]
    assert len(mail.outbox) == 1
    assert DirectiveReminder.objects.get().day == date(2024, 5, 29)
    assert reminders_due(at=local("29/05/2024 16:00")) == []
    assert reminders_due(at=local("30/05/2024 08:00")) == [directives[0]]

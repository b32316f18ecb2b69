"""The end-of-day digest through a real SMTP server: its content (the dashboard's lists), once
per leader however often it runs, a failed send tried again without duplicates, and the
scheduler that only enqueues it on working days after its time."""

from __future__ import annotations

from datetime import date

import pytest
from django_tasks_db.models import DBTaskResult

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.clock.selectors import calendar_for
from motcua.dossiers.tests.world import local
from motcua.jobs.choices import JobKind, MarkStatus, RunStatus
from motcua.jobs.models import JobRun, ScheduleMark
from motcua.jobs.scheduler import schedule_tick
from motcua.jobs.services import JobFailed, load_demo
from motcua.jobs.tasks import send_unit_digest
from motcua.jobs.tests.digest_world import DIGEST_AT, DIGEST_DAY
from motcua.reports import dashboard

pytestmark = pytest.mark.django_db


def test_each_leader_gets_the_end_of_day_list_of_the_unit(digest, smtp):
    # given the city's dossiers at Friday 12/04/2024 16:30 (digest_world.py)
    city = digest.world.city
    codes = digest.codes()

    # when the digest of that day is sent
    sent = send_unit_digest.call(city.pk, DIGEST_DAY)

    # then each leader of the city with an address gets one e-mail: not the one without an
    # address, not the ward's leader (the ward has its own digest)
    assert sent == 2
    assert sorted(r for item in smtp.received for r in item.recipients) == [
        "ha.lt@backan.example",
        "nam.hv@backan.example",
    ]
    (mail,) = smtp.to("ha.lt@backan.example")
    assert mail.sender == "motcua@backan.example"
    assert mail.subject == (
        "Danh sách kiểm tra cuối ngày 12/04/2024 của Thành phố Bắc Kạn: 2 quá hạn, "
        "1 đến hạn hôm nay, 1 đến hạn vào ngày làm việc tiếp theo"
    )
    procedure = "Chứng thực hợp đồng, giao dịch"
    assert mail.body == (
        "Kính gửi Lý Thị Hà,\n"
        "\n"
        "Hồ sơ đang giải quyết của Thành phố Bắc Kạn (058) lúc 12/04/2024 16:30:\n"
        "- Quá hạn: 2\n"
        "- Đến hạn hôm nay (12/04/2024): 1\n"
        "- Đến hạn vào ngày làm việc tiếp theo (15/04/2024): 1\n"
        "\n"
        "Thành phố Bắc Kạn (058)\n"
        "  Officer\n"
        "    Quá hạn: 1\n"
        f"      - {codes['overdue']}, {procedure}, hạn 11/04/2024 14:00\n"
        "  Chưa phân công\n"
        "    Đến hạn hôm nay (12/04/2024): 1\n"
        f"      - {codes['due_today']}, {procedure}, hạn 12/04/2024 16:45\n"
        "    Đến hạn vào ngày làm việc tiếp theo (15/04/2024): 1\n"
        f"      - {codes['due_next']}, {procedure}, hạn 15/04/2024 09:00\n"
        "\n"
        "Phường Đức Xuân (01840)\n"
        "  Chưa phân công\n"
        "    Quá hạn: 1\n"
        f"      - {codes['ward_overdue']}, {procedure}, hạn 12/04/2024 10:00\n"
        "\n"
        "Xem danh sách trên trang theo dõi: http://127.0.0.1:8000/bao-cao/cuoi-ngay/?unit=058\n"
        "\n"
        "Thư này được hệ thống gửi tự động vào cuối mỗi ngày làm việc; vui lòng không trả lời.\n"
    )
    assert codes["later"] not in mail.body
    # The same lists as the dashboard's end-of-day page at that moment.
    eod = dashboard.end_of_day(city, at=local(DIGEST_AT))
    listed = [d.code for d in eod.overdue + eod.due_today + eod.due_next]
    assert sorted(listed) == sorted(c for name, c in codes.items() if name != "later")
    (other,) = smtp.to("nam.hv@backan.example")
    assert other.body.startswith("Kính gửi Hoàng Văn Nam,\n")
    assert other.body.split("\n", 1)[1] == mail.body.split("\n", 1)[1]
    # One done run per leader.
    assert sorted(JobRun.objects.values_list("kind", "key", "status", "attempts")) == sorted(
        [
            (JobKind.DIGEST, f"{city.pk}:{digest.leader.pk}", RunStatus.DONE, 1),
            (JobKind.DIGEST, f"{city.pk}:{digest.deputy.pk}", RunStatus.DONE, 1),
        ]
    )


def test_the_link_follows_the_base_url_setting(digest, smtp, settings):
    settings.MOTCUA_BASE_URL = "https://motcua.backan.gov.vn"
    send_unit_digest.call(digest.world.ward.pk, DIGEST_DAY)
    (mail,) = smtp.to("thu.nt@backan.example")
    assert "https://motcua.backan.gov.vn/bao-cao/cuoi-ngay/?unit=01840\n" in mail.body
    assert mail.subject.endswith(
        ": 1 quá hạn, 0 đến hạn hôm nay, 0 đến hạn vào ngày làm việc tiếp theo"
    )


def test_running_the_digest_again_sends_nothing_more(digest, smtp):
    city = digest.world.city
    assert send_unit_digest.call(city.pk, DIGEST_DAY) == 2
    assert send_unit_digest.call(city.pk, DIGEST_DAY) == 0
    assert len(smtp.received) == 2
    # Another day is another digest.
    assert send_unit_digest.call(city.pk, "2024-04-15") == 2
    assert len(smtp.received) == 4


def test_a_refused_e_mail_is_sent_on_the_next_run_and_the_others_are_not_repeated(digest, smtp):
    # given a mail server that refuses the deputy's address for now
    city = digest.world.city
    smtp.refused.add("nam.hv@backan.example")

    # when the digest runs, it fails for the deputy only
    with pytest.raises(JobFailed) as failure:
        send_unit_digest.call(city.pk, DIGEST_DAY)
    assert "sent 1, failed deputy: SMTPRecipientsRefused" in str(failure.value)
    assert [item.recipients for item in smtp.received] == [["ha.lt@backan.example"]]
    runs = dict(JobRun.objects.values_list("key", "status"))
    assert runs == {
        f"{city.pk}:{digest.leader.pk}": RunStatus.DONE,
        f"{city.pk}:{digest.deputy.pk}": RunStatus.FAILED,
    }
    failed = JobRun.objects.get(key=f"{city.pk}:{digest.deputy.pk}")
    assert "450" in failed.error

    # and once the server takes it, the next run sends the deputy's e-mail and no other
    smtp.refused.clear()
    assert send_unit_digest.call(city.pk, DIGEST_DAY) == 1
    assert [item.recipients for item in smtp.received] == [
        ["ha.lt@backan.example"],
        ["nam.hv@backan.example"],
    ]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (RunStatus.DONE, 2, "")
    assert send_unit_digest.call(city.pk, DIGEST_DAY) == 0
    assert len(smtp.received) == 2


def test_a_mail_server_that_is_down_sends_nothing_and_nothing_is_lost(digest, smtp):
    smtp.stop()  # nobody listens on the port any more
    with pytest.raises(JobFailed, match="ConnectionRefusedError"):
        send_unit_digest.call(digest.world.city.pk, DIGEST_DAY)
    assert set(JobRun.objects.values_list("status", flat=True)) == {RunStatus.FAILED}
    smtp.restart()
    assert send_unit_digest.call(digest.world.city.pk, DIGEST_DAY) == 2
    assert len(smtp.received) == 2


# -- the scheduler ------------------------------------------------------------------------


def tick(at: str, django_capture_on_commit_callbacks) -> list[tuple[str, str]]:
    with django_capture_on_commit_callbacks(execute=True):
        return [(item.kind, item.key) for item in schedule_tick(now=local(at))]


def digests(items: list[tuple[str, str]]) -> list[str]:
    return sorted(key for kind, key in items if kind == JobKind.DIGEST)


def test_the_scheduler_enqueues_each_units_digest_once_after_its_time(
    digest, django_capture_on_commit_callbacks
):
    city, ward = digest.world.city, digest.world.ward
    # Before 16:30 only the morning's reminders are due.
    assert tick("12/04/2024 16:29", django_capture_on_commit_callbacks) == [(JobKind.REMINDERS, "")]
    # At 16:30 the digest of each unit with a leader who has an address.
    assert digests(tick("12/04/2024 16:30", django_capture_on_commit_callbacks)) == sorted(
        [str(city.pk), str(ward.pk)]
    )
    # Later ticks that day enqueue nothing again.
    assert tick("12/04/2024 16:31", django_capture_on_commit_callbacks) == []
    assert [
        (m.kind, m.key, m.status)
        for m in ScheduleMark.objects.filter(kind=JobKind.DIGEST).order_by("key")
    ] == [
        (JobKind.DIGEST, str(u.pk), MarkStatus.ENQUEUED)
        for u in sorted([city, ward], key=lambda u: str(u.pk))
    ]
    queued = DBTaskResult.objects.filter(task_path="motcua.jobs.tasks.send_unit_digest")
    assert sorted(tuple(t.args_kwargs["args"]) for t in queued) == sorted(
        [(city.pk, DIGEST_DAY), (ward.pk, DIGEST_DAY)]
    )
    # The next working day, again.
    assert digests(tick("15/04/2024 16:30", django_capture_on_commit_callbacks)) == sorted(
        [str(city.pk), str(ward.pk)]
    )


@pytest.mark.parametrize(
    "moment",
    [
        "13/04/2024 16:30",  # Saturday
        "14/04/2024 16:30",  # Sunday
        "18/04/2024 16:30",  # Hùng Kings' commemoration day
        "29/04/2024 16:30",  # swapped day off (made up on Saturday 04/05/2024)
        "30/04/2024 16:30",  # Reunification day
    ],
)
def test_no_job_is_enqueued_on_a_day_off(digest, django_capture_on_commit_callbacks, moment):
    assert tick(moment, django_capture_on_commit_callbacks) == []
    assert ScheduleMark.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_make_up_saturday_is_a_working_day_for_the_digest(
    digest, django_capture_on_commit_callbacks
):
    assert calendar_for(digest.world.city, on=date(2024, 5, 4)).is_working_day(date(2024, 5, 4))
    items = tick("04/05/2024 16:30", django_capture_on_commit_callbacks)
    assert digests(items) == sorted([str(digest.world.city.pk), str(digest.world.ward.pk)])


def test_the_schedule_times_are_settings(digest, settings, django_capture_on_commit_callbacks):
    settings.MOTCUA_JOBS = {**settings.MOTCUA_JOBS, "DIGEST_TIME": "17:05"}
    assert digests(tick("12/04/2024 17:00", django_capture_on_commit_callbacks)) == []
    assert len(digests(tick("12/04/2024 17:05", django_capture_on_commit_callbacks))) == 2


def test_a_failed_digest_is_enqueued_again_after_the_retry_delay(
    digest, smtp, django_capture_on_commit_callbacks
):
    ward = digest.world.ward
    smtp.refused.add("thu.nt@backan.example")
    tick("12/04/2024 16:30", django_capture_on_commit_callbacks)
    with pytest.raises(JobFailed):
        send_unit_digest.call(ward.pk, DIGEST_DAY)
    mark = ScheduleMark.objects.get(kind=JobKind.DIGEST, key=str(ward.pk))
    assert (mark.status, mark.attempts) == (MarkStatus.FAILED, 1)
    assert "SMTPRecipientsRefused" in mark.error
    # Not before MOTCUA_JOBS["RETRY_MINUTES"] (10) have passed since it was enqueued.
    assert digests(tick("12/04/2024 16:39", django_capture_on_commit_callbacks)) == []
    assert digests(tick("12/04/2024 16:40", django_capture_on_commit_callbacks)) == [str(ward.pk)]
    mark.refresh_from_db()
    assert (mark.status, mark.attempts) == (MarkStatus.ENQUEUED, 2)
    smtp.refused.clear()
    assert send_unit_digest.call(ward.pk, DIGEST_DAY) == 1
    mark.refresh_from_db()
    assert mark.status == MarkStatus.DONE
    assert digests(tick("12/04/2024 17:00", django_capture_on_commit_callbacks)) == []
    assert [item.recipients for item in smtp.received] == [["thu.nt@backan.example"]]


def test_the_demo_gives_each_leader_without_an_address_one(digest):
    assert load_demo() == 1
    user = User.objects.get(username="noemail")
    assert (user.email, user.full_name) == ("noemail@motcua.example", "Ma Văn Tư")
    assert user.assignments.get().role == Role.LEADER
    assert load_demo() == 0

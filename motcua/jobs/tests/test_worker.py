"""``motcua worker`` as real processes against one shared database and a real SMTP server:
two workers started together send each digest exactly once; nothing on a day off; a refused
e-mail is sent by a later run and nothing is sent twice; SIGTERM and SIGINT stop it cleanly.

The database is a throw-away one that separate processes can open (``shared_db`` in
conftest.py, the pattern of ``dossiers/tests/test_concurrency.py``): a SQLite file in a
temporary ``MOTCUA_DATA_DIR``, or a fresh PostgreSQL database in the PostgreSQL pass.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command

from motcua.jobs.tests.conftest import ROOT, TIMEOUT, run_process, world_process
from motcua.jobs.tests.digest_world import DIGEST_AT, DIGEST_DAY

pytestmark = pytest.mark.django_db(transaction=True)

LEADERS = ["ha.lt@backan.example", "nam.hv@backan.example", "thu.nt@backan.example"]


def only_digests(env: dict[str, str]) -> dict[str, str]:
    """The digest is the only job due at the moments these tests use."""
    return {**env, "MOTCUA_REMINDER_TIME": "23:58", "MOTCUA_SNAPSHOT_TIME": "23:59"}


# Django's system checks import every URL and API module (about 4 s a process); the tests
# that need them run ``motcua check`` itself (the test command, tests/test_settings.py).
NO_CHECKS = "--skip-checks"


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "motcua", "worker", NO_CHECKS, *args],
        env={**env, "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def together(env: dict[str, str], *runs: list[str]) -> list[tuple[int, str, str]]:
    """Start every run at once; their exit codes and outputs."""
    processes = [start(env, *args) for args in runs]
    try:
        outputs = [process.communicate(timeout=TIMEOUT) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    return [(p.returncode, out, err) for p, (out, err) in zip(processes, outputs, strict=True)]


def recipients(inbox) -> list[str]:
    return sorted(address for item in inbox.received for address in item.recipients)


def worker(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_process(env, "motcua", "worker", NO_CHECKS, *args, check=check)


def test_two_workers_started_together_send_each_digest_exactly_once(shared_db, inbox):
    env, codes = shared_db
    env = only_digests(env)

    results = together(env, ["--once", "--at", DIGEST_AT], ["--once", "--at", DIGEST_AT])

    assert [code for code, _, _ in results] == [0, 0], results
    # One e-mail per leader with an address: the city's two, the ward's one.
    assert recipients(inbox) == LEADERS
    (city_mail,) = inbox.to("ha.lt@backan.example")
    assert codes["overdue"] in city_mail.body
    # Between them, the two processes enqueued each unit's digest once and ran it once.
    output = "".join(out for _, out, _ in results)
    assert output.count("send_unit_digest") == 2
    assert output.count("-> 2") == 1  # the city's task: two e-mails
    assert output.count("-> 1") == 1  # the ward's task: one e-mail
    report = world_process(env, "report")
    units, users = report["units"], report["users"]
    assert report["marks"] == sorted(
        ["digest", str(units[code]), DIGEST_DAY, "done", 1] for code in ("058", "01840")
    )
    assert report["runs"] == sorted(
        ["digest", f"{units[unit]}:{users[user]}", DIGEST_DAY, "done", 1]
        for unit, user in (("058", "leader"), ("058", "deputy"), ("01840", "wardleader"))
    )
    # Later that day another run finds everything done.
    done = worker(env, "--once", "--at", "12/04/2024 17:45")
    assert "send_unit_digest" not in done.stdout
    assert recipients(inbox) == LEADERS


def test_a_digest_enqueued_twice_and_run_by_two_workers_at_once_goes_out_once(shared_db, inbox):
    env, _ = shared_db
    world_process(env, "enqueue", "058", DIGEST_DAY, "2")
    # Each worker takes one of the two tasks; both try to send to both leaders.
    results = together(env, ["--once", "--no-scheduler"], ["--once", "--no-scheduler"])
    assert [code for code, _, _ in results] == [0, 0], results
    assert recipients(inbox) == LEADERS[:2]
    output = "".join(out for _, out, _ in results)
    sent = re.findall(r"send_unit_digest\([^)]*\) -> (\d+)", output)
    assert len(sent) == 2
    assert sum(int(n) for n in sent) == 2  # two e-mails between the two tasks


@pytest.mark.parametrize(
    "moment", ["13/04/2024 16:30", "30/04/2024 16:30"], ids=["saturday", "30-april"]
)
def test_no_digest_on_a_day_off(shared_db, inbox, moment):
    env, _ = shared_db
    done = worker(only_digests(env), "--once", "--at", moment)
    assert done.stdout == ""
    assert inbox.received == []
    assert world_process(env, "report")["marks"] == []


def test_a_refused_e_mail_goes_out_on_a_later_run_and_none_twice(shared_db, inbox):
    env, _ = shared_db
    env = only_digests(env)
    inbox.refused.add("nam.hv@backan.example")

    first = worker(env, "--once", "--at", DIGEST_AT, check=False)

    assert first.returncode == 1
    assert "Thất bại: send_unit_digest" in first.stderr
    assert "SMTPRecipientsRefused" in first.stderr
    assert "1 công việc thất bại; lần chạy sau sẽ thử lại." in first.stderr
    assert recipients(inbox) == ["ha.lt@backan.example", "thu.nt@backan.example"]
    # Too soon for a retry (MOTCUA_JOBS["RETRY_MINUTES"] is 10): nothing is run.
    assert "send_unit_digest" not in worker(env, "--once", "--at", "12/04/2024 16:39").stdout
    inbox.refused.clear()

    retry = worker(env, "--once", "--at", "12/04/2024 16:40")

    assert "(lần thử 2)" in retry.stdout
    assert recipients(inbox) == LEADERS
    report = world_process(env, "report")
    city, deputy = report["units"]["058"], report["users"]["deputy"]
    assert ["digest", str(city), DIGEST_DAY, "done", 2] in report["marks"]
    assert ["digest", f"{city}:{deputy}", DIGEST_DAY, "done", 2] in report["runs"]
    assert worker(env, "--once", "--at", "12/04/2024 17:00").stdout == ""
    assert recipients(inbox) == LEADERS


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_stops_cleanly_on_a_signal(shared_db, signum):
    env, _ = shared_db
    process = start(env, "--interval", "1", "--at", "13/04/2024 10:00")
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "đã khởi động" in first, first
        time.sleep(1.5)  # a tick or two, and waits on the empty queue
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.strip().endswith("Tiến trình chạy nền đã dừng.")


def test_a_bad_option_is_named_and_nothing_runs():
    with pytest.raises(CommandError) as error:
        call_command("worker", "--once", "--at", "32/13/2024 16:30")
    assert str(error.value) == "--at: '32/13/2024 16:30' không phải là ngày giờ (dd/mm/yyyy HH:MM)"
    with pytest.raises(CommandError) as error:
        call_command("worker", "--interval", "0")
    assert str(error.value) == "--interval: cần một số giây lớn hơn 0, nhận được '0'"


def test_the_days_whole_schedule_runs_in_the_worker(shared_db, inbox):
    env, _ = shared_db

    done = worker(env, "--once", "--at", "12/04/2024 17:30")

    # The morning's reminders (none due: there are no directives), the digests, the snapshots.
    lines = [line for line in done.stdout.splitlines() if line.startswith("Xong: ")]
    assert sorted(line.split("(")[0] for line in lines) == [
        "Xong: send_directive_reminders",
        "Xong: send_unit_digest",
        "Xong: send_unit_digest",
        "Xong: take_indicator_snapshots",
    ]
    assert "Xong: send_directive_reminders('2024-04-12T08:00:00+07:00') -> 0" in lines
    assert recipients(inbox) == LEADERS
    marks = world_process(env, "report")["marks"]
    assert sorted({mark[0] for mark in marks}) == ["digest", "reminders", "snapshots"]
    assert {mark[3] for mark in marks} == {"done"}


def test_a_directive_is_assigned_reminded_by_the_worker_completed_and_counted_on_time(
    shared_db, inbox
):
    """Issue 6, done when: created, assigned, reminded, completed, counted on time, with the
    real worker process and a real SMTP server."""
    env, _ = shared_db
    env = {**env, "MOTCUA_DIGEST_TIME": "23:57", "MOTCUA_SNAPSHOT_TIME": "23:59"}
    # Monday 08/04/2024 + 5 working days: close of office on Monday 15/04/2024.
    made = world_process(env, "directive")
    assert made["deadline"].startswith("2024-04-15T17:00")

    # Wednesday: the deadline is more than 2 working days away, no reminder. Thursday: one
    # (to the head and the city's other leader), however often the worker runs that day.
    worker(env, "--once", "--at", "10/04/2024 08:00")
    assert inbox.received == []
    worker(env, "--once", "--at", "11/04/2024 08:00")
    worker(env, "--once", "--at", "11/04/2024 09:00")
    (reminder,) = inbox.received
    assert sorted(reminder.recipients) == ["ha.lt@backan.example", "nam.hv@backan.example"]
    assert "Kiểm tra hồ sơ cuối mỗi ngày làm việc" in reminder.body
    assert "15/04/2024" in reminder.body

    # Done on Monday before the close of office: on time.
    done = world_process(env, "complete", str(made["id"]), "15/04/2024 10:30")
    assert done["status"] == "done"
    assert world_process(env, "on_time") == {"due": 1, "on_time": 1, "late": 0}
    worker(env, "--once", "--at", "16/04/2024 08:00")  # nothing left to remind
    assert len(inbox.received) == 1

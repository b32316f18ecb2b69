"""The reminders and snapshots jobs call the other apps' services (issue 6's agreed
interfaces), once a local day however often they run."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.dossiers.tests.world import local
from motcua.jobs.choices import JobKind, RunStatus
from motcua.jobs.models import JobRun
from motcua.jobs.tasks import send_directive_reminders, take_indicator_snapshots
from motcua.jobs.tests.digest_world import april_meeting

# Transactional: the services send their e-mails after their own transactions commit.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reminders_job_reminds_each_directive_once_a_day(digest, smtp):
    from motcua.directives.services import directive_create

    # given a directive of the city's committee due Monday 15/04/2024, the city's leader
    # responsible, reminded 2 working days ahead (MOTCUA_DIRECTIVES)
    city = digest.world.city
    meeting = april_meeting(city, None)
    directive_create(
        actor=None,
        meeting=meeting,
        text="Giải quyết dứt điểm hồ sơ quá hạn",
        head_name="Lý Thị Hà",
        unit=city,
        head_user=digest.leader,
        working_days=5,
        at=local("08/04/2024 10:00"),
    )

    # when the reminders job of Friday 12/04/2024 runs, twice
    at = local("12/04/2024 08:00").isoformat()
    first = send_directive_reminders.call(at)
    again = send_directive_reminders.call(at)

    # then one reminder went out, to the responsible head and the unit's leaders, once
    assert (first, again) == (1, 0)
    (mail,) = smtp.received
    assert sorted(mail.recipients) == ["ha.lt@backan.example", "nam.hv@backan.example"]
    run = JobRun.objects.get(kind=JobKind.REMINDERS)
    assert (run.key, run.day, run.status, run.result, run.attempts) == (
        "",
        date(2024, 4, 12),
        RunStatus.DONE,
        1,
        1,
    )


def test_the_snapshots_job_takes_the_days_snapshots_once(digest):
    from motcua.steering.services import indicator_definitions_load
    from motcua.steering.services import indicator_snapshots_take as take

    # The shipped definitions come with a data migration, which an earlier transactional
    # test's flush removes: load them again.
    indicator_definitions_load()

    written = take_indicator_snapshots.call("2024-04-12")

    assert written > 0  # the world's units have system-computed indicators to snapshot

    run = JobRun.objects.get(kind=JobKind.SNAPSHOTS)
    assert (run.day, run.status, run.result) == (date(2024, 4, 12), RunStatus.DONE, written)
    # The job took them: the service finds nothing left to take, and the job does not run
    # the service a second time that day.
    assert take(on=date(2024, 4, 12)) == 0
    assert take_indicator_snapshots.call("2024-04-12") == 0
    run.refresh_from_db()
    assert run.attempts == 1

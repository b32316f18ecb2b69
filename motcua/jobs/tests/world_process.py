"""A small program for the worker-process tests (like ``dossiers.tests.concurrency_worker``);
prints one JSON line. The database comes from the environment, as for ``motcua worker``.

python -m motcua.jobs.tests.world_process setup     migrate, build the digest world: its codes
python -m motcua.jobs.tests.world_process report    what the jobs recorded, and the ids
python -m motcua.jobs.tests.world_process enqueue CODE DAY N   enqueue a unit's digest N times
python -m motcua.jobs.tests.world_process directive    the city's committee meets on Monday
    08/04/2024 and gives the city 5 working days for one directive, its leader responsible
python -m motcua.jobs.tests.world_process complete ID "dd/mm/yyyy HH:MM"   the city reports it done
python -m motcua.jobs.tests.world_process on_time      completion on time in April 2024
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def setup() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction

    from motcua.jobs.tests.digest_world import build_digest_world

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        return build_digest_world().codes()


def report() -> dict[str, Any]:
    from motcua.accounts.models import User
    from motcua.jobs.models import JobRun, ScheduleMark
    from motcua.units.models import AdministrativeUnit

    return {
        "runs": sorted(
            [run.kind, run.key, run.day.isoformat(), run.status, run.attempts]
            for run in JobRun.objects.all()
        ),
        "marks": sorted(
            [mark.kind, mark.key, mark.day.isoformat(), mark.status, mark.attempts]
            for mark in ScheduleMark.objects.all()
        ),
        "units": {unit.code: unit.pk for unit in AdministrativeUnit.objects.all()},
        "users": {user.username: user.pk for user in User.objects.all()},
    }


def enqueue(code: str, day: str, times: str) -> dict[str, Any]:
    from motcua.jobs.tasks import send_unit_digest
    from motcua.units.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code=code)
    return {"ids": [str(send_unit_digest.enqueue(unit.pk, day).id) for _ in range(int(times))]}


def directive() -> dict[str, Any]:

    from motcua.accounts.models import User
    from motcua.directives.services import directive_create
    from motcua.dossiers.tests.world import local
    from motcua.jobs.tests.digest_world import april_meeting
    from motcua.units.models import AdministrativeUnit

    city = AdministrativeUnit.objects.get(code="058")
    leader = User.objects.get(username="leader")
    meeting = april_meeting(city, leader)
    made = directive_create(
        actor=leader,
        meeting=meeting,
        text="Kiểm tra hồ sơ cuối mỗi ngày làm việc",
        head_name="Lý Thị Hà",
        unit=city,
        head_user=leader,
        working_days=5,
        at=local("08/04/2024 10:00"),
    )
    return {"id": made.pk, "deadline": made.deadline.isoformat(), "version": made.version}


def complete(directive_id: str, moment: str) -> dict[str, Any]:
    from motcua.accounts.models import User
    from motcua.directives.models import Directive
    from motcua.directives.services import directive_update
    from motcua.dossiers.tests.world import local

    found = Directive.objects.get(pk=int(directive_id))
    directive_update(
        actor=User.objects.get(username="leader"),
        directive_id=found.pk,
        status="done",
        note="Đã giao Văn phòng kiểm tra hằng ngày",
        expected_version=found.version,
        at=local(moment),
    )
    found.refresh_from_db()
    return {"status": found.status, "completed_at": found.completed_at.isoformat()}


def on_time() -> dict[str, Any]:
    from datetime import date

    from motcua.core.metrics import Period
    from motcua.directives.selectors import completion_on_time

    _, total = completion_on_time(Period(date(2024, 4, 1), date(2024, 4, 30)))
    return {"due": total.due, "on_time": total.on_time, "late": total.late}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
    import django

    django.setup()
    modes: dict[str, Any] = {
        "setup": setup,
        "report": report,
        "enqueue": enqueue,
        "directive": directive,
        "complete": complete,
        "on_time": on_time,
    }
    if not argv or argv[0] not in modes:
        raise SystemExit("usage: world_process " + "|".join(modes))
    sys.stdout.write(json.dumps(modes[argv[0]](*argv[1:]), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])

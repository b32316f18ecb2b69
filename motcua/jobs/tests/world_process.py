"""A small program for the worker-process tests (like ``dossiers.tests.concurrency_worker``);
prints one JSON line. The database comes from the environment, as for ``motcua worker``.

python -m motcua.jobs.tests.world_process setup     migrate, build the digest world: its codes
python -m motcua.jobs.tests.world_process report    what the jobs recorded, and the ids
python -m motcua.jobs.tests.world_process enqueue CODE DAY N   enqueue a unit's digest N times
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


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
    import django

    django.setup()
    modes: dict[str, Any] = {"setup": setup, "report": report, "enqueue": enqueue}
    if not argv or argv[0] not in modes:
        raise SystemExit("usage: world_process setup|report|enqueue CODE DAY N")
    sys.stdout.write(json.dumps(modes[argv[0]](*argv[1:]), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])

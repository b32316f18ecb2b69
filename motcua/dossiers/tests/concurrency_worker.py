"""One OS process of the concurrency tests (``test_concurrency.py``); prints one JSON line.

python -m motcua.dossiers.tests.concurrency_worker setup
python -m motcua.dossiers.tests.concurrency_worker receive --count 10 --ready R --go G
python -m motcua.dossiers.tests.concurrency_worker act CODE ACTION --version 2 --ready R --go G
python -m motcua.dossiers.tests.concurrency_worker report

The database comes from the environment, as for the real command: ``MOTCUA_DATA_DIR`` (the
SQLite file with the project's WAL/IMMEDIATE options) or ``DATABASE_URL`` (PostgreSQL).
``--ready``/``--go`` are files: the process writes the first once Django is up, then waits
for the second, so every process starts its writes at the same moment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2024, 1, 2, 8, 0, tzinfo=TZ)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
    import django

    django.setup()


def _wait(ready: str | None, go: str | None) -> None:
    if ready:
        Path(ready).write_text("ready")
    if go:
        deadline = time.monotonic() + 60
        while not Path(go).exists():
            if time.monotonic() > deadline:
                raise SystemExit("no go signal within 60 s")
            time.sleep(0.005)


def setup() -> dict:
    """Migrate and create a minimal world: a city, its desk, a department, a procedure, staff."""
    from django.core.management import call_command

    from motcua.accounts.choices import Role
    from motcua.accounts.services import role_grant, user_create_or_update
    from motcua.catalog.models import Field, Procedure, ProcedureVersion
    from motcua.units.models import AdministrativeUnit, Agency

    call_command("migrate", verbosity=0)
    province = AdministrativeUnit.objects.create(code="06", name="Tỉnh Bắc Kạn", kind="province")
    city = AdministrativeUnit.objects.create(
        code="058", name="Thành phố Bắc Kạn", kind="city", parent=province
    )
    desk = Agency.objects.create(
        code="BPMC-058",
        name="Bộ phận Một cửa thành phố",
        kind="one_stop",
        unit=city,
        electronic_code="000.00.58.H06",
    )
    justice = Agency.objects.create(
        code="PTP-058", name="Phòng Tư pháp", kind="department", unit=city
    )
    ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(code="1.000001"),
        version=1,
        valid_from=date(2023, 1, 1),
        name="Chứng thực hợp đồng, giao dịch",
        field=Field.objects.create(code="DATDAI", name="Đất đai"),
        level="district",
        competent_agency=justice,
        time_limit=5,
        time_limit_unit="working_days",
        online_level="partial",
    )
    for username, role, agency in (
        ("clerk", Role.CLERK, desk),
        ("officer", Role.OFFICER, justice),
    ):
        user = user_create_or_update(username=username, full_name=username.title())
        role_grant(user=user, role=role, unit=city, agency=agency)
    return {"ok": True}


def receive(count: int, ready: str | None, go: str | None) -> dict:
    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.choices import Channel
    from motcua.dossiers.services import Applicant, dossier_create
    from motcua.units.models import Agency

    clerk = User.objects.get(username="clerk")
    desk = Agency.objects.get(code="BPMC-058")
    procedure = ProcedureVersion.objects.get(procedure__code="1.000001")
    _wait(ready, go)
    codes = []
    for n in range(count):
        created = dossier_create(
            procedure=procedure,
            receiving_agency=desk,
            channel=Channel.DIRECT,
            applicant=Applicant(name=f"Người nộp {os.getpid()}-{n}"),
            actor=clerk,
            at=START + timedelta(minutes=n),
        )
        codes.append(created.dossier.code)
    return {"codes": codes}


def act(code: str, action: str, version: int, ready: str | None, go: str | None) -> dict:
    from motcua.accounts.models import User
    from motcua.dossiers.errors import DossierError
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_transition

    dossier = Dossier.objects.get(code=code)
    actor = User.objects.get(username="officer" if action == "approve" else "clerk")
    _wait(ready, go)
    try:
        dossier_transition(
            dossier_id=dossier.pk,
            action=action,
            actor=actor,
            as_applicant=action == "withdraw",
            expected_version=version,
            reason="" if action == "approve" else "Người nộp xin rút",
            at=START + timedelta(days=1),
        )
    except DossierError as error:
        return {"ok": False, "error": type(error).__name__, "message": str(error)}
    return {"ok": True}


def prepare(count: int) -> dict:
    """``count`` dossiers received and transferred, ready for a decision (version 2)."""
    from motcua.accounts.models import User
    from motcua.dossiers.services import dossier_transition

    codes = receive(count, None, None)["codes"]
    from motcua.dossiers.models import Dossier

    clerk = User.objects.get(username="clerk")
    for code in codes:
        dossier_transition(
            dossier_id=Dossier.objects.get(code=code).pk,
            action="transfer",
            actor=clerk,
            at=START + timedelta(hours=2),
        )
    return {"codes": codes}


def report() -> dict:
    from motcua.audit.services import audit_verify
    from motcua.dossiers.models import Dossier, DossierEvent

    return {
        "dossiers": {
            code: {"status": status, "version": version, "events": events}
            for code, status, version, events in (
                (d.code, d.status, d.version, d.events.count()) for d in Dossier.objects.all()
            )
        },
        "events": DossierEvent.objects.count(),
        "audit": [f"{p.ident}: {p.kind}" for p in audit_verify()],
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["setup", "receive", "prepare", "act", "report"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--version", type=int, default=0)
    parser.add_argument("--ready")
    parser.add_argument("--go")
    options = parser.parse_args(argv)
    _setup_django()
    if options.mode == "setup":
        result = setup()
    elif options.mode == "receive":
        result = receive(options.count, options.ready, options.go)
    elif options.mode == "prepare":
        result = prepare(options.count)
    elif options.mode == "act":
        code, action = options.args
        result = act(code, action, options.version, options.ready, options.go)
    else:
        result = report()
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])

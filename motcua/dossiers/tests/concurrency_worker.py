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
from datetime import datetime, timedelta
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
    from django.core.management import call_command

    from motcua.dossiers.tests.world import build_world

    call_command("migrate", verbosity=0)
    build_world()
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

"""A small program for the backup tests; prints one JSON line. The database and the storage
come from the environment (DATABASE_URL or MOTCUA_DATA_DIR, MOTCUA_STORAGE), as for the CLI.

python -m motcua.ops.tests.backup_world setup     migrate, build the dossier tests' world, six
    dossiers with a scan each and a few actions in 2024
python -m motcua.ops.tests.backup_world write     one more dossier, scan and action (the
    restored sequences continue)
python -m motcua.ops.tests.backup_world figures   what must survive a round trip: dossiers by
    status, events, the city's 2024 report, every stored file's SHA-256, the checks' problems
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from io import BytesIO
from typing import Any

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def setup() -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction

    from motcua.dossiers.choices import Action
    from motcua.dossiers.services import dossier_file_attach
    from motcua.dossiers.tests.world import build_world

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        world = build_world()
        for n in range(6):
            dossier = world.create(at=f"0{2 + n}/01/2024 08:00")
            dossier_file_attach(
                dossier_id=dossier.pk, upload=BytesIO(SCAN + bytes([n]) * n), name=f"scan-{n}.pdf"
            )
            if n % 3 == 1:
                world.take(dossier, Action.TRANSFER, f"0{2 + n}/01/2024 09:00", actor=world.clerk)
            if n % 3 == 2:
                world.take(
                    dossier, Action.WITHDRAW, f"0{2 + n}/01/2024 10:30", actor=world.clerk,
                    reason="Rút",
                )  # fmt: skip
    return figures()


def write() -> dict[str, Any]:
    """One more dossier with a scan and an action: every sequence restored continues."""
    from django.db import transaction

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.choices import Action
    from motcua.dossiers.services import dossier_file_attach
    from motcua.dossiers.tests.world import World
    from motcua.units.models import Agency

    world = World.__new__(World)  # only what create() and take() use
    world.procedure = ProcedureVersion.objects.get(procedure__code="1.000001")
    world.city_desk = Agency.objects.get(code="BPMC-058")
    world.clerk = User.objects.get(username="clerk")
    with transaction.atomic():
        dossier = world.create(at="15/01/2024 08:00")
        stored = dossier_file_attach(dossier_id=dossier.pk, upload=BytesIO(SCAN), name="new.pdf")
        world.take(dossier, Action.TRANSFER, "15/01/2024 09:00", actor=world.clerk)
    return {"code": dossier.code, "file": stored.pk}


def figures() -> dict[str, Any]:
    from django.db.models import Count

    from motcua.audit.services import audit_report
    from motcua.core.periods import parse_named_period
    from motcua.dossiers.models import Dossier, DossierFile
    from motcua.ops.backup import checks
    from motcua.reports.rendering import report_data
    from motcua.reports.selectors import report_for
    from motcua.units.models import AdministrativeUnit

    city = AdministrativeUnit.objects.get(code="058")
    files = []
    for row in DossierFile.objects.order_by("file"):
        with row.file.open("rb") as stream:
            files.append([row.file.name, hashlib.sha256(stream.read()).hexdigest(), row.sha256])
    return {
        "dossiers": dict(
            Dossier.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        ),
        "codes": sorted(Dossier.objects.values_list("code", flat=True)),
        "events": audit_report().events,
        "report": report_data(report_for(city, parse_named_period("year:2024")))["figures"],
        "files": files,
        "problems": checks(),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    if os.environ.get("MOTCUA_DATA_DIR"):
        os.makedirs(os.environ["MOTCUA_DATA_DIR"], exist_ok=True)
    import django

    django.setup()
    action = sys.argv[1]
    print(json.dumps({"setup": setup, "figures": figures, "write": write}[action](), default=str))

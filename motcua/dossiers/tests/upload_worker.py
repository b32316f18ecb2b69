"""One OS process of the upload crash tests (``test_upload_files.py``); prints one JSON line.

python -m motcua.dossiers.tests.upload_worker attach --ready R   (then waits to be killed)
python -m motcua.dossiers.tests.upload_worker attach --commit

``attach`` receives a dossier and attaches a PDF scan in one transaction, as the portal does.
With ``--ready`` it writes R once the file is written, before the commit, and sleeps: the
test kills it with SIGKILL there (the issue's "kill -9 mid-submission"). With ``--commit``
it commits and reports the stored name. The database and the media folder come from the
environment (``MOTCUA_DATA_DIR``, ``DATABASE_URL``), as for the real command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from io import BytesIO
from pathlib import Path

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(ready: str | None) -> dict:
    from django.db import transaction

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.choices import Channel
    from motcua.dossiers.services import Applicant, dossier_create, dossier_file_attach
    from motcua.units.models import Agency

    with transaction.atomic():
        created = dossier_create(
            procedure=ProcedureVersion.objects.get(procedure__code="1.000001"),
            receiving_agency=Agency.objects.get(code="BPMC-058"),
            channel=Channel.DIRECT,
            applicant=Applicant(name=f"Người nộp {os.getpid()}"),
            actor=User.objects.get(username="clerk"),
        )
        stored = dossier_file_attach(
            dossier_id=created.dossier.pk, upload=BytesIO(PDF), name="to-khai.pdf"
        )
        if ready:
            # Written whole, then named: the test waits for the name to exist and may kill
            # this process at once, so it must never see the file created but still empty.
            partial = Path(f"{ready}.partial")
            partial.write_text(stored.file.name)
            partial.replace(ready)
            while True:  # killed here, before the commit
                time.sleep(1)
    return {"name": stored.file.name}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["attach"])
    parser.add_argument("--ready")
    parser.add_argument("--commit", action="store_true")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
    import django

    django.setup()
    print(json.dumps(attach(options.ready)))


if __name__ == "__main__":
    main(sys.argv[1:])

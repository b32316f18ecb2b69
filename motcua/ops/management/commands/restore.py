"""``motcua restore FILE``: restore a ``motcua backup`` archive into an empty database and an
empty file storage (motcua.ops.backup; docs/deployment.md, "Backups and restore").

DATABASE_URL=postgresql://…/motcua_new motcua restore /var/backups/motcua/2026-12-03.tar

Refuses, changing nothing, a database or storage that is not empty, an archive whose members
do not match their hashes, or a PostgreSQL backup into SQLite. A SQLite backup restores into
PostgreSQL. Afterwards the files are compared with the hashes their rows recorded and the
chain and ledger checks run (``audit verify``, ``report verify``). Exit 0 when everything
holds, 1 when the restore finished but a check found problems (listed), 2 when refused.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_number
from motcua.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and storage, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive written by `motcua backup`")
        parser.add_argument("--lang", default="vi", help="vi (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or "vi"
        if lang not in ("vi", "en"):
            raise CommandError(f"--lang: {lang!r} is not vi or en")
        with translation.override(lang):
            try:
                done = restore(Path(options["file"]), say=self.stdout.write)
            except BackupError as error:
                raise CommandError(str(error), returncode=2) from None
            self.stdout.write(
                _("Restored the %(engine)s backup of %(moment)s: %(files)s files (%(bytes)s "
                  "bytes).")
                % {"engine": done.engine, "moment": done.manifest.get("created_at", ""),
                   "files": format_number(done.files), "bytes": format_number(done.file_bytes)}
            )  # fmt: skip
            for problem in done.problems:
                self.stderr.write(problem)
            if done.problems:
                self.stderr.write(
                    _("%(n)s problems found after the restore.")
                    % {"n": format_number(len(done.problems))}
                )
                sys.exit(1)
            self.stdout.write(_("Every hash, the event chains and the ledger check out."))

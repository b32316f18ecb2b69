"""``motcua backup FILE``: one tar archive of the database, every stored file and a manifest of
their hashes (motcua.ops.backup; docs/deployment.md, "Backups and restore").

motcua backup /var/backups/motcua/2026-12-03.tar
motcua backup FILE --lang en

Exit 0 when the archive is complete and every file matched its recorded hash; 1 when the
archive was written but some file was missing or altered (named on standard error); 2 (a
command error) when nothing was written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_number
from motcua.ops.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write one archive of the database and every stored file, with a manifest of hashes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive to write (must not exist)")
        parser.add_argument("--lang", default="vi", help="vi (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or "vi"
        if lang not in ("vi", "en"):
            raise CommandError(f"--lang: {lang!r} is not vi or en")
        with translation.override(lang):
            path = Path(options["file"])
            if not path.parent.is_dir():
                raise CommandError(
                    _("file: the folder %(folder)s does not exist") % {"folder": path.parent}
                )
            try:
                done = backup_write(path, say=self.stdout.write)
            except BackupError as error:
                raise CommandError(str(error), returncode=2) from None
            self.stdout.write(
                _("Backup written to %(path)s: the %(engine)s database and %(files)s files "
                  "(%(bytes)s bytes).")
                % {"path": path, "engine": done.engine, "files": format_number(done.files),
                   "bytes": format_number(done.file_bytes)}
            )  # fmt: skip
            for problem in done.problems:
                self.stderr.write(problem)
            if done.problems:
                sys.exit(1)

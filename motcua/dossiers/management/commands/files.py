"""``motcua files clean [--hours N] [--all]``: the upload janitor by hand.

Moves into place the uploads whose row committed but whose move was lost, removes pending
uploads with no row and files no row names, all older than the grace period
(``MOTCUA_UPLOAD_JANITOR_HOURS``, or ``--hours``). The worker runs the same every day.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_number
from motcua.lib.janitor import files_clean, grace_hours


class Command(BaseCommand):
    help = "Uploaded files: clean what crashes left (pending files, files without a row)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        clean = sub.add_parser("clean", help="move or remove leftover uploads")
        clean.add_argument("--hours", help="grace period in hours (default: the setting)")
        clean.add_argument(
            "--all",
            action="store_true",
            help="list every upload folder, not only the recent months' (lib.janitor)",
        )
        clean.add_argument("--lang", default="vi", help="vi (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or "vi"
        if lang not in ("vi", "en"):
            raise CommandError(f"--lang: {lang!r} is not vi or en")
        with translation.override(lang):
            hours = grace_hours()
            if options.get("hours") is not None:
                text = str(options["hours"]).strip()
                if not text.isdigit() or len(text) > 6:
                    raise CommandError(
                        _("--hours: %(value)r is not a whole number of hours")
                        % {"value": text[:40]}
                    )
                hours = int(text)
            done = files_clean(hours=hours, full=bool(options.get("all")))
            self.stdout.write(
                _(
                    "Uploads older than %(hours)s hours: %(moved)s moved into place, "
                    "%(pending)s pending removed, %(orphans)s without a row removed."
                )
                % {
                    "hours": format_number(hours),
                    "moved": format_number(done.pending_moved),
                    "pending": format_number(done.pending_removed),
                    "orphans": format_number(done.orphans_removed),
                }
            )

"""``motcua digitise run FILE_ID [--again]`` / ``motcua digitise pending`` (docs/digitise.md).

``run`` digitises one component scan now, in this process (queuing it first if needed): it
prints the status, the checks and the reason, and exits 1 unless the digitisation is done.
``pending`` queues every component scan that has no digitisation yet, for the worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.digitise.choices import Status
from motcua.digitise.errors import DigitiseError
from motcua.digitise.models import Digitisation
from motcua.digitise.services import (
    digitisation_pending_request,
    digitisation_request,
    digitisation_run,
)


def _file_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18 or int(text) == 0:
        raise CommandError(_("FILE_ID: “%(value)s” is not a file number") % {"value": text[:40]})
    return int(text)


class Command(BaseCommand):
    help = "Digitise component scans: run one now, or queue those never digitised."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="digitise one component scan now")
        run.add_argument("file_id", metavar="FILE_ID", help="the dossier file's number")
        run.add_argument(
            "--again", action="store_true", help="queue a rejected or failed one again first"
        )
        sub.add_parser("pending", help="queue every component scan without a digitisation")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "pending":
            queued = digitisation_pending_request()
            self.stdout.write(_("%(count)d file(s) queued") % {"count": len(queued)})
            return
        file_id = _file_id(options["file_id"])
        try:
            digitisation = digitisation_request(file_id=file_id, again=options["again"])
        except DigitiseError as error:
            raise CommandError(f"FILE_ID: {error.message}") from None
        if digitisation.status == Status.QUEUED:
            digitisation = digitisation_run(digitisation_id=digitisation.pk)
        self._report(digitisation)
        if digitisation.status != Status.DONE:
            raise CommandError(digitisation.reason or digitisation.get_status_display())

    def _report(self, d: Digitisation) -> None:
        def shown(value: object) -> str:
            return "—" if value is None else str(value)

        self.stdout.write(f"{_('Status')}: {d.get_status_display()}")
        self.stdout.write(f"{_('Pages')}: {shown(d.pages)}")
        self.stdout.write(f"{_('Lowest resolution')}: {shown(d.lowest_dpi)} dpi")
        self.stdout.write(f"{_('Colour')}: {shown(d.colour)}")
        self.stdout.write(f"{_('Text found')}: {shown(d.text_found)}")
        if d.signed_by:
            self.stdout.write(f"{_('Signed by')}: {d.signed_by}")
        for suggestion in d.suggestions.all():
            mark = "✓" if suggestion.valid else "✗"
            self.stdout.write(f"{mark} {suggestion.get_kind_display()}: {suggestion.value}")
        if d.reason and d.status == Status.DONE:
            self.stdout.write(d.reason)

"""``motcua audit``: check the tamper-evident dossier history.

motcua audit verify              walk every event; exit 0 when the chains hold, 1 otherwise
motcua audit verify --lang en
motcua audit checkpoint          sign every dossier's chain tip (cron, or the worker's job)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.audit.services import audit_checkpoint, audit_report
from motcua.lib.formatting import format_count


def kind_label(kind: str) -> str:
    return {
        "edited": _("edited"),
        "missing": _("missing (deleted)"),
        "inserted": _("inserted"),
        "reordered": _("reordered"),
    }.get(kind, kind)


class Command(BaseCommand):
    help = "Audit the dossier history: verify the hash chains of every event."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="walk every event and name each broken link")
        verify.add_argument("--lang", default="vi", help="vi (default) or en")
        checkpoint = sub.add_parser("checkpoint", help="sign every dossier's chain tip")
        checkpoint.add_argument("--lang", default="vi", help="vi (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or "vi"
        if lang not in ("vi", "en"):
            raise CommandError(f"--lang: {lang!r} is not vi or en")
        with translation.override(lang):
            if options["action"] == "checkpoint":
                taken = audit_checkpoint()
                self.stdout.write(
                    _("Checkpoint %(hash)s: %(n)s dossiers signed")
                    % {"hash": taken.hash[:16], "n": format_count(taken.dossiers)}
                )
                return
            report = audit_report()
            if not report.problems:
                self.stdout.write(
                    _("Integrity: %(n)s events, chain valid") % {"n": format_count(report.events)}
                )
                return
            for problem in report.problems:
                self.stdout.write(f"{problem.ident}: {kind_label(problem.kind)} — {problem.detail}")
            raise CommandError(
                _("Integrity: %(n)s events, %(p)s problems")
                % {"n": format_count(report.events), "p": format_count(len(report.problems))},
                returncode=1,
            )

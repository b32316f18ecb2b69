"""``motcua directives``: the steering committee's directives from the command line.

motcua directives list --unit 058 [--overdue] [--at "dd/mm/yyyy HH:MM"]
motcua directives export FILE.xlsx --unit 058 [--overdue] [--at ...]
motcua directives remind [--at "dd/mm/yyyy HH:MM"]        # directive_reminders_send
motcua directives create --user U --meeting ID --text T (--agency CODE | --unit CODE)
                         --head NAME [--head-user U] (--days N | --deadline dd/mm/yyyy)
motcua directives update ID --user U --status in_progress|done --note T --version N
                         [--evidence FILE]
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.directives import selectors, services
from motcua.directives.choices import DirectiveStatus
from motcua.directives.errors import DirectiveError
from motcua.directives.models import Meeting
from motcua.directives.xlsx import write_directives
from motcua.lib.formatting import format_count, format_datetime
from motcua.lib.parsing import parse_date, parse_moment
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_versions


class Command(BaseCommand):
    help = "Meetings' directives: list, export to XLSX, send reminders, create, update."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        listing = actions.add_parser("list", help="a unit's directives (or only overdue ones)")
        listing.add_argument("--unit", help="unit code, e.g. 058")
        listing.add_argument("--overdue", action="store_true", help="only overdue ones")
        listing.add_argument("--at", help="the moment, dd/mm/yyyy HH:MM (default: now)")

        export = actions.add_parser("export", help="a unit's directives as an XLSX file")
        export.add_argument("file", help="the .xlsx file to write")
        export.add_argument("--unit", help="unit code, e.g. 058")
        export.add_argument("--overdue", action="store_true", help="only overdue ones")
        export.add_argument("--at", help="the moment, dd/mm/yyyy HH:MM (default: now)")

        remind = actions.add_parser("remind", help="e-mail today's reminders (once a day)")
        remind.add_argument("--at", help="the moment, dd/mm/yyyy HH:MM (default: now)")

        create = actions.add_parser("create", help="assign a conclusion of a meeting")
        create.add_argument("--user", help="who assigns it (user name)")
        create.add_argument("--meeting", type=int, help="the meeting's number (id)")
        create.add_argument("--text", help="the conclusion")
        create.add_argument("--agency", help="the assigned agency's code, e.g. PNV-058")
        create.add_argument("--unit", help="or the assigned unit's code, e.g. 01840")
        create.add_argument("--head", default="", help="the responsible head (name, position)")
        create.add_argument("--head-user", dest="head_user", help="the head's user name")
        create.add_argument("--days", type=int, help="working days after the meeting")
        create.add_argument("--deadline", help="or the deadline, dd/mm/yyyy")

        update = actions.add_parser("update", help="report progress or completion")
        update.add_argument("id", type=int, help="the directive's number (id)")
        update.add_argument("--user", help="who reports (user name)")
        update.add_argument("--status", help="in_progress or done")
        update.add_argument("--note", default="", help="what was done")
        update.add_argument("--version", type=int, help="the version read (see list)")
        update.add_argument("--evidence", help="a PDF, JPEG or PNG file")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "list":
                self._list(options)
            elif action == "export":
                self._export(options)
            elif action == "remind":
                sent = services.directive_reminders_send(at=self._at(options))
                self.stdout.write(_("%(n)s reminders sent.") % {"n": format_count(sent)})
            elif action == "create":
                self._create(options)
            else:
                self._update(options)
        except DirectiveError as error:
            place = f"--{error.field.replace('_', '-')}: " if error.field else ""
            raise CommandError(f"{place}{error.message}") from None

    # -- parsing -------------------------------------------------------------------------

    def _at(self, options: dict[str, Any]) -> datetime:
        text = options.get("at")
        if not text:
            return timezone.now()
        try:
            return parse_moment(text, LOCAL_TZ)
        except ValueError:
            raise CommandError(
                _("--at: %(value)r is not a date and time (dd/mm/yyyy HH:MM)") % {"value": text}
            ) from None

    def _unit(self, code: str | None, option: str = "--unit") -> AdministrativeUnit:
        if not code:
            raise CommandError(
                _("%(option)s: the unit's code is required, e.g. %(option)s 058")
                % {"option": option}
            )
        versions = list(unit_versions(code))
        if not versions:
            raise CommandError(
                _("%(option)s: no unit has the code %(code)r") % {"option": option, "code": code}
            )
        return versions[-1]

    def _user(self, name: str | None) -> User:
        if not name:
            raise CommandError(_("--user: who acts is required (a user name)"))
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(_("--user: no active user %(name)r") % {"name": name})
        return user

    # -- actions -------------------------------------------------------------------------

    def _directives(self, options: dict[str, Any]) -> Any:
        unit = self._unit(options["unit"])
        at = self._at(options)
        directives = selectors.directives_of_unit(unit)
        if options["overdue"]:
            return unit, at, selectors.directives_overdue(at=at, directives=directives)
        return unit, at, directives.order_by("deadline", "pk")

    def _list(self, options: dict[str, Any]) -> None:
        unit, at, directives = self._directives(options)
        count = 0
        for directive in directives:
            count += 1
            assignee = directive.agency.name if directive.agency else directive.unit.name
            state = selectors.timeliness(directive, at)
            self.stdout.write(
                f"#{directive.pk} v{directive.version} · "
                f"{directive.meeting.held_on:%d/%m/%Y} ({directive.number}) · {assignee} · "
                f"{format_datetime(directive.deadline.astimezone(LOCAL_TZ))} · "
                f"{DirectiveStatus(directive.status).label} · {state.label}\n    {directive.text}"
            )
        self.stdout.write(
            _("%(n)s directives of %(unit)s at %(at)s")
            % {
                "n": format_count(count),
                "unit": unit.name,
                "at": format_datetime(at.astimezone(LOCAL_TZ)),
            }
        )

    def _export(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if path.suffix.lower() != ".xlsx" or not path.parent.resolve().is_dir():
            raise CommandError(
                _("%(path)s is not a .xlsx file in an existing folder") % {"path": path}
            )
        unit, at, directives = self._directives(options)
        rows = write_directives(str(path), directives, scope=unit.name, at=at)
        self.stdout.write(
            _("%(n)s directives written to %(path)s") % {"n": format_count(rows), "path": path}
        )

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        if options["meeting"] is None:
            raise CommandError(_("--meeting: the meeting's id is required"))
        meeting = Meeting.objects.select_related("unit").filter(pk=options["meeting"]).first()
        if meeting is None:
            raise CommandError(_("--meeting: no meeting %(id)s") % {"id": options["meeting"]})
        agency = None
        unit = None
        if options["agency"]:
            agency = Agency.objects.select_related("unit").filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(_("--agency: no agency %(code)r") % {"code": options["agency"]})
        elif options["unit"]:
            unit = self._unit(options["unit"])
        head_user = None
        if options["head_user"]:
            head_user = User.objects.filter(username=options["head_user"]).first()
            if head_user is None:
                raise CommandError(
                    _("--head-user: no user %(name)r") % {"name": options["head_user"]}
                )
        deadline_day = None
        if options["deadline"]:
            try:
                deadline_day = parse_date(options["deadline"])
            except ValueError:
                raise CommandError(
                    _("--deadline: %(value)r is not a date (dd/mm/yyyy)")
                    % {"value": options["deadline"]}
                ) from None
        directive = services.directive_create(
            actor=user,
            meeting=meeting,
            text=options["text"] or "",
            unit=unit,
            agency=agency,
            head_name=options["head"],
            head_user=head_user,
            working_days=options["days"],
            deadline_day=deadline_day,
        )
        self.stdout.write(
            _("Directive #%(id)s assigned, deadline %(deadline)s")
            % {
                "id": directive.pk,
                "deadline": format_datetime(directive.deadline.astimezone(LOCAL_TZ)),
            }
        )

    def _update(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        if options["version"] is None:
            raise CommandError(_("--version: the version you read is required (see list)"))
        evidence_path = options["evidence"]
        handle = None
        if evidence_path:
            path = Path(evidence_path)
            if not path.is_file():
                raise CommandError(_("--evidence: no file %(path)s") % {"path": path})
            handle = path.open("rb")
        try:
            update = services.directive_update(
                actor=user,
                directive_id=options["id"],
                status=options["status"] or "",
                note=options["note"],
                expected_version=options["version"],
                evidence=File(handle, name=Path(evidence_path).name) if handle else None,
            )
        finally:
            if handle is not None:
                handle.close()
        self.stdout.write(
            _("Directive #%(id)s is now %(status)s")
            % {"id": options["id"], "status": DirectiveStatus(update.to_status).label}
        )

"""``motcua dossiers``: the clerk's desk in a terminal (Vietnamese output; ``--lang en``).

motcua dossiers receive --user clerk --procedure 1.000001 --agency BPMC-058 --channel direct \\
    --name "Nguyễn Văn An" --id-number 006190012345 --phone 0912345678 \\
    --component "Tờ khai [1/0/0]*" --component "Bản sao CCCD [0/1/0]" --at "02/01/2024 08:00"
motcua dossiers transition 000.00.58.H06-240102-0001 transfer --user clerk --version 1
motcua dossiers transition 000.00.58.H06-240102-0001 approve --user officer
motcua dossiers show 000.00.58.H06-240102-0001 --user clerk
motcua dossiers queue --user officer --due overdue
motcua dossiers import FILE.jsonl / motcua dossiers export [FILE]   (see history_cli)

Every write goes through ``dossiers.services`` (one write path) and every read through
``dossiers.access`` (a dossier outside the user's units answers exactly like a missing one).
A bad option is refused with a message naming it, before anything is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from motcua.accounts.access import user_can_act
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.catalog.fileformat import COMPONENT_RE
from motcua.catalog.selectors import procedure_in_force
from motcua.clock import rendering
from motcua.clock.selectors import calendar_for
from motcua.core import clock as core_clock
from motcua.core import workflow
from motcua.dossiers.access import dossier_get_for_user, dossier_list_for_user
from motcua.dossiers.choices import (
    Action,
    ApplicantKind,
    Channel,
    Outcome,
    ResultForm,
    ReturnMethod,
    Status,
    Timeliness,
)
from motcua.dossiers.errors import DossierError
from motcua.dossiers.management.history_cli import add_import_export, handle_import_export
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import DueSoon, due_soon_q, due_windows_for_user, overdue_q
from motcua.dossiers.services import (
    Applicant,
    Component,
    Details,
    dossier_create,
    dossier_transition,
)
from motcua.feedback.choices import RatingLevel
from motcua.lib.formatting import format_count, format_money
from motcua.lib.parsing import parse_date, parse_moment
from motcua.lib.tablefile import clean_text
from motcua.lib.textcheck import forbidden_character
from motcua.payments.choices import PaymentMethod
from motcua.payments.selectors import fee_statement
from motcua.units.models import Agency

# Where a refused value came from, as the clerk typed it (service field -> option).
OPTION_FOR_FIELD = {
    "action": "ACTION",
    "code": "CODE",
    "version": "--version",
    "reason": "--reason",
    "actor": "--user",
    "to_agency": "--to-agency",
    "assignee": "--assignee",
    "amount": "--amount",
    "payment_method": "--method",
    "payment": "ACTION",
    "new_due_at": "--new-due",
    "signed_by": "--signed-by",
    "return_method": "--return-method",
    "rating": "--rating",
    "at": "--at",
    "received_at": "--at",
    "applicant_name": "--name",
    "applicant_id_number": "--id-number",
    "applicant_phone": "--phone",
    "applicant_email": "--email",
    "procedure": "--procedure",
    "receiving_agency": "--agency",
    "sets_count": "--sets",
    "components": "--component",
    "fee": "--fee",
}

DUE_FILTERS = ("today", "tomorrow", "overdue")


def _choice(value: str | None, choices: Any, option: str) -> Any:
    if value is None:
        return None
    text = value.strip().replace("-", "_")
    if text not in choices.values:
        raise CommandError(
            _("%(option)s: %(value)r is not one of %(allowed)s")
            % {"option": option, "value": value, "allowed": ", ".join(choices.values)}
        )
    return choices(text)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_moment(text, core_clock.LOCAL_TZ)
    except ValueError:
        raise CommandError(
            _("%(option)s: %(value)r is not a date and time like 24/01/2025 16:30")
            % {"option": option, "value": text}
        ) from None


def _amount(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    digits = text.strip().replace(".", "")
    if not digits.isdigit():
        raise CommandError(
            _("%(option)s: %(value)r is not an amount in đồng (write 50000 or 50.000)")
            % {"option": option, "value": text}
        )
    return int(digits)


def _component(text: str) -> Component:
    """``Tờ khai [1/0/0]`` (the catalogue's grammar); a trailing ``*`` marks it digitised."""
    part = clean_text(text)
    digitised = part.endswith("*")
    part = part.removesuffix("*").strip()
    match = COMPONENT_RE.match(part)
    if match:
        name, counts = clean_text(match["name"]), (int(match[2]), int(match[3]), int(match[4]))
    elif "[" in part or "]" in part:
        raise CommandError(
            _(
                "--component: %(value)r: write the copies as "
                "[originals/certified copies/photocopies]"
            )
            % {"value": text}
        )
    else:
        name, counts = part, (1, 0, 0)
    if not name:
        raise CommandError(_("--component: %(value)r has no name") % {"value": text})
    return Component(name, *counts, digitised=digitised)


# Options given as positional arguments, named as the usage line names them.
_POSITIONAL = {"code": "CODE", "action": "ACTION", "file": "FILE"}


def _check_text_options(options: dict[str, Any]) -> None:
    """Refuse NUL and lone surrogates in any text option, naming it.

    A shell cannot pass a NUL, but ``call_command`` and scripts can; a byte that is not UTF-8
    arrives as a lone surrogate (Python's surrogateescape). PostgreSQL refuses both with an
    error and SQLite stores them: the command refuses them first, the same on both.
    """
    for name, value in options.items():
        values = value if isinstance(value, list | tuple) else [value]
        for text in values:
            if name == "file" and isinstance(text, str) and "\x00" not in text:
                continue  # a path is not stored: a file name that is not UTF-8 may be opened
            problem = forbidden_character(text) if isinstance(text, str) else None
            if problem:
                option = _POSITIONAL.get(name) or "--" + name.replace("_", "-")
                raise CommandError(f"{option}: {problem}")


def _local(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return f"{timezone.localtime(moment, core_clock.LOCAL_TZ):%d/%m/%Y %H:%M}"


def _refused(error: DossierError) -> CommandError:
    option = OPTION_FOR_FIELD.get(error.field or "", error.field or "")
    return CommandError(f"{option}: {error.message}" if option else error.message)


def allowed_for_user(dossier: Dossier, user: User) -> list[tuple[workflow.Action, bool]]:
    """Actions the table allows now that ``user`` may take: (action, on the applicant's behalf).

    Mirrors the write path's scope rule: clerks act for the receiving agency's unit, officers
    and leaders for the unit of the agency handling the dossier.
    """
    status = workflow.Status(dossier.status)
    handling = dossier.current_agency or dossier.competent_agency or dossier.receiving_agency
    units = {
        workflow.Actor.CLERK: dossier.receiving_agency.unit,
        workflow.Actor.OFFICER: handling.unit,
        workflow.Actor.LEADER: handling.unit,
    }
    result = []
    for action in workflow.allowed_actions(status):
        rule = workflow.rule_for(status, action)
        staff = any(
            kind in rule.actors and user_can_act(user, Role(kind.value), unit)
            for kind, unit in units.items()
        )
        if staff:
            result.append((action, False))
        elif workflow.Actor.APPLICANT in rule.actors:
            result.append((action, True))
    return result


# -- show: the parts of ``motcua dossiers show``, each a list of output lines ----------------


def _applicant(dossier: Dossier) -> str:
    if dossier.applicant_kind == ApplicantKind.ORGANISATION:
        kind = pgettext("applicant", "organisation")
        return f"{dossier.applicant_name} ({kind})"
    return dossier.applicant_name


def _label(choices: Any, value: str) -> str:
    """The label of a choice, or "" for none."""
    return choices(value).label if value else ""


def _local_or_blank(moment: datetime | None) -> str:
    return _local(moment) if moment else ""


def _status_text(dossier: Dossier) -> str:
    status = workflow.Status(dossier.status)
    return _("%(status)s (DVCQG code %(code)s)") % {
        "status": Status(dossier.status).label,
        "code": workflow.EXTERNAL_STATUS[status].value,
    }


def _who_rows(dossier: Dossier) -> list[tuple[str, Any]]:
    """The dossier, who holds it and who applied."""
    version = dossier.procedure_version
    return [
        (_("Dossier code"), dossier.code),
        (_("Procedure"), f"{version.procedure.code} — {version.name}"),
        (_("Status"), _status_text(dossier)),
        (_("Receiving agency"), dossier.receiving_agency.name),
        (
            _("Competent agency"),
            dossier.competent_agency.name if dossier.competent_agency else "",
        ),
        (_("Current agency"), dossier.current_agency.name if dossier.current_agency else ""),
        (_("Current step"), dossier.current_step),
        (_("Assignee"), dossier.assignee.username if dossier.assignee else ""),
        (_("Applicant"), _applicant(dossier)),
        (_("Personal ID number"), dossier.applicant_id_number),
        (_("Phone"), dossier.applicant_phone),
        (_("E-mail"), dossier.applicant_email),
        (_("Address"), dossier.applicant_address),
        (_("Channel"), Channel(dossier.channel).label),
        (_("Number of sets"), format_count(dossier.sets_count)),
    ]


def _when_rows(dossier: Dossier) -> list[tuple[str, Any]]:
    """The dossier's moments and clock, its result and how it was returned."""
    return [
        (_("Submitted at"), _local(dossier.submitted_at)),
        (_("Received at"), _local(dossier.received_at)),
        (_("Due at (receipt)"), _local(dossier.due_at)),
        (_("Due at (pauses included)"), _local(dossier.effective_due_at)),
        (_("Re-appointed at"), _local_or_blank(dossier.reappointed_due_at)),
        (_("Clock stopped since"), _local_or_blank(dossier.paused_since)),
        (_("Supplement requests"), format_count(dossier.supplement_requests)),
        (_("Resolved at"), _local_or_blank(dossier.resolved_at)),
        (_("Outcome"), _label(Outcome, dossier.outcome)),
        (_("Reason for denial"), dossier.denial_reason),
        (_("Timeliness"), _label(Timeliness, dossier.timeliness)),
        (_("Result form"), _label(ResultForm, dossier.result_form)),
        (_("Returned at"), _local_or_blank(dossier.returned_at)),
        (_("Returned how"), _label(ReturnMethod, dossier.return_method)),
        (_("Version"), dossier.version),
    ]


def _fact_lines(dossier: Dossier) -> list[str]:
    """One "label: value" line for each fact the dossier has (empty ones are left out)."""
    rows = [*_who_rows(dossier), *_when_rows(dossier)]
    return [f"{label}: {value}" for label, value in rows if value not in ("", None)]


def _component_lines(dossier: Dossier) -> list[str]:
    components = list(dossier.components.all())
    if not components:
        return []
    lines = [_("Components:")]
    for c in components:
        mark = " *" + _("digitised") if c.digitised else ""
        lines.append(f"  - {c.name} [{c.originals}/{c.certified_copies}/{c.photocopies}]{mark}")
    return lines


def _fee_and_rating_lines(dossier: Dossier) -> list[str]:
    lines = [
        _("Fee: %(amount)s, paid %(paid)s — %(what)s")
        % {
            "amount": format_money(obligation.amount),
            "paid": format_money(obligation.paid),
            "what": obligation.description,
        }
        for obligation in fee_statement(dossier.pk).obligations
    ]
    rating = getattr(dossier, "rating", None)  # the reverse one-to-one raises when absent
    if rating is not None:
        lines.append(_("Rating: %(level)s") % {"level": RatingLevel(rating.level).label})
    return lines


def _timeline_lines(events: list[DossierEvent]) -> list[str]:
    lines = [_("Timeline:")]
    for event in events:
        move = str(Status(event.to_status).label)
        if event.from_status and event.from_status != event.to_status:
            move = f"{Status(event.from_status).label} → {move}"
        label = str(Action(event.action).label)
        line = f"  #{event.seq} {_local(event.at)}  {label}  {move}  ({event.actor_name})"
        if event.reason:
            line += f" — {event.reason}"
        lines.append(line)
    return lines


def _control_sheet_lines(events: list[DossierEvent]) -> list[str]:
    """Form 05: one row per transfer and hand-over."""
    sheet = [e for e in events if e.action in (Action.TRANSFER, Action.HAND_OVER)]
    if not sheet:
        return []
    lines = [_("Control sheet (form 05):")]
    for event in sheet:
        changes = event.data.get("changes", {})
        lines.append(
            "  "
            + _("%(at)s: %(from)s (%(by)s) → %(to)s, %(who)s, step: %(step)s")
            % {
                "at": _local(event.at),
                "from": event.data.get("from_agency") or "—",
                "by": event.data.get("deliverer") or "—",
                "to": changes.get("current_agency") or "—",
                "who": changes.get("assignee") or "—",
                "step": changes.get("current_step") or "—",
            }
        )
    return lines


def _next_actions_line(dossier: Dossier, user: User) -> str:
    allowed = allowed_for_user(dossier, user)
    if not allowed:
        return _("Next actions: none")
    applicant = ", " + _("as the applicant")
    names = [
        f"{a.value} ({Action(a.value).label}{applicant if for_applicant else ''})"
        for a, for_applicant in allowed
    ]
    return _("Next actions: %(list)s") % {"list": "; ".join(names)}


class Command(BaseCommand):
    help = "Dossiers at the one-stop desk: receive, transition, show, queue."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)

        def common(command: CommandParser) -> None:
            command.add_argument("--user", required=True, help="who acts (username)")
            command.add_argument("--lang", default="vi", help="vi (default) or en")

        receive = sub.add_parser("receive", help="receive a dossier at the counter (form 01)")
        common(receive)
        receive.add_argument("--procedure", required=True, help="procedure code")
        receive.add_argument("--agency", required=True, help="receiving agency code")
        receive.add_argument("--channel", required=True, help="direct | postal | online")
        receive.add_argument("--name", required=True, help="applicant's full name")
        receive.add_argument("--kind", default="person", help="person | organisation")
        receive.add_argument("--id-number", dest="id_number", default="")
        receive.add_argument("--birth-date", dest="birth_date", help="dd/mm/yyyy")
        receive.add_argument("--phone", default="")
        receive.add_argument("--email", default="")
        receive.add_argument("--address", default="")
        receive.add_argument(
            "--component",
            action="append",
            default=[],
            help='"Tờ khai [1/0/0]" (originals/certified/photocopies); "*" suffix: digitised',
        )
        receive.add_argument("--sets", default="1", help="number of sets")
        receive.add_argument("--summary", default="", help="the matter requested")
        receive.add_argument("--fee", help="fee owed in đồng (default: the catalogue's)")
        receive.add_argument("--at", help='"dd/mm/yyyy HH:MM" (default: now)')

        move = sub.add_parser("transition", help="take an action of the lifecycle table")
        move.add_argument("code", metavar="CODE")
        move.add_argument("action", metavar="ACTION")
        common(move)
        move.add_argument(
            "--applicant", action="store_true", help="record it as the applicant's own act"
        )
        move.add_argument("--reason", default="")
        move.add_argument("--version", help="the version you read (refused if it changed)")
        move.add_argument("--to-agency", dest="to_agency", help="agency code")
        move.add_argument("--assignee", help="username")
        move.add_argument("--step", default="")
        move.add_argument("--amount", help="đồng")
        move.add_argument("--method", help=" | ".join(PaymentMethod.values))
        move.add_argument("--reference", default="")
        move.add_argument("--new-due", dest="new_due", help='"dd/mm/yyyy HH:MM"')
        move.add_argument("--signed-by", dest="signed_by", default="")
        move.add_argument("--return-method", dest="return_method", help="counter | post | online")
        move.add_argument("--result-form", dest="result_form", help="paper | electronic")
        move.add_argument("--result-digitised", dest="result_digitised", action="store_true")
        move.add_argument("--e-certified", dest="e_certified", action="store_true")
        move.add_argument("--rating", help=" | ".join(RatingLevel.values))
        move.add_argument("--at", help='"dd/mm/yyyy HH:MM" (default: now)')

        show = sub.add_parser("show", help="a dossier: facts, timeline, control sheet, next")
        show.add_argument("code", metavar="CODE")
        common(show)

        queue = sub.add_parser("queue", help="dossiers to handle, by effective due moment")
        common(queue)
        queue.add_argument("--status", help="a status (default: every one not finished)")
        queue.add_argument("--due", help="today | tomorrow | overdue")
        queue.add_argument("--at", help='"now" for --due, "dd/mm/yyyy HH:MM" (default: now)')

        add_import_export(sub)  # import FILE.jsonl, export: whole histories (history_cli)

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or "vi"
        if lang not in ("vi", "en"):
            raise CommandError(f"--lang: {lang!r} is not vi or en")
        command = options["command"]
        with translation.override(lang):
            _check_text_options(options)
            if options.get("history_action"):
                handle_import_export(self, options)  # all-or-nothing on its own
                return
            handler = getattr(self, "_" + command.replace("-", "_"), None)
            if handler is None:
                raise CommandError(f"unknown subcommand {command!r}")
            try:
                with transaction.atomic():
                    handler(options)
            except DossierError as error:
                raise _refused(error) from None

    # -- helpers ------------------------------------------------------------------------------

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username.strip()).first()
        if user is None:
            raise CommandError(_("--user: no user %(name)r") % {"name": username})
        return user

    def _agency(self, code: str, option: str) -> Agency:
        agency = Agency.objects.select_related("unit").filter(code=code.strip()).first()
        if agency is None:
            raise CommandError(
                _("%(option)s: no agency has the code %(code)r") % {"option": option, "code": code}
            )
        return agency

    def _out(self, line: str = "") -> None:
        self.stdout.write(line)

    # -- receive ------------------------------------------------------------------------------

    def _receive(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        channel = _choice(options["channel"], Channel, "--channel")
        kind = _choice(options["kind"], ApplicantKind, "--kind")
        at = _moment(options["at"], "--at") or timezone.now().astimezone(core_clock.LOCAL_TZ)
        agency = self._agency(options["agency"], "--agency")
        procedure = procedure_in_force(options["procedure"].strip(), at.date())
        if procedure is None:
            raise CommandError(
                _("--procedure: no procedure %(code)r is in force on %(day)s")
                % {"code": options["procedure"], "day": f"{at:%d/%m/%Y}"}
            )
        birth = None
        if options["birth_date"]:
            try:
                birth = parse_date(options["birth_date"])
            except ValueError:
                raise CommandError(
                    _("--birth-date: %(value)r is not a date (dd/mm/yyyy)")
                    % {"value": options["birth_date"]}
                ) from None
        sets = options["sets"].strip()
        if not sets.isdigit():
            raise CommandError(_("--sets: %(value)r is not a whole number") % {"value": sets})
        components = [_component(text) for text in options["component"]]
        created = dossier_create(
            procedure=procedure,
            receiving_agency=agency,
            channel=channel,
            applicant=Applicant(
                name=options["name"],
                kind=kind,
                id_number=options["id_number"],
                birth_date=birth,
                phone=options["phone"],
                email=options["email"],
                address=options["address"],
            ),
            components=components,
            sets_count=int(sets),
            summary=options["summary"],
            fee=_amount(options["fee"], "--fee"),
            actor=None if channel == Channel.ONLINE else user,
            at=at,
        )
        dossier = created.dossier
        self._out(_("Dossier code: %(code)s") % {"code": dossier.code})
        self._out(_("Status: %(status)s") % {"status": Status(dossier.status).label})
        for warning in created.warnings:
            self._out(_("Warning: %(text)s") % {"text": warning})
        if dossier.received_at is None:
            self._out(
                _("Submitted online at %(at)s: the one-stop section checks it before receipt")
                % {"at": _local(dossier.submitted_at)}
            )
            return
        self._out(_("Received at: %(at)s") % {"at": _local(dossier.received_at)})
        self._out(_("Due at: %(at)s") % {"at": _local(dossier.due_at)})
        amount, unit = procedure.time_limit_for(online=False)
        explanation = calendar_for(agency=agency).explain_due(
            dossier.submitted_at, amount, unit, submitted=True
        )
        for line in rendering.explanation_lines(explanation):
            self._out("  " + line)

    # -- transition ---------------------------------------------------------------------------

    def _transition(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        dossier = dossier_get_for_user(user=user, code=options["code"])
        action_text = options["action"].strip().replace("-", "_")
        if action_text not in {a.value for a in workflow.Action}:
            raise CommandError(
                _("ACTION: %(value)r is not one of %(allowed)s")
                % {
                    "value": options["action"],
                    "allowed": ", ".join(a.value for a in workflow.Action),
                }
            )
        version = None
        if options["version"] is not None:
            if not options["version"].strip().isdigit():
                raise CommandError(
                    _("--version: %(value)r is not a whole number") % {"value": options["version"]}
                )
            version = int(options["version"])
        assignee = None
        if options["assignee"]:
            assignee = User.objects.filter(username=options["assignee"].strip()).first()
            if assignee is None:
                raise CommandError(
                    _("--assignee: no user %(name)r") % {"name": options["assignee"]}
                )
        details = Details(
            to_agency=self._agency(options["to_agency"], "--to-agency")
            if options["to_agency"]
            else None,
            assignee=assignee,
            step=options["step"],
            result_form=_choice(options["result_form"], ResultForm, "--result-form"),
            result_digitised=options["result_digitised"],
            electronic_certification=options["e_certified"],
            return_method=_choice(options["return_method"], ReturnMethod, "--return-method"),
            new_due_at=_moment(options["new_due"], "--new-due"),
            signed_by=options["signed_by"],
            amount=_amount(options["amount"], "--amount"),
            payment_method=_choice(options["method"], PaymentMethod, "--method"),
            payment_reference=options["reference"],
            rating=_choice(options["rating"], RatingLevel, "--rating"),
        )
        before = Status(dossier.status)
        after = dossier_transition(
            dossier_id=dossier.pk,
            action=workflow.Action(action_text),
            actor=user,
            as_applicant=options["applicant"],
            expected_version=version,
            reason=options["reason"],
            details=details,
            at=_moment(options["at"], "--at"),
        )
        self._out(
            _("%(code)s: %(action)s — %(from)s → %(to)s (version %(version)s)")
            % {
                "code": after.code,
                "action": Action(action_text).label,
                "from": before.label,
                "to": Status(after.status).label,
                "version": after.version,
            }
        )
        if after.effective_due_at is not None and after.status in workflow.PENDING:
            self._out(
                _("Due at (pauses included): %(at)s") % {"at": _local(after.effective_due_at)}
            )

    # -- show ---------------------------------------------------------------------------------

    def _show(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        dossier = dossier_get_for_user(user=user, code=options["code"])
        lines = [*_fact_lines(dossier), *_component_lines(dossier)]
        lines += _fee_and_rating_lines(dossier)
        events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
        lines += [*_timeline_lines(events), *_control_sheet_lines(events)]
        lines.append(_next_actions_line(dossier, user))
        for line in lines:
            self._out(line)

    # -- queue --------------------------------------------------------------------------------

    def _queue(self, options: dict[str, Any]) -> None:
        user = self._user(options["user"])
        now = _moment(options["at"], "--at") or timezone.now()
        queryset = dossier_list_for_user(user)
        if options["status"]:
            queryset = queryset.filter(status=_choice(options["status"], Status, "--status"))
        else:
            queryset = queryset.exclude(status__in=[s.value for s in workflow.TERMINAL])
        due = options["due"]
        if due is not None:
            if due not in DUE_FILTERS:
                raise CommandError(
                    _("--due: %(value)r is not one of %(allowed)s")
                    % {"value": due, "allowed": ", ".join(DUE_FILTERS)}
                )
            if due == "overdue":
                queryset = queryset.filter(overdue_q(now))
            else:
                # The end-of-day list's states, in the calendar of the user's unit, as the
                # back office's queue: one definition (dossiers.selectors.due_soon_q).
                # "tomorrow" is the next working day, as the committee's list asks.
                which = DueSoon.TODAY if due == "today" else DueSoon.NEXT_WORKING_DAY
                queryset = queryset.filter(due_soon_q(due_windows_for_user(user, now), which))
        dossiers = list(queryset.order_by("effective_due_at", "code"))
        # Not yet received (no due moment) last: databases disagree on where NULLs sort.
        dossiers.sort(key=lambda d: d.effective_due_at is None)
        for d in dossiers:
            self._out(
                f"{d.code}  {_local(d.effective_due_at)}  {Status(d.status).label}  "
                f"{d.procedure_version.procedure.code}  {d.applicant_name}"
                + (f"  [{d.assignee.username}]" if d.assignee else "")
            )
        self._out(_("%(n)s dossiers") % {"n": format_count(len(dossiers))})

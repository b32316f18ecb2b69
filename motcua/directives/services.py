"""Writes of meetings and directives (house style R3, R6).

Each write is one short transaction: lock, check the actor's role (directives.access), the
status table (directives.choices.ALLOWED) and the version the caller read, write, append the
update row, and only then, after commit, side effects (e-mail). Nothing is written when a
check fails; the error names the field at fault (directives.errors).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.clock.selectors import calendar_at, calendar_for
from motcua.core.clock import LOCAL_TZ
from motcua.directives import emails
from motcua.directives.access import user_may_manage, user_may_report
from motcua.directives.choices import ACTIVE, ALLOWED, DirectiveStatus
from motcua.directives.deadlines import close_of_day, deadline_after, deadline_on, remind_until
from motcua.directives.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    StaleVersion,
    TransitionRefused,
)
from motcua.directives.evidence import evidence_check
from motcua.directives.models import Directive, DirectiveReminder, DirectiveUpdate, Meeting
from motcua.lib.formatting import format_date, format_datetime, nfc
from motcua.lib.uploads import save_on_commit
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_lineage

logger = logging.getLogger(__name__)

DEFAULT_REMIND_WORKING_DAYS = 2


def _text(value: str, field: str, *, required: bool = True) -> str:
    text = nfc((value or "").strip())
    if required and not text:
        raise InvalidInput(_("this field is required"), field=field)
    return text


def _moment(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise InvalidInput(_("a moment with a time zone is required"), field="at")
    return at


def _local(moment: datetime) -> str:
    return format_datetime(moment.astimezone(LOCAL_TZ))


def _actor_name(actor: User | None) -> str:
    return str(actor) if actor is not None else _("system")


# -- meetings ------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: User | None,
    unit: AdministrativeUnit,
    body: str,
    title: str,
    held_on: date,
    chair: str,
    participants: str = "",
    agenda: str = "",
    minutes: str = "",
    at: datetime | None = None,
) -> Meeting:
    """Record a meeting of a committee of ``unit`` that has been held.

    ``actor`` None is the system (the demo loader, an administrator's script); a person must
    be a leader or steering-committee member of ``unit``.
    """
    moment = _moment(at)
    if actor is not None and not user_may_manage(actor, unit):
        raise NotPermitted(
            _("you may not record meetings of %(unit)s") % {"unit": unit.name}, field="unit"
        )
    meeting = Meeting(
        unit=unit,
        body=_text(body, "body"),
        title=_text(title, "title"),
        chair=_text(chair, "chair"),
        participants=_text(participants, "participants", required=False),
        agenda=_text(agenda, "agenda", required=False),
        minutes=_text(minutes, "minutes", required=False),
        created_at=moment,
        created_by=actor,
    )
    if not isinstance(held_on, date):
        raise InvalidInput(_("the meeting's date is required"), field="held_on")
    if held_on > moment.astimezone(LOCAL_TZ).date():
        raise InvalidInput(
            _("%(day)s is in the future: record a meeting once it has been held")
            % {"day": format_date(held_on)},
            field="held_on",
        )
    if not unit.is_valid_on(held_on):
        raise InvalidInput(
            _("%(unit)s did not exist on %(day)s")
            % {"unit": unit.name, "day": format_date(held_on)},
            field="held_on",
        )
    meeting.held_on = held_on
    meeting.full_clean()
    meeting.save()
    return meeting


# -- directives ----------------------------------------------------------------------------


def _assignee(
    meeting: Meeting, unit: AdministrativeUnit | None, agency: Agency | None
) -> tuple[AdministrativeUnit, Agency | None]:
    """The assignee unit (and agency), checked to lie within the committee's unit."""
    if agency is not None:
        if unit is not None and agency.unit_id != unit.pk:
            raise InvalidInput(
                _("%(agency)s is not an agency of %(unit)s")
                % {"agency": agency.name, "unit": unit.name},
                field="agency",
            )
        unit = agency.unit
        if agency.valid_to is not None and agency.valid_to < meeting.held_on:
            raise InvalidInput(
                _("%(agency)s no longer existed on %(day)s")
                % {"agency": agency.name, "day": format_date(meeting.held_on)},
                field="agency",
            )
    if unit is None:
        raise InvalidInput(_("assign the directive to an agency or a unit"), field="assignee")
    if not unit_lineage(meeting.unit).filter(pk=unit.pk).exists():
        raise InvalidInput(
            _("%(unit)s is not within %(committee_unit)s, whose committee met")
            % {"unit": unit.name, "committee_unit": meeting.unit.name},
            field="assignee",
        )
    return unit, agency


def directive_create(
    *,
    actor: User | None,
    meeting: Meeting,
    text: str,
    head_name: str,
    unit: AdministrativeUnit | None = None,
    agency: Agency | None = None,
    head_user: User | None = None,
    working_days: int | None = None,
    deadline_day: date | None = None,
    at: datetime | None = None,
) -> Directive:
    """Assign one conclusion of ``meeting`` to an agency (or a unit) with a responsible head
    and a deadline: ``working_days`` after the meeting, or the close of ``deadline_day``, on
    the assignee's statutory clock (directives.deadlines). The deadline must lie ahead of
    ``at`` (now)."""
    moment = _moment(at)
    if actor is not None and not user_may_manage(actor, meeting.unit):
        raise NotPermitted(
            _("you may not assign directives of meetings of %(unit)s")
            % {"unit": meeting.unit.name},
            field="meeting",
        )
    text = _text(text, "text")
    unit, agency = _assignee(meeting, unit, agency)
    if head_user is not None and not head_user.is_active:
        raise InvalidInput(
            _("the account %(name)s is not active") % {"name": head_user.username},
            field="head_user",
        )
    if not (head_name or "").strip() and head_user is not None:
        head_name = head_user.full_name or head_user.username
    head_name = _text(head_name, "head_name")
    if (working_days is None) == (deadline_day is None):
        raise InvalidInput(
            _("give the deadline either as a number of working days or as a date, not both"),
            field="deadline",
        )
    calendar = calendar_for(unit, agency=agency, on=meeting.held_on)
    if working_days is not None:
        deadline = deadline_after(calendar, meeting.held_on, working_days)
        field = "working_days"
    else:
        assert deadline_day is not None  # one of the two, checked above
        deadline = deadline_on(calendar, deadline_day)
        field = "deadline"
        if deadline_day <= meeting.held_on:
            raise InvalidInput(
                _("the deadline must come after the meeting (%(day)s)")
                % {"day": format_date(meeting.held_on)},
                field=field,
            )
    if deadline <= moment:
        raise InvalidInput(
            _("the deadline %(deadline)s has already passed") % {"deadline": _local(deadline)},
            field=field,
        )
    with transaction.atomic():
        # The meeting's row is the lock that numbers its conclusions one after the other.
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        last = meeting.directives.aggregate(last=Max("number"))["last"] or 0
        directive = Directive(
            meeting=meeting,
            number=last + 1,
            text=text,
            unit=unit,
            agency=agency,
            head_name=head_name,
            head_user=head_user,
            working_days=working_days,
            deadline=deadline,
            status=DirectiveStatus.OPEN,
            created_at=moment,
            created_by=actor,
        )
        directive.full_clean()
        directive.save()
    return directive


def _locked(directive_id: int) -> Directive:
    directive = (
        Directive.objects.select_for_update(of=("self",))
        .select_related("meeting__unit", "unit", "agency")
        .filter(pk=directive_id)
        .first()
    )
    if directive is None:
        raise NotFound(_("no such directive"), field="directive")
    return directive


def _stale(directive: Directive) -> StaleVersion:
    return StaleVersion(
        _(
            "conclusion %(number)s was changed by someone else in the meantime; "
            "reload it and try again"
        )
        % {"number": directive.number},
        field="version",
    )


def _check_version(directive: Directive, expected_version: int) -> None:
    if directive.version != expected_version:
        raise _stale(directive)


def _check_moment(directive: Directive, moment: datetime) -> None:
    last = directive.updates.aggregate(last=Max("at"))["last"]
    earliest = max(directive.created_at, last) if last else directive.created_at
    if moment < earliest:
        raise InvalidInput(
            _("%(at)s is before the directive's last change (%(last)s)")
            % {"at": _local(moment), "last": _local(earliest)},
            field="at",
        )


def _write(
    directive: Directive,
    *,
    expected_version: int,
    status: DirectiveStatus,
    completed_at: datetime | None,
) -> None:
    """Compare-and-set: the row changes only if it still has the version the caller read."""
    changed = Directive.objects.filter(pk=directive.pk, version=expected_version).update(
        status=status, completed_at=completed_at, version=F("version") + 1
    )
    if changed != 1:
        raise _stale(directive)
    directive.status = status
    directive.completed_at = completed_at
    directive.version = expected_version + 1


def _transition(
    directive: Directive,
    actor: User | None,
    moment: datetime,
    expected_version: int,
    target: DirectiveStatus,
    note: str,
) -> DirectiveUpdate:
    """Move the directive to ``target`` at ``moment`` (refused before its last change;
    compare-and-set; ``completed_at`` set only by DONE) and return the update row that
    records it, not yet saved."""
    _check_moment(directive, moment)
    current = DirectiveStatus(directive.status)
    completed_at = moment if target is DirectiveStatus.DONE else None
    _write(directive, expected_version=expected_version, status=target, completed_at=completed_at)
    return DirectiveUpdate(
        directive=directive,
        at=moment,
        author=actor,
        author_name=_actor_name(actor),
        from_status=current,
        to_status=target,
        note=note,
    )


def directive_update(
    *,
    actor: User | None,
    directive_id: int,
    status: DirectiveStatus | str,
    note: str,
    expected_version: int,
    evidence: File[bytes] | None = None,
    at: datetime | None = None,
) -> DirectiveUpdate:
    """Report progress on a directive (in progress) or its completion (done), with a note and
    an optional evidence file (PDF, JPEG or PNG by content). Completion sets ``completed_at``.

    ``expected_version`` is the version the caller showed its user: if someone else changed
    the directive since, :class:`StaleVersion` tells the second writer and nothing changes.
    """
    moment = _moment(at)
    try:
        target = DirectiveStatus(status)
    except ValueError:
        raise InvalidInput(
            _("%(value)r is not a status") % {"value": status}, field="status"
        ) from None
    note = _text(note, "note")
    checked = None
    if evidence is not None:
        name = nfc(str(evidence.name or "")).rsplit("/", 1)[-1] or _("the file")
        checked = evidence_check(evidence, name=name)
    with transaction.atomic():
        directive = _locked(directive_id)
        if actor is not None and not user_may_report(actor, directive):
            raise NotPermitted(
                _("you may not report on directives assigned to %(unit)s")
                % {"unit": directive.unit.name},
                field="directive",
            )
        _check_version(directive, expected_version)
        current = DirectiveStatus(directive.status)
        if target not in ALLOWED[current]:
            raise TransitionRefused(
                _("a directive that is '%(current)s' cannot become '%(target)s'")
                % {"current": current.label, "target": target.label},
                field="status",
            )
        update = _transition(directive, actor, moment, expected_version, target, note)
        if evidence is not None and checked is not None:
            update.evidence_name = name[:255]
            update.evidence_type = checked.content_type
            update.evidence_size = checked.size
            update.evidence_sha256 = checked.sha256
            evidence.seek(0)
            # A fresh name (models.evidence_path), written under a pending name and moved into
            # place only when the transaction commits (lib.uploads).
            save_on_commit(update.evidence, name, File(evidence, name=name))
        update.full_clean(exclude=["evidence"])
        update.save()
    return update


def directive_cancel(
    *,
    actor: User | None,
    directive_id: int,
    reason: str,
    expected_version: int,
    at: datetime | None = None,
) -> DirectiveUpdate:
    """Withdraw a directive that is still to be done (the committee's decision, with a
    reason). A cancelled directive is counted in no completion rate and never reminded."""
    moment = _moment(at)
    reason = _text(reason, "reason")
    with transaction.atomic():
        directive = _locked(directive_id)
        if actor is not None and not user_may_manage(actor, directive.meeting.unit):
            raise NotPermitted(
                _("only the committee of %(unit)s may cancel its directives")
                % {"unit": directive.meeting.unit.name},
                field="directive",
            )
        _check_version(directive, expected_version)
        current = DirectiveStatus(directive.status)
        if current not in ACTIVE:
            raise TransitionRefused(
                _("a directive that is '%(current)s' cannot be cancelled")
                % {"current": current.label},
                field="status",
            )
        update = _transition(
            directive, actor, moment, expected_version, DirectiveStatus.CANCELLED, reason
        )
        update.full_clean(exclude=["evidence"])
        update.save()
    return update


# -- reminders -----------------------------------------------------------------------------


def remind_working_days() -> int:
    value = getattr(settings, "MOTCUA_DIRECTIVES", {}).get(
        "REMIND_WORKING_DAYS", DEFAULT_REMIND_WORKING_DAYS
    )
    return int(value)


def reminder_recipients(directive: Directive) -> list[str]:
    """The responsible head's e-mail (when the head has an account) and the e-mails of the
    assignee unit's leaders (granted on that unit, unit-wide or for the assigned agency)."""
    addresses: list[str] = []
    head = directive.head_user
    if head is not None and head.is_active and head.email:
        addresses.append(head.email)
    leaders = (
        RoleAssignment.objects.filter(
            role=Role.LEADER, unit_id=directive.unit_id, user__is_active=True
        )
        .filter(Q(agency__isnull=True) | Q(agency_id=directive.agency_id))
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    addresses.extend(sorted(set(leaders)))
    seen: set[str] = set()
    unique = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique


def reminders_due(*, at: datetime) -> list[Directive]:
    """The active directives to remind at ``at``: deadline no later than the close of the
    ``REMIND_WORKING_DAYS``-th working day after ``at``'s day on the assignee's calendar (so
    also every overdue one), and not yet reminded on ``at``'s local day. Soonest first."""
    moment = _moment(at)
    day = moment.astimezone(LOCAL_TZ).date()
    days = remind_working_days()
    active = Directive.objects.filter(status__in=list(ACTIVE)).exclude(reminders__day=day)
    due_ids: list[int] = []
    places = active.values_list("unit_id", "agency_id").distinct().order_by()
    for unit_id, agency_id in places:
        calendar = calendar_at(unit_id=unit_id, agency_id=agency_id, on=day)
        until = remind_until(calendar, moment, days)
        due_ids.extend(
            active.filter(unit_id=unit_id, agency_id=agency_id, deadline__lte=until).values_list(
                "pk", flat=True
            )
        )
    return list(
        Directive.objects.filter(pk__in=due_ids)
        .select_related("meeting__unit", "unit", "agency", "head_user")
        .order_by("deadline", "pk")
    )


def reminder_send(*, directive: Directive, at: datetime) -> bool:
    """Claim the directive's reminder for ``at``'s local day and e-mail it after commit.

    False when nobody can be e-mailed (nothing is recorded: the next run tries again) or when
    the day's reminder is already recorded: the unique (directive, day) row is inserted before
    anything is sent, so of two workers that both selected the directive only one sends.
    """
    moment = _moment(at)
    day = moment.astimezone(LOCAL_TZ).date()
    recipients = reminder_recipients(directive)
    if not recipients:
        logger.warning("directive %s: no e-mail address to remind", directive.pk)
        return False
    calendar = calendar_at(unit_id=directive.unit_id, agency_id=directive.agency_id, on=day)
    message = emails.reminder_message(
        directive,
        at=moment,
        recipients=recipients,
        close_of_today=close_of_day(calendar, day),
        calendar=calendar,
    )
    try:
        with transaction.atomic():
            DirectiveReminder.objects.create(
                directive=directive,
                day=day,
                sent_at=timezone.now(),
                recipients=", ".join(recipients),
            )
            # robust: one refused message must not stop the others after the commit.
            transaction.on_commit(partial(message.send), robust=True)
    except IntegrityError:
        return False  # another worker reminded it today
    return True


def directive_reminders_send(*, at: datetime) -> int:
    """E-mail a reminder about each active directive whose deadline falls within
    ``MOTCUA_DIRECTIVES["REMIND_WORKING_DAYS"]`` working days of ``at`` (on the assignee's
    calendar) or has passed; at most one per directive per local day. Returns how many were
    sent.

    A :class:`DirectiveReminder` row (unique per directive and day) is written first, in its
    own transaction; the e-mail goes after it commits. Two workers running at once both try
    the insert and only one succeeds, so only one sends. A directive with no one to e-mail is
    skipped (and tried again at the next run).
    """
    moment = _moment(at)
    return sum(reminder_send(directive=d, at=moment) for d in reminders_due(at=moment))

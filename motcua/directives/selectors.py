"""Reads of meetings and directives: the overdue list, directives per assignee, completion on
time per agency or unit over a period, and a meeting's conclusions with their state.

Callers pass the directives they may see (directives.access.directive_list_for_user) or a
unit's scope (:func:`directives_of_unit`); nothing here decides who sees what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Period
from motcua.directives.choices import ACTIVE, DirectiveStatus, Timeliness
from motcua.directives.models import Directive, Meeting
from motcua.lib.formatting import format_number, format_percent, percent
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_lineage


def directives_all() -> QuerySet[Directive]:
    """Every directive, ready for lists."""
    return Directive.objects.select_related("meeting__unit", "unit", "agency", "head_user")


def directives_of_unit(
    unit: AdministrativeUnit, directives: QuerySet[Directive] | None = None
) -> QuerySet[Directive]:
    """The directives of the unit's committees (and those below it) and those assigned to the
    unit (or below): the city's list holds its wards' too, a ward's holds what the city
    assigned to it."""
    lineage = unit_lineage(unit).values("pk")
    base = directives if directives is not None else directives_all()
    return base.filter(Q(meeting__unit__in=lineage) | Q(unit__in=lineage))


def directives_overdue(
    *, at: datetime, directives: QuerySet[Directive] | None = None
) -> QuerySet[Directive]:
    """Directives still to be done whose deadline passed before ``at``, the oldest first."""
    base = directives if directives is not None else directives_all()
    return base.filter(status__in=list(ACTIVE), deadline__lt=at).order_by("deadline", "pk")


def directives_of_assignee(
    *,
    unit: AdministrativeUnit | None = None,
    agency_id: int | None = None,
    directives: QuerySet[Directive] | None = None,
) -> QuerySet[Directive]:
    """The directives assigned to an agency, or to a unit (any of its agencies or itself)."""
    base = directives if directives is not None else directives_all()
    if agency_id is not None:
        return base.filter(agency_id=agency_id).order_by("deadline", "pk")
    if unit is None:
        raise ValueError("an assignee (unit or agency) is required")
    return base.filter(unit=unit).order_by("deadline", "pk")


def timeliness(directive: Directive, at: datetime) -> Timeliness:
    """Where the directive stands against its deadline at ``at``."""
    if directive.status == DirectiveStatus.CANCELLED:
        return Timeliness.CANCELLED
    if directive.status == DirectiveStatus.DONE:
        assert directive.completed_at is not None  # a database constraint
        return (
            Timeliness.ON_TIME if directive.completed_at <= directive.deadline else Timeliness.LATE
        )
    return Timeliness.OVERDUE if directive.deadline < at else Timeliness.WITHIN_TIME


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ)


def due_in(period: Period, directives: QuerySet[Directive] | None = None) -> QuerySet[Directive]:
    """Directives (not cancelled) whose deadline falls on a local day of ``period``."""
    base = directives if directives is not None else directives_all()
    return base.filter(
        deadline__gte=_day_start(period.start),
        deadline__lt=_day_start(period.end + timedelta(days=1)),
    ).exclude(status=DirectiveStatus.CANCELLED)


@dataclass
class OnTimeRow:
    """One assignee's completion on time: ``on_time`` of the ``due`` directives whose deadline
    fell in the period were done by their deadline."""

    label: str
    key: str
    due: int = 0
    on_time: int = 0
    late: int = 0  # done after the deadline
    not_done: int = 0  # still to be done (overdue once the deadline has passed)
    directive_ids: list[int] = field(default_factory=list)

    @property
    def share(self) -> Fraction | None:
        return percent(self.on_time, self.due)

    @property
    def text(self) -> str:
        return on_time_text(self.on_time, self.due)


def on_time_text(on_time: int, due: int) -> str:
    """'2/3 chiếm 66,67%' (the committee's phrasing, numbers in Vietnamese format)."""
    return _("%(done)s/%(due)s makes up %(share)s") % {
        "done": format_number(on_time),
        "due": format_number(due),
        "share": format_percent(percent(on_time, due)),
    }


def assignee_key(directive: Directive) -> tuple[str, str]:
    """(key, label) of the directive's assignee: the agency, or the unit itself."""
    if directive.agency_id is not None:
        assert directive.agency is not None
        return f"agency:{directive.agency.code}", directive.agency.name
    return f"unit:{directive.unit.code}", directive.unit.name


def completion_on_time(
    period: Period, directives: QuerySet[Directive] | None = None
) -> tuple[list[OnTimeRow], OnTimeRow]:
    """Completion on time per assignee (agency, or unit) of the directives due in ``period``,
    and the total. Done by the deadline / due in the period; cancelled ones count nowhere."""
    rows: dict[str, OnTimeRow] = {}
    total = OnTimeRow(label=_("Total"), key="total")
    for directive in due_in(period, directives).order_by("pk"):
        key, label = assignee_key(directive)
        row = rows.setdefault(key, OnTimeRow(label=label, key=key))
        for target in (row, total):
            target.due += 1
            target.directive_ids.append(directive.pk)
            if directive.status == DirectiveStatus.DONE:
                assert directive.completed_at is not None
                if directive.completed_at <= directive.deadline:
                    target.on_time += 1
                else:
                    target.late += 1
            else:
                target.not_done += 1
    ordered = sorted(rows.values(), key=lambda r: (r.key.startswith("unit:"), r.label))
    return ordered, total


@dataclass(frozen=True)
class Conclusion:
    """One directive of a meeting with where it stands at a moment."""

    directive: Directive
    timeliness: Timeliness


def meeting_conclusions(meeting: Meeting, *, at: datetime) -> list[Conclusion]:
    """The meeting's directives in order, each with its timeliness at ``at``."""
    directives = meeting.directives.select_related("unit", "agency", "head_user").order_by("number")
    return [Conclusion(d, timeliness(d, at)) for d in directives]


def conclusions_summary(conclusions: Iterable[Conclusion]) -> dict[Timeliness, int]:
    """How many of the conclusions stand where (every Timeliness, zero included)."""
    counts = dict.fromkeys(Timeliness, 0)
    for item in conclusions:
        counts[item.timeliness] += 1
    return counts

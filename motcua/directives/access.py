"""Who may see and do what with meetings and directives (house style R4).

- See: anyone holding a staff role over the committee's unit (the meeting's) or, for a
  directive, over the unit it is assigned to. A ward's staff see what was assigned to their
  ward, never the rest of the city's directives; "missing" and "not yours" look the same.
- Record meetings and assign directives: the unit's leaders and steering-committee members,
  granted for the whole unit (a grant narrowed to one agency, such as the head of Phòng Nội
  vụ, is that agency's, not the committee's).
- Report progress (status updates with evidence): the assignee's staff (granted for the whole
  unit, or narrowed to the assigned agency), and the committee's leaders and steering members.
- Cancel a directive: the committee's leaders and steering members.

Grants count on the unit, above it, or on what became it (accounts.access). Administrators
and superusers may do everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts import access
from motcua.accounts.access import is_administrator, restrict, units_for_user
from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.directives.errors import NotFound
from motcua.directives.models import Directive, Meeting
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_coverers
from motcua.units.tree import unit_tree

VIEW_ROLES = (Role.LEADER, Role.STEERING, Role.OFFICER, Role.CLERK)
MANAGE_ROLES = (Role.LEADER, Role.STEERING)
REPORT_ROLES = (Role.LEADER, Role.STEERING, Role.OFFICER, Role.CLERK)


def _holds(
    user: User,
    roles: tuple[Role, ...],
    unit: AdministrativeUnit | int,
    *,
    agency: Agency | int | None = None,
    any_agency: bool = False,
) -> bool:
    """Whether the user holds one of ``roles`` for ``unit``: unit-wide, or narrowed to
    ``agency``, or (``any_agency``) narrowed to any agency of it. Two queries at most."""
    if not user.is_active:
        return False
    if is_administrator(user):
        return True
    grants = RoleAssignment.objects.filter(
        user=user, role__in=list(roles), unit__in=unit_coverers(unit).values("pk")
    )
    if any_agency:
        return grants.exists()
    narrowed = Q(agency__isnull=True)
    if agency is not None:
        narrowed |= Q(agency=agency)
    return grants.filter(narrowed).exists()


def user_may_manage(user: User, unit: AdministrativeUnit | int) -> bool:
    """Record the unit's meetings, assign and cancel their directives."""
    return _holds(user, MANAGE_ROLES, unit)


def user_may_report(user: User, directive: Directive) -> bool:
    """Post a status update on the directive (the assignee's staff or the committee)."""
    if directive.agency_id is not None:
        assignee = _holds(user, REPORT_ROLES, directive.unit_id, agency=directive.agency_id)
    else:
        assignee = _holds(user, REPORT_ROLES, directive.unit_id, any_agency=True)
    return assignee or user_may_manage(user, directive.meeting.unit_id)


def meeting_list_for_user(user: User) -> QuerySet[Meeting]:
    """The meetings of the committees in the user's units, newest first."""
    return restrict(Meeting.objects.select_related("unit"), user, VIEW_ROLES, "unit")


def directive_list_for_user(user: User) -> QuerySet[Directive]:
    """The directives of the user's committees and those assigned to the user's units."""
    directives = Directive.objects.select_related("meeting__unit", "unit", "agency", "head_user")
    return restrict(directives, user, VIEW_ROLES, "meeting__unit", "unit")


def meeting_get_for_user(*, user: User, meeting_id: int) -> Meeting:
    meeting = meeting_list_for_user(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("no such meeting"), field="meeting")
    return meeting


def directive_get_for_user(*, user: User, directive_id: int) -> Directive:
    directive = directive_list_for_user(user).filter(pk=directive_id).first()
    if directive is None:
        raise NotFound(_("no such directive"), field="directive")
    return directive


def user_units(user: User, roles: tuple[Role, ...] = VIEW_ROLES) -> list[AdministrativeUnit]:
    """The units (villages left out) the user may pick in the pages, top of the tree first;
    one per code (a reused code is its newest version)."""
    return units_for_user(user, roles)


def manageable_units(user: User) -> list[AdministrativeUnit]:
    """The units whose meetings the user may record (unit-wide leader or steering grants):
    those of :func:`user_units` that :func:`user_may_manage` allows, with the unit-wide grants'
    lineages read once (a province leader's 102 units were a query each, issue 17)."""
    if not user.is_active:
        return []
    units = user_units(user, MANAGE_ROLES)
    if is_administrator(user):
        return units
    # ``unit in lineages(granted)`` exactly when a granted unit is among
    # ``unit_coverers(unit)``: the rule of ``_holds``, walked down once instead of up per unit.
    granted = RoleAssignment.objects.filter(
        user=user, role__in=list(MANAGE_ROLES), agency__isnull=True
    ).values_list("unit_id", flat=True)
    covered = unit_tree().lineages(granted)
    return [unit for unit in units if unit.pk in covered]


def default_unit(user: User) -> AdministrativeUnit | None:
    """The highest unit the user holds a role in (for an administrator without grants, the
    province in force)."""
    return access.default_unit(user, VIEW_ROLES)


def user_may_view_unit(user: User, unit: AdministrativeUnit) -> bool:
    return access.user_may_see_unit(user, VIEW_ROLES, unit)

"""The one write path of dossiers (house style R3, R5, R6).

Every change is one short transaction: lock the dossier, check the version the caller read,
check the lifecycle table and the actor's role and unit, write the facts, append one
hash-chained event, and only then (after commit) side effects. Nothing is written when any
check fails.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.access import handlers, user_can_act
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.catalog.choices import OnlineLevel
from motcua.catalog.models import DeclarationForm, ProcedureVersion
from motcua.clock.selectors import calendar_at
from motcua.core import eforms, workflow
from motcua.core.clock import ClockError, WorkingCalendar
from motcua.core.identity import InvalidValue, check_personal_id, normalise_phone
from motcua.dossiers import figures, storage
from motcua.dossiers.choices import (
    Action,
    ApplicantKind,
    Channel,
    Outcome,
    PauseReason,
    ResultForm,
    ReturnMethod,
    Status,
)
from motcua.dossiers.errors import (
    DossierNotFound,
    InvalidInput,
    NotPermitted,
    StaleVersion,
    TransitionRefused,
)
from motcua.dossiers.events import TIP_FIELDS as _TIP_FIELDS
from motcua.dossiers.events import append_event, event_value
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierDeclaration,
    DossierEvent,
    DossierFile,
    Extension,
    Pause,
    dossier_search_text,
)
from motcua.dossiers.notifications import dossier_notify_on_commit
from motcua.dossiers.selectors import recorded_until, timeliness_of
from motcua.feedback.choices import RatingLevel
from motcua.feedback.services import RatingError, rating_record
from motcua.lib import uploads
from motcua.lib.formatting import format_datetime, format_number, format_params, nfc
from motcua.payments.choices import PaymentMethod
from motcua.payments.errors import PaymentError
from motcua.payments.selectors import amount_owed
from motcua.payments.services import payment_collect, payment_obligation_create
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import peoples_committee_of

# What a transition may save: the Dossier's own columns (``changes`` may also name others).
_DOSSIER_FIELDS = frozenset(field.name for field in Dossier._meta.concrete_fields)


@dataclass(frozen=True)
class Applicant:
    """Who applies: a person or an organisation, and how to reach them."""

    name: str
    kind: ApplicantKind = ApplicantKind.PERSON
    id_number: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    unit: AdministrativeUnit | None = None


@dataclass(frozen=True)
class Component:
    """A document handed in (form 01 table) and whether its scan is attached."""

    name: str
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0
    digitised: bool = False


@dataclass(frozen=True)
class Details:
    """What an action may carry besides its reason; each action reads the fields it needs."""

    to_agency: Agency | None = None
    assignee: User | None = None
    step: str = ""
    result_form: ResultForm | None = None
    result_digitised: bool = False
    electronic_certification: bool = False
    return_method: ReturnMethod | None = None
    new_due_at: datetime | None = None
    signed_by: str = ""
    amount: int | None = None
    payment_method: PaymentMethod | None = None
    payment_reference: str = ""
    rating: RatingLevel | None = None


@dataclass
class Created:
    """A new dossier and the soft warnings about its data (never blocking, §8.1)."""

    dossier: Dossier
    warnings: list[str] = field(default_factory=list)


# -- helpers -------------------------------------------------------------------------------


def _check_applicant(applicant: Applicant) -> tuple[Applicant, list[str]]:
    """Normalise and check the applicant; malformed values raise, doubtful ones warn."""
    name = nfc(applicant.name.strip())
    if not name:
        raise InvalidInput(_("the applicant's name is required"), field="applicant_name")
    warnings: list[str] = []
    phone = applicant.phone.strip()
    try:
        if applicant.id_number:
            warnings = check_personal_id(applicant.id_number.strip(), applicant.birth_date)
        if phone:
            phone = normalise_phone(phone)
    except InvalidValue as error:
        raise InvalidInput(str(error), field=f"applicant_{error.field}") from None
    email = applicant.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("'%(email)s' is not an e-mail address") % {"email": email},
                field="applicant_email",
            ) from None
    return (
        Applicant(
            name=name,
            kind=applicant.kind,
            id_number=applicant.id_number.strip(),
            birth_date=applicant.birth_date,
            phone=phone,
            email=email,
            address=nfc(applicant.address.strip()),
            unit=applicant.unit,
        ),
        warnings,
    )


def _next_code(agency: Agency, day: date) -> str:
    """``{agency electronic code}-{yyMMdd}-{NNNN}``, gapless per agency and day (§3 [I])."""
    if not agency.electronic_code:
        raise InvalidInput(
            _("agency %(code)s has no electronic identifier code") % {"code": agency.code},
            field="receiving_agency",
        )
    number = storage.next_code_number(agency.pk, day)
    return f"{agency.electronic_code}-{day:%y%m%d}-{number:04d}"


def _next_event(
    dossier: Dossier,
    *,
    action: Action,
    from_status: str,
    actor: User | None,
    actor_name: str,
    at: datetime,
    reason: str,
    changes: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """Build the dossier's next event, linked in its own chain (no row shared with other
    dossiers is read or locked). Moves the dossier's chain tip, which the caller saves with
    the dossier: ``storage.write_new`` or ``storage.write_transition``.
    """
    return append_event(
        dossier,
        at=at,
        recorded_at=timezone.now(),
        actor=actor,
        actor_name=actor_name,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        reason=reason,
        data={
            "changes": {name: event_value(value) for name, value in changes.items()},
            **{name: event_value(value) for name, value in (data or {}).items()},
        },
    )


def _actor_name(actor: User | None, as_applicant: bool, applicant_name: str) -> str:
    if as_applicant or actor is None:
        return applicant_name
    return actor.full_name or actor.username


def _unit_for(actor_kind: workflow.Actor, dossier: Dossier) -> int:
    """Id of the unit whose scope decides: the counter's for clerks, the handling agency's else."""
    if actor_kind is workflow.Actor.CLERK:
        return dossier.receiving_unit_id  # type: ignore[return-value]
    return dossier.handling_unit_id or dossier.receiving_unit_id  # type: ignore[return-value]


def _actor_kind(
    rule: workflow.Rule, dossier: Dossier, actor: User | None, as_applicant: bool
) -> workflow.Actor:
    """The capacity in which ``actor`` takes the action, or raise ``NotPermitted``."""
    if as_applicant:
        if workflow.Actor.APPLICANT in rule.actors:
            return workflow.Actor.APPLICANT
        raise NotPermitted(_("the applicant cannot do this"), field="actor")
    if actor is None or not actor.is_active:
        raise NotPermitted(_("a signed-in staff member is required"), field="actor")
    for kind in (workflow.Actor.CLERK, workflow.Actor.OFFICER, workflow.Actor.LEADER):
        if kind in rule.actors and user_can_act(actor, Role(kind.value), _unit_for(kind, dossier)):
            return kind
    needed = ", ".join(
        str(Role(kind.value).label) for kind in rule.actors if kind is not workflow.Actor.APPLICANT
    )
    raise NotPermitted(
        _("%(user)s does not hold the role needed (%(roles)s) for this dossier's unit")
        % {"user": actor.username, "roles": needed},
        field="actor",
    )


def _calendar(dossier: Dossier) -> WorkingCalendar:
    return calendar_at(unit_id=dossier.receiving_unit_id, agency_id=dossier.receiving_agency_id)


def _agency_facts(agency_id: int | None) -> tuple[int | None, str | None, int | None]:
    """(id, code, unit id) of an agency, in one small query; Nones for no agency."""
    if agency_id is None:
        return None, None, None
    code, unit_id = Agency.objects.values_list("code", "unit_id").get(pk=agency_id)
    return agency_id, code, unit_id


def _due(calendar: WorkingCalendar, version: ProcedureVersion, received: datetime, online: bool):  # type: ignore[no-untyped-def]
    amount, unit = version.time_limit_for(online=online)
    try:
        return calendar.due(received, amount, unit)
    except ClockError as error:
        raise InvalidInput(str(error), field="received_at") from None


def _moment(at: datetime | None) -> datetime:
    """The moment an event is recorded at: now, or ``at`` when it happened earlier (a
    moment to come is refused: the reports take the clock columns to stand as now)."""
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise InvalidInput(_("a time zone is required"), field="at")
    if moment > recorded_until():
        raise InvalidInput(
            _("%(at)s has not come yet: only what has happened is recorded")
            % {"at": format_datetime(timezone.localtime(moment))},
            field="at",
        )
    return moment.replace(microsecond=0)


# -- creation ------------------------------------------------------------------------------


def _check_request(
    procedure: ProcedureVersion, *, online: bool, sets_count: int, day: date
) -> None:
    """The procedure is in force on ``day`` and offered on the channel; the sets are counted."""
    if not procedure.is_in_force_on(day):
        raise InvalidInput(
            _("procedure %(code)s is not in force on %(day)s")
            % {"code": procedure.procedure.code, "day": f"{day:%d/%m/%Y}"},
            field="procedure",
        )
    if online and procedure.online_level == OnlineLevel.NONE:
        raise InvalidInput(
            _("procedure %(code)s is not offered online") % {"code": procedure.procedure.code},
            field="procedure",
        )
    if not 1 <= sets_count <= 50:
        raise InvalidInput(_("the number of sets must be between 1 and 50"), field="sets_count")


def _check_components(components: Sequence[Component]) -> None:
    for index, component in enumerate(components, start=1):
        if not component.name.strip():
            raise InvalidInput(_("component %(n)s has no name") % {"n": index}, field="components")


def _new_dossier(
    procedure: ProcedureVersion,
    receiving_agency: Agency,
    channel: Channel,
    applicant: Applicant,
    *,
    sets_count: int,
    summary: str,
    at: datetime,
) -> Dossier:
    """The dossier as the applicant hands it in (not saved, no status yet)."""
    return Dossier(
        procedure_version=procedure,
        receiving_agency=receiving_agency,
        receiving_unit_id=receiving_agency.unit_id,
        handling_unit_id=receiving_agency.unit_id,
        applicant_unit=applicant.unit,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_birth_date=applicant.birth_date,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        channel=channel,
        sets_count=sets_count,
        summary=nfc(summary.strip()) or procedure.name,
        submitted_at=at,
    )


def _receive_at_counter(
    dossier: Dossier, procedure: ProcedureVersion, actor: User | None, at: datetime
) -> workflow.Actor:
    """Received by a clerk of the receiving agency at once (form 01): the statutory clock
    starts at the official receipt moment. Returns the clerk's capacity."""
    rule = workflow.rule_for(workflow.Status.SUBMITTED, workflow.Action.RECEIVE)
    dossier.status = Status.RECEIVED
    actor_kind = _actor_kind(rule, dossier, actor, as_applicant=False)
    calendar = _calendar(dossier)
    dossier.received_at = calendar.receipt_moment(at)
    dossier.due_at = dossier.effective_due_at = _due(
        calendar, procedure, dossier.received_at, online=False
    )
    return actor_kind


def _fee_owed(procedure: ProcedureVersion, fee: int | None) -> int:
    """The financial obligation in đồng: ``fee``, by default the catalogue's fees."""
    if fee is None:
        # A version's fees never change (a new fee is a new version): read them once per
        # instance, however many dossiers a caller creates with it.
        prefetch_related_objects([procedure], "fees")
    owed = fee if fee is not None else sum(item.amount for item in procedure.fees.all())
    if owed < 0:
        raise InvalidInput(_("a fee cannot be negative"), field="fee")
    return owed


def _components_create(dossier: Dossier, components: Sequence[Component]) -> None:
    DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier,
            name=nfc(c.name.strip()),
            originals=c.originals,
            certified_copies=c.certified_copies,
            photocopies=c.photocopies,
            digitised=c.digitised,
        )
        for c in components
    )


def _save_new(
    dossier: Dossier,
    action: Action,
    *,
    actor: User | None,
    by_staff: bool,
    owed: int,
    at: datetime,
    joined: storage.Joined,
) -> DossierEvent:
    """Save the new dossier with its first event (procedure, channel and fee owed) and
    ``joined``'s statements."""
    event = _next_event(
        dossier,
        action=action,
        from_status="",
        actor=actor if by_staff else None,
        actor_name=_actor_name(actor, not by_staff, dossier.applicant_name),
        at=at,
        reason="",
        changes={
            "status": dossier.status,
            "received_at": dossier.received_at,
            "due_at": dossier.due_at,
        },
        data={
            "procedure": dossier.procedure_version.procedure.code,
            "channel": dossier.channel,
            "fee": owed,
        },
    )
    storage.write_new(dossier, event, joined)
    return event


@transaction.atomic
def dossier_create(
    *,
    procedure: ProcedureVersion,
    receiving_agency: Agency,
    channel: Channel,
    applicant: Applicant,
    components: Sequence[Component] = (),
    sets_count: int = 1,
    summary: str = "",
    fee: int | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> Created:
    """Create a dossier: submitted online by an applicant, or received at the counter.

    Online (``actor`` may be None): the dossier waits in ``submitted`` for the one-stop
    section to check it. At the counter or by post: a clerk of the receiving agency receives
    it at once (form 01), so the statutory clock starts at the official receipt moment.
    ``fee`` is the financial obligation in đồng; by default the catalogue's fees.
    """
    at = _moment(at)
    local_day = timezone.localdate(at)
    online = channel == Channel.ONLINE
    _check_request(procedure, online=online, sets_count=sets_count, day=local_day)
    applicant, warnings = _check_applicant(applicant)
    _check_components(components)
    dossier = _new_dossier(
        procedure,
        receiving_agency,
        channel,
        applicant,
        sets_count=sets_count,
        summary=summary,
        at=at,
    )
    actor_kind: workflow.Actor | None
    if online:
        action, actor_kind = Action.CREATE, None
        dossier.status = Status.SUBMITTED
    else:
        action, actor_kind = Action.RECEIVE, _receive_at_counter(dossier, procedure, actor, at)
    owed = _fee_owed(procedure, fee)
    dossier.code = _next_code(receiving_agency, local_day)
    dossier.search_text = dossier_search_text(dossier)  # what the back-office search matches
    joined = storage.Joined()
    if dossier.received_at is not None:  # received at the counter: it counts from now
        # Known before writing (its row, components and fee): the ledger rows go with the
        # dossier's own statement on PostgreSQL.
        digitised = [component.digitised for component in components]
        after = figures.snapshot_new(dossier, components=digitised, owed=owed)
        figures.ledger_apply(None, after, joined)
    event = _save_new(
        dossier,
        action,
        actor=actor,
        by_staff=actor_kind is not None,
        owed=owed,
        at=at,
        joined=joined,
    )
    _components_create(dossier, components)
    if owed:
        payment_obligation_create(
            dossier_id=dossier.pk, amount=owed, description=procedure.name[:300], at=at
        )
    # The applicant's e-mail, sent after commit.
    dossier_notify_on_commit(
        dossier_id=dossier.pk,
        action=action.value,
        event_seq=event.seq,
        email=dossier.applicant_email,
        phone=dossier.applicant_phone,
    )
    return Created(dossier, warnings)


# -- transitions ---------------------------------------------------------------------------


class _LazyCalendar:
    """The dossier's working calendar, looked up only by the actions that need the clock."""

    def __init__(self, dossier: Dossier) -> None:
        self._dossier = dossier
        self._calendar: WorkingCalendar | None = None

    def get(self) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = _calendar(self._dossier)
        return self._calendar


def _close_pause(dossier: Dossier, lazy: _LazyCalendar, at: datetime) -> dict[str, Any]:
    """End the open pause; the time waited moves the due moment forward (§1.4 step 6)."""
    if dossier.paused_since is None:
        return {}
    calendar = lazy.get()
    Pause.objects.filter(dossier=dossier, ended_at__isnull=True).update(ended_at=at)
    waited = calendar.between(dossier.paused_since, at).seconds
    if waited > 0 and dossier.effective_due_at is not None:
        dossier.effective_due_at = calendar.add_working_seconds(dossier.effective_due_at, waited)
    dossier.paused_since = None
    return {"paused_since": None, "effective_due_at": dossier.effective_due_at}


def _open_pause(dossier: Dossier, reason: PauseReason, at: datetime, note: str) -> dict[str, Any]:
    Pause.objects.create(dossier=dossier, reason=reason, started_at=at, note=note)
    dossier.paused_since = at
    return {"paused_since": at}


def _pay(dossier: Dossier, details: Details, at: datetime, actor: User | None) -> dict[str, Any]:
    """Collect a fee with its numbered receipt; what may be paid is ``payments``' rule."""
    try:
        collected = payment_collect(
            dossier_id=dossier.pk,
            agency_id=dossier.receiving_agency_id,
            amount=details.amount,
            method=details.payment_method,
            reference=details.payment_reference,
            collector=actor,
            at=at,
        )
    except PaymentError as error:
        # The dossier's callers catch the dossier's errors.
        raise InvalidInput(error.message, field=error.field) from error
    receipt = collected.receipt
    return {
        "payment": {
            "amount": sum(event.amount for event in collected.events),
            "method": details.payment_method,
            "reference": collected.events[0].reference,
            "receipt": f"{receipt.book.label}/{receipt.number}",
        }
    }


@dataclass
class _Act:
    """One action being applied: the locked dossier and what the caller gave with it."""

    dossier: Dossier
    action: workflow.Action
    details: Details
    reason: str
    at: datetime
    actor: User | None
    calendar: _LazyCalendar


# What an action establishes: (changed fields, extra event data). ``changes`` names Dossier
# fields (they are what gets saved) and their new values.
_Facts = tuple[dict[str, Any], dict[str, Any]]


def _receive(act: _Act) -> _Facts:
    """Submitted -> Received: form 01, the clock starts."""
    dossier, calendar = act.dossier, act.calendar.get()
    dossier.received_at = calendar.receipt_moment(act.at)
    dossier.due_at = dossier.effective_due_at = _due(
        calendar, dossier.procedure_version, dossier.received_at, online=True
    )
    changes = {
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "effective_due_at": dossier.effective_due_at,
    }
    return changes, {}


def _competent_agency(act: _Act) -> tuple[tuple[int | None, str | None, int | None], str]:
    """(id, code, unit id) of the agency that settles the dossier: the one named, else the
    procedure's, else the People's Committee of the unit that received it; and the code of
    the agency that received it. One query (both agencies, the procedure's by a subquery)
    unless the People's Committee must be found."""
    dossier = act.dossier
    named = act.details.to_agency
    rows = storage.transfer_agencies(
        dossier.receiving_agency_id, dossier.procedure_version_id, named=named is not None
    )
    received_by = rows[dossier.receiving_agency_id][1]
    if named is not None:
        return (named.pk, named.code, named.unit_id), received_by
    competent_id = rows[dossier.receiving_agency_id][3]
    if competent_id is not None:
        return rows[competent_id][:3], received_by
    committee = (
        peoples_committee_of(dossier.receiving_unit_id, timezone.localdate(act.at))
        if dossier.receiving_unit_id is not None
        else None
    )
    return _agency_facts(committee.pk if committee else None), received_by


def _check_handler(
    assignee: User | None, unit_id: int | None, agency_id: int, agency_code: str | None
) -> None:
    """An assignee must be someone who may handle the dossier where it goes
    (``accounts.access.handlers``): an officer of another commune or department would find
    it in a queue whose dossier they may not open. One query, only when someone is named."""
    if assignee is None or unit_id is None:
        return
    if not handlers(unit_id, agency_id).filter(pk=assignee.pk).exists():
        raise InvalidInput(
            _("%(name)s does not handle dossiers of %(agency)s")
            % {"name": assignee.full_name or assignee.username, "agency": agency_code or ""},
            field="assignee",
        )


def _transfer(act: _Act) -> _Facts:
    """Received -> In processing at the competent agency."""
    dossier, details = act.dossier, act.details
    (agency_id, agency_code, unit_id), received_by = _competent_agency(act)
    if agency_id is None:
        raise InvalidInput(_("the competent agency is required"), field="to_agency")
    _check_handler(details.assignee, unit_id, agency_id, agency_code)
    dossier.competent_agency_id = dossier.current_agency_id = agency_id
    dossier.handling_unit_id = unit_id
    dossier.assignee = details.assignee
    dossier.current_step = details.step or _("Processing")
    changes = {
        "competent_agency": agency_code,
        "current_agency": agency_code,
        "handling_unit": unit_id,
        "assignee": details.assignee,
        "current_step": dossier.current_step,
    }
    data = {"from_agency": received_by, "deliverer": act.actor}
    return changes, data


def _hand_over(act: _Act) -> _Facts:
    """In processing -> In processing (a row of the control sheet)."""
    dossier, details = act.dossier, act.details
    current_id, current_code, current_unit = _agency_facts(dossier.current_agency_id)
    data = {"from_agency": current_code, "deliverer": act.actor}
    going_to = details.to_agency
    if going_to is not None:
        _check_handler(details.assignee, going_to.unit_id, going_to.pk, going_to.code)
    elif current_id is not None:
        _check_handler(details.assignee, current_unit, current_id, current_code)
    if going_to is not None and going_to.pk != current_id:
        # Another agency: the previous holder's officer no longer has it.
        dossier.current_agency = going_to
        dossier.handling_unit_id = going_to.unit_id
        dossier.assignee = details.assignee
    elif details.assignee is not None:
        dossier.assignee = details.assignee
    dossier.current_step = details.step or dossier.current_step
    changes = {
        "current_agency": going_to or current_code,
        "handling_unit": dossier.handling_unit_id,
        "assignee": dossier.assignee,
        "current_step": dossier.current_step,
    }
    return changes, data


def _request_supplement(act: _Act) -> _Facts:
    """In processing -> Awaiting supplement: the clock stops (§1.4 step 6)."""
    dossier = act.dossier
    dossier.supplement_requests += 1
    changes: dict[str, Any] = {"supplement_requests": dossier.supplement_requests}
    changes |= _open_pause(dossier, PauseReason.SUPPLEMENT, act.at, act.reason)
    return changes, {}


def _supplement(act: _Act) -> _Facts:
    """Awaiting supplement -> In processing."""
    return _close_pause(act.dossier, act.calendar, act.at), {}


def _request_payment(act: _Act) -> _Facts:
    """In processing -> Awaiting payment."""
    amount = act.details.amount
    if amount is None or amount <= 0:
        raise InvalidInput(_("the amount owed is required"), field="amount")
    payment_obligation_create(
        dossier_id=act.dossier.pk, amount=amount, description=act.reason[:300], at=act.at
    )
    changes: dict[str, Any] = {}
    if settings.MOTCUA_DOSSIERS["PAYMENT_PAUSES_CLOCK"]:
        changes = _open_pause(act.dossier, PauseReason.PAYMENT, act.at, act.reason)
    return changes, {"amount": amount}


def _confirm_payment(act: _Act) -> _Facts:
    """Awaiting payment -> In processing."""
    data: dict[str, Any] = {}
    # Already paid in full (online, or at the counter meanwhile): only confirm.
    if act.details.amount is not None or amount_owed(act.dossier.pk) > 0:
        data = _pay(act.dossier, act.details, act.at, act.actor)
    return _close_pause(act.dossier, act.calendar, act.at), data


def _pay_fee(act: _Act) -> _Facts:
    """A payment; the state is unchanged."""
    return {}, _pay(act.dossier, act.details, act.at, act.actor)


def _resolve(act: _Act) -> _Facts:
    """In processing -> Resolved, approved or denied; the timeliness is settled here."""
    dossier, details, at = act.dossier, act.details, act.at
    denied = act.action is workflow.Action.DENY
    dossier.resolved_at = at
    dossier.outcome = Outcome.DENIED if denied else Outcome.APPROVED
    dossier.denial_reason = act.reason if denied else ""
    dossier.timeliness = timeliness_of(
        act.calendar.get(),
        finished_at=at,
        due_at=dossier.effective_due_at or at,
        supplement_requests=dossier.supplement_requests,
    ).value
    dossier.result_form = details.result_form or ResultForm.PAPER
    dossier.result_digitised = details.result_digitised
    dossier.electronic_certification = details.electronic_certification
    changes = {
        "resolved_at": at,
        "outcome": dossier.outcome,
        "denial_reason": dossier.denial_reason,
        "timeliness": dossier.timeliness,
        "result_form": dossier.result_form,
        "result_digitised": dossier.result_digitised,
        "electronic_certification": dossier.electronic_certification,
    }
    return changes, {}


def _return_result(act: _Act) -> _Facts:
    """Resolved -> Returned."""
    method = act.details.return_method
    if method is None:
        raise InvalidInput(_("how the result was returned is required"), field="return_method")
    act.dossier.returned_at = act.at
    act.dossier.return_method = method
    return {"returned_at": act.at, "return_method": method}, {}


def _end(act: _Act) -> _Facts:
    """Refused, withdrawn or stopped: an open pause ends with the dossier."""
    changes = _close_pause(act.dossier, act.calendar, act.at)
    act.dossier.ended_at = act.at
    changes["ended_at"] = act.at
    return changes, {}


def _apologise(act: _Act) -> _Facts:
    """Form 04: a new date; the original is kept for the figures."""
    dossier, details = act.dossier, act.details
    current = dossier.reappointed_due_at or dossier.effective_due_at
    if details.new_due_at is None or (current and details.new_due_at <= current):
        raise InvalidInput(
            _("the new date must be later than %(date)s")
            % {"date": format_datetime(timezone.localtime(current)) if current else "-"},
            field="new_due_at",
        )
    signed_by = details.signed_by.strip()
    if not signed_by:
        raise InvalidInput(_("who signs the apology is required"), field="signed_by")
    Extension.objects.create(
        dossier=dossier,
        old_due_at=current or details.new_due_at,
        new_due_at=details.new_due_at,
        reason=act.reason,
        signed_by=signed_by,
        created_at=act.at,
    )
    dossier.reappointed_due_at = details.new_due_at
    changes = {"reappointed_due_at": details.new_due_at}
    return changes, {"signed_by": signed_by, "old_due_at": current}


def _rate(act: _Act) -> _Facts:
    """The applicant's satisfaction rating; the state is unchanged."""
    rating = act.details.rating
    if rating is None:
        raise InvalidInput(_("the rating is required"), field="rating")
    try:
        rating_record(dossier_id=act.dossier.pk, level=rating, comment=act.reason, at=act.at)
    except RatingError as error:
        raise InvalidInput(str(error), field="rating") from None
    return {}, {"rating": rating}


def _event_only(act: _Act) -> _Facts:
    """Request completion, resubmit: the event is the whole record."""
    return {}, {}


# The facts each action writes; an action not listed writes none (:func:`_event_only`).
_HANDLERS: dict[workflow.Action, Callable[[_Act], _Facts]] = {
    workflow.Action.RECEIVE: _receive,
    workflow.Action.TRANSFER: _transfer,
    workflow.Action.HAND_OVER: _hand_over,
    workflow.Action.REQUEST_SUPPLEMENT: _request_supplement,
    workflow.Action.SUPPLEMENT: _supplement,
    workflow.Action.REQUEST_PAYMENT: _request_payment,
    workflow.Action.CONFIRM_PAYMENT: _confirm_payment,
    workflow.Action.PAY: _pay_fee,
    workflow.Action.APPROVE: _resolve,
    workflow.Action.DENY: _resolve,
    workflow.Action.RETURN_RESULT: _return_result,
    workflow.Action.REFUSE: _end,
    workflow.Action.WITHDRAW: _end,
    workflow.Action.STOP: _end,
    workflow.Action.APOLOGISE: _apologise,
    workflow.Action.RATE: _rate,
}


def _apply(
    dossier: Dossier,
    action: workflow.Action,
    *,
    details: Details,
    reason: str,
    at: datetime,
    actor: User | None,
) -> _Facts:
    """Write the facts ``action`` establishes; return (changed fields, extra event data)."""
    act = _Act(dossier, action, details, reason, at, actor, _LazyCalendar(dossier))
    return _HANDLERS.get(action, _event_only)(act)


def _action_of(action: workflow.Action | str) -> workflow.Action:
    try:
        return workflow.Action(action)
    except ValueError:
        raise InvalidInput(_("unknown action '%(a)s'") % {"a": action}, field="action") from None


def _locked(dossier_id: int, expected_version: int | None) -> Dossier:
    """The dossier locked for the transaction, at the version the caller read."""
    dossier = storage.lock_dossier(dossier_id)
    if dossier is None:
        raise DossierNotFound(_("no such dossier"))
    if expected_version is not None and dossier.version != expected_version:
        raise StaleVersion(
            _(
                "dossier %(code)s was changed by someone else in the meantime; "
                "reload it and try again"
            )
            % {"code": dossier.code},
            field="version",
        )
    return dossier


def _rule(status: workflow.Status, action: workflow.Action) -> workflow.Rule:
    """The lifecycle table's row for ``action`` from ``status``, or ``TransitionRefused``."""
    try:
        return workflow.rule_for(status, action)
    except workflow.TransitionNotAllowed:
        raise TransitionRefused(
            _("'%(action)s' is not allowed for a dossier that is '%(status)s'")
            % {"action": Action(action).label, "status": Status(status).label},
            field="action",
        ) from None


def _figures_before(
    dossier: Dossier, action: workflow.Action, calendars: figures.Calendars
) -> tuple[bool, figures.Snapshot | None]:
    """Whether the action can change what the dossier counts in, and what it counted in
    before (not yet received: it counted in nothing)."""
    track = action in figures.FIGURE_ACTIONS and (
        dossier.received_at is not None or action is workflow.Action.RECEIVE
    )
    before = figures.snapshot(dossier.pk, calendars) if track and dossier.received_at else None
    return track, before


# Actions that write only the dossier row (and may end its open pause at their moment): what
# the dossier counts in afterwards follows from the row read before and the new columns.
_ROW_ONLY = frozenset(
    {workflow.Action.APPROVE, workflow.Action.DENY, workflow.Action.WITHDRAW, workflow.Action.STOP}
)


def _check_after_last_event(dossier: Dossier, moment: datetime) -> None:
    """An action is never recorded before the dossier's last event.

    There is no refusal before the official receipt moment (§1.5): that moment starts the
    statutory clock, it does not forbid recording what happened (ARCHITECTURE invariant 9).
    A fee paid at 20:00 or a transfer at 18:20 after a receipt at 18:10 is recorded at its
    real time; the due moment still counts from the receipt moment.
    """
    last_at = dossier.last_event_at
    if last_at is not None and moment < last_at:
        raise InvalidInput(
            _("%(at)s is before the dossier's last event (%(last)s)")
            % {
                "at": format_datetime(timezone.localtime(moment)),
                "last": format_datetime(timezone.localtime(last_at)),
            },
            field="at",
        )


def dossier_transition(
    *,
    dossier_id: int,
    action: workflow.Action | str,
    actor: User | None,
    as_applicant: bool = False,
    expected_version: int | None = None,
    reason: str = "",
    details: Details | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Take ``action`` on the dossier, or refuse with nothing changed.

    ``expected_version`` is the version the caller showed its user: when someone else acted
    in between, :class:`StaleVersion` is raised and the second writer is told.
    """
    action = _action_of(action)
    details = details or Details()
    reason = nfc(reason.strip())
    with transaction.atomic():
        dossier = _locked(dossier_id, expected_version)
        status = workflow.Status(dossier.status)
        rule = _rule(status, action)
        kind = _actor_kind(rule, dossier, actor, as_applicant)
        if rule.reason_required and not reason:
            raise InvalidInput(_("a reason is required"), field="reason")
        calendars = figures.Calendars()
        track, before = _figures_before(dossier, action, calendars)
        moment = _moment(at)
        _check_after_last_event(dossier, moment)
        changes, data = _apply(
            dossier, action, details=details, reason=reason, at=moment, actor=actor
        )
        target = workflow.target_of(status, action)
        dossier.status = target.value
        dossier.version += 1
        event = _next_event(
            dossier,
            action=Action(action),
            from_status=status.value,
            actor=None if kind is workflow.Actor.APPLICANT else actor,
            actor_name=_actor_name(actor, kind is workflow.Actor.APPLICANT, dossier.applicant_name),
            at=moment,
            reason=reason,
            changes={"status": target.value, **changes},
            data=data,
        )
        fields = {"status", "version", *_TIP_FIELDS, *changes}
        # What the dossier counts in after the action: derived from the row read before and
        # its new columns when the action writes only its row, and then its ledger rows go
        # inside the dossier's own write (one statement on PostgreSQL); read back after the
        # write otherwise (pauses, payments, ratings were written).
        joined = storage.Joined()
        derived = track and before is not None and action in _ROW_ONLY
        if derived and before is not None:
            figures.ledger_apply(before, figures.snapshot_after(before, dossier, calendars), joined)
        storage.write_transition(dossier, sorted(fields & _DOSSIER_FIELDS), event, joined)
        if track and not derived:
            figures.ledger_apply(before, figures.snapshot(dossier.pk, calendars))
        # The applicant's e-mail, sent after commit.
        dossier_notify_on_commit(
            dossier_id=dossier.pk,
            action=action.value,
            event_seq=event.seq,
            email=dossier.applicant_email,
            phone=dossier.applicant_phone,
        )
    return dossier


# -- records kept elsewhere that a figure counts ---------------------------------------------


def component_digitised_set(*, component_id: int, digitised: bool, reused: bool = False) -> bool:
    """Record whether a component counts as digitised (and, with ``reused``, that it was
    filled from the applicant's electronic store), and move the figures with it.

    Called by the records that decide it (``digitise``: every scan of the component made a
    signed PDF/A meeting Circular 01/2023; ``docstore``: a digitised document reused), never
    by a clerk's tick. The dossier row is locked so the ledger's before/after snapshots see no
    concurrent change. Returns whether anything changed.
    """
    reused = reused and digitised
    fields = {"digitised": digitised, "reused": reused, **({"reusable": True} if reused else {})}
    with transaction.atomic():
        dossier_id = (
            DossierComponent.objects.filter(pk=component_id)
            .values_list("dossier_id", flat=True)
            .first()
        )
        if dossier_id is None:
            raise InvalidInput(_("no such dossier component"), field="component")
        dossier = _locked(dossier_id, None)
        component = DossierComponent.objects.get(pk=component_id)
        if all(getattr(component, name) == value for name, value in fields.items()):
            return False
        calendars = figures.Calendars()
        before = figures.snapshot(dossier.pk, calendars) if dossier.received_at else None
        DossierComponent.objects.filter(pk=component_id).update(**fields)
        if before is not None:
            figures.ledger_apply(before, figures.snapshot(dossier.pk, calendars))
        return True


def components_reusable_mark(*, dossier_id: int, component_ids: Sequence[int]) -> int:
    """Record that the applicant's electronic store held a paper for these components when
    the dossier came in (``docstore`` decides which): the dossier becomes eligible for 766
    indicator 4.3. Returns how many components were newly marked."""
    with transaction.atomic():
        dossier = _locked(dossier_id, None)
        unmarked = DossierComponent.objects.filter(
            dossier_id=dossier.pk, pk__in=list(component_ids), reusable=False
        )
        if not unmarked.exists():
            return 0
        calendars = figures.Calendars()
        before = figures.snapshot(dossier.pk, calendars) if dossier.received_at else None
        marked = unmarked.update(reusable=True)
        if before is not None:
            figures.ledger_apply(before, figures.snapshot(dossier.pk, calendars))
        return marked


def dossier_e_certified_set(*, dossier_id: int, e_certified: bool) -> bool:
    """Record whether the dossier's copy was certified electronically (the register of
    ``certification`` decides it: a valid entry issued in this dossier), and move the figures
    with it. Returns whether anything changed."""
    with transaction.atomic():
        dossier = _locked(dossier_id, None)
        if dossier.electronic_certification == e_certified:
            return False
        calendars = figures.Calendars()
        before = figures.snapshot(dossier.pk, calendars) if dossier.received_at else None
        Dossier.objects.filter(pk=dossier.pk).update(electronic_certification=e_certified)
        if before is not None:
            figures.ledger_apply(before, figures.snapshot(dossier.pk, calendars))
        return True


# -- files ------------------------------------------------------------------------------------


def upload_limit() -> int:
    """The largest scan or result file accepted (``MOTCUA_DOSSIERS["UPLOAD_MAX_BYTES"]``)."""
    return int(str(settings.MOTCUA_DOSSIERS.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)))


@transaction.atomic
def dossier_file_attach(
    *,
    dossier_id: int,
    upload: IO[bytes],
    name: str,
    kind: DossierFile.Kind | str = DossierFile.Kind.COMPONENT,
    component_id: int | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> DossierFile:
    """Store a scan of a component or the electronic result, or refuse it with nothing
    stored: empty, larger than ``MOTCUA_DOSSIERS["UPLOAD_MAX_BYTES"]``, or not really a PDF,
    JPEG or PNG (its bytes are checked, not its name)."""
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None:
        raise DossierNotFound(_("no such dossier"))
    if component_id is not None and not dossier.components.filter(pk=component_id).exists():
        raise InvalidInput(_("this component is not part of the dossier"), field="component")
    limit = upload_limit()
    upload.seek(0)
    data = upload.read(limit + 1)
    label = nfc(Path(name).name)[:200] or "file"
    if not data:
        raise InvalidInput(_("%(name)s is empty") % {"name": label}, field="file")
    if len(data) > limit:
        raise InvalidInput(
            _("%(name)s is larger than the %(limit)s bytes allowed")
            % {"name": label, "limit": format_number(limit)},
            field="file",
        )
    content_type = uploads.sniff(data)
    if content_type is None:
        raise InvalidInput(
            _("%(name)s is not a PDF, JPEG or PNG file (its content was checked, not its name)")
            % {"name": label},
            field="file",
        )
    stored = DossierFile(
        dossier=dossier,
        component_id=component_id,
        kind=DossierFile.Kind(kind),
        original_name=label,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=_moment(at),
        uploaded_by=actor,
    )
    # Written under a pending name, moved into place when the transaction commits: a rollback
    # or a killed process never leaves a file without its row (lib.uploads).
    uploads.save_on_commit(
        stored.file, f"{uuid.uuid4().hex}{uploads.EXTENSIONS[content_type]}", data
    )
    stored.save()
    return stored


# -- declaration form -------------------------------------------------------------------------


def _eforms_error(problem: eforms.Problem) -> InvalidInput:
    params = format_params(problem.params)
    message = _(problem.message) % params if params else _(problem.message)
    return InvalidInput(message, field=problem.path or "answers")


def declaration_answers_check(
    form: DeclarationForm, answers: object
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check answers against the form: the clean answers, and the translated errors by path
    (the address units must exist). Pages use it to show every error at once."""
    clean, problems = eforms.answers_check(form.schema, answers)
    errors = {path: str(_eforms_error(problem).message) for path, problem in problems.items()}
    if not errors:
        units = eforms.address_units(form.schema, clean)
        known = set(
            AdministrativeUnit.objects.filter(code__in=set(units.values())).values_list(
                "code", flat=True
            )
        )
        for path, code in units.items():
            if code not in known:
                errors[path] = _("No commune or ward has the code %(code)s.") % {"code": code}
    return clean, errors


@transaction.atomic
def dossier_declaration_record(
    *,
    dossier_id: int,
    form_id: int,
    answers: object,
    actor: User | None = None,
    at: datetime | None = None,
) -> DossierDeclaration:
    """File the declaration form's answers with the dossier, checked again against the form.

    The form must be one of the dossier's procedure (any version of it: a dossier keeps the
    form it was filled with). Online (``actor`` None) the applicant fills it; otherwise a clerk
    of the receiving unit. A dossier has one declaration: a second is refused, and of two
    at once exactly one is stored. Raises ``DossierError`` naming the field (``answers`` paths
    like ``children[2].birth_date``); then nothing is written.
    """
    at = _moment(at)
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None:
        raise DossierNotFound(_("No such dossier."), field="dossier")
    form = (
        DeclarationForm.objects.filter(
            pk=form_id, version__procedure_id=dossier.procedure_version.procedure_id
        )
        .select_related("version")
        .first()
    )
    if form is None:
        raise InvalidInput(_("This form is not one of the dossier's procedure."), field="form")
    if actor is not None and not user_can_act(actor, Role.CLERK, dossier.receiving_unit_id or 0):
        raise NotPermitted(_("You cannot fill the form of this dossier."), field="dossier")
    if DossierDeclaration.objects.filter(dossier=dossier).exists():
        raise InvalidInput(_("This dossier already has its declaration."), field="form")
    clean, errors = declaration_answers_check(form, answers)
    if errors:
        path = next(iter(errors))
        raise InvalidInput(errors[path], field=path)
    channel = Channel(dossier.channel) if actor is not None else Channel.ONLINE
    # The dossier row is locked above, so a second writer waits and then sees this one; the
    # one-per-dossier constraint decides where the lock is a no-op (SQLite).
    try:
        with transaction.atomic():
            return DossierDeclaration.objects.create(
                dossier=dossier,
                form=form,
                form_code=form.code,
                form_version=form.number,
                answers=clean,
                filled_by=channel,
                at=at,
                actor=actor,
            )
    except IntegrityError:
        raise InvalidInput(_("This dossier already has its declaration."), field="form") from None

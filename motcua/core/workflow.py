"""The dossier lifecycle as one table: which action moves a dossier from which state to which.

This is the law of §1.3–1.9 of the domain spec in code (house style R5). It is pure: no Django,
no I/O. The single write path (``dossiers.services``) asks :func:`rule_for` before it writes
anything, and refuses whatever the table does not allow.

States carry the external status code of the National Public Service Portal (DVCQG, §1.3 [I]).
Late handling (apology and re-appointment, form 04) is an action that keeps the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  # submitted online, not yet accepted by the one-stop section
    AWAITING_COMPLETION = "awaiting_completion"  # form 02 before receipt: applicant must complete
    REFUSED = "refused"  # form 03: not accepted (terminal)
    RECEIVED = "received"  # form 01 issued: the statutory clock runs
    IN_PROCESSING = "in_processing"  # at the competent agency, through steps and hand-overs
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # supplement requested: the clock stops
    AWAITING_PAYMENT = "awaiting_payment"  # waiting for a financial obligation (fee, tax)
    RESOLVED = "resolved"  # approved or denied, result ready to return
    RETURNED = "returned"  # result returned to the applicant (terminal)
    WITHDRAWN = "withdrawn"  # the applicant withdrew (terminal)
    STOPPED = "stopped"  # processing stopped (terminal)


class DvcqgStatus(IntEnum):
    """Status codes used when synchronising with the national portal (§1.3 [I])."""

    NEW = 1  # Mới đăng ký
    ACCEPTED = 2  # Được tiếp nhận
    NOT_ACCEPTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    FINANCIAL_OBLIGATION = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


EXTERNAL_STATUS: dict[Status, DvcqgStatus] = {
    Status.SUBMITTED: DvcqgStatus.NEW,
    Status.AWAITING_COMPLETION: DvcqgStatus.SUPPLEMENT_REQUESTED,
    Status.REFUSED: DvcqgStatus.NOT_ACCEPTED,
    Status.RECEIVED: DvcqgStatus.ACCEPTED,
    Status.IN_PROCESSING: DvcqgStatus.PROCESSING,
    Status.AWAITING_SUPPLEMENT: DvcqgStatus.SUPPLEMENT_REQUESTED,
    Status.AWAITING_PAYMENT: DvcqgStatus.FINANCIAL_OBLIGATION,
    Status.RESOLVED: DvcqgStatus.DONE,
    Status.RETURNED: DvcqgStatus.RETURNED,
    Status.WITHDRAWN: DvcqgStatus.WITHDRAWN,
    Status.STOPPED: DvcqgStatus.STOPPED,
}

TERMINAL = frozenset({Status.REFUSED, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED})
# States before the one-stop section accepted the dossier: no statutory clock yet.
BEFORE_RECEIPT = frozenset({Status.SUBMITTED, Status.AWAITING_COMPLETION})
# States in which the statutory clock is stopped (§1.4 step 6: supplement time is excluded).
PAUSED = frozenset({Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT})
# Received and not yet resolved: what the committee calls "đang giải quyết" (pending).
PENDING = frozenset(
    {Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT}
)


class Action(StrEnum):
    RECEIVE = "receive"  # form 01
    REQUEST_COMPLETION = "request_completion"  # form 02, before receipt
    RESUBMIT = "resubmit"  # the applicant completed the dossier
    REFUSE = "refuse"  # form 03
    TRANSFER = "transfer"  # one-stop section → competent agency (form 05 row)
    HAND_OVER = "hand_over"  # between steps or agencies (form 05 row)
    REQUEST_SUPPLEMENT = "request_supplement"  # clock stops
    SUPPLEMENT = "supplement"  # supplement arrived, clock restarts
    REQUEST_PAYMENT = "request_payment"  # financial obligation notified
    CONFIRM_PAYMENT = "confirm_payment"  # obligation met
    APPROVE = "approve"
    DENY = "deny"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"  # at the applicant's request
    STOP = "stop"  # processing stopped (no result decided yet)
    APOLOGISE = "apologise"  # form 04: apology and re-appointment, the state stays
    PAY = "pay"  # a fee or charge paid (at the counter or online), the state stays
    RATE = "rate"  # the applicant's satisfaction rating, the state stays


class Actor(StrEnum):
    """Who may take an action. Staff values equal ``accounts.Role`` values."""

    APPLICANT = "applicant"
    CLERK = "clerk"
    OFFICER = "officer"
    LEADER = "leader"


@dataclass(frozen=True)
class Rule:
    """One row of the table: ``action`` from any of ``sources`` leads to ``target``."""

    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: the state does not change (hand-over, apology)
    actors: frozenset[Actor]
    reason_required: bool = False
    form: str | None = None  # the standard form the action issues (§2)


def _rule(
    action: Action,
    sources: set[Status],
    target: Status | None,
    actors: set[Actor],
    *,
    reason: bool = False,
    form: str | None = None,
) -> Rule:
    return Rule(action, frozenset(sources), target, frozenset(actors), reason, form)


S, A = Status, Actor
_BEFORE_RESOLUTION = {S.RECEIVED, S.IN_PROCESSING, S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT}

TABLE: tuple[Rule, ...] = (
    # §1.4 step 3: the one-stop section checks an online submission: accept, ask once, or refuse.
    _rule(Action.RECEIVE, {S.SUBMITTED}, S.RECEIVED, {A.CLERK}, form="01"),
    _rule(
        Action.REQUEST_COMPLETION,
        {S.SUBMITTED},
        S.AWAITING_COMPLETION,
        {A.CLERK},
        reason=True,
        form="02",
    ),
    _rule(Action.RESUBMIT, {S.AWAITING_COMPLETION}, S.SUBMITTED, {A.APPLICANT, A.CLERK}),
    _rule(
        Action.REFUSE,
        {S.SUBMITTED, S.AWAITING_COMPLETION},
        S.REFUSED,
        {A.CLERK},
        reason=True,
        form="03",
    ),
    # §1.4 step 5: transfer to the competent agency; every hand-over is a control-sheet row.
    _rule(Action.TRANSFER, {S.RECEIVED}, S.IN_PROCESSING, {A.CLERK}, form="05"),
    _rule(Action.HAND_OVER, {S.IN_PROCESSING}, None, {A.OFFICER, A.LEADER}, form="05"),
    # §1.4 step 6: supplement after reception stops the clock until it arrives.
    _rule(
        Action.REQUEST_SUPPLEMENT,
        {S.IN_PROCESSING},
        S.AWAITING_SUPPLEMENT,
        {A.OFFICER, A.LEADER},
        reason=True,
        form="02",
    ),
    _rule(
        Action.SUPPLEMENT,
        {S.AWAITING_SUPPLEMENT},
        S.IN_PROCESSING,
        {A.APPLICANT, A.CLERK, A.OFFICER},
    ),
    _rule(
        Action.REQUEST_PAYMENT,
        {S.IN_PROCESSING},
        S.AWAITING_PAYMENT,
        {A.OFFICER, A.LEADER},
        reason=True,
    ),
    _rule(
        Action.CONFIRM_PAYMENT,
        {S.AWAITING_PAYMENT},
        S.IN_PROCESSING,
        {A.APPLICANT, A.CLERK, A.OFFICER},
    ),
    # §1.4 step 7: the result is decided; a denial must say why.
    _rule(Action.APPROVE, {S.IN_PROCESSING}, S.RESOLVED, {A.OFFICER, A.LEADER}),
    _rule(Action.DENY, {S.IN_PROCESSING}, S.RESOLVED, {A.OFFICER, A.LEADER}, reason=True),
    # §1.4 step 8: the result goes back at the counter, by post or online.
    _rule(Action.RETURN_RESULT, {S.RESOLVED}, S.RETURNED, {A.CLERK}),
    # §1.8: withdrawal and stop happen only before a result is decided.
    _rule(
        Action.WITHDRAW,
        {S.SUBMITTED, S.AWAITING_COMPLETION, *_BEFORE_RESOLUTION},
        S.WITHDRAWN,
        {A.APPLICANT, A.CLERK},
        reason=True,
    ),
    _rule(
        Action.STOP, _BEFORE_RESOLUTION, S.STOPPED, {A.OFFICER, A.LEADER}, reason=True, form="05"
    ),
    # §1.7: apology and a new date when the result will be late; the original due date is kept.
    _rule(
        Action.APOLOGISE, _BEFORE_RESOLUTION, None, {A.OFFICER, A.LEADER}, reason=True, form="04"
    ),
    # Fees may be paid from submission until the result is handed over.
    _rule(
        Action.PAY,
        {S.SUBMITTED, S.AWAITING_COMPLETION, *_BEFORE_RESOLUTION, S.RESOLVED},
        None,
        {A.APPLICANT, A.CLERK},
    ),
    # §1.4 step 11: the applicant rates the handling once the result is ready.
    _rule(Action.RATE, {S.RESOLVED, S.RETURNED}, None, {A.APPLICANT, A.CLERK}),
)

_BY_ACTION: dict[Action, Rule] = {rule.action: rule for rule in TABLE}
assert len(_BY_ACTION) == len(TABLE), "one rule per action"


class TransitionNotAllowed(Exception):
    """The action is not allowed from the dossier's state, or not for this actor."""

    def __init__(self, message: str, *, status: Status, action: Action) -> None:
        super().__init__(message)
        self.status = status
        self.action = action


def rule_for(status: Status, action: Action, actor: Actor | None = None) -> Rule:
    """The rule that allows ``action`` from ``status`` (for ``actor`` when given), or raise."""
    rule = _BY_ACTION[action]
    if status not in rule.sources:
        raise TransitionNotAllowed(
            f"'{action}' is not allowed from '{status}'", status=status, action=action
        )
    if actor is not None and actor not in rule.actors:
        raise TransitionNotAllowed(f"'{action}' is not for '{actor}'", status=status, action=action)
    return rule


def target_of(status: Status, action: Action) -> Status:
    """The state after ``action`` (the same state for hand-overs and apologies)."""
    rule = rule_for(status, action)
    return rule.target if rule.target is not None else status


def allowed_actions(status: Status, actor: Actor | None = None) -> list[Action]:
    """Actions the table allows from ``status``, in table order (for menus and the CLI)."""
    return [
        rule.action
        for rule in TABLE
        if status in rule.sources and (actor is None or actor in rule.actors)
    ]


def allowed_pairs() -> set[tuple[Status, Status]]:
    """Every (from, to) pair some action allows, counting same-state actions."""
    return {
        (source, rule.target if rule.target is not None else source)
        for rule in TABLE
        for source in rule.sources
    }

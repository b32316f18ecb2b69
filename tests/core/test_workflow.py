"""Every (state, action) and every (from, to) pair of the lifecycle table, allowed or refused."""

import itertools
import subprocess
import sys

import pytest

from motcua.core.workflow import (
    EXTERNAL_STATUS,
    PAUSED,
    PENDING,
    TABLE,
    TERMINAL,
    Action,
    Actor,
    DvcqgStatus,
    Status,
    TransitionNotAllowed,
    allowed_actions,
    allowed_pairs,
    rule_for,
    target_of,
)

# The table written out by hand, as a reviewer would read it from §1.3–1.9.
EXPECTED = {
    (Status.SUBMITTED, Action.RECEIVE): Status.RECEIVED,
    (Status.SUBMITTED, Action.REQUEST_COMPLETION): Status.AWAITING_COMPLETION,
    (Status.SUBMITTED, Action.REFUSE): Status.REFUSED,
    (Status.SUBMITTED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.AWAITING_COMPLETION, Action.RESUBMIT): Status.SUBMITTED,
    (Status.AWAITING_COMPLETION, Action.REFUSE): Status.REFUSED,
    (Status.AWAITING_COMPLETION, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.RECEIVED, Action.TRANSFER): Status.IN_PROCESSING,
    (Status.RECEIVED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.RECEIVED, Action.STOP): Status.STOPPED,
    (Status.RECEIVED, Action.APOLOGISE): Status.RECEIVED,
    (Status.IN_PROCESSING, Action.HAND_OVER): Status.IN_PROCESSING,
    (Status.IN_PROCESSING, Action.REQUEST_SUPPLEMENT): Status.AWAITING_SUPPLEMENT,
    (Status.IN_PROCESSING, Action.REQUEST_PAYMENT): Status.AWAITING_PAYMENT,
    (Status.IN_PROCESSING, Action.APPROVE): Status.RESOLVED,
    (Status.IN_PROCESSING, Action.DENY): Status.RESOLVED,
    (Status.IN_PROCESSING, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.IN_PROCESSING, Action.STOP): Status.STOPPED,
    (Status.IN_PROCESSING, Action.APOLOGISE): Status.IN_PROCESSING,
    (Status.AWAITING_SUPPLEMENT, Action.SUPPLEMENT): Status.IN_PROCESSING,
    (Status.AWAITING_SUPPLEMENT, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.AWAITING_SUPPLEMENT, Action.STOP): Status.STOPPED,
    (Status.AWAITING_SUPPLEMENT, Action.APOLOGISE): Status.AWAITING_SUPPLEMENT,
    (Status.AWAITING_PAYMENT, Action.CONFIRM_PAYMENT): Status.IN_PROCESSING,
    (Status.AWAITING_PAYMENT, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.AWAITING_PAYMENT, Action.STOP): Status.STOPPED,
    (Status.AWAITING_PAYMENT, Action.APOLOGISE): Status.AWAITING_PAYMENT,
    (Status.RESOLVED, Action.RETURN_RESULT): Status.RETURNED,
    (Status.SUBMITTED, Action.PAY): Status.SUBMITTED,
    (Status.AWAITING_COMPLETION, Action.PAY): Status.AWAITING_COMPLETION,
    (Status.RECEIVED, Action.PAY): Status.RECEIVED,
    (Status.IN_PROCESSING, Action.PAY): Status.IN_PROCESSING,
    (Status.AWAITING_SUPPLEMENT, Action.PAY): Status.AWAITING_SUPPLEMENT,
    (Status.AWAITING_PAYMENT, Action.PAY): Status.AWAITING_PAYMENT,
    (Status.RESOLVED, Action.PAY): Status.RESOLVED,
    (Status.RESOLVED, Action.RATE): Status.RESOLVED,
    (Status.RETURNED, Action.RATE): Status.RETURNED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_state_and_action_is_allowed_or_refused_as_the_table_says(status, action):
    if (status, action) in EXPECTED:
        assert target_of(status, action) == EXPECTED[(status, action)]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            rule_for(status, action)
        assert refused.value.status == status
        assert refused.value.action == action
        assert action not in allowed_actions(status)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_every_from_to_pair_is_allowed_or_refused(source, target):
    expected = {(s, t) for (s, _), t in EXPECTED.items()}
    assert ((source, target) in allowed_pairs()) == ((source, target) in expected)


def test_nothing_leaves_a_terminal_state():
    for status in TERMINAL:
        assert all(target_of(status, action) == status for action in allowed_actions(status))
    assert allowed_actions(Status.RETURNED) == [Action.RATE]
    assert allowed_actions(Status.WITHDRAWN) == []


def test_it_refuses_an_actor_the_rule_does_not_name():
    with pytest.raises(TransitionNotAllowed, match="not for 'applicant'"):
        rule_for(Status.SUBMITTED, Action.RECEIVE, Actor.APPLICANT)
    assert rule_for(Status.SUBMITTED, Action.RECEIVE, Actor.CLERK).form == "01"
    assert allowed_actions(Status.RESOLVED, Actor.OFFICER) == []
    assert allowed_actions(Status.RESOLVED, Actor.CLERK) == [
        Action.RETURN_RESULT,
        Action.PAY,
        Action.RATE,
    ]


def test_reasons_are_required_where_the_law_asks_for_them():
    needs_reason = {rule.action for rule in TABLE if rule.reason_required}
    assert needs_reason == {
        Action.REQUEST_COMPLETION,
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.DENY,
        Action.WITHDRAW,
        Action.STOP,
        Action.APOLOGISE,
    }


def test_every_state_has_its_national_portal_code():
    assert set(EXTERNAL_STATUS) == set(Status)
    assert EXTERNAL_STATUS[Status.RECEIVED] == DvcqgStatus.ACCEPTED == 2
    assert EXTERNAL_STATUS[Status.RETURNED] == 10
    assert PAUSED <= PENDING
    assert not (PENDING & TERMINAL)


def test_the_core_does_not_import_django():
    code = "import sys, motcua.core.workflow; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr

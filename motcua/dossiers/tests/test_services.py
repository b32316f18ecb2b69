"""The write path: every state × action allowed or refused, with nothing changed on refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.core import workflow
from motcua.dossiers.choices import Channel, Outcome, ResultForm, ReturnMethod, Status, Timeliness
from motcua.dossiers.errors import InvalidInput, NotPermitted, StaleVersion, TransitionRefused
from motcua.dossiers.models import Dossier, DossierEvent, Extension, Pause
from motcua.dossiers.services import Applicant, Details, dossier_create, dossier_transition
from motcua.dossiers.tests.conftest import local
from motcua.feedback.choices import RatingLevel
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent

pytestmark = pytest.mark.django_db

A = workflow.Action


def act(world, dossier, action, at, *, actor=None, as_applicant=False, reason="", **details):
    """Take an action as the natural actor for it."""
    if actor is None and not as_applicant:
        rule = next(rule for rule in workflow.TABLE if rule.action == action)
        if workflow.Actor.CLERK in rule.actors:
            actor = world.clerk
        elif workflow.Actor.OFFICER in rule.actors:
            actor = world.officer
        else:
            as_applicant = True
    return dossier_transition(
        dossier_id=dossier.pk,
        action=action,
        actor=actor,
        as_applicant=as_applicant,
        reason=reason or "Lý do",
        details=Details(**details),
        at=local(at),
    )


def apologise(world, dossier, at, **details):
    """The leader's apology, which sets a new due moment."""
    return act(world, dossier, A.APOLOGISE, at, actor=world.leader, **details)


def in_processing(world):
    """A dossier received on Monday 01/04/2024 08:00 and transferred to its officer at 09:00."""
    dossier = world.create(at="01/04/2024 08:00")
    return act(world, dossier, A.TRANSFER, "01/04/2024 09:00")


# One way to reach each state from an online submission, as (action, details) steps.
PATHS: dict[Status, list[tuple[workflow.Action, dict]]] = {
    Status.SUBMITTED: [],
    Status.AWAITING_COMPLETION: [(A.REQUEST_COMPLETION, {})],
    Status.REFUSED: [(A.REFUSE, {})],
    Status.RECEIVED: [(A.RECEIVE, {})],
    Status.IN_PROCESSING: [(A.RECEIVE, {}), (A.TRANSFER, {})],
    Status.AWAITING_SUPPLEMENT: [(A.RECEIVE, {}), (A.TRANSFER, {}), (A.REQUEST_SUPPLEMENT, {})],
    Status.AWAITING_PAYMENT: [
        (A.RECEIVE, {}),
        (A.TRANSFER, {}),
        (A.REQUEST_PAYMENT, {"amount": 50000}),
    ],
    Status.RESOLVED: [(A.RECEIVE, {}), (A.TRANSFER, {}), (A.APPROVE, {})],
    Status.RETURNED: [
        (A.RECEIVE, {}),
        (A.TRANSFER, {}),
        (A.APPROVE, {}),
        (A.RETURN_RESULT, {"return_method": ReturnMethod.COUNTER}),
    ],
    Status.WITHDRAWN: [(A.WITHDRAW, {})],
    Status.STOPPED: [(A.RECEIVE, {}), (A.STOP, {})],
}

# What each allowed action needs to succeed from any state that allows it.
GOOD_DETAILS = {
    A.REQUEST_PAYMENT: {"amount": 50000},
    A.CONFIRM_PAYMENT: {"payment_method": PaymentMethod.CASH},
    A.PAY: {"payment_method": PaymentMethod.ONLINE_NATIONAL},
    A.RETURN_RESULT: {"return_method": ReturnMethod.COUNTER},
    A.APOLOGISE: {"new_due_at": local("30/01/2024 17:00"), "signed_by": "Lý Thị Hà"},
    A.RATE: {"rating": RatingLevel.SATISFIED},
}


def reach(world, status):
    dossier = world.create(channel=Channel.ONLINE, at="02/01/2024 08:00", fee=20000)
    for minute, (action, details) in enumerate(PATHS[status], start=1):
        dossier = act(world, dossier, action, f"02/01/2024 09:{minute:02d}", **details)
    assert dossier.status == status
    return dossier


def snapshot(dossier):
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (fresh.status, fresh.version, fresh.events.count(), Pause.objects.count())


@pytest.mark.parametrize("status", list(Status))
def test_every_action_from_every_state_is_allowed_or_refused(world, status):
    for action in workflow.Action:
        dossier = reach(world, status)
        before = snapshot(dossier)
        allowed = action in workflow.allowed_actions(workflow.Status(status))
        if not allowed:
            with pytest.raises(TransitionRefused):
                act(world, dossier, action, "02/01/2024 10:00", **GOOD_DETAILS.get(action, {}))
            assert snapshot(dossier) == before, action
            continue
        after = act(world, dossier, action, "02/01/2024 10:00", **GOOD_DETAILS.get(action, {}))
        stored = Dossier.objects.get(pk=dossier.pk)
        for column in Dossier._meta.concrete_fields:  # everything set was also saved
            assert column.value_from_object(stored) == column.value_from_object(after), (
                action,
                column.name,
            )
        assert after.status == workflow.target_of(workflow.Status(status), action)
        assert after.version == before[1] + 1
        event = after.events.order_by("-seq").first()
        assert (event.action, event.from_status, event.to_status) == (
            action,
            status,
            after.status,
        )


def test_the_counter_receives_and_the_dossier_goes_all_the_way(world):
    dossier = world.create(at="24/01/2025 16:30", fee=0)
    assert dossier.status == Status.RECEIVED
    assert dossier.code == "000.00.58.H06-250124-0001"
    # 5 working days from Friday 24/01/2025 16:30 across Tết (§7.3): Friday 07/02/2025 16:30.
    assert dossier.due_at == local("07/02/2025 16:30")

    dossier = act(world, dossier, A.TRANSFER, "24/01/2025 16:45", assignee=world.officer)
    assert dossier.competent_agency == world.justice
    dossier = act(world, dossier, A.HAND_OVER, "03/02/2025 09:00", step="Trình ký")
    dossier = act(world, dossier, A.APPROVE, "06/02/2025 10:00", result_digitised=True)
    assert (dossier.outcome, dossier.timeliness) == (Outcome.APPROVED, Timeliness.EARLY)
    dossier = act(world, dossier, A.RETURN_RESULT, "07/02/2025 08:00", return_method="counter")
    dossier = act(
        world,
        dossier,
        A.RATE,
        "07/02/2025 08:05",
        as_applicant=True,
        rating=RatingLevel.VERY_SATISFIED,
    )

    events = list(dossier.events.order_by("seq").values_list("action", "to_status"))
    assert events == [
        ("receive", "received"),
        ("transfer", "in_processing"),
        ("hand_over", "in_processing"),
        ("approve", "resolved"),
        ("return_result", "returned"),
        ("rate", "returned"),
    ]
    assert dossier.rating.level == RatingLevel.VERY_SATISFIED


def test_an_online_submission_after_hours_is_received_at_the_next_session(world):
    dossier = world.create(channel=Channel.ONLINE, at="05/01/2024 19:40")  # Friday evening
    assert dossier.status == Status.SUBMITTED
    assert dossier.received_at is None
    dossier = act(world, dossier, A.RECEIVE, "05/01/2024 20:00")
    assert dossier.received_at == local("08/01/2024 07:00")
    assert dossier.due_at == local("12/01/2024 17:00")


def test_a_supplement_stops_the_clock_and_two_make_the_dossier_late(world):
    dossier = world.create(at="01/04/2024 08:00")  # due Monday 08/04/2024 08:00
    assert dossier.due_at == local("08/04/2024 08:00")
    dossier = act(world, dossier, A.TRANSFER, "01/04/2024 09:00")
    dossier = act(world, dossier, A.REQUEST_SUPPLEMENT, "02/04/2024 08:00")
    assert dossier.paused_since == local("02/04/2024 08:00")
    dossier = act(world, dossier, A.SUPPLEMENT, "03/04/2024 08:00", as_applicant=True)
    assert dossier.effective_due_at == local("09/04/2024 08:00")  # one working day later
    assert dossier.due_at == local("08/04/2024 08:00")  # what the receipt says stays
    assert Pause.objects.get(dossier=dossier).ended_at == local("03/04/2024 08:00")

    dossier = act(world, dossier, A.REQUEST_SUPPLEMENT, "03/04/2024 09:00")
    dossier = act(world, dossier, A.SUPPLEMENT, "03/04/2024 10:00", as_applicant=True)
    dossier = act(world, dossier, A.APPROVE, "04/04/2024 08:00")
    assert dossier.supplement_requests == 2
    assert dossier.timeliness == Timeliness.LATE  # 766 rule: more than one request


def test_an_apology_keeps_the_original_due_moment_for_the_figures(world):
    dossier = in_processing(world)
    dossier = apologise(
        world,
        dossier,
        "05/04/2024 09:00",
        new_due_at=local("12/04/2024 17:00"),
        signed_by="Lý Thị Hà",
    )
    extension = Extension.objects.get(dossier=dossier)
    assert (extension.old_due_at, extension.new_due_at) == (
        local("08/04/2024 08:00"),
        local("12/04/2024 17:00"),
    )
    dossier = act(world, dossier, A.APPROVE, "10/04/2024 09:00")
    assert dossier.timeliness == Timeliness.LATE


def test_it_refuses_an_earlier_new_date_and_a_missing_signer(world):
    dossier = world.create(at="01/04/2024 08:00")
    before = snapshot(dossier)
    with pytest.raises(InvalidInput) as error:
        apologise(
            world, dossier, "02/04/2024 09:00", new_due_at=local("05/04/2024 17:00"), signed_by="Hà"
        )
    assert error.value.field == "new_due_at"
    with pytest.raises(InvalidInput) as error:
        apologise(world, dossier, "02/04/2024 09:00", new_due_at=local("15/04/2024 17:00"))
    assert error.value.field == "signed_by"
    assert snapshot(dossier) == before
    assert Extension.objects.count() == 0


def test_payments_are_recorded_in_the_ledger(world):
    dossier = world.create(at="01/04/2024 08:00", fee=50000)
    act(
        world,
        dossier,
        A.PAY,
        "01/04/2024 08:10",
        as_applicant=True,
        payment_method=PaymentMethod.ONLINE_NATIONAL,
        payment_reference="DVCQG-123",
    )
    event = PaymentEvent.objects.get()
    assert (event.amount, event.method, event.reference) == (50000, "online_national", "DVCQG-123")
    with pytest.raises(InvalidInput) as error:
        act(world, dossier, A.PAY, "01/04/2024 08:20", payment_method=PaymentMethod.CASH)
    assert error.value.field == "payment"


def test_a_wrong_role_or_unit_is_refused_with_nothing_changed(world):
    dossier = world.create(at="01/04/2024 08:00")
    before = snapshot(dossier)
    with pytest.raises(NotPermitted):
        act(world, dossier, A.TRANSFER, "01/04/2024 09:00", actor=world.officer)
    with pytest.raises(NotPermitted):
        act(world, dossier, A.TRANSFER, "01/04/2024 09:00", actor=world.other_clerk)
    with pytest.raises(NotPermitted):
        act(world, dossier, A.TRANSFER, "01/04/2024 09:00", as_applicant=True)
    assert snapshot(dossier) == before


def test_a_ward_clerk_cannot_receive_for_the_city_desk(world):
    with pytest.raises(NotPermitted):
        world.create(actor=world.other_clerk)
    assert Dossier.objects.count() == 0


def test_a_stale_version_loses(world):
    dossier = world.create(at="01/04/2024 08:00")
    read_version = dossier.version
    dossier_transition(
        dossier_id=dossier.pk,
        action=A.TRANSFER,
        actor=world.clerk,
        expected_version=read_version,
        at=local("01/04/2024 09:00"),
    )
    with pytest.raises(StaleVersion) as error:
        dossier_transition(
            dossier_id=dossier.pk,
            action=A.WITHDRAW,
            actor=world.clerk,
            expected_version=read_version,
            reason="Rút",
            at=local("01/04/2024 09:05"),
        )
    assert error.value.field == "version"
    assert dossier.code in str(error.value)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING


@pytest.mark.parametrize("action", [A.REFUSE, A.REQUEST_COMPLETION, A.WITHDRAW])
def test_a_missing_reason_is_refused(world, action):
    dossier = world.create(channel=Channel.ONLINE)
    before = snapshot(dossier)
    with pytest.raises(InvalidInput) as error:
        dossier_transition(
            dossier_id=dossier.pk,
            action=action,
            actor=world.clerk,
            reason="  ",
            at=local("02/01/2024 09:00"),
        )
    assert error.value.field == "reason"
    assert snapshot(dossier) == before


def test_time_cannot_run_backwards(world):
    dossier = world.create(at="01/04/2024 08:00")
    with pytest.raises(InvalidInput) as error:
        act(world, dossier, A.TRANSFER, "31/03/2024 09:00")
    assert error.value.field == "at"


def test_a_moment_to_come_is_refused_and_a_fast_clock_is_not(world):
    """Only what has happened is recorded (the reports take the clock columns to stand as
    now); a workstation's clock a few minutes fast is not refused."""
    now = timezone.now().replace(microsecond=0)
    dossier = world.create(at=f"{timezone.localtime(now - timedelta(days=1)):%d/%m/%Y %H:%M}")
    before = snapshot(dossier)
    with pytest.raises(InvalidInput) as error:
        dossier_transition(dossier_id=dossier.pk, action=A.TRANSFER, actor=world.clerk,
                           at=now + timedelta(hours=1))  # fmt: skip
    assert error.value.field == "at"
    assert "chưa tới: chỉ ghi nhận việc đã xảy ra" in str(error.value)
    assert snapshot(dossier) == before
    with pytest.raises(InvalidInput):
        world.create(at=f"{timezone.localtime(now + timedelta(days=1)):%d/%m/%Y %H:%M}")
    moved = dossier_transition(dossier_id=dossier.pk, action=A.TRANSFER, actor=world.clerk,
                               at=now + timedelta(minutes=4))  # fmt: skip
    assert moved.status == Status.IN_PROCESSING


@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        (Applicant(name=" "), "applicant_name"),
        (Applicant(name="Hà", id_number="12345"), "applicant_id_number"),
        (Applicant(name="Hà", phone="12"), "applicant_phone"),
        (Applicant(name="Hà", email="ha@"), "applicant_email"),
    ],
)
def test_malformed_applicant_data_is_refused(world, applicant, field):
    with pytest.raises(InvalidInput) as error:
        world.create(applicant=applicant)
    assert error.value.field == field
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0


def test_a_doubtful_id_number_only_warns(world):
    created = dossier_create(
        procedure=world.procedure,
        receiving_agency=world.city_desk,
        channel=Channel.DIRECT,
        applicant=Applicant(name="Hà", id_number="099190012345"),
        actor=world.clerk,
        at=local("01/04/2024 08:00"),
    )
    assert created.warnings == ["province code 099 is not a known birth-registration code"]


def test_a_procedure_not_offered_online_cannot_be_submitted_online(world):
    with pytest.raises(InvalidInput) as error:
        world.create(channel=Channel.ONLINE, procedure=world.offline_procedure)
    assert error.value.field == "procedure"


def test_codes_follow_the_agency_and_day(world):
    first = world.create(at="01/04/2024 08:00")
    second = world.create(at="01/04/2024 09:00")
    other_day = world.create(at="02/04/2024 09:00")
    ward = world.create(
        at="01/04/2024 09:00", receiving_agency=world.ward_desk, actor=world.ward_clerk
    )
    assert [first.code, second.code, other_day.code, ward.code] == [
        "000.00.58.H06-240401-0001",
        "000.00.58.H06-240401-0002",
        "000.00.58.H06-240402-0001",
        "000.40.58.H06-240401-0001",
    ]


def test_denial_needs_a_reason_and_is_recorded(world):
    dossier = in_processing(world)
    dossier = act(
        world,
        dossier,
        A.DENY,
        "02/04/2024 09:00",
        reason="Không đủ điều kiện",
        result_form=ResultForm.ELECTRONIC,
    )
    assert (dossier.outcome, dossier.denial_reason) == (Outcome.DENIED, "Không đủ điều kiện")


def test_a_scan_is_stored_when_it_really_is_a_pdf_jpeg_or_png(world, settings, tmp_path):
    from io import BytesIO

    from motcua.dossiers.models import DossierFile
    from motcua.dossiers.services import dossier_file_attach

    settings.MEDIA_ROOT = tmp_path
    dossier = world.create(at="01/04/2024 08:00")
    component = dossier.components.get()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    stored = dossier_file_attach(
        dossier_id=dossier.pk,
        upload=BytesIO(pdf),
        name="to-khai.txt",
        component_id=component.pk,
        actor=world.clerk,
    )
    assert (stored.content_type, stored.size, stored.original_name) == (
        "application/pdf",
        len(pdf),
        "to-khai.txt",
    )
    assert stored.file.name.endswith(".pdf")
    assert stored.file.read() == pdf
    for data, name in (
        (b"", "rong.pdf"),
        (b"MZ\x90\x00 not a pdf at all", "virus.pdf"),
        (b"%PDF-1.4 truncated", "cut.pdf"),
    ):
        with pytest.raises(InvalidInput) as refused:
            dossier_file_attach(dossier_id=dossier.pk, upload=BytesIO(data), name=name)
        assert refused.value.field == "file"
        assert name in refused.value.message
    settings.MOTCUA_DOSSIERS = {**settings.MOTCUA_DOSSIERS, "UPLOAD_MAX_BYTES": 10}
    with pytest.raises(InvalidInput):
        dossier_file_attach(dossier_id=dossier.pk, upload=BytesIO(pdf), name="big.pdf")
    assert DossierFile.objects.count() == 1

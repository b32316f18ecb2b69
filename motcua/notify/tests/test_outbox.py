"""The notification outbox end to end: dossiers go through the real services, the rows are
written in their transaction, ``motcua worker`` sends them to the local gateway process
(SMS brandname and Zalo ZNS shapes) and to Django's mail, and the gateway's delivery
receipts come back to the app's callbacks."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import notifications
from motcua.dossiers.services import Applicant
from motcua.dossiers.tests.world import World, build_world, local
from motcua.notify.choices import Channel, Event, Status
from motcua.notify.errors import InvalidInput
from motcua.notify.models import AgencyNotifySettings, Notification
from motcua.notify.services import (
    notification_deliver,
    notification_preference_set,
    notifications_deliver_due,
)
from motcua.notify.tests.conftest import (
    SMS_CALLBACK_TOKEN,
    ZALO_APP,
    ZALO_SECRET,
    run_queued_tasks,
)
from motcua.notify.text import is_sms_safe

EMAIL = "khai.nguyen@example.vn"
PHONE, PHONE_84 = "0912 345 678", "84912345678"
APPLICANT = Applicant(
    name="Nguyễn Thị Minh Khai", id_number="006190012345", phone=PHONE, email=EMAIL
)
CODE = "000.00.58.H06-240102-0001"


@pytest.fixture
def world(db) -> World:
    return build_world()


def run_worker() -> int:
    """The queue's tasks, run as the worker runs them (conftest.run_queued_tasks)."""
    return run_queued_tasks()


def run_worker_command() -> str:
    out = StringIO()
    call_command("worker", "--once", "--no-scheduler", stdout=out, stderr=StringIO())
    return out.getvalue()


def rows(**filters) -> dict[str, Notification]:
    return {n.channel: n for n in Notification.objects.filter(**filters).order_by("pk")}


def received(world, capture, applicant=APPLICANT):
    with capture(execute=True):
        return world.create(applicant=applicant)


def test_receipt_reaches_sms_zalo_and_email_through_the_worker(
    world, gateway_on, django_capture_on_commit_callbacks
):
    dossier = received(world, django_capture_on_commit_callbacks)
    written = rows(dossier_id=dossier.pk)
    assert set(written) == {Channel.EMAIL, Channel.SMS, Channel.ZALO}
    assert {n.status for n in written.values()} == {Status.QUEUED}
    # The clerk's request sent nothing: the gateway and the mailbox are empty until the worker.
    assert gateway_on.messages() == []
    assert mail.outbox == []

    run_worker()

    [sms] = gateway_on.messages("sms")
    assert sms["body"] == {
        "brandname": "UBND-BACKAN",
        "phone": PHONE_84,
        "message": (
            f"Bo phan Mot cua thanh pho da tiep nhan ho so {CODE}. "
            "Hen tra ket qua: 09/01/2024 08:00."
        ),
        "request_id": f"motcua-{written[Channel.SMS].pk}",
    }
    assert is_sms_safe(sms["body"]["message"])
    [zalo] = gateway_on.messages("zalo")
    assert zalo["body"]["phone"] == PHONE_84
    assert zalo["body"]["template_id"] == "301"
    assert zalo["body"]["template_data"] == {
        "customer_name": "Nguyễn Thị Minh Khai",
        "dossier_code": CODE,
        "procedure": "Chứng thực hợp đồng, giao dịch",
        "agency": "Bộ phận Một cửa thành phố",
        "received_at": "02/01/2024 08:00",
        "due_at": "09/01/2024 08:00",
    }
    [email] = mail.outbox
    assert email.to == [EMAIL]
    assert email.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    sent = rows(dossier_id=dossier.pk)
    assert {n.status for n in sent.values()} == {Status.SENT}
    assert sent[Channel.SMS].provider_message_id == sms["answer"]["message_id"]
    assert sent[Channel.ZALO].provider_message_id == zalo["answer"]["data"]["msg_id"]

    # Running the worker again sends nothing twice.
    run_worker()
    assert len(gateway_on.messages()) == 2
    assert len(mail.outbox) == 1


def test_every_event_sms_without_diacritics_within_160_with_the_longest_values(
    world, gateway_on, django_capture_on_commit_callbacks
):
    # The longest values the dossier's fields allow: agency name 300, reasons of 2.000.
    world.city_desk.name = "Bộ phận Tiếp nhận và Trả kết quả " + "Đường Hùng Vương " * 20
    world.city_desk.name = world.city_desk.name[:300]
    world.city_desk.save()
    reason = "Thiếu bản sao căn cước công dân có chứng thực của đương sự; " * 40
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.create(applicant=APPLICANT, fee=0)
        world.take(dossier, "transfer", "02/01/2024 09:00", actor=world.clerk)
        world.take(
            dossier,
            "request_supplement",
            "02/01/2024 10:00",
            actor=world.officer,
            reason=reason[:2000],
        )
        world.take(dossier, "supplement", "03/01/2024 10:00", as_applicant=True)
        world.take(
            dossier,
            "apologise",
            "09/01/2024 07:45",
            actor=world.officer,
            reason=reason[:2000],
            new_due_at=local("16/01/2024 14:00"),
            signed_by="Hoàng Văn Đức",
        )
        world.take(dossier, "deny", "10/01/2024 07:45", actor=world.officer, reason=reason[:2000])
    texts = {n.event: n.body for n in Notification.objects.filter(channel=Channel.SMS)}
    assert set(texts) == set(Event.values)
    for event, text in texts.items():
        assert is_sms_safe(text), (event, len(text), text)
        assert text.isascii()
        assert CODE in text  # never cut
    assert "16/01/2024 14:00" in texts[Event.APOLOGY]
    assert texts[Event.SUPPLEMENT].startswith(f"Ho so {CODE} can bo sung: Thieu ban sao can cuoc")
    assert ".." in texts[Event.SUPPLEMENT]


def test_zalo_refusals_fall_back_to_sms(world, gateway_on, django_capture_on_commit_callbacks):
    notification_preference_set(phone=PHONE, channels=["zalo"])
    for kind, code in (
        ("not_on_zalo", "-118"),
        ("template", "-109"),
        ("quota", "-144"),
        ("invalid_token", "-124"),
    ):
        gateway_on.fault("zalo", kind)
        dossier = received(world, django_capture_on_commit_callbacks)
        assert set(rows(dossier_id=dossier.pk)) == {Channel.ZALO}  # the choice
        run_worker()
        after = rows(dossier_id=dossier.pk)
        assert after[Channel.ZALO].status == Status.FAILED
        assert after[Channel.ZALO].error.startswith(code)
        assert after[Channel.SMS].status == Status.SENT
        assert after[Channel.SMS].fallback_for_id == after[Channel.ZALO].pk
        assert after[Channel.SMS].body == after[Channel.ZALO].body
    assert len(gateway_on.messages("sms")) == 4


def test_no_fallback_when_the_applicant_gets_the_sms_anyway(
    world, gateway_on, django_capture_on_commit_callbacks
):
    gateway_on.fault("zalo", "not_on_zalo")
    dossier = received(world, django_capture_on_commit_callbacks)
    run_worker()
    assert len(gateway_on.messages("sms")) == 1
    assert Notification.objects.filter(dossier_id=dossier.pk, channel=Channel.SMS).count() == 1


def test_retries_with_backoff_then_failure_recorded(
    world, gateway_on, django_capture_on_commit_callbacks
):
    notification_preference_set(phone=PHONE, channels=["sms"])
    gateway_on.fault("sms", "5xx", times=1)
    gateway_on.fault("sms", "timeout", times=1)
    gateway_on.fault("sms", "5xx", times=1)
    dossier = received(world, django_capture_on_commit_callbacks)
    [row] = Notification.objects.filter(dossier_id=dossier.pk)
    assert row.channel == Channel.SMS  # the choice: no e-mail, no Zalo
    # This pins the schedule, not the wall clock: every attempt is made with an explicit
    # ``now`` (the worker's task calls the same services with its own), starting at the
    # moment the row was queued for, and each next attempt is compared with that ``now``
    # plus the backoff rule's gaps: BACKOFF_SECONDS (settings.MOTCUA_NOTIFY), then doubled.
    gap = timedelta(seconds=settings.MOTCUA_NOTIFY["BACKOFF_SECONDS"])
    first = row.next_attempt_at
    assert notification_deliver(notification_id=row.pk, now=first) == Status.QUEUED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (Status.QUEUED, 1, "HTTP 503")
    assert row.next_attempt_at == first + gap
    # Not due yet: the sweep leaves it.
    assert notifications_deliver_due(now=row.next_attempt_at - timedelta(seconds=1)) == 0
    assert notifications_deliver_due(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.QUEUED, 2)
    assert "timed out" in row.error or "Timeout" in row.error
    # The backoff doubles: the second attempt was made at ``first + gap``, the third is due
    # twice the gap after it.
    second = row.next_attempt_at
    assert second == first + gap + 2 * gap
    assert notifications_deliver_due(now=second) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.error == "HTTP 503 (3 attempts)"
    assert notifications_deliver_due(now=second + timedelta(days=2)) == 0
    assert len(gateway_on.messages("sms")) == 3


def test_a_refusal_fails_at_once_and_one_claim_wins(
    world, gateway_on, django_capture_on_commit_callbacks
):
    notification_preference_set(phone=PHONE, channels=["sms"])
    gateway_on.fault("sms", "refuse")
    dossier = received(world, django_capture_on_commit_callbacks)
    [row] = Notification.objects.filter(dossier_id=dossier.pk)
    now = timezone.now()
    assert notification_deliver(notification_id=row.pk, now=now) == Status.FAILED
    assert notification_deliver(notification_id=row.pk, now=now) is None  # not again
    row.refresh_from_db()
    assert (row.attempts, row.error) == (1, "03: Message content not allowed")


@pytest.mark.django_db(transaction=True)
def test_delivery_receipts_come_back_and_are_stored(gateway_on, live_server):
    world = build_world()
    gateway_on.configure(
        sms_callback=live_server.url
        + reverse("notify:sms_receipt", kwargs={"token": SMS_CALLBACK_TOKEN}),
        zalo_callback=live_server.url + reverse("notify:zalo_receipt"),
    )
    dossier = world.create(applicant=APPLICANT)  # commits: the delivery is enqueued
    assert gateway_on.messages() == []
    run_worker_command()  # the real `motcua worker --once`
    answers = gateway_on.flush_receipts()
    assert [(a["receipt"]["channel"], a["status"]) for a in answers] == [
        ("zalo", 200),
        ("sms", 200),
    ]
    assert all(json.loads(a["answer"]) == {"code": "00", "found": True} for a in answers)
    after = rows(dossier_id=dossier.pk)
    assert after[Channel.SMS].status == Status.DELIVERED
    assert after[Channel.SMS].receipt_status == "DELIVERED"
    assert after[Channel.SMS].receipt_at is not None
    assert after[Channel.ZALO].status == Status.DELIVERED
    assert after[Channel.ZALO].receipt_status == "user_received_message"
    assert after[Channel.EMAIL].status == Status.SENT  # e-mail has no receipt


def _zalo_post(client, body: bytes, signature: str):
    return client.post(
        reverse("notify:zalo_receipt"),
        data=body,
        content_type="application/json",
        headers={"X-ZEvent-Signature": signature},
    )


def test_forged_or_malformed_receipts_change_nothing(
    world, gateway_on, client, django_capture_on_commit_callbacks, caplog
):
    dossier = received(world, django_capture_on_commit_callbacks)
    run_worker()
    sent = rows(dossier_id=dossier.pk)
    msg_id = sent[Channel.ZALO].provider_message_id
    body = json.dumps(
        {
            "app_id": ZALO_APP,
            "event_name": "user_received_message",
            "timestamp": "1704160800000",
            "message": {"msg_id": msg_id, "delivery_time": "1704160800000"},
        }
    ).encode()
    forged = hashlib.sha256(ZALO_APP.encode() + body + b"1704160800000" + b"guess").hexdigest()
    answer = _zalo_post(client, body, f"mac={forged}")
    assert answer.status_code == 403
    assert answer.json()["field"] == "X-ZEvent-Signature"
    assert _zalo_post(client, body, "").status_code == 403
    # The SMS callback with another token.
    sms = client.post(
        reverse("notify:sms_receipt", kwargs={"token": "not-the-token"}),
        data={"message_id": sent[Channel.SMS].provider_message_id, "status": "DELIVERED"},
        content_type="application/json",
    )
    assert sms.status_code == 403
    # Too large, not JSON, a field missing.
    url = reverse("notify:sms_receipt", kwargs={"token": SMS_CALLBACK_TOKEN})
    big = client.post(url, data="x" * 5000, content_type="application/json")
    assert big.status_code == 413
    assert client.post(url, data="{", content_type="application/json").json()["field"] == "body"
    missing = client.post(url, data={"status": "DELIVERED"}, content_type="application/json")
    assert (missing.status_code, missing.json()["field"]) == (400, "message_id")
    assert client.get(url).status_code == 405
    assert rows(dossier_id=dossier.pk) == sent
    assert all(n.receipt_status == "" for n in rows(dossier_id=dossier.pk).values())
    assert "receipt refused" in caplog.text

    # Signed right: stored. Unknown id: answered, nothing stored.
    good = hashlib.sha256(ZALO_APP.encode() + body + b"1704160800000" + ZALO_SECRET.encode())
    assert _zalo_post(client, body, f"mac={good.hexdigest()}").json() == {
        "code": "00",
        "found": True,
    }
    assert rows(dossier_id=dossier.pk)[Channel.ZALO].status == Status.DELIVERED
    unknown = client.post(
        url,
        data={"message_id": "SMS999999", "status": "DELIVERED"},
        content_type="application/json",
    )
    assert unknown.json() == {"code": "00", "found": False}


def test_no_address_no_row_and_no_query(world, gateway_on, django_capture_on_commit_callbacks):
    nobody = Applicant(name="Lê Văn Tám", id_number="006190099999", phone="", email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = world.create(applicant=nobody)
    assert callbacks == []
    assert not Notification.objects.filter(dossier_id=dossier.pk).exists()
    with CaptureQueriesContext(connection) as queries:
        assert (
            notifications.dossier_notify_on_commit(
                dossier_id=dossier.pk, action="receive", event_seq=1, email="", phone=""
            )
            == 0
        )
        # An action that sends nothing costs nothing, whoever the applicant.
        assert (
            notifications.dossier_notify_on_commit(
                dossier_id=dossier.pk, action="transfer", event_seq=2, email=EMAIL, phone=PHONE
            )
            == 0
        )
    assert queries.captured_queries == []


def test_agency_settings_and_the_applicants_choice(
    world, gateway_on, django_capture_on_commit_callbacks
):
    AgencyNotifySettings.objects.create(
        agency=world.city_desk, zalo_enabled=False, sms_brandname="MOTCUA-TP"
    )
    dossier = received(world, django_capture_on_commit_callbacks)
    assert set(rows(dossier_id=dossier.pk)) == {Channel.EMAIL, Channel.SMS}
    run_worker()
    assert gateway_on.messages("sms")[0]["body"]["brandname"] == "MOTCUA-TP"
    assert gateway_on.messages("zalo") == []


def test_a_preference_refuses_bad_input(db):
    for kwargs, field in (
        ({"phone": "12345", "channels": ["sms"]}, "phone"),
        ({"channels": ["sms"]}, "phone"),
        ({"phone": PHONE, "channels": ["fax"]}, "channels"),
        ({"email": EMAIL, "channels": ["zalo"]}, "channels"),
        ({"phone": PHONE, "channels": []}, "channels"),
    ):
        with pytest.raises(InvalidInput) as refused:
            notification_preference_set(**kwargs)
        assert refused.value.field == field
    saved = notification_preference_set(phone="+84 912 345 678", channels=["zalo", "zalo"])
    assert (saved.key, saved.channels) == ("phone:84912345678", ["zalo"])

"""Webhooks end to end against real receivers: separate processes on 127.0.0.1
(``webhook_receiver.py``) that record what they get and check signatures with their own code.

Order per dossier, signatures (and both during a rotation), retries with backoff until the
subscription is failing while another subscriber gets everything, a hanging receiver cut at
the timeout, redirects not followed, replays, the SSRF rule and the command line. Time is moved
by passing ``now`` to the worker's step; the receivers run on the real clock.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.api import webhooks
from motcua.api.choices import DeliveryState, WebhookState
from motcua.api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from motcua.api.tests.helpers import make_client
from motcua.core import workflow
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

# Committed transactions: on PostgreSQL the feed shows only what transactions below the
# oldest one still running wrote (dossiers.feed), so the test's own must not stay open.
pytestmark = pytest.mark.django_db(transaction=True)

A = workflow.Action
ROOT = Path(__file__).resolve().parents[3]


class Receiver:
    """One receiver process and its directory (mode, secrets, requests)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True)
        self.dir = directory
        self.process = subprocess.Popen(
            [sys.executable, "-m", "motcua.api.tests.webhook_receiver", str(directory)],
            cwd=ROOT,
        )
        deadline = time.monotonic() + 20
        while not (directory / "port").exists():
            assert self.process.poll() is None, "the receiver died"
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{(directory / 'port').read_text()}/hooks"

    def mode(self, mode: str) -> None:
        (self.dir / "mode").write_text(mode)

    def secrets(self, *secrets: str) -> None:
        (self.dir / "secrets").write_text("\n".join(secrets))

    def requests(self) -> list[dict]:
        log = self.dir / "requests.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def receivers(tmp_path):
    started: list[Receiver] = []

    def start(name: str = "r") -> Receiver:
        receiver = Receiver(tmp_path / f"{name}{len(started)}")
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def fast_settings(settings):
    settings.MOTCUA_WEBHOOKS = {
        **settings.MOTCUA_WEBHOOKS,
        "TIMEOUT_SECONDS": 1,
        "BACKOFF_BASE_SECONDS": 10,
        "BACKOFF_MAX_SECONDS": 600,
        "FAILING_AFTER_ATTEMPTS": 3,
        "DISABLE_AFTER_HOURS": 72,
        "ALLOW_PRIVATE": True,
    }
    return settings


def subscribe(receiver: Receiver, units=("058",), kinds=()) -> WebhookSubscription:
    client, _ = make_client(["dossiers:read"], list(units))
    subscription, secret = webhooks.subscription_create(
        client_id=client.client_id, target_url=receiver.url, kinds=kinds
    )
    receiver.secrets(secret)
    return subscription


def history(world):
    """Two dossiers of the city, their events interleaved; the events in write order."""
    first = world.create(at="02/01/2024 08:00")
    second = world.create(at="02/01/2024 08:05")
    world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
    world.take(second, A.TRANSFER, "02/01/2024 09:05", actor=world.clerk)
    for minute in range(3):
        for dossier in (second, first):
            world.take(
                dossier,
                A.HAND_OVER,
                f"02/01/2024 10:0{minute}",
                actor=world.officer,
                step=f"Bước {minute}",
            )
    return first, second


def run_until_quiet(now=None, rounds: int = 10) -> None:
    for _ in range(rounds):
        report = webhooks.webhooks_run(now=now)
        if not report.sent:
            return


def in_dossier_order(bodies: list[dict]) -> dict[str, list[int]]:
    by_dossier: dict[str, list[int]] = {}
    for body in bodies:
        by_dossier.setdefault(body["data"]["dossier"], []).append(body["data"]["seq"])
    return by_dossier


def test_every_event_delivered_once_in_order_and_signed(world, receivers, fast_settings):
    receiver = receivers()
    subscription = subscribe(receiver)
    first, second = history(world)
    run_until_quiet()
    requests = receiver.requests()
    assert len(requests) == DossierEvent.objects.count() == 10
    assert all(r["verified"] for r in requests), "a signature did not verify"
    by_dossier = in_dossier_order(receiver.bodies())
    assert by_dossier == {first.code: [1, 2, 3, 4, 5], second.code: [1, 2, 3, 4, 5]}
    ids = [r["headers"]["webhook-id"] for r in requests]
    assert len(set(ids)) == len(ids)
    assert all(
        b["id"] == r["headers"]["webhook-id"]
        for b, r in zip(receiver.bodies(), requests, strict=True)
    )
    assert all(r["headers"]["webhook-signature"].startswith("v1=") for r in requests)
    assert not WebhookDelivery.objects.filter(state=DeliveryState.PENDING).exists()
    assert WebhookAttempt.objects.filter(status=200).count() == 10
    # Nothing more to send: a second run sends nothing.
    assert webhooks.webhooks_run().sent == 0
    assert len(receiver.requests()) == 10
    subscription.refresh_from_db()
    assert subscription.state == WebhookState.ACTIVE


def test_filters_by_unit_and_kind(world, receivers, fast_settings):
    ward, transfers = receivers(), receivers()
    subscribe(ward, units=("01840",))  # the ward's dossiers only
    subscribe(transfers, kinds=(A.TRANSFER,))
    history(world)
    ward_dossier = world.create(
        at="02/01/2024 11:00", receiving_agency=world.ward_desk, actor=world.ward_clerk
    )
    run_until_quiet()
    assert [b["data"]["dossier"] for b in ward.bodies()] == [ward_dossier.code]
    assert [b["data"]["action"] for b in transfers.bodies()] == [A.TRANSFER, A.TRANSFER]


def test_a_failing_receiver_is_retried_with_backoff_then_failing_others_unaffected(
    world, receivers, fast_settings
):
    broken, healthy = receivers("broken"), receivers("healthy")
    broken.mode("500")
    failing = subscribe(broken)
    subscribe(healthy)
    first, second = history(world)
    t0 = timezone.now()
    run_until_quiet(now=t0)
    # The healthy one has everything, in order; the broken one one attempt per dossier: the
    # head of each dossier's queue, the later events waiting behind it.
    assert in_dossier_order(healthy.bodies()) == {
        first.code: [1, 2, 3, 4, 5],
        second.code: [1, 2, 3, 4, 5],
    }
    assert len(broken.requests()) == 2
    assert {b["data"]["seq"] for b in broken.bodies()} == {1}
    # Retries: not before the backoff, then again; after three attempts, failing.
    run_until_quiet(now=t0 + timedelta(seconds=1))
    assert len(broken.requests()) == 2  # not due yet
    head = WebhookDelivery.objects.filter(subscription=failing).order_by("pk").first()
    waits = []
    moment = t0
    for _ in range(2):
        head.refresh_from_db()
        waits.append((head.next_attempt_at - moment).total_seconds())
        moment = head.next_attempt_at + timedelta(seconds=1)
        run_until_quiet(now=moment)
    head.refresh_from_db()
    assert head.attempts == 3
    assert head.state == DeliveryState.PENDING
    # 10 s then 20 s, each with up to half taken off (jitter).
    assert 5 <= waits[0] <= 10.5
    assert 10 <= waits[1] <= 21
    failing.refresh_from_db()
    assert failing.state == WebhookState.FAILING
    log = list(WebhookAttempt.objects.filter(delivery=head).order_by("pk"))
    assert [a.status for a in log] == [500, 500, 500]
    assert all(a.error == "HTTP 500" for a in log)
    # Failing: one delivery per pass, at the capped interval.
    before = len(broken.requests())
    assert webhooks.webhooks_send(now=moment + timedelta(hours=1)).sent == 1
    assert len(broken.requests()) == before + 1
    # The receiver comes back: everything arrives, in order per dossier, and it is active.
    broken.mode("200")
    later = moment + timedelta(hours=2)
    run_until_quiet(now=later)
    run_until_quiet(now=later + timedelta(hours=1))
    delivered = [
        json.loads(r["body"]) for r in broken.requests() if r["mode"] == "200" and r["verified"]
    ]
    assert in_dossier_order(delivered) == {
        first.code: [1, 2, 3, 4, 5],
        second.code: [1, 2, 3, 4, 5],
    }
    failing.refresh_from_db()
    assert failing.state == WebhookState.ACTIVE
    assert len(healthy.requests()) == 10  # never disturbed, never repeated


def test_failing_for_too_long_disables(world, receivers, fast_settings):
    broken = receivers()
    broken.mode("500")
    subscription = subscribe(broken)
    world.create(at="02/01/2024 08:00")
    t0 = timezone.now()
    for hours in (0, 1, 2, 3, 80):
        run_until_quiet(now=t0 + timedelta(hours=hours))
    subscription.refresh_from_db()
    assert subscription.state == WebhookState.DISABLED
    sent = len(broken.requests())
    run_until_quiet(now=t0 + timedelta(hours=100))
    assert len(broken.requests()) == sent  # disabled: nothing sent
    broken.mode("200")
    webhooks.subscription_enable(subscription_id=subscription.pk)
    run_until_quiet(now=t0 + timedelta(hours=100))
    assert broken.requests()[-1]["mode"] == "200"
    assert not WebhookDelivery.objects.filter(state=DeliveryState.PENDING).exists()


def test_a_hanging_receiver_is_cut_at_the_timeout(world, receivers, fast_settings):
    hanging, healthy = receivers("hang"), receivers("ok")
    hanging.mode("hang")
    subscribe(hanging)
    subscribe(healthy)
    world.create(at="02/01/2024 08:00")
    started = time.monotonic()
    report = webhooks.webhooks_run()
    assert time.monotonic() - started < 10
    errors = [o.error for _, o in report.outcomes if not o.delivered]
    assert len(errors) == 1
    assert errors[0].startswith("timeout")
    assert len(healthy.requests()) == 1


def test_a_redirect_is_not_followed(world, receivers, fast_settings):
    moved = receivers()
    moved.mode("redirect")
    subscribe(moved)
    world.create(at="02/01/2024 08:00")
    report = webhooks.webhooks_run()
    [(_, outcome)] = report.outcomes
    assert outcome.status == 302
    assert not outcome.delivered
    assert outcome.error == "redirect not followed"
    assert len(moved.requests()) == 1


def test_rotation_signs_with_both_secrets_during_the_overlap(world, receivers, fast_settings):
    receiver = receivers()
    subscription = subscribe(receiver)
    old = (receiver.dir / "secrets").read_text()
    new = webhooks.subscription_rotate(subscription_id=subscription.pk)
    receiver.secrets(new)  # the receiver already switched
    world.create(at="02/01/2024 08:00")
    run_until_quiet()
    [request] = receiver.requests()
    assert request["verified"]
    assert len(request["headers"]["webhook-signature"].split()) == 2
    receiver.secrets(old)  # or not yet: the old one still verifies
    dossier = world.create(at="02/01/2024 08:10")
    run_until_quiet()
    assert receiver.requests()[-1]["verified"]
    # After the overlap, only the new secret signs.
    later = timezone.now() + timedelta(hours=25)
    subscription.refresh_from_db()
    assert webhooks.signing_secrets(subscription, later) == [new]
    assert dossier.code in receiver.requests()[-1]["body"]


def test_replay_one_delivery_and_since_a_moment(world, receivers, fast_settings):
    receiver = receivers()
    subscription = subscribe(receiver)
    first = world.create(at="02/01/2024 08:00")
    world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
    run_until_quiet()
    assert len(receiver.requests()) == 2
    delivery = WebhookDelivery.objects.filter(subscription=subscription).order_by("pk").first()
    assert webhooks.webhooks_replay(subscription_id=subscription.pk, delivery_id=delivery.pk) == 1
    run_until_quiet()
    again = receiver.requests()[-1]
    assert again["headers"]["webhook-id"] == delivery.message_id  # the same message
    assert again["verified"]
    since = timezone.now() - timedelta(hours=1)
    assert webhooks.webhooks_replay(subscription_id=subscription.pk, since=since) == 2
    run_until_quiet()
    assert [b["data"]["seq"] for b in receiver.bodies()[-2:]] == [1, 2]
    with pytest.raises(webhooks.WebhookError) as refused:
        webhooks.webhooks_replay(subscription_id=subscription.pk, delivery_id=999999)
    assert refused.value.field == "delivery"


def test_the_command_line(world, receivers, fast_settings):
    receiver = receivers()
    client, _ = make_client(["dossiers:read"], ["058"])
    out = StringIO()
    call_command(
        "api", "webhooks", "create", "--client", client.client_id, "--url", receiver.url,
        "--kind", "receive", stdout=out,
    )  # fmt: skip
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    receiver.secrets(lines["secret"])
    subscription_id = lines["id"]
    world.create(at="02/01/2024 08:00")
    run_until_quiet()
    assert receiver.requests()[0]["verified"]
    out = StringIO()
    call_command("api", "webhooks", "list", stdout=out)
    assert receiver.url in out.getvalue()
    assert "receive" in out.getvalue()
    out = StringIO()
    call_command("api", "webhooks", "log", subscription_id, stdout=out)
    assert "200" in out.getvalue()
    out = StringIO()
    call_command("api", "webhooks", "rotate", subscription_id, stdout=out)
    assert "whsec_" in out.getvalue()
    out = StringIO()
    call_command(
        "api", "webhooks", "replay", "--subscription", subscription_id, "--since",
        "01/01/2020 00:00", stdout=out,
    )  # fmt: skip
    assert "1" in out.getvalue()
    call_command("api", "webhooks", "disable", subscription_id, stdout=StringIO())
    assert WebhookSubscription.objects.get(pk=subscription_id).state == WebhookState.DISABLED
    with pytest.raises(CommandError, match="--url"):
        call_command(
            "api", "webhooks", "create", "--client", client.client_id, "--url", "ftp://x/",
        )  # fmt: skip
    with pytest.raises(CommandError, match="--kind"):
        call_command(
            "api", "webhooks", "create", "--client", client.client_id, "--url", receiver.url,
            "--kind", "explode",
        )  # fmt: skip
    with pytest.raises(CommandError, match="--client"):
        call_command("api", "webhooks", "create", "--client", "nobody", "--url", receiver.url)
    with pytest.raises(CommandError, match="--since"):
        call_command(
            "api", "webhooks", "replay", "--subscription", subscription_id, "--since", "soon"
        )
    with pytest.raises(CommandError, match="--subscription"):
        call_command("api", "webhooks", "rotate", "12345")


def test_the_worker_delivers(world, receivers, fast_settings):
    receiver = receivers()
    subscribe(receiver)
    world.create(at="02/01/2024 08:00")
    call_command("worker", "--once", "--no-scheduler", stdout=StringIO())
    [request] = receiver.requests()
    assert request["verified"]
    assert json.loads(request["body"])["type"] == "dossier.receive"


def test_what_happened_before_the_subscription_is_not_sent(world, receivers, fast_settings):
    world.create(at="02/01/2024 08:00")
    webhooks.webhooks_run()  # the fan-out's first run, nobody subscribed
    receiver = receivers()
    subscription = subscribe(receiver)
    later = world.create(at="02/01/2024 08:10")
    run_until_quiet()
    assert [b["data"]["dossier"] for b in receiver.bodies()] == [later.code]
    # A replay since before it existed sends the earlier one too.
    since = timezone.now() - timedelta(hours=1)
    assert webhooks.webhooks_replay(subscription_id=subscription.pk, since=since) == 2


def test_the_api_for_a_clients_own_subscriptions(world, receivers, fast_settings):
    from django.test import Client

    from motcua.api.tests.helpers import bearer

    receiver = receivers()
    http = Client()
    client, secret = make_client(["dossiers:read", "webhooks:manage"], ["058"])
    other, other_secret = make_client(["webhooks:manage"], [], name="Other")
    headers, other_headers = bearer(http, client, secret), bearer(http, other, other_secret)
    answer = http.post(
        "/api/v1/webhooks",
        {"url": receiver.url, "kinds": ["receive"]},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 201, answer.content
    created = answer.json()
    receiver.secrets(created["secret"])
    world.create(at="02/01/2024 08:00")
    run_until_quiet()
    assert receiver.requests()[0]["verified"]
    listed = http.get("/api/v1/webhooks", headers=headers).json()
    assert [s["id"] for s in listed] == [created["id"]]
    assert "secret" not in listed[0]
    log = http.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).json()
    assert log[0]["state"] == "delivered"
    assert log[0]["log"][0]["status"] == 200
    # Another client sees none of it and cannot touch it.
    assert http.get("/api/v1/webhooks", headers=other_headers).json() == []
    refused = http.post(f"/api/v1/webhooks/{created['id']}/rotate", headers=other_headers)
    assert refused.status_code == 404
    rotated = http.post(f"/api/v1/webhooks/{created['id']}/rotate", headers=headers).json()
    assert rotated["secret"].startswith("whsec_")
    replayed = http.post(
        f"/api/v1/webhooks/{created['id']}/replay",
        {"delivery": log[0]["id"]},
        content_type="application/json",
        headers=headers,
    )
    assert replayed.json() == {"queued": 1}
    disabled = http.post(f"/api/v1/webhooks/{created['id']}/disable", headers=headers).json()
    assert disabled["state"] == "disabled"
    # Bad input: the field named, nothing created.
    for body, field in (
        ({"url": "ftp://x/"}, "url"),
        ({"url": receiver.url, "kinds": ["explode"]}, "kind"),
        ({"url": receiver.url, "colour": "red"}, "/colour"),
        ({"kinds": []}, "/url"),
    ):
        answer = http.post(
            "/api/v1/webhooks", body, content_type="application/json", headers=headers
        )
        assert answer.status_code in (400, 422), answer.content
        assert field in [e["field"] for e in answer.json()["errors"]], (body, answer.json())
    assert WebhookSubscription.objects.count() == 1

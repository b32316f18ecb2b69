"""POST /api/v1/dossiers/{code}/actions: the page's write path with the version read (409 when
stale), Idempotency-Key replays, and every bad input refused naming its field with nothing
changed (the dossier row and its events compared before and after)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.api.models import IdempotencyRecord
from motcua.api.tests.dossier_world import ApiWorld, build_api_world
from motcua.dossiers.models import Dossier

URL = "/api/v1/dossiers/{code}/actions"


@pytest.fixture
def api(db) -> ApiWorld:
    return build_api_world()


def post(api: ApiWorld, code: str, body, *, client=None, key: str | None = None, raw=None):
    headers = api.headers(client or api.city)
    if key is not None:
        headers["Idempotency-Key"] = key
    data = raw if raw is not None else json.dumps(body)
    return Client().post(
        URL.format(code=code), data=data, content_type="application/json", headers=headers
    )


def snapshot(dossier: Dossier) -> tuple:
    """The dossier row and its events, to compare before and after a refusal."""
    row = Dossier.objects.filter(pk=dossier.pk).values().get()
    events = list(dossier.events.order_by("seq").values_list("seq", "action", "hash"))
    return row, events


def test_a_transfer_takes_the_pages_write_path_and_raises_the_version(api):
    dossier = api.world.create()
    response = post(api, dossier.code, {"action": "transfer", "version": 1, "step": "Thẩm định"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dossier"]["status"] == "in_processing"
    assert body["dossier"]["version"] == 2
    assert body["replayed"] is False
    event = dossier.events.order_by("seq").last()
    assert event.action == "transfer"
    # The client's service account is the event's actor.
    assert event.actor == api.city.user
    dossier.refresh_from_db()
    assert dossier.current_step == "Thẩm định"


def test_a_stale_version_is_refused_with_409_and_nothing_changes(api):
    dossier = api.world.create()
    assert post(api, dossier.code, {"action": "transfer", "version": 1}).status_code == 200
    before = snapshot(dossier)
    response = post(api, dossier.code, {"action": "withdraw", "version": 1, "reason": "Rút"})
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "/version"
    assert snapshot(dossier) == before


def test_the_same_key_and_body_replays_the_first_answer_without_acting_twice(api):
    dossier = api.world.create()
    body = {"action": "transfer", "version": 1}
    first = post(api, dossier.code, body, key="retry-7f1c2a9e")
    again = post(api, dossier.code, body, key="retry-7f1c2a9e")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "replayed": True}
    assert dossier.events.filter(action="transfer").count() == 1
    # A key is the client's own: another client's identical key is another request.
    theirs = api.world.create(receiving_agency=api.world.other_desk, actor=api.world.other_clerk)
    other = post(api, theirs.code, body, client=api.other, key="retry-7f1c2a9e")
    assert other.status_code == 200
    assert other.json()["replayed"] is False
    assert IdempotencyRecord.objects.filter(key="retry-7f1c2a9e").count() == 2


def test_the_same_key_with_another_body_is_refused_naming_the_header(api):
    dossier = api.world.create()
    assert (
        post(api, dossier.code, {"action": "transfer", "version": 1}, key="k-12345678").status_code
        == 200
    )
    before = snapshot(dossier)
    response = post(
        api, dossier.code, {"action": "withdraw", "version": 2, "reason": "x"}, key="k-12345678"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert snapshot(dossier) == before


def test_a_refused_action_records_no_key_so_a_corrected_retry_acts(api):
    dossier = api.world.create()
    refused = post(api, dossier.code, {"action": "transfer", "version": 9}, key="k-abcdefgh")
    assert refused.status_code == 409
    assert not IdempotencyRecord.objects.exists()
    # Another body under the key is now a first request: nothing was recorded for it.
    assert (
        post(api, dossier.code, {"action": "transfer", "version": 1}, key="k-abcdefgh").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("body", "raw", "status", "field"),
    [
        (None, '{"action": "transfer", "version": 1', 400, "/"),
        (None, "[1, 2]", 400, "/"),
        ({"action": "transfer", "version": 1, "colour": "red"}, None, 400, "/colour"),
        ({"action": "transfer", "version": "one"}, None, 400, "/version"),
        ({"action": "transfer"}, None, 400, "/version"),
        ({"action": "teleport", "version": 1}, None, 400, "/action"),
        ({"action": "transfer", "version": 1, "amount": 5}, None, 422, "/amount"),
        ({"action": "transfer", "version": 1, "to_agency": "NOPE"}, None, 422, "/to_agency"),
        ({"action": "transfer", "version": 1, "assignee": "nobody"}, None, 422, "/assignee"),
        ({"action": "withdraw", "version": 1}, None, 422, "/reason"),
        ({"action": "transfer", "version": 1, "step": "x" * 201}, None, 400, "/step"),
        (
            {"action": "apologise", "version": 1, "new_due_at": "2024-02-01T08:00"},
            None,
            422,
            "/new_due_at",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(api, body, raw, status, field):
    dossier = api.world.create()
    before = snapshot(dossier)
    response = post(api, dossier.code, body, raw=raw, key="bad-input-key")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]], response.content
    assert snapshot(dossier) == before
    assert not IdempotencyRecord.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(api, settings):
    settings.MOTCUA_API = {**settings.MOTCUA_API, "ACTION_MAX_BODY_BYTES": 2000}
    dossier = api.world.create()
    before = snapshot(dossier)
    response = post(api, dossier.code, {"action": "refuse", "version": 1, "reason": "x" * 5000})
    assert response.status_code == 413
    assert snapshot(dossier) == before


def test_a_client_of_another_unit_or_without_the_scope_cannot_act(api):
    dossier = api.world.create()
    before = snapshot(dossier)
    body = json.dumps({"action": "transfer", "version": 1})
    response = post(api, dossier.code, None, raw=body, client=api.other)
    assert response.status_code == 404
    read_only = Client().post(
        URL.format(code=dossier.code),
        data=body,
        content_type="application/json",
        headers=api.headers(api.city, ["dossiers:read"]),
    )
    assert read_only.status_code == 403
    assert snapshot(dossier) == before


def test_a_key_older_than_the_keeping_time_is_forgotten(api, settings):
    from datetime import timedelta

    from django.utils import timezone

    from motcua.api.idempotency import idempotency_records_delete
    from motcua.jobs.housekeeping import housekeeping_run

    settings.MOTCUA_API_IDEMPOTENCY_HOURS = 1
    dossier = api.world.create()
    body = {"action": "transfer", "version": 1}
    assert post(api, dossier.code, body, key="old-key-0001").status_code == 200
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=2))
    # Past its time the key no longer replays: the request is a new one (here stale).
    assert post(api, dossier.code, body, key="old-key-0001").status_code == 409
    assert idempotency_records_delete() == 1
    other = api.world.create(at="03/01/2024 08:00")
    assert post(api, other.code, body, key="k-new-0001").status_code == 200
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert housekeeping_run(now=timezone.now())["expired idempotency keys"] == 1

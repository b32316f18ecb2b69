"""Two integrators acting on one dossier at the same moment, on PostgreSQL, each request in its
own thread and database connection: exactly one wins and the other is told 409; the same
Idempotency-Key sent twice at once acts once and both get the one answer."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from motcua.api.models import IdempotencyRecord
from motcua.api.tests.dossier_world import ApiWorld, build_api_world

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def together(requests: list[tuple[str, dict, dict]]) -> list:
    """POST each (url, body, headers) from its own thread, released at once."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(index: int, url: str, body: dict, headers: dict) -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            answers[index] = client.post(
                url, data=json.dumps(body), content_type="application/json", headers=headers
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.fixture
def api() -> ApiWorld:
    return build_api_world()


def test_of_two_writers_with_the_same_version_exactly_one_wins(api):
    dossier = api.world.create()
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    answers = together(
        [
            (url, {"action": "transfer", "version": 1}, api.headers(api.city)),
            (url, {"action": "withdraw", "version": 1, "reason": "Rút"}, api.headers(api.city)),
        ]
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.content for a in answers]
    dossier.refresh_from_db()
    assert dossier.version == 2
    assert dossier.events.count() == 2


def test_the_same_key_sent_twice_at_once_acts_once(api):
    dossier = api.world.create()
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    body = {"action": "transfer", "version": 1}
    headers = api.headers(api.city, **{"Idempotency-Key": "twice-at-once-1"})
    answers = together([(url, body, headers), (url, body, headers)])
    assert [a.status_code for a in answers] == [200, 200], [a.content for a in answers]
    replayed = sorted(a.json()["replayed"] for a in answers)
    assert replayed == [False, True]
    assert answers[0].json()["dossier"] == answers[1].json()["dossier"]
    assert dossier.events.filter(action="transfer").count() == 1
    assert IdempotencyRecord.objects.filter(key="twice-at-once-1").count() == 1

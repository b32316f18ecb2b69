"""``GET /api/v1/dossiers/changes``: changed dossiers with their state and events, followed
by cursor without a miss or a repeat (concurrent writers on PostgreSQL), unit-scoped, and
every bad parameter named."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from motcua.api.tests.dossier_world import build_api_world
from motcua.core import workflow

# Committed transactions: the feed reads only below the oldest transaction still running.
pytestmark = pytest.mark.django_db(transaction=True)

A = workflow.Action
URL = "/api/v1/dossiers/changes"


@pytest.fixture
def api(db):
    return build_api_world()


def follow(http: Client, headers: dict, **start) -> tuple[list[tuple[str, int]], str]:
    """Every (dossier code, seq) from ``start`` on, page by page; the last cursor."""
    seen: list[tuple[str, int]] = []
    params = {**start, "limit": "2"}
    for _ in range(100):
        answer = http.get(URL, params, headers=headers)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        for item in body["items"]:
            seen += [(item["dossier"]["code"], e["seq"]) for e in item["events"]]
        params = {"cursor": body["next"], "limit": "2"}
        if not body["items"] and not body["more"]:
            return seen, body["next"]
    raise AssertionError("the feed did not end")


def test_changes_since_a_moment_then_by_cursor(api):
    http, world = Client(), api.world
    headers = api.headers(api.city)
    before = (timezone.now() - timedelta(minutes=10)).isoformat()
    first = world.create(at="02/01/2024 08:00")
    world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
    seen, cursor = follow(http, headers, updated_since=before)
    assert seen == [(first.code, 1), (first.code, 2)]
    # Nothing new: the same cursor comes back, nothing repeated.
    again = http.get(URL, {"cursor": cursor}, headers=headers).json()
    assert again["items"] == []
    assert again["next"] == cursor
    world.take(first, A.HAND_OVER, "02/01/2024 10:00", actor=world.officer, step="Thẩm định")
    answer = http.get(URL, {"cursor": cursor}, headers=headers).json()
    [item] = answer["items"]
    assert [e["seq"] for e in item["events"]] == [3]
    assert item["events"][0]["action"] == A.HAND_OVER
    assert item["dossier"]["version"] == 3  # its state now
    assert item["dossier"]["status"] == "in_processing"
    # A moment after everything: nothing.
    later = (timezone.now() + timedelta(minutes=10)).isoformat()
    assert follow(http, headers, updated_since=later)[0] == []


def test_changes_are_kept_to_the_callers_units(api):
    http, world = Client(), api.world
    city_dossier = world.create(at="02/01/2024 08:00")
    ward_dossier = world.create(
        at="02/01/2024 08:05", receiving_agency=world.other_desk, actor=world.other_clerk
    )
    since = (timezone.now() - timedelta(minutes=10)).isoformat()
    other = follow(http, api.headers(api.other), updated_since=since)[0]
    assert other == [(ward_dossier.code, 1)]
    city = follow(http, api.headers(api.city), updated_since=since)[0]
    # The ward lies in the city: the city's client sees both, the ward's only its own.
    assert sorted(city) == sorted([(city_dossier.code, 1), (ward_dossier.code, 1)])


BAD = [
    ({}, "updated_since"),
    ({"updated_since": "2026-01-01T00:00:00+07:00", "cursor": "x"}, "updated_since"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"updated_since": "2026-01-01T00:00:00"}, "updated_since"),
    ({"updated_since": "yesterday"}, "updated_since"),
    ({"updated_since": "2026-01-01T00:00:00+07:00", "limit": "0"}, "limit"),
    ({"updated_since": "2026-01-01T00:00:00+07:00", "limit": "100000"}, "limit"),
    ({"updated_since": "2026-01-01T00:00:00+07:00", "unit": "058"}, "unit"),
]


def test_bad_parameters_are_named(api):
    http, headers = Client(), api.headers(api.city)
    for params, field in BAD:
        answer = http.get(URL, params, headers=headers)
        assert answer.status_code == 400, (params, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
        assert field in [e["field"] for e in answer.json()["errors"]], params


def test_it_needs_the_read_scope(api):
    answer = Client().get(
        URL,
        {"updated_since": "2026-01-01T00:00:00+07:00"},
        headers=api.headers(api.city, ["dossiers:act"]),
    )
    assert answer.status_code == 403


@pytest.mark.postgres_only
def test_a_late_commit_is_waited_for_never_missed(api):
    """A transaction holding a lower event id stays open while another commits: the API
    gives neither until it ends, then both, in order."""
    http, world = Client(), api.world
    headers = api.headers(api.city)
    first = world.create(at="02/01/2024 08:00")
    second = world.create(at="02/01/2024 08:05")
    _, cursor = follow(
        http, headers, updated_since=(timezone.now() - timedelta(hours=1)).isoformat()
    )
    written, release, failure = threading.Event(), threading.Event(), []

    def slow() -> None:
        try:
            with transaction.atomic():
                world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
                written.set()
                assert release.wait(30)
        except BaseException as error:  # noqa: BLE001 (reported below)
            failure.append(error)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=slow, daemon=True)
    thread.start()
    assert written.wait(30)
    world.take(second, A.TRANSFER, "02/01/2024 09:05", actor=world.clerk)  # commits
    held = http.get(URL, {"cursor": cursor}, headers=headers).json()
    assert held["items"] == []
    assert held["next"] == cursor
    release.set()
    thread.join(30)
    assert not failure
    seen, _ = follow(http, headers, cursor=cursor)
    assert seen == [(first.code, 2), (second.code, 2)]

"""The event table's indexes: each one read by something, the audit's rules still enforced by
the database (dossiers 0040; docs/performance.md, "Partitioning the events by month")."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

TABLE = DossierEvent._meta.db_table


def copy_event(event: DossierEvent, **changed: object) -> None:
    """Insert a copy of ``event`` with raw SQL, as a forger with database access would."""
    columns = ["dossier_id", "seq", "at", "recorded_at", "actor_name", "action", "from_status"]
    columns += ["to_status", "reason", "data", "prev_hash", "chain_prev_hash", "hash"]
    values = {c: getattr(event, c) for c in columns}
    values["data"] = "{}"
    values.update(changed)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})",
            [values[c] for c in columns],
        )


@pytest.fixture
def first_event(world) -> DossierEvent:
    dossier = world.create(at="02/01/2024 08:00")
    return DossierEvent.objects.get(dossier=dossier, seq=1)


def test_a_second_event_with_an_existing_hash_is_refused(first_event):
    """The hash is unique by a constraint now, not by the field: still the database's rule."""
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_event(first_event, seq=2)
    copy_event(first_event, seq=2, hash="f" * 64)  # the same row with a hash of its own: kept
    assert DossierEvent.objects.filter(dossier_id=first_event.dossier_id).count() == 2


def test_a_second_event_with_an_existing_number_in_its_dossier_is_refused(first_event):
    """The (dossier, seq) index that now serves the reads by dossier is still unique."""
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_event(first_event, hash="f" * 64)


@pytest.mark.postgres_only
def test_the_event_table_has_no_index_that_nothing_reads():
    """No ``varchar_pattern_ops`` twin of the hash's index and no index on ``dossier_id``
    alone: every event wrote an entry in both, and nothing read them (3,2 GB at 30 M events).
    An index added to the table fails here until it is named, with what reads it."""
    read_by = {
        f"{TABLE}_pkey": "the rows by id: the feed, the export",
        "event_hash_unique": "the uniqueness of the hashes",
        "event_dossier_seq_unique": "a dossier's events in order: timeline, audit, PROTECT",
        f"{TABLE}_chain_seq_key": "the uniqueness of the legacy global chain's places",
        "event_feed_order": "the change feed, by writing transaction",
        f"{TABLE}_actor_id_7fade8fa": "a user's events: the PROTECT check when one is deleted",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
        found = dict(cursor.fetchall())
    assert set(found) == set(read_by)
    assert not [
        sql for sql in found.values() if "pattern_ops" in sql or sql.endswith("(dossier_id)")
    ]

"""The statements written by hand behind a report read the database the router names for
their model (``lib.dbrouter.reading``), as the ORM's reads of the same page do: on a report
page with a replica, the ledger's figures, the catalogue's coverage and "has anything
finished since" come from the replica, like the dossiers behind them, not from the primary.

A router placed before the app's sends one model's reads to a database that does not exist:
a statement that reads from it fails naming that database; one that ignored the router
would read the primary and pass."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.db.utils import ConnectionDoesNotExist
from django.test import override_settings

from motcua.catalog.selectors import online_coverage_by_level
from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Bucket
from motcua.dossiers import ledger_checkpoints
from motcua.dossiers.ledger_checkpoints import ledger_counts_any, ledger_first_day, ledger_sums
from motcua.reports.drill import finished_since

ELSEWHERE = "elsewhere"  # no such database
SENT: set[str] = set()  # the models whose reads ElsewhereRouter sends there


class ElsewhereRouter:
    """Reads of the models named in ``SENT`` go to ``ELSEWHERE``; the rest to the next router."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return ELSEWHERE if model._meta.label in SENT else None


ROUTERS = [f"{__name__}.ElsewhereRouter", "motcua.lib.dbrouter.ReplicaRouter"]
DAY = date(2024, 3, 1)

READS: dict[str, tuple[str, Callable[[], Any]]] = {
    "ledger_sums": ("dossiers.DayFigure", lambda: ledger_sums([1], DAY, DAY)),
    "ledger_first_day": ("dossiers.DayFigure", lambda: ledger_first_day(Bucket.RECEIVED)),
    "ledger_counts_any": (
        "dossiers.DayFigure",
        lambda: ledger_counts_any([1], [Bucket.RECEIVED], DAY, DAY),
    ),
    "online_coverage_by_level": (
        "catalog.ProcedureVersion",
        lambda: online_coverage_by_level(DAY, ["commune"]),
    ),
    "finished_since": (
        "dossiers.Dossier",
        lambda: finished_since(datetime(2024, 3, 1, tzinfo=LOCAL_TZ)),
    ),
}


@pytest.fixture
def elsewhere():
    ledger_checkpoints._taken_by_process.clear()
    with override_settings(DATABASE_ROUTERS=ROUTERS):
        yield SENT
    SENT.clear()
    ledger_checkpoints._taken_by_process.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(READS))
def test_a_statement_written_by_hand_reads_where_the_router_says(elsewhere, name):
    model, read = READS[name]
    read()  # the primary, as every read when no router says otherwise
    elsewhere.add(model)
    with pytest.raises(ConnectionDoesNotExist, match=ELSEWHERE):
        read()


def test_what_the_ledger_has_taken_is_kept_per_database(elsewhere, transactional_db, settings):
    """The process keeps what the rollups cover per database: a replica a little behind may
    not have what the primary has taken, and its sums must not look for it there."""
    settings.MOTCUA_LEDGER_TAKEN_SECONDS = 3600
    ledger_sums([1], DAY, DAY)
    assert [key[0] for key in ledger_checkpoints._taken_by_process] == ["default"]
    elsewhere.add("dossiers.DayFigure")
    with pytest.raises(ConnectionDoesNotExist, match=ELSEWHERE):
        ledger_sums([1], DAY, DAY)
    assert [key[0] for key in ledger_checkpoints._taken_by_process] == ["default"]

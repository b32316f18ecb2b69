"""The leader's dashboard (/bao-cao/) reads a fixed number of queries whatever the number of
dossiers in its period: two or fourteen, received, transferred and settled on different days.
The exact count is compared, not a ceiling: one query more per dossier is what this test
exists to catch. (``test_dashboard_reports`` keeps a ceiling on the seed's five months.)

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core import workflow
from motcua.dossiers.choices import ReturnMethod
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import World, build_world, local

PERIOD = {"unit": "058", "from": "01/01/2024", "to": "31/03/2024"}


def queries(client: Client, url: str, params: dict[str, str]) -> list[str]:
    """The SQL a GET ran (after one GET that warms per-process caches)."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def dossiers(world: World, days: range) -> None:
    """Dossiers received on ``days`` of January 2024; every other one transferred, every
    third one approved and its result returned."""
    for day in days:
        dossier = world.create(at=f"{day:02d}/01/2024 08:00")
        if day % 2:
            continue
        act = {"dossier_id": dossier.pk, "at": local(f"{day:02d}/01/2024 10:00")}
        dossier_transition(action=workflow.Action.TRANSFER, actor=world.clerk, **act)
        if day % 3 == 0:
            act["at"] = local(f"{day + 1:02d}/01/2024 10:00")
            dossier_transition(action=workflow.Action.APPROVE, actor=world.officer, **act)
            act["at"] = local(f"{day + 2:02d}/01/2024 10:00")
            dossier_transition(
                action=workflow.Action.RETURN_RESULT,
                actor=world.clerk,
                details=Details(return_method=ReturnMethod.COUNTER),
                **act,
            )


@pytest.mark.django_db
def test_the_dashboard_reads_as_many_queries_for_fourteen_dossiers_as_for_two(settings):
    # The calendar tables' version is checked once per CACHE_SECONDS in a process, not per
    # page: held still here (and the calendars read once) so the count depends on the data only.
    settings.MOTCUA_CLOCK = {**settings.MOTCUA_CLOCK, "CACHE_SECONDS": 3600.0}
    world = build_world()
    leader = Client()
    leader.force_login(world.leader)
    dossiers(world, range(2, 4))
    queries(leader, "/bao-cao/", PERIOD)
    small = queries(leader, "/bao-cao/", PERIOD)
    dossiers(world, range(4, 16))
    large = queries(leader, "/bao-cao/", PERIOD)
    assert len(small) == len(large), "\n".join(large)

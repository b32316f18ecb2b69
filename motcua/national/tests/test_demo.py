"""The demo's live dossiers pushed to the simulator (issue 12, done-when): the whole feed read
into records, then a representative subset sent (the first dossiers in line, every event of
each, in order), checked against the simulator's record of what it received.

SQLite only (conftest.SQLITE_ONLY): the demo is loaded once per session inside a module
transaction, and on PostgreSQL the feed rightly shows nothing of a transaction still open (its
horizon). The full push of the 1.889 live dossiers is measured with the command instead
(docs/national.md, "Measured")."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.demo.live import LIVE_DESKS, LIVE_UNITS
from motcua.dossiers.models import Dossier
from motcua.national.client import NationalClient
from motcua.national.mapping import mapping_table
from motcua.national.models import NationalRecord
from motcua.national.selectors import national_config
from motcua.national.services import national_intake, national_send

pytestmark = pytest.mark.django_db
SUBSET = 40


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_load_once):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load_once()
        transaction.set_rollback(True)


def test_the_live_dossiers_reach_the_simulator_in_order(demo, national_on, settings):
    codes = ",".join(f"{unit}=000.{unit[-2:]}.58.H06" for unit in LIVE_UNITS)
    settings.MOTCUA_NATIONAL = {**settings.MOTCUA_NATIONAL, "UNIT_CODES": codes}
    config = national_config()
    while national_intake(config=config, limit=1000).read:
        pass
    live = Dossier.objects.filter(receiving_agency__code__in=LIVE_DESKS)
    assert live.count() > 1000
    # Every live dossier is in line (and the 2024 ones received in the same wards' codes).
    assert not live.exclude(national_record__isnull=False).exists()
    assert (
        NationalRecord.objects.count()
        == Dossier.objects.filter(receiving_unit__code__in=LIVE_UNITS).count()
    )
    report = national_send(client=NationalClient(config), config=config, limit=SUBSET)
    assert report.failed == []
    table = mapping_table()
    portal = national_on.dossiers()
    sent = NationalRecord.objects.filter(pending=False).select_related("dossier")
    assert len(sent) == len(portal) == SUBSET
    for record in sent:
        got = portal[record.code]
        assert got["item"]["TrangThaiHoSo"] == table.code_for(record.dossier.status)
        assert record.acked_seq == record.dossier.last_event_seq
        times = [step["ThoiDiemXuLy"] for step in got["progress"]]
        assert times == sorted(times)
    assert national_on.problems() == []

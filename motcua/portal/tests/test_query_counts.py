"""The portal's catalogue reads a fixed number of queries whatever the catalogue holds: two
procedures or a full page of them, in several fields and agencies. The exact count is
compared, not a ceiling: one query more per row is what this test exists to catch.

Data: the small world of the dossier tests (``dossiers/tests/world.py``).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.dossiers.tests.world import build_world
from motcua.portal.views import PAGE_SIZE
from motcua.units.models import Agency


def queries(url: str) -> list[str]:
    """The SQL an anonymous GET of ``url`` ran (after one GET that warms per-process
    caches)."""
    client = Client()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
def test_the_catalogue_reads_as_many_queries_for_a_full_page_as_for_two_procedures():
    world = build_world()
    small = queries("/dich-vu-cong/")
    agencies = [
        world.justice,
        Agency.objects.create(
            code="PNV-058", name="Phòng Nội vụ", kind="department", unit=world.city
        ),
    ]
    for number in range(PAGE_SIZE):
        field = Field.objects.create(code=f"F{number}", name=f"Lĩnh vực {number}")
        ProcedureVersion.objects.create(
            procedure=Procedure.objects.create(code=f"2.{number:06d}"),
            version=1,
            valid_from=date(2023, 1, 1),
            name=f"Thủ tục số {number}",
            field=field,
            level="district",
            competent_agency=agencies[number % 2],
            time_limit=5 + number % 3,
            time_limit_unit="working_days",
            online_level=("partial", "full", "none")[number % 3],
        )
    large = queries("/dich-vu-cong/")
    assert len(small) == len(large), "\n".join(large)

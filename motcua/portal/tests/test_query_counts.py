"""The portal's catalogue reads a fixed number of queries whatever the catalogue holds: two
procedures or a full page of them, in several fields and agencies. The exact count is
compared, not a ceiling: one query more per row is what this test exists to catch.

Data: the small world of the dossier tests (``dossiers/tests/world.py``).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.dossiers.choices import Action
from motcua.dossiers.tests.world import build_world
from motcua.portal import views
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


# -- keyset pages and the tracked dossier (issue 17 item 1) --------------------------------


def procedures(world, numbers: range) -> None:
    for number in numbers:
        ProcedureVersion.objects.create(
            procedure=Procedure.objects.create(code=f"2.{number:06d}"),
            version=1,
            valid_from=date(2023, 1, 1),
            name=f"Thủ tục số {number}",
            field=Field.objects.get_or_create(code=f"F{number % 4}", name=f"Lĩnh vực {number % 4}")[
                0
            ],
            level="district",
            competent_agency=world.justice,
            time_limit=5,
            time_limit_unit="working_days",
            online_level="partial",
        )


@pytest.mark.django_db
def test_every_page_of_the_catalogue_reads_as_many_queries(monkeypatch):
    """Page 1 or page 3, a short catalogue or a long one: the same queries; the pages together
    list every procedure once."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    world = build_world()
    small = walk("/dich-vu-cong/")
    procedures(world, range(8))
    large = walk("/dich-vu-cong/")
    assert len(large) == 4  # 10 procedures, 3 a page
    assert [count for count, _ in large] == [small[0][0]] * 4
    shown = [c for _, page in large for c in re.findall(r"<td>(\d\.\d{6})</td>", page)]
    assert sorted(shown) == sorted(Procedure.objects.values_list("code", flat=True))
    bad = Client().get("/dich-vu-cong/", {"cursor": "garbage"})
    assert bad.status_code == 400
    assert "cursor: " in bad.content.decode()


def walk(url: str) -> list[tuple[int, str]]:
    client, pages = Client(), []
    while True:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        pages.append((len(captured.captured_queries), response.content.decode()))
        following = response.context["links"].get("next")
        if following is None:
            return pages
        url = "/dich-vu-cong/" + following


@pytest.mark.django_db
def test_the_tracked_dossier_reads_as_many_queries_for_a_long_history_as_for_a_new_one():
    world = build_world()
    new = world.create(at="02/01/2024 08:00")
    long = world.create(at="02/01/2024 09:00")
    world.take(long, Action.TRANSFER, "02/01/2024 10:00", actor=world.clerk)
    world.take(
        long,
        Action.REQUEST_SUPPLEMENT,
        "03/01/2024 10:00",
        actor=world.officer,
        reason="Thiếu giấy tờ",
    )
    world.take(long, Action.SUPPLEMENT, "04/01/2024 10:00", actor=world.clerk)
    world.take(long, Action.APPROVE, "05/01/2024 10:00", actor=world.officer)
    counts = []
    for dossier in (new, long):
        client = Client()
        tracked = client.post(
            "/dich-vu-cong/tra-cuu/", {"code": dossier.code, "phone": "0912345678"}
        )
        assert tracked.status_code == 302
        client.get(tracked["Location"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(tracked["Location"]).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts

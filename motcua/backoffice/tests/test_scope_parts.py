"""A clerk's lists read as two parts (issue 17): the dossiers received by her units and those
handled by them, each on its own index (``dossiers.access``, ``lib.paging.ScopedList``). The
pages of the queue's "all" view and of the search, walked forward and back, are exactly the
list the one ``OR`` condition gives, in its order, each dossier once (one received *and*
handled by her unit is in both parts), at the same statements on every page.

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.backoffice import selectors, views
from motcua.dossiers.access import dossier_list_for_user, dossier_scoped_list_for_user
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.world import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


def scattered(world: World) -> dict[str, set[str]]:
    """Dossiers of the ward's clerk's scope through either unit, and others: received by the
    ward (one also handled there), received elsewhere and handled by the ward now, and
    neither. Several share a due moment, so the code breaks ties across the parts."""
    made: dict[str, set[str]] = {"received": set(), "handled": set(), "neither": set()}
    # The ward's own ones come later than most handed ones (the first pages are one part's
    # alone, so each part must give a page's worth), and tie with them on the 4th.
    for day in (2, 3, 4, 9, 10):
        for hour in ("08:00", "08:00", "09:00"):
            at = f"{day:02d}/01/2024 {hour}"
            if day >= 4:
                own = world.create(receiving_agency=world.ward_desk, actor=world.ward_clerk, at=at)
                made["received"].add(own.code)
            other = world.create(receiving_agency=world.other_desk, actor=world.other_clerk, at=at)
            made["neither"].add(other.code)
            if day > 4:
                continue
            handed = world.create(receiving_agency=world.other_desk, actor=world.other_clerk, at=at)
            # Held by the ward's desk now, as a coordinating agency holds a dossier (§1.9):
            # the columns the scope reads, set directly (no workflow action hands a dossier
            # from one ward's desk to another's in this world).
            Dossier.objects.filter(pk=handed.pk).update(
                current_agency=world.ward_desk, handling_unit=world.ward
            )
            made["handled"].add(handed.code)
    both = Dossier.objects.filter(code__in=sorted(made["received"])).order_by("code").first()
    assert both is not None
    Dossier.objects.filter(pk=both.pk).update(handling_unit=world.ward)
    return made


def walk(client: Client, url: str, params: dict[str, str]) -> tuple[list[list[str]], list[int]]:
    """Every page of a list by its "next" links, then back by its "previous" links: the codes
    of each page, forward then backward, and the statements of each page."""
    pages: list[list[str]] = []
    counts: list[int] = []
    query = "?" + urlencode(params)
    for direction in ("next", "previous"):
        while True:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url + query)
            assert response.status_code == 200
            counts.append(len(captured.captured_queries))
            pages.append([row.dossier.code for row in response.context["rows"]])
            following = response.context["links"].get(direction)
            if following is None:
                break
            query = following.replace("&amp;", "&")
    return pages, counts


def test_the_queue_of_everyone_pages_through_both_parts_in_the_order_of_the_whole_list(
    world, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    made = scattered(world)
    visible = dossier_scoped_list_for_user(world.ward_clerk)
    assert len(visible.parts) == 2
    # The plain list is the same rows as the parts' union (one rule, accounts.access).
    union = set(visible.parts[0].values_list("code", flat=True)) | set(
        visible.parts[1].values_list("code", flat=True)
    )
    assert set(dossier_list_for_user(world.ward_clerk).values_list("code", flat=True)) == union
    expected = [
        row.dossier.code for row in selectors.queue_for_user(world.ward_clerk, everyone=True)
    ]
    assert set(expected) == made["received"] | made["handled"]
    client = Client()
    client.force_login(world.ward_clerk)
    client.get("/mot-cua/hang-doi/", {"all": "1"})  # warms the per-process caches
    pages, counts = walk(client, "/mot-cua/hang-doi/", {"all": "1"})
    # The walk reads the last page twice: as the end of the way forward and the start back.
    forward, back = pages[: len(pages) // 2], pages[len(pages) // 2 :]
    assert len(forward) >= 3
    assert [code for page in forward for code in page] == expected
    assert back == forward[::-1]
    # Every page (first, middle, last, forward or back) costs the same statements, save
    # the first page's read of nothing before it, and the last page read forward: the
    # queue is by due moment, and once the dossiers with one run out it also reads, on each
    # part, those without one, which sort last (lib.paging.Ordering.ranges).
    last = len(forward) - 1
    assert counts[last] == counts[last + 1] == counts[1] + len(visible.parts), counts
    assert len(set(counts[1:last] + counts[last + 2 : -1])) == 1, counts


@pytest.mark.parametrize(
    "search", [{"status": "received"}, {"q": "minh khai"}], ids=["by parts", "words: whole"]
)
def test_the_search_pages_through_both_parts_and_never_outside_them(world, monkeypatch, search):
    """Filtered without words, the search reads the parts; for words, the list whole as its
    one part (the trigram index serves the words, once; the page's ids before their rows):
    the same pages either way."""
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    made = scattered(world)
    windows = selectors.due_windows(world.ward_clerk, timezone.now())
    filters = selectors.DossierFilter(**search)
    whole = selectors.dossier_search(world.ward_clerk, filters, windows=windows)
    if "q" in search:
        assert whole.parts == (whole.whole,)
    else:
        assert len(whole.parts) == 2
    expected = [d.code for d in whole.whole]
    assert set(expected) == made["received"] | made["handled"]
    client = Client()
    client.force_login(world.ward_clerk)
    pages, _ = walk(client, "/mot-cua/tim-kiem/", search)
    forward = pages[: len(pages) // 2]
    assert [code for page in forward for code in page] == expected
    assert not made["neither"] & {code for page in pages for code in page}


def test_an_administrator_reads_the_whole_table_as_one_part(world):
    from motcua.accounts.choices import Role
    from motcua.accounts.services import role_grant, user_create_or_update

    admin = user_create_or_update(username="quantri", full_name="Quản Trị")
    role_grant(user=admin, role=Role.ADMIN, unit=world.province)
    assert dossier_scoped_list_for_user(admin).parts == ()


@pytest.mark.postgres_only  # PostgreSQL's partial covering indexes (dossiers 0038)
def test_each_part_of_everyone_s_queue_reads_its_unit_s_pending_dossiers_in_due_order(world):
    """The four pending states break the order of the (unit, status, due) indexes: each part
    is read on its unit's partial index of pending dossiers by due moment and stops at the
    page, not from the province's pending dossiers in due order with the unit as a filter
    (17.600 skipped for 26 at 10 M dossiers)."""
    scattered(world)
    queue = selectors.queue_queryset(world.ward_clerk, everyone=True)
    indexes = ("dossier_unit_pending_order", "dossier_handling_pending_order")
    assert len(queue.parts) == len(indexes)
    for part, index in zip(queue.parts, indexes, strict=True):
        page = part.order_by("effective_due_at", "code").values("pk")[:26]
        sql, params = page.query.sql_with_params()
        with connection.cursor() as cursor:
            # A test table is small enough for a sequential or bitmap scan to win.
            for scan in ("seqscan", "bitmapscan", "sort"):
                cursor.execute(f"SET LOCAL enable_{scan} = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"Index Only Scan using {index}" in plan, plan
        assert "Filter" not in plan, plan

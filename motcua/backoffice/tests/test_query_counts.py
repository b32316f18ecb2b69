"""The staff's busiest pages read a fixed number of queries whatever the data: the officer's
queue with two dossiers or fourteen, the dossier page of a dossier just received or of one with
many components, scans and steps. The exact count is compared, not a ceiling: one query more
per row is what these tests exist to catch.

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.backoffice import views
from motcua.core import workflow
from motcua.dossiers.choices import Channel
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Component, dossier_file_attach, dossier_transition
from motcua.dossiers.tests.world import World, build_world
from motcua.units.tree import UnitTree

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(db) -> World:
    return build_world()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> tuple[list[str], str]:
    """The SQL a GET of ``url`` ran (after one GET that warms per-process caches), and the
    page."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries], response.content.decode()


def transferred(world: World, at: str) -> Dossier:
    dossier = world.create(at=at)
    return dossier_transition(
        dossier_id=dossier.pk, action=workflow.Action.TRANSFER, actor=world.clerk
    )


def test_the_queue_reads_as_many_queries_for_fourteen_dossiers_as_for_two(world):
    officer = signed_in(world.officer)
    codes = [transferred(world, f"{day:02d}/01/2024 08:00").code for day in (2, 3)]
    small, _ = queries(officer, "/mot-cua/hang-doi/")
    codes += [transferred(world, f"{day:02d}/01/2024 09:00").code for day in range(4, 16)]
    large, page = queries(officer, "/mot-cua/hang-doi/")
    assert all(code in page for code in codes)
    assert len(small) == len(large), "\n".join(large)


def test_the_dossier_page_reads_as_many_queries_for_a_long_dossier_as_for_a_new_one(world):
    clerk = signed_in(world.clerk)
    new = world.create(at="02/01/2024 08:00")
    # Both handed on, so that the page offers both the same forms.
    dossier_transition(dossier_id=new.pk, action=workflow.Action.TRANSFER, actor=world.clerk)
    small, _ = queries(clerk, f"/mot-cua/ho-so/{new.code}/")
    long = world.create(
        at="02/01/2024 09:00",
        components=[Component(f"Giấy tờ số {n}", originals=1, digitised=True) for n in range(8)],
    )
    for component in long.components.all()[:4]:
        dossier_file_attach(
            dossier_id=long.pk,
            upload=io.BytesIO(PDF),
            name=f"scan-{component.pk}.pdf",
            component_id=component.pk,
            actor=world.clerk,
        )
    dossier_transition(dossier_id=long.pk, action=workflow.Action.TRANSFER, actor=world.clerk)
    large, page = queries(clerk, f"/mot-cua/ho-so/{long.code}/")
    assert all(f"scan-{c.pk}.pdf" in page for c in long.components.all()[:4])
    assert len(small) == len(large), "\n".join(large)


def test_the_dossier_page_reads_the_agencies_and_officers_only_for_a_form_that_offers_them(
    world,
):
    """A province has hundreds of agencies: the page reads them (and the unit's officers) for
    the transfer form, not for a dossier the user can no longer hand on."""
    clerk = signed_in(world.clerk)
    dossier = world.create(at="02/01/2024 08:00")
    agencies = '"units_agency"."code" AS "code"'
    officers = 'ORDER BY "accounts_user"."full_name"'
    sql, page = queries(clerk, f"/mot-cua/ho-so/{dossier.code}/")
    assert 'id="transfer-to_agency"' in page
    assert sum(agencies in query for query in sql) == 1, "\n".join(sql)
    assert sum(officers in query for query in sql) == 1, "\n".join(sql)
    dossier_transition(dossier_id=dossier.pk, action=workflow.Action.TRANSFER, actor=world.clerk)
    sql, page = queries(clerk, f"/mot-cua/ho-so/{dossier.code}/")
    assert "to_agency" not in page
    assert 'name="assignee"' not in page
    assert not any(agencies in query or officers in query for query in sql), "\n".join(sql)


# -- keyset pages: page 3 costs what page 1 does (issue 17 item 1) --------------------------


def every_page(client: Client, url: str) -> list[tuple[int, str]]:
    """Every page of a list by its "next" links: (queries, page) per page, each read after a
    warm-up GET of the same address."""
    pages = []
    while True:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        pages.append((len(captured.captured_queries), response.content.decode()))
        following = response.context["links"].get("next")
        if following is None:
            return pages
        url = url.split("?")[0] + following


@pytest.mark.parametrize(
    "url", ["/mot-cua/hang-doi/", "/mot-cua/hang-doi/?all=1", "/mot-cua/tim-kiem/?q=0912345678"]
)
def test_every_page_of_the_queue_and_the_search_reads_as_many_queries(world, monkeypatch, url):
    """The queue (mine and all), the search: two dossiers or a dozen, page 1 or page 3, the
    same queries; the pages together list every dossier once."""
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    officer = signed_in(world.officer)
    codes = [transferred(world, f"{day:02d}/01/2024 08:00").code for day in (2, 3)]
    small = every_page(officer, url)
    codes += [transferred(world, f"{day:02d}/01/2024 09:00").code for day in range(4, 16)]
    large = every_page(officer, url)
    assert len(large) == 4
    # The queue is by due moment: once the dossiers with one run out, its last page also
    # reads, on each of its two parts, those without one (lib.paging.Ordering.ranges).
    end = 2 if url.startswith("/mot-cua/hang-doi/") else 0
    assert [count for count, _ in large] == [small[0][0]] * 3 + [small[0][0] + end], url
    shown = [code for _, page in large for code in re.findall(r'data-code="([^"]+)"', page)]
    assert sorted(shown) == sorted(codes)
    assert len(set(shown)) == len(codes)


def test_every_page_of_the_online_list_reads_as_many_queries(world, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    clerk = signed_in(world.clerk)
    made = [world.create(channel=Channel.ONLINE, at="02/01/2024 08:00") for _ in range(2)]
    small = every_page(clerk, "/mot-cua/truc-tuyen/")
    made += [world.create(channel=Channel.ONLINE, at="03/01/2024 08:00") for _ in range(5)]
    large = every_page(clerk, "/mot-cua/truc-tuyen/")
    assert [count for count, _ in large] == [small[0][0]] * 4
    shown = [
        c for _, page in large for c in re.findall(r'<a href="/mot-cua/ho-so/([^/]+)/">', page)
    ]
    assert sorted(shown) == sorted(d.code for d in made)


def test_a_search_by_words_reads_the_user_s_units_once(world, monkeypatch):
    """The list's scope and the per-unit index of words (``backoffice.selectors.search_units``)
    need the same units: walked once a request (``accounts.access.user_unit_ids``), on the
    tree in memory (``units.tree``), so the walks are counted."""
    transferred(world, "02/01/2024 08:00")
    walks = []
    lineages = UnitTree.lineages

    def counted(tree: UnitTree, unit_ids: Iterable[int]) -> frozenset[int]:
        walks.append(1)
        return lineages(tree, unit_ids)

    monkeypatch.setattr(UnitTree, "lineages", counted)
    sql, page = queries(signed_in(world.officer), "/mot-cua/tim-kiem/?q=nguyen+minh")
    assert 'data-code="' in page
    # One GET to warm, one measured: once each.
    assert len(walks) == 2, "\n".join(sql)


@pytest.mark.parametrize("who", ["clerk", "officer"])
def test_a_staff_page_reads_the_user_s_grants_once(world, who):
    """The menus ask for the user's roles, units and desks on every staff page
    (``backoffice.menus``): the grants are read once, with their agencies
    (``accounts.access.user_agency_grants``), not again for the "Counter" link: with the
    user's row (``accounts.backends``)."""
    user = getattr(world, who)
    sql, page = queries(signed_in(user), "/mot-cua/tim-kiem/")
    grants = [query for query in sql if "accounts_roleassignment" in query]
    assert len(grants) == 1, "\n".join(sql)
    assert ('href="/mot-cua/"' in page) == (who == "clerk")

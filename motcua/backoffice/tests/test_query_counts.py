"""The staff's busiest pages read a fixed number of queries whatever the data: the officer's
queue with two dossiers or fourteen, the dossier page of a dossier just received or of one with
many components, scans and steps. The exact count is compared, not a ceiling: one query more
per row is what these tests exist to catch.

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.core import workflow
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Component, dossier_file_attach, dossier_transition
from motcua.dossiers.tests.world import World, build_world

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

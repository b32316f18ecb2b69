"""The demo citizen (the VNeID stand-in's Nguyễn Văn An) has something to reuse: a returned
birth registration whose extract is in his store under the name a procedure with a
declaration form asks for, and a dossier in processing; all before today."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.models import DeclarationForm
from motcua.catalog.selectors import procedure_in_force
from motcua.catalog.services import load_demo_declaration_forms, load_two_level_catalog
from motcua.citizens.testprovider import CITIZENS
from motcua.demo.citizen import CITIZEN_ID, load_demo_citizen
from motcua.demo.services import demo_accounts_load
from motcua.demo.templates_files import TEMPLATE_NAME, load_demo_template_files
from motcua.docstore.selectors import documents_of_person, matches_by_name
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def citizen(bac_kan_world, django_db_blocker):
    """The world, the catalogue from 1/7/2025 with its forms, the accounts, the citizen."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_two_level_catalog()
        load_demo_declaration_forms()
        demo_accounts_load()
        load_demo_template_files(timezone.localdate())
        report = load_demo_citizen(timezone.localdate())
        yield report
        transaction.set_rollback(True)


def test_the_stand_in_citizen_is_the_demo_citizen_of_the_new_province(citizen):
    assert CITIZENS["an"]["SoDinhDanh"] == CITIZEN_ID
    assert "tỉnh Thái Nguyên" in CITIZENS["an"]["ThuongTru"]
    assert "Bắc Kạn" not in CITIZENS["an"]["ThuongTru"]


def test_his_stored_paper_matches_a_component_of_a_procedure_with_a_form(citizen):
    today = timezone.localdate()
    papers = documents_of_person(CITIZEN_ID)
    offered = []
    for form in DeclarationForm.objects.select_related("version__procedure"):
        version = procedure_in_force(form.version.procedure.code, today)
        if version is None:
            continue
        names = list(version.components.values_list("name", flat=True))
        offered += [d for found in matches_by_name(papers, names, today).values() for d in found]
    assert offered, "no stored paper of his matches a component of a procedure with a form"
    paper = offered[0]
    assert paper.source_dossier.status == Status.RETURNED
    assert paper.source_dossier.applicant_id_number == CITIZEN_ID


def test_he_has_one_returned_and_one_dossier_in_processing_before_today(citizen):
    assert (citizen.dossiers, citizen.papers) == (2, 1)
    mine = Dossier.objects.filter(applicant_id_number=CITIZEN_ID)
    assert sorted(mine.values_list("status", flat=True)) == sorted(
        [Status.RETURNED, Status.IN_PROCESSING]
    )
    today = timezone.localdate()
    assert all(timezone.localtime(d.received_at).date() < today for d in mine)
    # Transferred to the ward's officer: the one in processing is in her queue.
    assert set(mine.values_list("assignee__username", flat=True)) == {"chuyenvien.ducxuan"}
    # Loading again adds nothing.
    assert load_demo_citizen(today).total == 0
    assert mine.count() == 2


def test_the_birth_registration_page_offers_a_printable_declaration(citizen):
    page = Client().get(reverse("portal:procedure", args=["2.005266"]))
    assert page.status_code == 200
    assert TEMPLATE_NAME in page.content.decode()
    version = procedure_in_force("2.005266", timezone.localdate())
    template = version.template_files.get()
    download = Client().get(reverse("portal:template_file", args=["2.005266", template.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # Loading again adds no second template.
    assert load_demo_template_files(timezone.localdate()) == 0

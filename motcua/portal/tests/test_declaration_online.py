"""The declaration form (tờ khai) on the portal (issue 13 item 2): the procedure page shows the
legal basis, steps, conditions and forms; the submission form renders the e-form (pre-filled
for a signed-in citizen), checks it as the counter does, and files the answers with the
dossier in the submission's transaction. Bad answers answer 400 next to the field, and
nothing is created."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from motcua.catalog.services import load_demo_declaration_forms
from motcua.citizens.tests.conftest import oidc_on, provider_process  # noqa: F401 (fixtures)
from motcua.citizens.tests.test_signin import sign_in
from motcua.dossiers.models import Dossier, DossierDeclaration
from motcua.portal.tests.test_views import BIRTH, first_component, form_key, post_submission
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit

pytestmark = pytest.mark.usefixtures("forms_world", "working_clock", "media")


@pytest.fixture(scope="module")
def forms_world(bac_kan_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_declaration_forms()
        yield
        transaction.set_rollback(True)


def commune() -> str:
    unit = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).order_by("code").first()
    return unit.code


def answers(**changes: str) -> dict[str, str]:
    values = {
        "requester_name": "Nguyễn Văn An",
        "requester_id": "006090001234",
        "requester_address-unit": commune(),
        "requester_address-street": "Tổ 1, phường Đức Xuân",
        "relationship": "cha",
        "child_name": "Nguyễn Minh Khôi",
        "child_sex": "nam",
        "child_birth_date": "20/11/2026",
        "child_birth_place": "Bệnh viện Đa khoa tỉnh Bắc Kạn",
        "child_ethnicity": "Tày",
        "child_nationality": "Việt Nam",
        "mother_name": "Hoàng Thị Lan",
    }
    return {f"tk-{name}": value for name, value in (values | changes).items()}


def test_the_procedure_page_shows_legal_basis_steps_conditions_and_the_form(client, db):
    page = client.get(reverse("portal:procedure", args=[BIRTH])).content.decode()
    assert "Luật Hộ tịch số 60/2014/QH13" in re.search(r'id="legal-basis".*?</ul>', page, re.S)[0]
    assert re.search(r'<ol id="steps">\s*<li>', page)
    assert 'id="conditions"' in page
    assert "Tờ khai đăng ký khai sinh" in re.search(r'id="declaration".*?</li>', page, re.S)[0]


def test_the_submission_form_renders_the_declaration(client, db):
    page = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    assert 'id="eform"' in page
    assert 'name="tk-child_birth_date"' in page
    assert 'name="tk-requester_address-unit"' in page


def test_the_answers_are_filed_with_the_dossier_and_no_file_is_needed(client, db):
    response = post_submission(client, form_key(client), {}, **answers())
    assert response.status_code == 302, response.content.decode()[:3000]
    declaration = DossierDeclaration.objects.get()
    assert declaration.form_code == "TK-KS"
    assert declaration.answers["child_name"] == "Nguyễn Minh Khôi"
    assert declaration.answers["child_birth_date"] == "2026-11-20"
    assert declaration.actor_id is None
    assert declaration.dossier.channel == "online"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"child_birth_date": "31/02/2026"}, "child_birth_date"),
        ({"child_name": "x" * 10_000}, "child_name"),
        ({"child_sex": "khác"}, "child_sex"),
        ({"child_name": ""}, "child_name"),
        ({"mother_id": "12345"}, "mother_id"),
    ],
)
def test_bad_answers_are_refused_next_to_the_field_with_nothing_created(
    client, db, pdf_upload, change, field
):
    before = Dossier.objects.count()
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, **answers(**change)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_tk-{field}_error"' in page
    assert escape(_("Correct the declaration form.")) in page
    assert Dossier.objects.count() == before
    assert not DossierDeclaration.objects.exists()


def test_an_empty_declaration_with_a_scan_submits_without_one(client, db, pdf_upload):
    response = post_submission(client, form_key(client), {first_component(): pdf_upload()})
    assert response.status_code == 302
    assert not DossierDeclaration.objects.exists()


def test_neither_a_declaration_nor_a_file_is_refused(client, db):
    response = post_submission(client, form_key(client), {})
    assert response.status_code == 400
    message = _("Fill the declaration form or attach at least one component file.")
    assert escape(message) in response.content.decode()


def test_add_rows_shows_the_page_again_and_creates_nothing(client, db):
    before = Dossier.objects.count()
    response = post_submission(client, form_key(client), {}, **answers(), **{"tk-more": "1"})
    assert response.status_code == 200
    assert 'id="eform"' in response.content.decode()
    assert Dossier.objects.count() == before


def test_a_signed_in_citizens_prefilled_but_untouched_form_is_not_filed(
    client,
    db,
    pdf_upload,
    oidc_on,  # noqa: F811
):
    sign_in(client)
    page = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    assert re.search(r'name="tk-requester_name"[^>]*value="Nguyễn Văn An"', page)
    # What the browser posts for a form it was given filled: the pre-filled fields only.
    prefilled = {"tk-requester_name": "Nguyễn Văn An", "tk-requester_id": "006090001234"}
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, **prefilled
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not DossierDeclaration.objects.exists()
    # One field more is a filled form, checked in full: its required fields are asked for.
    response = post_submission(
        client,
        form_key(client),
        {first_component(): pdf_upload()},
        **prefilled,
        **{"tk-child_name": "Nguyễn Minh Khôi"},
    )
    assert response.status_code == 400
    assert 'id="id_tk-child_birth_date_error"' in response.content.decode()

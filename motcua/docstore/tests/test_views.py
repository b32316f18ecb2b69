"""The document store's pages: the reuse panel (GET, the Dùng lại POST), the search by ID
number and the download; access scoped like dossiers; every document shown is logged."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.docstore.access import document_list_for_user
from motcua.docstore.choices import ViewReason
from motcua.docstore.models import DocumentReuse, DocumentView
from motcua.docstore.services import document_store_add
from motcua.docstore.tests.conftest import BIRTH, OTHER_PERSON, PERSON, dossier_for, pdf
from motcua.dossiers.models import DossierFile
from motcua.dossiers.services import Applicant, Component

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def panel_url(dossier):
    return f"/mot-cua/kho-giay-to/ho-so/{dossier.code}/"


def test_the_panel_lists_components_and_matching_documents_and_logs_them(client, world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    component = nxt.components.get(name=BIRTH)
    # Ids above 999, as in any real database: never written "12.345" (the Vietnamese thousands
    # separator) into the form's values.
    component.files.update(component=None)
    component.pk, old = 12345, component.pk
    component.save(force_insert=True)
    nxt.components.filter(pk=old).delete()
    answer = signed_in(client, world.clerk).get(panel_url(nxt))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'name="component" value="12345"' in html
    assert f'id="reuse-{stored.document.pk}-{component.pk}"' in html
    assert "123/2019" in html
    assert "04/05/2019" in html  # issued on, dd/mm/yyyy
    views = DocumentView.objects.filter(reason=ViewReason.REUSE_PANEL)
    assert [(v.document_id, v.viewer, v.dossier) for v in views] == [
        (stored.document.pk, world.clerk, nxt)
    ]


def test_reuse_button_attaches_and_a_second_press_is_told(client, world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    component = nxt.components.get(name=BIRTH)
    client = signed_in(client, world.clerk)
    body = {"document": stored.document.pk, "component": component.pk}
    answer = client.post(f"{panel_url(nxt)}dung-lai/", body)
    assert answer.status_code == 302
    assert answer["Location"] == panel_url(nxt)
    assert DocumentReuse.objects.count() == 1
    component.refresh_from_db()
    assert component.digitised
    again = client.post(f"{panel_url(nxt)}dung-lai/", body)
    assert again.status_code == 409
    assert 'data-field="document"' in again.content.decode()
    assert DocumentReuse.objects.count() == 1
    assert DossierFile.objects.filter(dossier=nxt).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"component": "1"}, "document"),
        ({"document": "abc", "component": "1"}, "document"),
        ({"document": "1"}, "component"),
        ({"document": "1", "component": "-5"}, "component"),
    ],
)
def test_reuse_with_bad_input_names_the_field_and_changes_nothing(
    client, world, stored, body, field
):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    answer = signed_in(client, world.clerk).post(f"{panel_url(nxt)}dung-lai/", body)
    assert answer.status_code == 400
    assert f'data-field="{field}"' in answer.content.decode()
    assert not DocumentReuse.objects.exists()


def test_reuse_of_another_persons_document_is_refused_on_the_page(client, world, stored):
    theirs = dossier_for(world, OTHER_PERSON, at="03/01/2024 09:00")
    body = {"document": stored.document.pk, "component": theirs.components.get(name=BIRTH).pk}
    answer = signed_in(client, world.clerk).post(f"{panel_url(theirs)}dung-lai/", body)
    assert answer.status_code == 400
    assert 'data-field="document"' in answer.content.decode()
    assert not DocumentReuse.objects.exists()
    # The other person's panel does not show the document either.
    shown = signed_in(client, world.clerk).get(panel_url(theirs)).content.decode()
    assert f'data-document="{stored.document.pk}"' not in shown


def test_reuse_needs_a_csrf_token(world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clerk)
    body = {"document": stored.document.pk, "component": nxt.components.get(name=BIRTH).pk}
    answer = client.post(f"{panel_url(nxt)}dung-lai/", body)
    assert answer.status_code == 403
    assert not DocumentReuse.objects.exists()


def test_the_panel_of_a_dossier_the_user_may_not_see_is_404(client, world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    assert signed_in(client, world.other_clerk).get(panel_url(nxt)).status_code == 404
    assert not DocumentView.objects.exists()


def test_signing_in_is_required(client, world, stored):
    answer = client.get(f"/mot-cua/kho-giay-to/?so={PERSON}")
    assert answer.status_code == 302
    assert "login" in answer["Location"] or "dang-nhap" in answer["Location"]


def test_search_lists_the_persons_documents_from_visible_dossiers_and_logs(client, world, stored):
    answer = signed_in(client, world.clerk).get(f"/mot-cua/kho-giay-to/?so={PERSON}")
    assert answer.status_code == 200
    assert f'data-document="{stored.document.pk}"' in answer.content.decode()
    view = DocumentView.objects.get()
    assert (view.document, view.viewer, view.reason) == (
        stored.document,
        world.clerk,
        ViewReason.SEARCH,
    )


def test_a_clerk_of_another_unit_cannot_search_documents_of_dossiers_they_cannot_see(
    client, world, stored
):
    answer = signed_in(client, world.other_clerk).get(f"/mot-cua/kho-giay-to/?so={PERSON}")
    assert answer.status_code == 200
    assert f'data-document="{stored.document.pk}"' not in answer.content.decode()
    assert 'id="no-results"' in answer.content.decode()
    assert not DocumentView.objects.exists()
    assert not document_list_for_user(world.other_clerk).exists()
    # A document with no source dossier is an administrator's only.
    document_store_add(
        id_number=PERSON,
        name=BIRTH,
        data=pdf("loose"),
        content_type="application/pdf",
        source_dossier_id=None,
        source_component_id=None,
    )
    assert document_list_for_user(world.clerk).count() == 1


@pytest.mark.parametrize("number", ["12345", "0061900123456", "abcdefghijkl"])
def test_a_bad_id_number_is_refused_naming_the_field(client, world, stored, number):
    answer = signed_in(client, world.clerk).get("/mot-cua/kho-giay-to/", {"so": number})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="so_error"' in html
    assert not DocumentView.objects.exists()


def test_a_forged_cursor_is_refused(client, world, stored):
    answer = signed_in(client, world.clerk).get(
        "/mot-cua/kho-giay-to/", {"so": PERSON, "cursor": "not-ours"}
    )
    assert answer.status_code == 400
    assert 'id="cursor_error"' in answer.content.decode()


def test_search_pages_are_bounded(client, world, stored):
    for n in range(30):
        document_store_add(
            id_number=PERSON,
            name=f"Giấy {n}",
            data=pdf(f"page-{n}"),
            content_type="application/pdf",
            source_dossier_id=stored.first.pk,
            source_component_id=None,
        )
    client = signed_in(client, world.clerk)
    first = client.get("/mot-cua/kho-giay-to/", {"so": PERSON})
    assert first.content.decode().count("data-document=") == 25
    assert 'id="page-next"' in first.content.decode()
    second = client.get("/mot-cua/kho-giay-to/?" + first.context["links"]["next"][1:])
    assert second.content.decode().count("data-document=") == 6
    assert DocumentView.objects.filter(reason=ViewReason.SEARCH).count() == 31


def test_download_sends_the_file_and_logs_it(client, world, stored):
    answer = signed_in(client, world.clerk).get(
        f"/mot-cua/kho-giay-to/tai-lieu/{stored.document.pk}/tai-ve/"
    )
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == pdf("birth")
    assert answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    view = DocumentView.objects.get()
    assert (view.reason, view.viewer, view.dossier) == (ViewReason.DOWNLOAD, world.clerk, None)


def test_download_by_a_clerk_who_may_not_see_it_is_404_and_not_sent(client, world, stored):
    url = f"/mot-cua/kho-giay-to/tai-lieu/{stored.document.pk}/tai-ve/"
    answer = signed_in(client, world.other_clerk).get(url)
    assert answer.status_code == 404
    assert not DocumentView.objects.exists()


def test_download_in_the_context_of_a_visible_dossier_of_the_same_person(client, world, stored):
    # A dossier of the same person at the other ward's desk: its clerk sees that dossier,
    # not the city's one the document came from.
    theirs = world.create(
        receiving_agency=world.other_desk,
        actor=world.other_clerk,
        applicant=Applicant(name="Nguyễn Thị Minh Khai", id_number=PERSON, phone="0912345678"),
        components=[Component(BIRTH, originals=1)],
        at="03/01/2024 09:00",
    )
    url = f"/mot-cua/kho-giay-to/tai-lieu/{stored.document.pk}/tai-ve/?ho-so={theirs.code}"
    answer = signed_in(client, world.other_clerk).get(url)
    assert answer.status_code == 200
    view = DocumentView.objects.get()
    assert (view.reason, view.dossier) == (ViewReason.DOWNLOAD, theirs)
    # Another person's dossier gives no such right.
    other = dossier_for(world, OTHER_PERSON, at="03/01/2024 10:00")
    url = f"/mot-cua/kho-giay-to/tai-lieu/{stored.document.pk}/tai-ve/?ho-so={other.code}"
    assert signed_in(client, world.other_clerk).get(url).status_code == 404

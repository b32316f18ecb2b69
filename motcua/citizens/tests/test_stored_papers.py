"""The signed-in citizen's document store on the portal (issue 14 item 2): the submission form
offers their stored papers per component, a chosen one is reused (recorded, digitised at once,
counted by 766 4.3 and the national sync), "my papers" lists and downloads them, and every
showing is logged. Anything else is refused by name with nothing created."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from motcua.catalog.models import ProcedureVersion
from motcua.citizens.tests.test_portal import BIRTH, form_key
from motcua.citizens.tests.test_signin import sign_in
from motcua.docstore.choices import ViewReason
from motcua.docstore.models import DocumentReuse, DocumentView, StoredDocument
from motcua.docstore.services import document_store_add
from motcua.dossiers.models import Dossier
from motcua.portal.tests.applicant import APPLICANT_FIELDS
from motcua.portal.tests.conftest import small_pdf
from motcua.units.models import Agency

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock", "oidc_on", "media")

AN = "006090001234"  # the test provider's citizen "an"


def components():
    version = ProcedureVersion.objects.filter(procedure__code=BIRTH).order_by("-version").first()
    return list(version.components.order_by("position"))


def stored(id_number: str = AN, name: str | None = None, **extra) -> StoredDocument:
    return document_store_add(
        id_number=id_number,
        name=name or components()[0].name,
        data=small_pdf(),
        content_type="application/pdf",
        source_dossier_id=None,
        source_component_id=None,
        number="123/2025",
        issuer="UBND phường Đức Xuân",
        **extra,
    )


def post(client, data: dict, files: dict | None = None):
    desk = Agency.objects.get(code="TTPVHCC-01840")
    body = {"desk": desk.pk, **APPLICANT_FIELDS, "submission_key": form_key(client), **data}
    return client.post(reverse("portal:submit", args=[BIRTH]), {**body, **(files or {})})


def test_the_form_offers_the_citizens_matching_papers_and_logs_the_showing(client, db):
    paper = stored()
    other = stored(id_number="001099009999")
    sign_in(client)
    page = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    first = components()[0]
    choice = re.search(rf'<select id="reuse_{first.pk}"[^>]*>(.*?)</select>', page, re.S)
    assert choice is not None
    assert f'value="{paper.pk}"' in choice.group(1)
    assert "123/2025" in choice.group(1)
    assert f'value="{other.pk}"' not in page  # another person's paper is never offered
    shown = DocumentView.objects.get(document=paper)
    assert (shown.reason, shown.viewer_id, shown.viewer_name) == (
        ViewReason.OWNER,
        None,
        "Nguyễn Văn An",
    )


def test_an_anonymous_visitor_is_offered_nothing(client, db):
    stored()
    page = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    assert "reuse_" not in page
    assert not DocumentView.objects.exists()


def test_a_chosen_paper_is_reused_recorded_and_counts_as_digitised(client, db):
    paper = stored()
    sign_in(client)
    first = components()[0]
    response = post(client, {f"reuse_{first.pk}": str(paper.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    reuse = DocumentReuse.objects.get(document=paper)
    dossier = reuse.dossier
    assert dossier.applicant_verified
    assert dossier.applicant_id_number == AN
    assert (reuse.actor_id, reuse.actor_name) == (None, "Nguyễn Văn An")
    component = reuse.component
    assert component.name == first.name
    assert component.digitised
    assert component.reused
    assert component.reusable
    assert reuse.dossier_file.component_id == component.pk


def test_a_paper_and_a_file_for_one_component_is_refused_with_nothing_created(
    client, db, pdf_upload
):
    paper = stored()
    sign_in(client)
    first = components()[0]
    before = Dossier.objects.count()
    response = post(
        client, {f"reuse_{first.pk}": str(paper.pk)}, {f"file_{first.pk}": pdf_upload()}
    )
    assert response.status_code == 400
    message = _("Component “%(name)s”: attach a file or reuse a stored paper, not both.") % {
        "name": first.name
    }
    assert escape(message) in response.content.decode()
    assert Dossier.objects.count() == before
    assert not DocumentReuse.objects.exists()


@pytest.mark.parametrize("choice", ["other", "expired", "999999999", "1; DROP", "x" * 5000])
def test_a_paper_not_offered_is_refused_by_component_with_nothing_created(client, db, choice):
    first = components()[0]
    if choice == "other":
        choice = str(stored(id_number="001099009999").pk)
    elif choice == "expired":
        paper = stored(name=first.name, issued_on=None, valid_until=None)
        StoredDocument.objects.filter(pk=paper.pk).update(valid_until="2020-01-01")
        choice = str(paper.pk)
    sign_in(client)
    before = Dossier.objects.count()
    response = post(client, {f"reuse_{first.pk}": choice})
    assert response.status_code == 400
    message = _("Component “%(name)s”: choose one of your stored papers listed.") % {
        "name": first.name
    }
    assert escape(message) in response.content.decode()
    assert Dossier.objects.count() == before


def test_my_papers_lists_only_mine_and_downloads_them_logged(client, db):
    mine = stored()
    theirs = stored(id_number="001099009999")
    sign_in(client)
    page = client.get(reverse("citizens:my_papers"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("citizens:my_paper", args=[mine.pk]) in text
    assert reverse("citizens:my_paper", args=[theirs.pk]) not in text
    download = client.get(reverse("citizens:my_paper", args=[mine.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == small_pdf()
    assert client.get(reverse("citizens:my_paper", args=[theirs.pk])).status_code == 404
    reasons = sorted(DocumentView.objects.filter(document=mine).values_list("reason", flat=True))
    assert reasons == sorted([ViewReason.OWNER, ViewReason.DOWNLOAD])
    assert not DocumentView.objects.filter(document=theirs).exists()


def test_my_papers_needs_a_sign_in_and_refuses_a_forged_cursor(client, db):
    response = client.get(reverse("citizens:my_papers"))
    assert response.status_code == 302
    assert reverse("citizens:sign_in") in response["Location"]
    sign_in(client)
    assert client.get(reverse("citizens:my_papers") + "?cursor=forged").status_code == 400

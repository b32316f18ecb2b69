"""The signed-in citizen on the portal: the submission form pre-filled and locked, the dossier
flagged identity-verified (and said so to the national portal), "my dossiers" showing only
theirs and opening each without the tracking secret; anonymous submission unchanged."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.catalog.models import ProcedureVersion
from motcua.citizens.tests.test_signin import sign_in
from motcua.dossiers.models import Dossier
from motcua.national.mapping import mapping_table
from motcua.national.selectors import dossier_payload
from motcua.portal.tests.applicant import APPLICANT_FIELDS
from motcua.units.models import Agency

BIRTH = "2.005266"  # Đăng ký khai sinh: commune level, full online, free

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock", "oidc_on", "media")


def form_key(client) -> str:
    page = client.get(reverse("portal:submit", args=[BIRTH]))
    assert page.status_code == 200
    return re.search(r'name="submission_key" value="([^"]+)"', page.content.decode()).group(1)


def first_component() -> str:
    version = ProcedureVersion.objects.filter(procedure__code=BIRTH).order_by("-version").first()
    return f"file_{version.components.order_by('position').first().pk}"


def submit(client, pdf_upload, **overrides) -> Dossier:
    desk = Agency.objects.get(code="TTPVHCC-01840")
    data = {"desk": desk.pk, **APPLICANT_FIELDS, "submission_key": form_key(client), **overrides}
    response = client.post(
        reverse("portal:submit", args=[BIRTH]), {**data, first_component(): pdf_upload()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    code = re.search(r'id="dossier-code">([^<]+)<', page).group(1)
    return Dossier.objects.get(code=code)


def test_the_form_is_prefilled_from_the_verified_claims_and_locked(client, db):
    sign_in(client)
    page = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    assert 'id="verified-identity"' in page
    for name, value in (
        ("applicant_name", "Nguyễn Văn An"),
        ("applicant_id_number", "006090001234"),
        ("applicant_birth_date", "12/05/1990"),
    ):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'value="{value}"' in field
        assert "disabled" in field


def test_a_signed_in_submission_is_verified_with_the_claims_whatever_is_posted(
    client, db, pdf_upload
):
    sign_in(client)
    dossier = submit(
        client,
        pdf_upload,
        applicant_name="Kẻ Mạo Danh",
        applicant_id_number="001099009999",
        applicant_address="Somewhere else",
        applicant_verified="false",
    )
    assert dossier.applicant_verified is True
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_id_number == "006090001234"
    assert dossier.applicant_birth_date.isoformat() == "1990-05-12"
    assert dossier.applicant_address == "Tổ 1, phường Đức Xuân, tỉnh Thái Nguyên"
    assert dossier.applicant_phone  # typed by the citizen: not a claim


def test_the_national_payload_says_verified_only_for_a_verified_dossier(client, db, pdf_upload):
    anonymous = submit(client, pdf_upload)
    sign_in(client)
    verified = submit(client, pdf_upload)
    table = mapping_table()
    for dossier, flag in ((anonymous, 0), (verified, 1)):
        event = dossier.events.order_by("seq").last()
        payload = dossier_payload(dossier, event, table)
        assert payload["TaiKhoanDuocXacThucVoiVNeID"] == flag


def test_an_anonymous_submission_is_unchanged_and_not_verified(client, db, pdf_upload):
    page = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    assert 'id="verified-identity"' not in page
    assert "disabled" not in re.search(r'<input[^>]*name="applicant_name"[^>]*>', page).group(0)
    dossier = submit(client, pdf_upload, applicant_verified="true")
    assert dossier.applicant_verified is False
    assert dossier.applicant_name == APPLICANT_FIELDS["applicant_name"]


def test_my_dossiers_lists_only_the_citizens_own_and_opens_them_without_the_secret(
    client, db, pdf_upload
):
    mine = submit(client, pdf_upload)  # anonymous, with An's ID number
    other = submit(client, pdf_upload, applicant_id_number="006185004321")
    client.cookies.clear()
    sign_in(client)
    verified = submit(client, pdf_upload)
    page = client.get(reverse("citizens:my_dossiers"))
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.code in text
    assert verified.code in text
    assert other.code not in text
    assert text.index(verified.code) < text.index(mine.code)  # newest first
    response = client.get(reverse("portal:dossier", args=[mine.code]))
    assert response.status_code == 200
    assert mine.code in response.content.decode()
    # Someone else's dossier still needs its secret.
    response = client.get(reverse("portal:dossier", args=[other.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:track"))


def test_my_dossiers_is_paged_by_keyset(client, db, pdf_upload, monkeypatch):
    from motcua.citizens import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    sign_in(client)
    codes = [submit(client, pdf_upload).code for _ in range(3)]
    first = client.get(reverse("citizens:my_dossiers")).content.decode()
    assert codes[2] in first
    assert codes[1] in first
    assert codes[0] not in first
    following = re.search(r'href="(\?cursor=[^"]+)" rel="next"', first).group(1)
    second = client.get(reverse("citizens:my_dossiers") + following.replace("&amp;", "&"))
    assert codes[0] in second.content.decode()
    assert codes[2] not in second.content.decode()


def test_my_dossiers_refuses_a_forged_cursor_naming_it(client, db):
    sign_in(client)
    response = client.get(reverse("citizens:my_dossiers"), {"cursor": "forged"})
    assert response.status_code == 400
    assert "cursor" in response.content.decode()


def test_my_dossiers_needs_a_sign_in(client, db):
    response = client.get(reverse("citizens:my_dossiers"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("citizens:sign_in"))


def test_after_sign_out_the_owners_grant_is_gone(client, db, pdf_upload):
    sign_in(client)
    dossier = submit(client, pdf_upload)
    client.post(reverse("citizens:sign_out"))
    response = client.get(reverse("portal:dossier", args=[dossier.code]))
    assert response.status_code == 302
    assert str(_("Sign in with VNeID")) in client.get(reverse("portal:catalog")).content.decode()

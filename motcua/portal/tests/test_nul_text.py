"""NUL in text typed into the portal (issue 16 item 5): refused with a Vietnamese message naming
the field, nothing stored, the same on SQLite (which would store it) and PostgreSQL (which
refuses it with an error); the db fixture puts these in the PostgreSQL pass too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier, DossierFile
from motcua.portal.models import DossierAccess, TrackingAttempt
from motcua.portal.tests.test_views import first_component, form_key, post_submission

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applicant_name", "Nguyễn\x00Văn An", "Họ và tên: không được chứa ký tự rỗng (null)."),
        ("applicant_address", "Tổ 1\x00", "Địa chỉ: không được chứa ký tự rỗng (null)."),
        ("applicant_phone", "0912\x00345678", ": không được chứa ký tự rỗng (null)."),
    ],
)
def test_an_online_submission_with_nul_in_text_is_refused_naming_the_field(
    client, db, media, pdf_upload, field, value, message
):
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, **{field: value}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert DossierAccess.objects.count() == 0
    assert list(media.rglob("*.*")) == []


def test_tracking_with_nul_in_the_code_is_refused_without_an_error(client, db):
    response = client.post(reverse("portal:track"), {"code": "000.00\x00", "secret": "ABCD"})
    assert response.status_code in (200, 400)
    assert "Mã hồ sơ: không được chứa ký tự rỗng (null)." in response.content.decode()
    assert TrackingAttempt.objects.count() == 0

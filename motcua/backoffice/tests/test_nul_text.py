"""NUL in text typed at the counter and in steering (issue 16 item 5): a Vietnamese message
naming the field, nothing received, on both databases (the db fixture: PostgreSQL pass too)."""

from __future__ import annotations

import pytest
from django.utils import translation

from motcua.backoffice.forms import ReceiveForm
from motcua.backoffice.tests.test_views import CITY_PROCEDURE, clerk, receive_form, staff  # noqa: F401
from motcua.dossiers.models import Dossier
from motcua.steering.forms import IndicatorValueForm

NUL = "không được chứa ký tự rỗng (null)."


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("applicant_name", "Họ và tên"),
        ("applicant_phone", "Điện thoại"),
        ("applicant_id_number", "Số định danh cá nhân (12 chữ số)"),
        ("applicant_address", "Địa chỉ"),
        ("summary", "Nội dung yêu cầu giải quyết"),
    ],
)
def test_the_counter_form_refuses_nul_naming_the_field(field, label):
    with translation.override("vi"):
        form = ReceiveForm(data={"applicant_name": "Lò Văn Cường", field: "0912\x00345678"})
        assert not form.is_valid()
        assert form.errors_by_field()[field] == f"{label}: {NUL}"


def test_the_counter_page_refuses_nul_and_receives_nothing(clerk):  # noqa: F811
    before = Dossier.objects.count()
    response = clerk.post(
        f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/",
        receive_form(clerk) | {"summary": "Cấp\x00bản sao"},
    )
    assert response.status_code == 400
    assert response.context["errors"]["summary"] == f"Nội dung yêu cầu giải quyết: {NUL}"
    assert Dossier.objects.count() == before


def test_the_steering_value_form_refuses_nul_in_its_note(db):
    with translation.override("vi"):
        form = IndicatorValueForm(data={"note": "Số liệu\x00quý 1"}, units=[])
        assert not form.is_valid()
        assert form.errors["note"] == ["Không được chứa ký tự rỗng (null)."]

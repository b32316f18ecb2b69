"""The admin pages for the catalogue open, search and filter."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import catalog_import
from motcua.catalog.tests.factories import row, write_csv


@pytest.fixture
def catalogue(agencies, tmp_path):
    catalog_import(
        write_csv(
            tmp_path / "c.csv",
            [
                row(),
                row(ma_thu_tuc="1.000002", ten_thu_tuc="Chứng thực di chúc", muc_do_dvc="không"),
            ],
        )
    )


@pytest.mark.django_db
def test_it_searches_and_filters_versions(admin_client, catalogue):
    url = "/admin/catalog/procedureversion/"
    page = admin_client.get(url, {"q": "di chúc"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [
        ProcedureVersion.objects.get(name="Chứng thực di chúc")
    ]
    page = admin_client.get(url, {"online_level__exact": "full", "level__exact": "commune"})
    assert [v.name for v in page.context["cl"].result_list] == ["Đăng ký khai sinh"]


@pytest.mark.django_db
def test_it_shows_a_procedure_with_its_versions(admin_client, catalogue):
    procedure = Procedure.objects.get(code="1.001193")
    page = admin_client.get(f"/admin/catalog/procedure/{procedure.pk}/change/")
    assert page.status_code == 200
    assert "Đăng ký khai sinh" in page.content.decode()
    version = procedure.versions.get()
    page = admin_client.get(f"/admin/catalog/procedureversion/{version.pk}/change/")
    assert page.status_code == 200
    assert "Giấy chứng sinh" in page.content.decode()

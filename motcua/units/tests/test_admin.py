"""The admin pages a city administrator uses: lists, search, filters, autocomplete."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_searches_units_by_code_and_name(admin_client, bac_kan):
    by_code = admin_client.get("/admin/units/administrativeunit/", {"q": "01840"})
    by_name = admin_client.get("/admin/units/administrativeunit/", {"q": "Đức Xuân"})

    assert by_code.status_code == by_name.status_code == 200
    # Both wards that carried 01840, and the 17 groups of the old one (codes 01840-T..).
    assert by_code.context["cl"].result_count == 2 + 17
    assert by_name.context["cl"].result_count == 2
    assert "Phường Đức Xuân" in by_name.content.decode()


def test_it_filters_units_by_level_and_validity(admin_client, bac_kan):
    response = admin_client.get(
        "/admin/units/administrativeunit/", {"level__exact": "commune", "current": "yes"}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


@pytest.mark.parametrize("model", ["succession", "agency"])
def test_it_lists_successions_and_agencies(admin_client, bac_kan, model):
    response = admin_client.get(f"/admin/units/{model}/")

    assert response.status_code == 200


def test_it_autocompletes_a_parent_unit(admin_client, bac_kan):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": "Bắc Kạn",
            "app_label": "units",
            "model_name": "administrativeunit",
            "field_name": "parent",
        },
    )

    assert response.status_code == 200
    names = {item["text"] for item in response.json()["results"]}
    assert {"Tỉnh Bắc Kạn", "Thành phố Bắc Kạn", "Phường Bắc Kạn"} <= names


def test_it_shows_a_unit_with_its_agencies(admin_client, bac_kan):
    from motcua.units.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code="058")
    response = admin_client.get(f"/admin/units/administrativeunit/{unit.pk}/change/")

    assert response.status_code == 200
    assert "BPMC-058" in response.content.decode()

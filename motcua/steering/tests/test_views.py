"""The steering pages through Django's test client: sign-in, scope (a ward leader neither sees
nor edits the city), the seed's figures, and bad input on every form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.steering import definitions as codes
from motcua.steering.models import IndicatorDefinition, IndicatorValue

from .conftest import signed_in
from .test_import import GOOD_ROWS, csv_bytes

PAGES = [
    "/chi-dao/chi-tieu/",
    "/chi-dao/chi-tieu/nhap/",
    "/chi-dao/chi-tieu/tai-len/",
    "/chi-dao/chi-tieu/mau-chi-tieu.xlsx",
    "/chi-dao/to-cong-tac-de-an-06/",
]
SEED_QUERY = "?unit=058&on=22/05/2024"


def cell(html, code, attribute):
    match = re.search(rf'data-indicator="{code}".*?<td[^>]*{attribute}[^>]*>(.*?)</td>', html, re.S)
    assert match, (code, attribute)
    return re.sub(r"<[^>]+>", "", match[1]).strip()


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_asks_for_a_sign_in(steering_world, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap/?next=")


@pytest.mark.django_db
def test_the_city_leader_sees_the_seeds_indicators(steering_world):
    response = signed_in("city_leader").get("/chi-dao/chi-tieu/" + SEED_QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert cell(html, codes.EID_ACCOUNTS, "data-value") == "25.328"
    assert cell(html, codes.DIGITAL_SIGNATURE, "data-value") == "1.459/24.007 = 6,08%"
    assert cell(html, codes.FIBRE_HOUSEHOLDS, "data-value") == "11.152/12.064 = 92,44%"
    assert cell(html, codes.MOBILE_COVERAGE, "data-value") == "8/8 = 100%"
    assert cell(html, codes.AGENCY_FIBRE, "data-value") == "28/28 = 100%"
    assert cell(html, codes.DIGITISATION, "data-target") == "100%"
    assert cell(html, codes.E_CERTIFICATION, "data-target") == "20%"
    assert "/chi-dao/chi-tieu/nhap/?unit=058" in html
    assert "/chi-dao/chi-tieu/tai-len/?unit=058" in html
    # The leader's own unit by default.
    assert (
        "Thành phố Bắc Kạn" in signed_in("city_leader").get("/chi-dao/chi-tieu/").content.decode()
    )


@pytest.mark.django_db
def test_a_steering_member_reads_but_does_not_record(steering_world):
    client = signed_in("viewer")
    html = client.get("/chi-dao/chi-tieu/" + SEED_QUERY).content.decode()
    assert cell(html, codes.EID_ACCOUNTS, "data-value") == "25.328"
    assert "/chi-dao/chi-tieu/nhap/" not in html
    assert client.get("/chi-dao/chi-tieu/nhap/").status_code == 404
    assert client.get("/chi-dao/chi-tieu/tai-len/").status_code == 404
    before = IndicatorValue.objects.count()
    client.post("/chi-dao/chi-tieu/nhap/", form_data(unit="058"))
    assert IndicatorValue.objects.count() == before


@pytest.mark.django_db
def test_a_ward_leader_cannot_see_or_edit_the_city(steering_world):
    client = signed_in("ward_leader")
    city = client.get("/chi-dao/chi-tieu/" + SEED_QUERY)
    missing = client.get("/chi-dao/chi-tieu/?unit=99999&on=22/05/2024")
    assert city.status_code == missing.status_code == 404

    # The same answer as for a unit that does not exist, but for the code.
    def problem(response, code):
        return re.search(r'id="problem">(.*?)<', response.content.decode())[1].replace(code, "X")

    assert problem(city, "058") == problem(missing, "99999")
    assert "25.328" not in city.content.decode()
    assert client.get("/chi-dao/to-cong-tac-de-an-06/?unit=058").status_code == 404
    # The city is not among the units the ward leader may record for, and a post is refused.
    form = client.get("/chi-dao/chi-tieu/nhap/").content.decode()
    assert 'value="01840"' in form
    assert 'value="058"' not in form
    before = IndicatorValue.objects.count()
    response = client.post("/chi-dao/chi-tieu/nhap/", form_data(unit="058"))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    upload = client.post(
        "/chi-dao/chi-tieu/tai-len/",
        {"unit": "058", "file": SimpleUploadedFile("a.csv", csv_bytes(*GOOD_ROWS))},
    )
    assert "unit" in upload.context["form"].errors
    assert IndicatorValue.objects.count() == before
    # Its own ward it sees, with the ward's residential groups.
    own = client.get("/chi-dao/chi-tieu/?unit=01840&on=22/05/2024")
    assert own.status_code == 200
    groups = client.get("/chi-dao/to-cong-tac-de-an-06/?unit=01840&on=22/05/2024")
    assert groups.status_code == 200
    assert "Tổ công tác Đề án 06 phường Đức Xuân" in groups.content.decode()


@pytest.mark.django_db
def test_a_clerk_sees_no_steering_page(steering_world):
    client = signed_in("clerk")
    assert client.get("/chi-dao/chi-tieu/").status_code == 404
    assert client.get("/chi-dao/chi-tieu/" + SEED_QUERY).status_code == 404
    assert client.get("/chi-dao/to-cong-tac-de-an-06/?unit=058").status_code == 404


@pytest.mark.django_db
def test_a_bad_day_answers_400_naming_the_parameter(steering_world):
    response = signed_in("city_leader").get("/chi-dao/chi-tieu/?unit=058&on=32/13/2024")
    assert response.status_code == 400
    assert "on: 32/13/2024" in response.content.decode()


def form_data(**changes):
    data = {
        "unit": "058",
        "definition": str(IndicatorDefinition.objects.get(code=codes.DIGITAL_SIGNATURE).pk),
        "period_start": "01/01/2024",
        "period_end": "30/06/2024",
        "numerator": "1.602",
        "denominator": "24.007",
        "note": "Số liệu quý II",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_entering_a_value_and_correcting_it(steering_world, city):
    client = signed_in("city_leader")
    assert client.get("/chi-dao/chi-tieu/nhap/?unit=058&definition=eid_accounts").status_code == 200
    response = client.post("/chi-dao/chi-tieu/nhap/", form_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/chi-dao/chi-tieu/?unit=058&on=30/06/2024"
    value = IndicatorValue.objects.get(
        definition__code=codes.DIGITAL_SIGNATURE, unit=city, period_end__month=6
    )
    assert (value.numerator, value.denominator, value.note) == (1602, 24007, "Số liệu quý II")
    assert value.entered_by.username == "lanhdao.thanhpho"
    client.post("/chi-dao/chi-tieu/nhap/", form_data(numerator="1.610"))
    html = client.get(response.headers["Location"]).content.decode()
    assert cell(html, codes.DIGITAL_SIGNATURE, "data-value") == "1.610/24.007 = 6,71%"
    # The first value stays in the history, marked as corrected.
    assert re.search(
        r'class="superseded">\s*<td>01/01/2024 – 30/06/2024</td>\s*<td[^>]*>1.602/24.007', html
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"definition": "computed"}, "definition"),
        ({"definition": "999999"}, "definition"),
        ({"numerator": "nhiều"}, "numerator"),
        ({"numerator": "6,08"}, "numerator"),
        ({"numerator": ""}, "numerator"),
        ({"numerator": "24.008"}, "numerator"),
        ({"denominator": ""}, "denominator"),
        ({"denominator": "0"}, "denominator"),
        ({"period_end": "31/02/2024"}, "period_end"),
        ({"period_end": ""}, "period_end"),
        ({"period_end": "future"}, "period_end"),
        ({"period_start": "01/07/2024"}, "period_start"),
        ({"unit": "01984"}, "unit"),
        ({"definition": "eid_accounts"}, "denominator"),
        ({"definition": "mobile_coverage", "unit": "01840"}, "unit"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(steering_world, changes, field):
    if changes.get("definition") == "computed":
        changes["definition"] = str(IndicatorDefinition.objects.get(code=codes.DIGITISATION).pk)
    elif changes.get("definition") in ("eid_accounts", "mobile_coverage"):
        changes["definition"] = str(IndicatorDefinition.objects.get(code=changes["definition"]).pk)
    if changes.get("period_end") == "future":
        changes["period_end"] = (timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y")
    before = IndicatorValue.objects.count()
    client = signed_in("city_leader")
    response = client.post("/chi-dao/chi-tieu/nhap/", form_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    html = response.content.decode()
    block = re.search(rf'data-field="{field}">(.*?)</div>', html, re.S)[1]
    assert 'class="errorlist' in block
    assert IndicatorValue.objects.count() == before


@pytest.mark.django_db
def test_a_computed_indicator_is_refused_by_name(steering_world):
    digitisation = IndicatorDefinition.objects.get(code=codes.DIGITISATION)
    client = signed_in("city_leader")
    # Not offered...
    assert (
        f'value="{digitisation.pk}"' not in client.get("/chi-dao/chi-tieu/nhap/").content.decode()
    )
    # ...and refused with its name when sent anyway.
    response = client.post("/chi-dao/chi-tieu/nhap/", form_data(definition=str(digitisation.pk)))
    assert digitisation.name in response.context["form"].errors["definition"][0]


@pytest.mark.django_db
def test_uploading_a_file(steering_world, city):
    client = signed_in("city_leader")
    assert client.get("/chi-dao/chi-tieu/tai-len/?unit=058").status_code == 200
    response = client.post(
        "/chi-dao/chi-tieu/tai-len/",
        {"unit": "058", "file": SimpleUploadedFile("quy-2.csv", csv_bytes(*GOOD_ROWS))},
    )
    assert response.status_code == 200
    assert re.search(r'id="import-report">3\D', response.content.decode())
    assert IndicatorValue.objects.filter(source_file="quy-2.csv").count() == 3


@pytest.mark.django_db
def test_uploading_a_bad_file_shows_every_bad_row(steering_world):
    before = IndicatorValue.objects.count()
    rows = [
        GOOD_ROWS[0],
        "digital_signature;058;;30/06/2024;abc;24.007;",
        "online_payment;058;;30/06/2024;1;2;",
        "eid_accounts;058;;30/02/2024;1;;",
    ]
    client = signed_in("city_leader")
    response = client.post(
        "/chi-dao/chi-tieu/tai-len/",
        {"unit": "058", "file": SimpleUploadedFile("sai.csv", csv_bytes(*rows))},
    )
    html = response.content.decode()
    block = re.search(r'id="import-errors">(.*?)</div>', html, re.S)[1]
    items = re.findall(r"<li>(.*?)</li>", block)
    assert [i.split(":", 1)[0] for i in items] == [
        "dòng 3, cột tu_so",
        "dòng 4, cột ma_chi_tieu",
        "dòng 5, cột den_ngay",
    ]
    assert IndicatorValue.objects.count() == before
    # A file of another kind is refused by the form, next to the field.
    response = client.post(
        "/chi-dao/chi-tieu/tai-len/",
        {"unit": "058", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
    )
    assert "file" in response.context["form"].errors
    response = client.post("/chi-dao/chi-tieu/tai-len/", {"unit": "058"})
    assert "file" in response.context["form"].errors


@pytest.mark.django_db
def test_the_working_groups_page(steering_world):
    client = signed_in("viewer")
    response = client.get("/chi-dao/to-cong-tac-de-an-06/?unit=058&on=22/05/2024")
    assert response.status_code == 200
    html = response.content.decode()
    counts = re.findall(r"data-groups>([^<]+)</td><td[^>]*data-members>([^<]+)<", html)
    assert counts == [("1", "13"), ("8", "56"), ("117", "702")]
    # The 126 groups come a page at a time (issue 10): every one on exactly one page.
    pages = [html]
    while 'rel="next"' in pages[-1]:
        following = re.search(r'href="\?([^"]+)" rel="next"', pages[-1])
        assert following is not None
        pages.append(
            client.get(
                "/chi-dao/to-cong-tac-de-an-06/?" + following[1].replace("&amp;", "&")
            ).content.decode()
        )
    assert len(pages) == 7
    assert all(page.count("<details") <= 20 for page in pages)
    everything = "".join(pages)
    assert "Tổ công tác Đề án 06 thôn Nà Pam, xã Dương Quang" in everything
    assert everything.count("<details") == 126


@pytest.mark.django_db
def test_the_empty_file_to_fill_in(steering_world):
    response = signed_in("city_leader").get("/chi-dao/chi-tieu/mau-chi-tieu.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"

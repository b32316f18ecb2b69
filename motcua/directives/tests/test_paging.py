"""Long lists of meetings and directives come a page at a time with a fixed number of queries
per page, and out-of-range dates in their parameters answer 400 naming the parameter (issue
10 items 3 and 8)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.directives.services import directive_create, meeting_create
from motcua.directives.tests.conftest import MEETING_DAY, local
from motcua.directives.views import DIRECTIVES_PER_PAGE, MEETINGS_PER_PAGE


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.django_db
def test_the_directives_list_pages_with_a_fixed_number_of_queries(people, meeting):
    total = DIRECTIVES_PER_PAGE + 5
    for number in range(total):
        directive_create(
            actor=people.city_leader,
            meeting=meeting,
            text=f"Kết luận số {number + 1}",
            head_name="Thủ trưởng đơn vị",
            working_days=5 + number % 3,
            at=local("23/05/2024 14:00"),
            agency=people.interior,
        )
    client = client_for(people.city_leader)
    url = reverse("directives:directives") + "?unit=058&at=24/05/2024 09:00"
    first_count, first = queries(client, url)
    second_count, second = queries(client, url + "&page=2")
    assert len(re.findall(r"data-directive=", first)) == DIRECTIVES_PER_PAGE
    assert len(re.findall(r"data-directive=", second)) == 5
    assert re.search(rf"data-count>{total}<", second)  # the count is of the whole list
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert first_count == second_count
    # Every directive on exactly one page.
    shown = re.findall(r'data-directive="(\d+)"', first + second)
    assert len(set(shown)) == total


@pytest.mark.django_db
def test_the_meetings_list_pages(people):
    for number in range(MEETINGS_PER_PAGE + 1):
        meeting_create(
            actor=people.city_leader,
            unit=people.city,
            body="Ban Chỉ đạo cải cách hành chính thành phố Bắc Kạn",
            title=f"Họp số {number + 1}",
            held_on=MEETING_DAY - timedelta(days=number),
            chair="Chủ tịch UBND thành phố",
            at=local("23/05/2024 11:30"),
        )
    client = client_for(people.city_leader)
    url = reverse("directives:meetings") + "?unit=058"
    first_count, first = queries(client, url)
    second_count, second = queries(client, url + "&page=2")
    assert len(re.findall(r"data-meeting=", first)) == MEETINGS_PER_PAGE
    assert len(re.findall(r"data-meeting=", second)) == 1
    assert first_count == second_count


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "query", "parameter"),
    [
        ("directives:directives", "at=31/12/2999 16:00", "at"),
        ("directives:overdue", "at=31/12/2999 16:00", "at"),
        ("directives:meetings", "at=01/01/1999 08:00", "at"),
        ("directives:export", "at=31/12/9999 16:00", "at"),
        ("directives:on_time", "to=31/12/9999", "to"),
        ("directives:on_time", "from=01/01/0001", "from"),
        ("directives:on_time", "from=31/12/2024&to=01/01/2024", "to"),
        ("directives:on_time", "from=ngày đầu", "from"),
    ],
)
def test_an_out_of_range_date_answers_400_naming_it(people, name, query, parameter):
    response = client_for(people.city_leader).get(f"{reverse(name)}?unit=058&{query}")
    assert response.status_code == 400
    assert f"{parameter}: " in response.content.decode()

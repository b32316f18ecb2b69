"""The Project 06 groups page comes a page of groups at a time with a fixed number of queries
per page, and out-of-range dates answer 400 naming the parameter (issue 10 items 3 and 8)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import User
from motcua.steering.views import GROUPS_PER_PAGE

GROUPS = "/chi-dao/to-cong-tac-de-an-06/"


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_the_groups_page_reads_a_fixed_number_of_queries(
    steering_world, django_assert_max_num_queries
):
    client = signed_in("bcd.thanhpho")
    client.get(GROUPS, {"unit": "058", "on": "22/05/2024"})
    counts = set()
    for page in (1, 3, 7):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(GROUPS, {"unit": "058", "on": "22/05/2024", "page": page})
        assert response.status_code == 200
        assert response.content.decode().count("<details") <= GROUPS_PER_PAGE
        counts.add(len(captured.captured_queries))
    assert len(counts) == 1  # 20 groups with 140 members or 6 with 36: the same queries
    with django_assert_max_num_queries(25):
        client.get(GROUPS, {"unit": "058", "on": "22/05/2024", "page": 2})


@pytest.mark.django_db
@pytest.mark.parametrize("path", [GROUPS, "/chi-dao/chi-tieu/"])
@pytest.mark.parametrize("on", ["31/12/9999", "01/01/1999", "31/02/2024", "hôm nay"])
def test_a_bad_or_out_of_range_day_answers_400(steering_world, path, on):
    response = signed_in("bcd.thanhpho").get(path, {"unit": "058", "on": on})
    assert response.status_code == 400
    assert "on: " in response.content.decode()

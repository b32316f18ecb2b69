"""Reads: the overdue list, directives per assignee and per unit's scope, completion on time
per agency or unit with exact counts, a meeting's conclusions and their state."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from motcua.accounts.access import grants_forget
from motcua.accounts.services import user_create_or_update
from motcua.core.metrics import Period
from motcua.directives.access import (
    MANAGE_ROLES,
    directive_list_for_user,
    manageable_units,
    user_may_manage,
    user_units,
)
from motcua.directives.choices import Timeliness
from motcua.directives.selectors import (
    completion_on_time,
    conclusions_summary,
    directives_of_assignee,
    directives_of_unit,
    directives_overdue,
    meeting_conclusions,
    on_time_text,
)
from motcua.directives.tests.conftest import local
from motcua.units.tree import unit_tree

pytestmark = pytest.mark.django_db

JUNE_21 = local("21/06/2024 17:00")


def test_the_overdue_list_at_a_moment(scenario):
    overdue = list(directives_overdue(at=JUNE_21))
    assert overdue == [scenario["c1"], scenario["a3"]]  # oldest deadline first
    assert list(directives_overdue(at=local("13/06/2024 17:00"))) == []  # not yet past
    assert list(directives_overdue(at=local("13/06/2024 17:01"))) == [scenario["c1"]]


def test_completion_on_time_per_agency_with_exact_counts(scenario):
    rows, total = completion_on_time(Period(date(2024, 5, 1), date(2024, 6, 30)))
    table = {row.label: (row.due, row.on_time, row.late, row.not_done) for row in rows}
    assert table == {
        "Bộ phận Một cửa thành phố Bắc Kạn": (1, 1, 0, 0),  # the cancelled one counts nowhere
        "Phòng Nội vụ": (3, 1, 1, 1),
        "Phòng Văn hóa và Thông tin": (1, 0, 0, 1),
        "Phường Đức Xuân": (1, 0, 0, 1),
    }
    assert [row.label for row in rows][-1] == "Phường Đức Xuân"  # units after agencies
    assert (total.due, total.on_time, total.late, total.not_done) == (6, 2, 1, 3)
    with translation.override("en"):
        texts = {row.label: row.text for row in rows}
        assert texts["Phòng Nội vụ"] == "1/3 makes up 33,33%"
        assert texts["Bộ phận Một cửa thành phố Bắc Kạn"] == "1/1 makes up 100%"
        assert texts["Phòng Văn hóa và Thông tin"] == "0/1 makes up 0%"
        assert total.text == "2/6 makes up 33,33%"


def test_completion_on_time_counts_the_directives_due_in_the_period(scenario):
    rows, total = completion_on_time(Period(date(2024, 6, 1), date(2024, 6, 20)))
    assert {row.key: (row.due, row.on_time) for row in rows} == {
        "agency:PNV-058": (2, 0),
        "unit:01840": (1, 0),
    }
    assert sorted(total.directive_ids) == sorted(
        [scenario["a2"].pk, scenario["a3"].pk, scenario["c1"].pk]
    )
    empty_rows, empty = completion_on_time(Period(date(2024, 1, 1), date(2024, 4, 30)))
    assert (empty_rows, empty.due, empty.share) == ([], 0, None)


def test_on_time_text_formats_like_the_committee():
    with translation.override("en"):
        assert on_time_text(1608, 2000) == "1.608/2.000 makes up 80,40%"
        assert on_time_text(0, 0) == "0/0 makes up –"


def test_directives_per_assignee_and_per_unit(people, scenario):
    interior = list(directives_of_assignee(agency_id=people.interior.pk))
    assert interior == [scenario["a1"], scenario["a2"], scenario["a3"]]
    assert list(directives_of_assignee(unit=people.ward)) == [scenario["c1"]]
    assert set(directives_of_unit(people.city)) == set(scenario.values())
    assert list(directives_of_unit(people.ward)) == [scenario["c1"]]
    assert list(directives_of_unit(people.other_ward)) == []


def test_what_each_person_may_see(people, scenario):
    assert set(directive_list_for_user(people.city_clerk)) == set(scenario.values())
    assert list(directive_list_for_user(people.ward_clerk)) == [scenario["c1"]]
    assert list(directive_list_for_user(people.other_ward_clerk)) == []
    assert list(directive_list_for_user(people.outsider)) == []


def test_a_meetings_conclusions_and_their_state(meeting, scenario):
    conclusions = meeting_conclusions(meeting, at=JUNE_21)
    assert [c.directive.number for c in conclusions] == [1, 2, 3, 4, 5, 6, 7]
    assert [c.timeliness for c in conclusions] == [
        Timeliness.ON_TIME,
        Timeliness.LATE,
        Timeliness.OVERDUE,
        Timeliness.ON_TIME,
        Timeliness.OVERDUE,
        Timeliness.WITHIN_TIME,
        Timeliness.CANCELLED,
    ]
    assert conclusions_summary(conclusions) == {
        Timeliness.WITHIN_TIME: 1,
        Timeliness.OVERDUE: 2,
        Timeliness.ON_TIME: 2,
        Timeliness.LATE: 1,
        Timeliness.CANCELLED: 1,
    }


def test_the_units_a_person_may_record_meetings_of_are_those_the_check_allows(
    people, django_assert_max_num_queries
):
    """``manageable_units`` reads the unit-wide grants once; it keeps exactly the units the
    per-unit check (``user_may_manage``, what the services ask) allows, for every kind of
    person: unit-wide leaders and steering, a leader narrowed to an agency, clerks, nobody."""
    admin = user_create_or_update(username="quantri.dir", full_name="Quản trị", password="x")
    admin.is_superuser = True
    everyone = [
        people.city_leader, people.city_steering, people.city_clerk, people.interior_head,
        people.ward_leader, people.ward_clerk, people.outsider, admin,
    ]  # fmt: skip
    kept = {}
    unit_tree()  # read once for all (units.tree); then each walk reads its token
    for user in everyone:
        grants_forget(user)
        with django_assert_max_num_queries(5):
            kept[user.username] = [unit.code for unit in manageable_units(user)]
        wanted = [u.code for u in user_units(user, MANAGE_ROLES) if user_may_manage(user, u)]
        assert kept[user.username] == wanted, user.username
    assert {"058", "01840"} <= set(kept["ld.city"])  # the city and its wards
    assert kept["ld.ducxuan"] == ["01840"]
    assert kept["tp.noivu"] == kept["mc.city"] == kept["khach"] == []

"""The pages through Django's test client: sign-in, scope (another unit's meeting or directive
answers exactly like a missing one), the forms with bad input, evidence, lists and XLSX."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from motcua.directives.errors import TransitionRefused
from motcua.directives.models import Directive, Meeting
from motcua.directives.services import directive_update
from motcua.directives.tests.test_services import image_bytes
from motcua.directives.xlsx import HEADER_ROW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the Vietnamese catalogue is compiled separately)."""
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client()
    # The interface follows the person's choice (the language cookie), not Accept-Language.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def without_tokens(content: bytes) -> str:
    """A page without its CSRF tokens and CSP nonces (different in every response) and its own
    address (the language switch returns to it)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())
    html = re.sub(r' nonce="[^"]+"', "", html)
    return re.sub(r'name="next" value="[^"]+"', "", html)


def errors_for(html: str, field: str) -> str:
    found = re.search(rf'data-error-for="{field}">(.*?)</(?:ul|div)>', html, re.S)
    return found.group(1) if found else ""


# -- sign-in and scope ---------------------------------------------------------------------


def test_every_page_asks_for_a_sign_in(scenario, meeting):
    directive = scenario["a1"]
    client = Client()
    for url in (
        reverse("directives:meetings"),
        reverse("directives:meeting", args=[meeting.pk]),
        reverse("directives:meeting_create"),
        reverse("directives:directive_create", args=[meeting.pk]),
        reverse("directives:directives"),
        reverse("directives:directive", args=[directive.pk]),
        reverse("directives:overdue"),
        reverse("directives:on_time"),
        reverse("directives:export"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/dang-nhap/?next=")


def test_a_ward_clerk_cannot_see_the_citys_directives_same_answer_as_missing(
    people, scenario, meeting
):
    clerk = client_for(people.ward_clerk)
    missing_meeting = clerk.get(reverse("directives:meeting", args=[meeting.pk + 1000]))
    city_meeting = clerk.get(reverse("directives:meeting", args=[meeting.pk]))
    missing = clerk.get(reverse("directives:directive", args=[99999]))
    city_directive = clerk.get(reverse("directives:directive", args=[scenario["a1"].pk]))
    assert missing_meeting.status_code == city_meeting.status_code == 404
    assert missing.status_code == city_directive.status_code == 404
    assert without_tokens(missing.content) == without_tokens(city_directive.content)
    assert without_tokens(missing_meeting.content) == without_tokens(city_meeting.content)
    # A unit code that names no unit answers as the city's unit does: 404, the same page.
    unknown_unit = clerk.get(reverse("directives:directives") + "?unit=999")
    city_unit = clerk.get(reverse("directives:directives") + "?unit=058")
    assert unknown_unit.status_code == city_unit.status_code == 404
    assert without_tokens(unknown_unit.content) == without_tokens(city_unit.content)
    assert "Phòng Nội vụ" not in city_directive.content.decode()
    # What the city assigned to the ward, the ward sees (without a link to the city's meeting).
    own = clerk.get(reverse("directives:directive", args=[scenario["c1"].pk]))
    assert own.status_code == 200
    html = own.content.decode()
    assert "Nâng cao chất lượng một cửa" in html
    assert reverse("directives:meeting", args=[meeting.pk]) not in html
    # Lists: only that directive; the city's lists answer 404.
    listing = clerk.get(reverse("directives:directives")).content.decode()
    assert re.findall(r'data-directive="(\d+)"', listing) == [str(scenario["c1"].pk)]
    # By code: 01840 is also the new ward of 01/07/2025; the clerk's is the 2024 one.
    by_code = clerk.get(reverse("directives:directives") + "?unit=01840").content.decode()
    assert re.findall(r'data-directive="(\d+)"', by_code) == [str(scenario["c1"].pk)]
    assert clerk.get(reverse("directives:directives") + "?unit=058").status_code == 404
    assert clerk.get(reverse("directives:overdue") + "?unit=058").status_code == 404
    assert clerk.get(reverse("directives:export") + "?unit=058").status_code == 404
    # Another ward's clerk sees none of it.
    other = client_for(people.other_ward_clerk)
    assert other.get(reverse("directives:directive", args=[scenario["c1"].pk])).status_code == 404


def test_a_user_without_roles_sees_nothing(people, scenario):
    client = client_for(people.outsider)
    assert client.get(reverse("directives:meetings")).status_code == 404
    assert client.get(reverse("directives:directive", args=[scenario["a1"].pk])).status_code == 404


# -- pages ---------------------------------------------------------------------------------


def test_the_meeting_page_lists_its_conclusions_and_their_state(people, scenario, meeting):
    leader = client_for(people.city_leader)
    meetings = leader.get(reverse("directives:meetings") + "?unit=058&at=21/06/2024 17:00")
    assert meetings.status_code == 200
    assert f'data-meeting="{meeting.pk}"' in meetings.content.decode()
    page = leader.get(reverse("directives:meeting", args=[meeting.pk]) + "?at=21/06/2024 17:00")
    html = page.content.decode()
    assert page.status_code == 200
    assert "23/05/2024" in html
    assert len(re.findall(r'data-directive="\d+"', html)) == 7
    assert re.findall(r'data-timeliness="(\w+)"', html) == [
        "on_time",
        "late",
        "overdue",
        "on_time",
        "overdue",
        "within_time",
        "cancelled",
    ]
    assert "17:00 06/06/2024" in html
    assert reverse("directives:directive_create", args=[meeting.pk]) in html
    # A clerk of the city sees the meeting but may not add conclusions.
    clerk = client_for(people.city_clerk)
    seen = clerk.get(reverse("directives:meeting", args=[meeting.pk])).content.decode()
    assert reverse("directives:directive_create", args=[meeting.pk]) not in seen
    assert clerk.get(reverse("directives:directive_create", args=[meeting.pk])).status_code == 404


def test_the_overdue_list_and_the_on_time_table(people, scenario):
    leader = client_for(people.city_leader)
    overdue = leader.get(reverse("directives:overdue") + "?unit=058&at=21/06/2024 17:00")
    html = overdue.content.decode()
    assert re.findall(r'data-directive="(\d+)"', html) == [
        str(scenario["c1"].pk),
        str(scenario["a3"].pk),
    ]
    assert re.search(r"data-count>2<", html)
    on_time = leader.get(
        reverse("directives:on_time") + "?unit=058&from=01/05/2024&to=30/06/2024"
    ).content.decode()
    shares = dict(re.findall(r'data-assignee="([^"]+)">.*?data-share>([^<]+)<', on_time, re.S))
    assert shares == {
        "agency:BPMC-058": "1/1 makes up 100%",
        "agency:PNV-058": "1/3 makes up 33,33%",
        "agency:PVHTT-058": "0/1 makes up 0%",
        "unit:01840": "0/1 makes up 0%",
        "total": "2/6 makes up 33,33%",
    }


@pytest.mark.parametrize(
    ("url", "query", "message"),
    [
        ("directives:overdue", "?at=yesterday", "at: yesterday is not a date and time"),
        ("directives:on_time", "?from=31/13/2024", "from: 31/13/2024 is not a date"),
        ("directives:on_time", "?from=01/06/2024&to=01/05/2024", "to: the period ends on"),
        ("directives:directives", "?status=late", "status: late is not one of"),
    ],
)
def test_bad_parameters_answer_400_naming_them(people, url, query, message):
    page = client_for(people.city_leader).get(reverse(url) + query)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_the_xlsx_download(people, scenario):
    response = client_for(people.city_leader).get(
        reverse("directives:export") + "?unit=058&at=21/06/2024 17:00&overdue=1"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "ket-luan-chi-dao-058-20240621.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert [(row[4], row[7]) for row in rows] == [
        ("Nâng cao chất lượng một cửa", datetime(2024, 6, 13)),
        ("Báo cáo 6 tháng", datetime(2024, 6, 20)),
    ]


# -- forms ---------------------------------------------------------------------------------


def test_recording_a_meeting_and_bad_input(people):
    leader = client_for(people.city_leader)
    url = reverse("directives:meeting_create")
    assert leader.get(url).status_code == 200
    empty = leader.post(url, {"unit": str(people.city.pk), "held_on": "31/02/2024"})
    assert empty.status_code == 400
    html = empty.content.decode()
    for field in ("body", "title", "chair"):
        assert "This field is required." in errors_for(html, field)
    assert "31/02/2024 is not a date" in errors_for(html, "held_on")
    future = leader.post(
        url,
        {
            "unit": str(people.city.pk),
            "body": "Ban Chỉ đạo CCHC",
            "title": "Họp",
            "held_on": "01/01/2099",
            "chair": "Chủ tịch",
        },
    )
    assert future.status_code == 400
    assert "is in the future" in errors_for(future.content.decode(), "held_on")
    assert Meeting.objects.count() == 0
    done = leader.post(
        url,
        {
            "unit": str(people.city.pk),
            "body": "Ban Chỉ đạo CCHC thành phố",
            "title": "Họp giao ban",
            "held_on": "23/05/2024",
            "chair": "Chủ tịch UBND thành phố",
            "agenda": "1. Đánh giá.",
        },
    )
    meeting = Meeting.objects.get()
    assert done.status_code == 302
    assert done.headers["Location"] == reverse("directives:meeting", args=[meeting.pk])
    assert meeting.created_by == people.city_leader
    # A ward clerk, or a leader of one agency only, has no unit to record meetings of.
    assert client_for(people.ward_clerk).get(url).status_code == 404
    assert client_for(people.interior_head).get(url).status_code == 404
    meetings = client_for(people.interior_head).get(reverse("directives:meetings"))
    assert url not in meetings.content.decode()
    assert url in leader.get(reverse("directives:meetings")).content.decode()


def test_assigning_a_directive_and_bad_input(people, meeting):
    leader = client_for(people.city_leader)
    url = reverse("directives:directive_create", args=[meeting.pk])
    form = leader.get(url).content.decode()
    assert f'value="agency:{people.interior.pk}"' in form
    assert f'value="unit:{people.ward.pk}"' in form
    good = {
        "text": "Kiểm tra công tác CCHC gắn với kỷ luật, kỷ cương hành chính.",
        "assignee": f"agency:{people.interior.pk}",
        "head_name": "Trưởng phòng Nội vụ",
        "head_user": "tp.noivu",
        "deadline": "30/12/2099",
    }
    for changes, field, message in (
        ({"text": "   "}, "text", "This field is required."),
        ({"deadline": "", "working_days": "5"}, "working_days", "has already passed"),
        ({"deadline": "", "working_days": ""}, "working_days", "either as a number"),
        ({"working_days": "3"}, "working_days", "either as a number"),
        ({"deadline": "01/06/2024"}, "deadline", "is not a working day"),
        ({"deadline": "31/05/2024"}, "deadline", "has already passed"),
        ({"deadline": "ngày mai"}, "deadline", "is not a date"),
        ({"head_user": "ai.do"}, "head_user", "there is no active account ai.do"),
        ({"assignee": "agency:999999"}, "assignee", "Select a valid choice"),
    ):
        response = leader.post(url, {**good, **changes})
        assert response.status_code == 400, changes
        assert message in errors_for(response.content.decode(), field), changes
    assert Directive.objects.count() == 0
    response = leader.post(url, good)
    directive = Directive.objects.get()
    assert response.headers["Location"] == reverse("directives:directive", args=[directive.pk])
    assert (directive.agency, directive.head_user) == (people.interior, people.interior_head)


def test_reporting_progress_with_evidence_and_bad_input(people, scenario):
    directive = scenario["a3"]  # Phòng Nội vụ, open
    head = client_for(people.interior_head)
    page = head.get(reverse("directives:directive", args=[directive.pk])).content.decode()
    assert 'data-form="update"' in page
    assert 'data-form="cancel"' not in page  # a head of an agency does not cancel
    url = reverse("directives:directive_update", args=[directive.pk])

    fake = head.post(
        url,
        {
            "status": "done",
            "note": "Xong.",
            "version": "1",
            "evidence": SimpleUploadedFile("bao-cao.pdf", b"not really a PDF", "application/pdf"),
        },
    )
    assert fake.status_code == 400
    assert "bao-cao.pdf is not a PDF, JPEG or PNG file" in errors_for(
        fake.content.decode(), "evidence"
    )
    empty = head.post(url, {"status": "done", "note": " ", "version": "1"})
    assert "This field is required." in errors_for(empty.content.decode(), "note")
    directive.refresh_from_db()
    assert (directive.status, directive.version) == ("open", 1)

    ok = head.post(
        url,
        {
            "status": "in_progress",
            "note": "Đang tổng hợp.",
            "version": "1",
            "evidence": SimpleUploadedFile("anh.png", image_bytes("PNG"), "image/png"),
        },
    )
    assert ok.status_code == 302
    # A second person who read version 1 is told someone else changed it.
    stale = client_for(people.city_leader).post(
        url, {"status": "done", "note": "Đã xong (bản cũ).", "version": "1"}
    )
    assert stale.status_code == 400
    assert "changed by someone else" in errors_for(stale.content.decode(), "version")
    directive.refresh_from_db()
    assert (directive.status, directive.version) == ("in_progress", 2)

    timeline = head.get(reverse("directives:directive", args=[directive.pk])).content.decode()
    assert "Đang tổng hợp." in timeline
    update = directive.updates.get()
    evidence_url = reverse("directives:evidence", args=[directive.pk, update.pk])
    assert evidence_url in timeline
    download = head.get(evidence_url)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    outsider = client_for(people.other_ward_clerk)
    assert outsider.get(evidence_url).status_code == 404
    assert outsider.post(url, {"status": "done", "note": "x", "version": "2"}).status_code == 404


def test_the_committee_cancels_and_the_assignee_cannot(people, scenario):
    directive = scenario["d1"]
    url = reverse("directives:directive_cancel", args=[directive.pk])
    refused = client_for(people.interior_head).post(url, {"reason": "Không cần", "version": "1"})
    assert refused.status_code == 400
    assert "only the committee" in refused.content.decode()
    leader = client_for(people.city_leader)
    empty = leader.post(url, {"reason": "", "version": "1"})
    assert "This field is required." in errors_for(empty.content.decode(), "reason")
    done = leader.post(url, {"reason": "Đã gộp vào kế hoạch chuyển đổi số.", "version": "1"})
    assert done.status_code == 302
    directive.refresh_from_db()
    assert directive.status == "cancelled"
    page = leader.get(reverse("directives:directive", args=[directive.pk])).content.decode()
    assert 'data-form="update"' not in page
    assert 'data-form="cancel"' not in page


def test_a_finished_directive_shows_no_forms(people, scenario):
    directive = scenario["a1"]
    page = client_for(people.city_leader).get(reverse("directives:directive", args=[directive.pk]))
    html = page.content.decode()
    assert 'data-status="done"' in html
    assert 'data-form="update"' not in html
    with pytest.raises(TransitionRefused):  # and the service refuses what the page hides
        directive_update(
            actor=people.city_leader,
            directive_id=directive.pk,
            status="in_progress",
            note="x",
            expected_version=directive.version,
        )

"""Writes: meetings, directives, status updates with evidence, cancellation. Each refusal
names its field and changes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from fpdf import FPDF
from PIL import Image

from motcua.directives.choices import DirectiveStatus
from motcua.directives.errors import (
    InvalidInput,
    NotPermitted,
    StaleVersion,
    TransitionRefused,
)
from motcua.directives.models import Directive, DirectiveUpdate, Meeting
from motcua.directives.services import (
    directive_cancel,
    directive_create,
    directive_update,
    meeting_create,
)
from motcua.directives.tests.conftest import MEETING_DAY, local

pytestmark = pytest.mark.django_db

AT = local("23/05/2024 14:00")
NEXT_MORNING = local("24/05/2024 08:00")


def pdf_bytes() -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text="Bao cao ket qua")
    return bytes(document.output())


def image_bytes(kind: str) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(stream, format=kind)
    return stream.getvalue()


def convene(people, **overrides) -> Meeting:
    """The city's steering committee's meeting recorded by its leader, but for what the test
    says."""
    arguments = {
        "actor": people.city_leader,
        "unit": people.city,
        "body": "Ban Chỉ đạo CCHC",
        "title": "Họp",
        "held_on": MEETING_DAY,
        "chair": "Chủ tịch UBND thành phố",
        "at": AT,
    }
    arguments.update(overrides)
    return meeting_create(**arguments)


def assign(people, meeting, **overrides) -> Directive:
    arguments = {
        "actor": people.city_leader,
        "meeting": meeting,
        "text": "Rà soát quy trình nội bộ giải quyết thủ tục hành chính",
        "agency": people.interior,
        "head_name": "Trưởng phòng Nội vụ",
        "working_days": 10,
        "at": AT,
    }
    arguments.update(overrides)
    return directive_create(**arguments)


def report(people, directive, **overrides) -> DirectiveUpdate:
    """A status update by the agency's head on the first version, the next morning, but for
    what the test says."""
    arguments = {
        "actor": people.interior_head,
        "directive_id": directive.pk,
        "expected_version": 1,
        "at": NEXT_MORNING,
    }
    arguments.update(overrides)
    return directive_update(**arguments)


def cancel(people, directive, **overrides) -> DirectiveUpdate:
    """A cancellation by the city's steering committee on the first version, the next morning,
    but for what the test says."""
    arguments = {
        "actor": people.city_steering,
        "directive_id": directive.pk,
        "expected_version": 1,
        "at": NEXT_MORNING,
    }
    arguments.update(overrides)
    return directive_cancel(**arguments)


# -- meetings ------------------------------------------------------------------------------


def test_a_leader_records_a_meeting(people, meeting):
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.unit, stored.held_on, stored.created_by) == (
        people.city,
        MEETING_DAY,
        people.city_leader,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"body": ""}, "body"),
        ({"chair": ""}, "chair"),
        ({"held_on": date(2024, 5, 24)}, "held_on"),  # after the moment it is recorded
        # The city no longer existed on 01/07/2025 (§10.2).
        ({"held_on": date(2025, 7, 1), "at": local("02/07/2025 08:00")}, "held_on"),
    ],
)
def test_a_bad_meeting_is_refused_naming_the_field(people, overrides, field):
    arguments = {"at": local("23/05/2024 17:00"), **overrides}
    with pytest.raises(InvalidInput) as refused:
        convene(people, **arguments)
    assert refused.value.field == field
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("who", ["ward_leader", "city_clerk", "interior_head", "outsider"])
def test_only_the_units_leaders_and_steering_record_meetings(people, who):
    # interior_head leads Phòng Nội vụ only (a grant narrowed to one agency): not the committee.
    with pytest.raises(NotPermitted):
        convene(people, actor=getattr(people, who), chair="Chủ tịch")
    assert Meeting.objects.count() == 0


# -- directives ----------------------------------------------------------------------------


def test_directives_are_numbered_in_their_meeting(people, meeting):
    first = assign(people, meeting)
    second = assign(people, meeting, agency=None, unit=people.ward, head_name="Chủ tịch UBND")
    assert (first.number, second.number) == (1, 2)
    assert first.deadline == local("06/06/2024 17:00")
    assert (second.unit, second.agency) == (people.ward, None)
    assert first.status == DirectiveStatus.OPEN
    assert first.version == 1


def test_a_date_deadline_is_the_close_of_that_day(people, meeting):
    directive = assign(people, meeting, working_days=None, deadline_day=date(2024, 6, 28))
    assert directive.deadline == local("28/06/2024 17:00")
    assert directive.working_days is None


def test_the_head_defaults_to_the_heads_account_name(people, meeting):
    directive = assign(people, meeting, head_name="", head_user=people.interior_head)
    assert directive.head_name == "Trưởng phòng Nội vụ"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "  \n "}, "text"),
        ({"head_name": ""}, "head_name"),
        ({"agency": None}, "assignee"),
        ({"working_days": None}, "deadline"),  # neither a number of days nor a date
        ({"deadline_day": date(2024, 6, 28)}, "deadline"),  # both
        ({"working_days": 0}, "working_days"),
        ({"working_days": 5, "at": local("03/06/2024 08:00")}, "working_days"),  # 30/05 passed
        ({"working_days": None, "deadline_day": date(2024, 5, 22)}, "deadline"),  # before
        ({"working_days": None, "deadline_day": date(2024, 6, 1)}, "deadline"),  # Saturday
        (
            {
                "working_days": None,
                "deadline_day": date(2024, 5, 24),
                "at": local("25/05/2024 08:00"),
            },
            "deadline",
        ),  # noqa: E501
    ],
)
def test_a_bad_directive_is_refused_naming_the_field(people, meeting, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        assign(people, meeting, **overrides)
    assert refused.value.field == field
    assert Directive.objects.count() == 0


def test_a_ward_committee_cannot_assign_to_the_city(people):
    ward_meeting = convene(
        people,
        actor=people.ward_leader,
        unit=people.ward,
        body="Ban Chỉ đạo CCHC phường Đức Xuân",
        chair="Chủ tịch UBND phường",
    )
    with pytest.raises(InvalidInput) as refused:
        assign(people, ward_meeting, actor=people.ward_leader)
    assert refused.value.field == "assignee"
    with pytest.raises(NotPermitted):
        assign(people, ward_meeting, actor=people.city_clerk)


def test_an_agency_of_another_unit_is_refused(people, meeting):
    with pytest.raises(InvalidInput) as refused:
        assign(people, meeting, unit=people.ward)  # agency: Phòng Nội vụ of the city
    assert refused.value.field == "agency"


# -- status updates ------------------------------------------------------------------------


def test_progress_then_completion_with_evidence(people, meeting):
    directive = assign(people, meeting)
    report(
        people,
        directive,
        status=DirectiveStatus.IN_PROGRESS,
        note="Đang tổng hợp.",
        at=local("27/05/2024 09:00"),
    )
    done = report(
        people,
        directive,
        status="done",
        note="Đã ban hành báo cáo.",
        expected_version=2,
        evidence=ContentFile(pdf_bytes(), name="bao-cao.pdf"),
        at=local("05/06/2024 15:00"),
    )
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.DONE
    assert directive.completed_at == local("05/06/2024 15:00")
    assert directive.version == 3
    assert done.evidence_type == "application/pdf"
    assert done.evidence_name == "bao-cao.pdf"
    assert done.evidence.name.endswith(".pdf")
    assert done.evidence.name != "bao-cao.pdf"  # stored under a fresh name
    with done.evidence.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    timeline = list(directive.updates.values_list("from_status", "to_status"))
    assert timeline == [("open", "in_progress"), ("in_progress", "done")]


def test_a_png_is_recognised_by_its_content_whatever_its_name(people, meeting):
    directive = assign(people, meeting)
    update = report(
        people,
        directive,
        status="in_progress",
        note="Ảnh chụp bảng niêm yết.",
        evidence=ContentFile(image_bytes("PNG"), name="anh.pdf"),
    )
    assert update.evidence_type == "image/png"
    assert update.evidence.name.endswith(".png")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Bao cao ket qua thuc hien", "bao-cao.pdf"),  # text renamed .pdf
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "cut.pdf"),  # a PDF's start, no trailer
        (b"", "empty.pdf"),
        (b"MZ\x90\x00\x03", "setup.jpg"),
    ],
)
def test_evidence_that_is_not_really_a_pdf_jpeg_or_png_is_refused(people, meeting, content, name):
    directive = assign(people, meeting)
    evidence = ContentFile(content, name=name)
    with pytest.raises(InvalidInput) as refused:
        report(people, directive, status="done", note="Xong.", evidence=evidence)
    assert refused.value.field == "evidence"
    assert name in refused.value.message
    directive.refresh_from_db()
    assert (directive.status, directive.version, directive.updates.count()) == ("open", 1, 0)


def test_evidence_larger_than_the_limit_is_refused(people, meeting, settings):
    settings.MOTCUA_DIRECTIVES = {"REMIND_WORKING_DAYS": 2, "EVIDENCE_MAX_BYTES": 900}
    directive = assign(people, meeting)
    big = pdf_bytes()
    assert len(big) > 900
    evidence = ContentFile(big, name="lon.pdf")
    with pytest.raises(InvalidInput) as refused:
        report(people, directive, status="done", note="Xong.", evidence=evidence)
    assert refused.value.field == "evidence"
    assert "900" in refused.value.message


def test_a_stale_second_update_is_told_someone_else_changed_it(people, meeting):
    directive = assign(people, meeting)
    report(people, directive, status="in_progress", note="Đang làm.")
    with pytest.raises(StaleVersion) as refused:
        report(
            people,
            directive,
            actor=people.city_leader,
            status="done",
            note="Xong (đọc bản cũ).",
            at=local("24/05/2024 09:00"),
        )
    assert refused.value.field == "version"
    assert "người khác thay đổi" in refused.value.message  # someone else changed it
    directive.refresh_from_db()
    assert (directive.status, directive.version, directive.updates.count()) == (
        "in_progress",
        2,
        1,
    )


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"note": "  "}, InvalidInput, "note"),
        ({"status": "finished"}, InvalidInput, "status"),
        ({"status": "open"}, TransitionRefused, "status"),
        ({"status": "cancelled"}, TransitionRefused, "status"),
        ({"at": local("23/05/2024 09:00")}, InvalidInput, "at"),  # before it was assigned
        ({"actor": "other_ward_clerk"}, NotPermitted, "directive"),
        ({"actor": "city_clerk"}, NotPermitted, "directive"),  # narrowed to another agency
        ({"actor": "outsider"}, NotPermitted, "directive"),
    ],
)
def test_a_bad_update_is_refused_and_changes_nothing(people, meeting, overrides, error, field):
    directive = assign(people, meeting)
    arguments = {"status": "done", "note": "Xong.", **overrides}
    if isinstance(arguments.get("actor"), str):
        arguments["actor"] = getattr(people, arguments["actor"])
    with pytest.raises(error) as refused:
        report(people, directive, **arguments)
    assert refused.value.field == field
    directive.refresh_from_db()
    assert (directive.status, directive.version, directive.updates.count()) == ("open", 1, 0)


def test_a_finished_directive_takes_no_more_updates(people, meeting):
    directive = assign(people, meeting)
    report(people, directive, status="done", note="Xong.")
    with pytest.raises(TransitionRefused):
        report(
            people,
            directive,
            status="in_progress",
            note="Làm lại.",
            expected_version=2,
            at=local("25/05/2024 08:00"),
        )


def test_the_assignee_wards_staff_report_on_what_was_assigned_to_them(people, meeting):
    directive = assign(people, meeting, agency=None, unit=people.ward, head_name="Chủ tịch UBND")
    report(
        people,
        directive,
        actor=people.ward_clerk,
        status="in_progress",
        note="Đã bố trí thêm công chức.",
    )
    assert Directive.objects.get(pk=directive.pk).status == "in_progress"


def test_updates_are_append_only(people, meeting):
    directive = assign(people, meeting)
    update = report(people, directive, status="in_progress", note="Đang làm.")
    update.note = "Sửa lại"
    with pytest.raises(ValidationError):
        update.save()
    with pytest.raises(ValidationError):
        update.delete()
    assert DirectiveUpdate.objects.get(pk=update.pk).note == "Đang làm."


# -- cancellation --------------------------------------------------------------------------


def test_the_committee_cancels_with_a_reason(people, meeting):
    directive = assign(people, meeting)
    with pytest.raises(NotPermitted):
        cancel(people, directive, actor=people.city_clerk, reason="Không cần nữa")
    with pytest.raises(InvalidInput) as refused:
        cancel(people, directive, reason=" ")
    assert refused.value.field == "reason"
    update = cancel(people, directive, reason="Đã gộp vào kết luận số 2.")
    directive.refresh_from_db()
    assert (directive.status, directive.completed_at, directive.version) == ("cancelled", None, 2)
    assert (update.from_status, update.to_status) == ("open", "cancelled")
    with pytest.raises(TransitionRefused):
        cancel(
            people, directive, reason="Lần nữa", expected_version=2, at=local("24/05/2024 09:00")
        )

"""The reminder e-mail about a directive, in Vietnamese.

Written in Vietnamese whatever the language of any page: the message goes from a background
worker to officials of a Vietnamese administration, like the forms motcua prints. Moments are
local (Asia/Ho_Chi_Minh) and formatted by lib.formatting (17:00 07/05/2024).
"""

from __future__ import annotations

from datetime import datetime

from django.core.mail import EmailMessage
from django.urls import reverse

from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.directives.choices import STATUS_NAMES_VI
from motcua.directives.models import Directive
from motcua.lib.formatting import format_count, format_date, format_datetime
from motcua.lib.site import site_url


def _local(moment: datetime) -> str:
    return format_datetime(moment.astimezone(LOCAL_TZ))


def directive_url(directive: Directive) -> str:
    """The directive's page, from MOTCUA_BASE_URL (a worker has no request to read a host from)."""
    return site_url(reverse("directives:directive", args=[directive.pk]))


def assignee_name(directive: Directive) -> str:
    return directive.agency.name if directive.agency is not None else directive.unit.name


def time_left(
    directive: Directive, *, at: datetime, close_of_today: datetime, calendar: WorkingCalendar
) -> tuple[bool, str]:
    """Whether the deadline has passed at ``at``, and how far it is, in working days."""
    if directive.deadline < at:
        late = calendar.between(directive.deadline, close_of_today).days
        if late >= 1:
            return True, f"đã quá hạn {format_count(int(late))} ngày làm việc"
        return True, "đã quá hạn"
    left = calendar.between(close_of_today, directive.deadline).days
    if left < 1:
        return False, "hạn cuối là hôm nay"
    return False, f"còn {format_count(int(left))} ngày làm việc"


def reminder_subject(directive: Directive, *, overdue: bool) -> str:
    meeting = directive.meeting
    prefix = "[Quá hạn]" if overdue else "[Nhắc việc]"
    return (
        f"{prefix} Kết luận số {directive.number} cuộc họp ngày {format_date(meeting.held_on)}"
        f" – hạn hoàn thành {_local(directive.deadline)}"
    )


def reminder_body(
    directive: Directive, *, at: datetime, close_of_today: datetime, calendar: WorkingCalendar
) -> str:
    meeting = directive.meeting
    overdue, left = time_left(directive, at=at, close_of_today=close_of_today, calendar=calendar)
    assignee = assignee_name(directive)
    lines = [
        f"Kính gửi: {directive.head_name}, {assignee}.",
        "",
        f"Tại cuộc họp ngày {format_date(meeting.held_on)} của {meeting.body} "
        f"({meeting.title}), {assignee} được giao thực hiện kết luận số {directive.number}:",
        "",
        f"“{directive.text}”",
        "",
        f"Người chịu trách nhiệm: {directive.head_name}",
        f"Hạn hoàn thành: {_local(directive.deadline)} ({left})",
        f"Tình trạng: {STATUS_NAMES_VI[directive.status]}",
    ]
    last = directive.updates.order_by("-at", "-pk").first()
    if last is not None:
        lines.append(f"Cập nhật gần nhất: {_local(last.at)}: {last.note}")
    lines += [
        "",
        (
            f"Đề nghị {assignee} khẩn trương hoàn thành và báo cáo kết quả"
            if overdue
            else f"Đề nghị {assignee} hoàn thành đúng hạn và báo cáo kết quả"
        )
        + ", kèm tài liệu minh chứng, tại:",
        directive_url(directive),
        "",
        f"Thư nhắc việc gửi tự động lúc {_local(at)}, mỗi ngày làm việc một lần cho đến khi "
        "nhiệm vụ hoàn thành.",
    ]
    return "\n".join(lines) + "\n"


def reminder_message(
    directive: Directive,
    *,
    at: datetime,
    recipients: list[str],
    close_of_today: datetime,
    calendar: WorkingCalendar,
) -> EmailMessage:
    """The reminder to ``recipients`` (sent by the caller after its transaction commits)."""
    overdue = directive.deadline < at
    return EmailMessage(
        subject=reminder_subject(directive, overdue=overdue),
        body=reminder_body(directive, at=at, close_of_today=close_of_today, calendar=calendar),
        to=recipients,
    )

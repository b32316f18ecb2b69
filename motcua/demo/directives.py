"""The demo's steering-committee meeting: the city's Ban Chỉ đạo CCHC on 23/05/2024 (seed).

Its conclusions are the requests the seed article reports (seed README, "the committee's
requests"), assigned to the city's agencies and to one ward, with deadlines on the statutory
clock. Loaded through the services with fixed moments, so it is deterministic. As of
:data:`DEMO_AT` (17:00 on Fri 21/06/2024): two directives were done on time, one was done
late, one is overdue, two are still within time. Idempotent: a second load finds the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.directives.choices import DirectiveStatus
from motcua.directives.models import Meeting
from motcua.directives.services import directive_create, directive_update, meeting_create
from motcua.units.models import Agency
from motcua.units.selectors import unit_at

MEETING_DAY = date(2024, 5, 23)
# The moment the demo's figures are read at (pages: ?at=21/06/2024 17:00).
DEMO_AT = datetime(2024, 6, 21, 17, 0, tzinfo=LOCAL_TZ)
BODY = "Ban Chỉ đạo cải cách hành chính thành phố Bắc Kạn"
TITLE = (
    "Họp Ban Chỉ đạo cải cách hành chính đánh giá công tác 6 tháng đầu năm, "
    "triển khai nhiệm vụ những tháng cuối năm 2024"
)
CHAIR = "Chủ tịch UBND thành phố, Trưởng Ban Chỉ đạo CCHC thành phố"
PARTICIPANTS = (
    "Phó Chủ tịch UBND thành phố, Phó Trưởng Ban Chỉ đạo (đồng chủ trì); các thành viên Ban Chỉ "
    "đạo CCHC thành phố; lãnh đạo các phòng, ban, đơn vị thuộc UBND thành phố; lãnh đạo UBND các "
    "xã, phường; đại diện Ủy ban MTTQ Việt Nam thành phố và các đoàn thể."
)
AGENDA = (
    "1. Đánh giá kết quả công tác cải cách hành chính, chuyển đổi số và thực hiện Đề án 06 sáu "
    "tháng đầu năm 2024.\n"
    "2. Thảo luận vướng mắc, khó khăn, nguyên nhân; đề ra giải pháp.\n"
    "3. Triển khai nhiệm vụ những tháng cuối năm 2024."
)
MINUTES = (
    "Từ 01/01/2024 đến 22/5/2024 thành phố tiếp nhận 1.608 hồ sơ (trực tuyến 1.342, trực tiếp "
    "266); đã giải quyết 1.604 (đúng hạn 1.599, quá hạn 05); đang giải quyết 43 (trong hạn 43). "
    "Tỷ lệ hài lòng 100%; số hóa 77% (tỉnh giao 100%); chứng thực điện tử 25% (tỉnh giao 20%). "
    "Các đại biểu thảo luận vướng mắc trong thực hiện CCHC, chuyển đổi số, Đề án 06. Kết luận, "
    "Trưởng Ban Chỉ đạo yêu cầu các phòng, ban, đơn vị thực hiện các nội dung sau."
)
# Recorded at the end of the meeting's morning (the seed: "Sáng ngày 23/5").
RECORDED_AT = datetime(2024, 5, 23, 11, 30, tzinfo=LOCAL_TZ)


@dataclass(frozen=True)
class DemoUpdate:
    status: DirectiveStatus
    note: str
    at: datetime


@dataclass(frozen=True)
class DemoDirective:
    text: str
    head_name: str
    agency_code: str | None = None
    unit_code: str | None = None
    working_days: int | None = None
    deadline_day: date | None = None
    head_username: str | None = None
    updates: tuple[DemoUpdate, ...] = ()


def _at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=LOCAL_TZ)


IN_PROGRESS, DONE = DirectiveStatus.IN_PROGRESS, DirectiveStatus.DONE

# Deadlines (23/05/2024 is a Thursday; no holiday until 02/09): 5 working days -> 30/05,
# 10 -> 06/06, 15 -> 13/06, 20 -> 20/06, all at 17:00.
DIRECTIVES = (
    DemoDirective(
        text=(
            "Thường xuyên cập nhật, kiểm tra hồ sơ cuối giờ làm việc hằng ngày; không để hồ sơ "
            "thủ tục hành chính quá hạn."
        ),
        head_name="Trưởng Bộ phận Một cửa thành phố",
        agency_code="BPMC-058",
        working_days=5,
        updates=(
            DemoUpdate(
                IN_PROGRESS, "Đã phân công công chức kiểm tra hồ sơ cuối mỗi ngày.", _at(27, 5, 9)
            ),
            DemoUpdate(
                DONE,
                "Danh sách hồ sơ đến hạn, quá hạn được rà soát lúc 16:30 hằng ngày và báo cáo "
                "lãnh đạo UBND thành phố.",
                _at(29, 5, 16),
            ),
        ),
    ),
    DemoDirective(
        text=(
            "Đẩy mạnh công tác tuyên truyền về cải cách hành chính, chuyển đổi số bằng nhiều kênh "
            "khác nhau, trên các phương tiện thông tin đại chúng."
        ),
        head_name="Trưởng phòng Văn hóa và Thông tin",
        agency_code="PVHTT-058",
        working_days=20,
        updates=(
            DemoUpdate(
                DONE,
                "Đã đăng 12 tin, bài trên Trang thông tin điện tử thành phố và hệ thống truyền "
                "thanh cơ sở.",
                _at(19, 6, 15),
            ),
        ),
    ),
    DemoDirective(
        text=(
            "Rà soát lại quá trình thực hiện cải cách hành chính; chủ động khắc phục những tồn "
            "tại, hạn chế; thực hiện các nhiệm vụ đúng thời gian, quy định."
        ),
        head_name="Trưởng phòng Nội vụ",
        agency_code="PNV-058",
        working_days=10,
        updates=(
            DemoUpdate(
                IN_PROGRESS, "Đang tổng hợp báo cáo rà soát của các phòng, ban.", _at(5, 6, 10)
            ),
            DemoUpdate(
                DONE,
                "Đã ban hành báo cáo rà soát và kế hoạch khắc phục tồn tại, hạn chế.",
                _at(11, 6, 15),
            ),
        ),
    ),
    DemoDirective(
        text=(
            "Nâng cao chất lượng hoạt động của Bộ phận Một cửa phường; nêu cao tinh thần trách "
            "nhiệm, thái độ phục vụ người dân, doanh nghiệp."
        ),
        head_name="Chủ tịch UBND phường Đức Xuân",
        unit_code="01840",
        working_days=15,
        updates=(
            DemoUpdate(
                IN_PROGRESS,
                "Đã bố trí thêm 01 công chức tại Bộ phận Một cửa; đang sắp xếp lại nơi tiếp nhận.",
                _at(7, 6, 10),
            ),
        ),
    ),
    DemoDirective(
        text=(
            "Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số; triển khai cung cấp dịch vụ "
            "công trực tuyến, thanh toán trực tuyến."
        ),
        head_name="Phó Chủ tịch UBND thành phố",
        agency_code="UBND-058",
        deadline_day=date(2024, 6, 28),
        head_username="lanhdao.thanhpho",
    ),
    DemoDirective(
        text=(
            "Kiểm tra công tác cải cách hành chính gắn với kiểm tra kỷ luật, kỷ cương hành chính "
            "tại các xã, phường."
        ),
        head_name="Trưởng phòng Nội vụ",
        agency_code="PNV-058",
        deadline_day=date(2024, 9, 30),
    ),
)


@transaction.atomic
def load_demo() -> int:
    """Record the demo meeting with its directives and their updates; return the number of
    directives created (0 when the meeting is already there). Needs the Bắc Kạn units."""
    unit = unit_at("058", MEETING_DAY)
    if Meeting.objects.filter(unit=unit, held_on=MEETING_DAY, title=TITLE).exists():
        return 0
    meeting = meeting_create(
        actor=None,
        unit=unit,
        body=BODY,
        title=TITLE,
        held_on=MEETING_DAY,
        chair=CHAIR,
        participants=PARTICIPANTS,
        agenda=AGENDA,
        minutes=MINUTES,
        at=RECORDED_AT,
    )
    for item in DIRECTIVES:
        head_user = (
            User.objects.filter(username=item.head_username, is_active=True).first()
            if item.head_username
            else None
        )
        directive = directive_create(
            actor=None,
            meeting=meeting,
            text=item.text,
            head_name=item.head_name,
            head_user=head_user,
            agency=Agency.objects.get(code=item.agency_code) if item.agency_code else None,
            unit=unit_at(item.unit_code, MEETING_DAY) if item.unit_code else None,
            working_days=item.working_days,
            deadline_day=item.deadline_day,
            at=RECORDED_AT,
        )
        for update in item.updates:
            directive_update(
                actor=None,
                directive_id=directive.pk,
                status=update.status,
                note=update.note,
                expected_version=directive.version,
                at=update.at,
            )
            directive.refresh_from_db(fields=["version"])
    return len(DIRECTIVES)

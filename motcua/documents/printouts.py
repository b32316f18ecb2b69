"""The one-stop forms of TT 01/2018/TT-VPCP (domain spec §2) as PDF, in Decree 30 layout (§9).

Forms 01–05 and the fee receipt are printed on A5, the tracking log 06 on landscape A4. Each
function returns the PDF's bytes, the same bytes for the same dossier: every date printed
comes from the dossier's own facts (receipt moment, events, extension), never from "now".

The forms are official Vietnamese documents, so their wording is Vietnamese in every interface
language (as in ``reports.xlsx``); only the errors raised for bad input go through gettext.
Field lists follow §2.1–§2.6; where the official template is NOT CONFIRMED (04, 06) the
spec's best understanding is used.

Every paper carries, top left, the QR code Circular 01/2023/TT-VPCP requires (dossier code,
procedure code, applicant's ID number, paper name, system name, time of issue; the appointment
on 01 and 04; the tracking link): its text is built by ``qrcontent.qr_content`` only. The time
of issue is the moment the paper is dated by (receipt, request, extension, payment), so the
same dossier still prints the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

import segno
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.documents.pdf import Align, Cell, Document, place_and_date_text
from motcua.documents.qrcontent import PaperFacts, qr_content
from motcua.dossiers.choices import Action, Channel, Status, Timeliness
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.links import tracking_url
from motcua.dossiers.models import Dossier, DossierEvent, Extension
from motcua.lib.formatting import format_count, format_date, format_money, format_number
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.models import PaymentEvent
from motcua.payments.selectors import receipt_lines
from motcua.payments.words import amount_in_words
from motcua.units.models import Agency

BLANK = "……"  # a field the officer fills in by hand
FEE_KINDS = {"fee": "Phí", "charge": "Lệ phí"}  # catalog.FeeKind, as receipts print them

A5_BODY = 10.0
A5_SMALL = 8.5
ONE_STOP = "Bộ phận tiếp nhận và trả kết quả"

CHANNELS = {
    Channel.DIRECT: "Trực tiếp",
    Channel.ONLINE: "Trực tuyến",
    Channel.POSTAL: "Qua dịch vụ bưu chính công ích",
}
TIMELINESS = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}
LIMIT_UNITS = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
}
PAYMENT_METHODS = {
    PaymentMethod.CASH: "Tiền mặt tại Bộ phận tiếp nhận và trả kết quả",
    PaymentMethod.ONLINE_NATIONAL: "Trực tuyến qua Cổng Dịch vụ công quốc gia",
    PaymentMethod.ONLINE_LOCAL: "Trực tuyến qua cổng thanh toán của tỉnh",
    PaymentMethod.BANK_TRANSFER: "Chuyển khoản ngân hàng",
}
ENDINGS = {
    Status.REFUSED: "Từ chối tiếp nhận",
    Status.WITHDRAWN: "Rút hồ sơ",
    Status.STOPPED: "Dừng giải quyết",
}
# Words that name a unit's kind, dropped to get the place of the date line ("Bắc Kạn, ngày …").
_UNIT_KINDS = ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Quận ", "Phường ", "Xã ", "Tỉnh ")


# -- shared pieces ------------------------------------------------------------------------


def qr_png(text: str) -> bytes:
    """A QR code (never a Micro QR) of ``text`` as PNG: 4 pixels a module, 4-module quiet zone."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


QR_SIZE = 24.0  # mm: about 0,35 mm a module for a receipt's content, above phones' minimum
TRACKING_HINT = "Quét mã QR hoặc truy cập địa chỉ dưới đây để tra cứu tình trạng giải quyết hồ sơ:"


def paper_facts(
    dossier: Dossier,
    paper_name: str,
    issued_at: datetime,
    *,
    appointment_at: datetime | None = None,
) -> PaperFacts:
    """What the QR code of a dossier's paper says (Circular 01/2023)."""
    return PaperFacts(
        paper_name=paper_name,
        system_name=settings.MOTCUA_SYSTEM_NAME,
        issued_at=issued_at,
        dossier_code=dossier.code,
        procedure_code=dossier.procedure_version.procedure.code,
        applicant_id=dossier.applicant_id_number,
        appointment_at=appointment_at,
        agency_code=dossier.receiving_agency.code,
        tracking_url=tracking_url(dossier),
    )


def _qr_band(document: _Form, facts: PaperFacts) -> None:
    """The QR code at the top left of the page (Circular 01/2023), the tracking link beside it;
    the heading follows underneath."""
    top = document.y
    document.image(
        io.BytesIO(qr_png(qr_content(facts))), x=document.l_margin, y=top, w=QR_SIZE, h=QR_SIZE
    )
    if facts.tracking_url:
        text_x = document.l_margin + QR_SIZE + 3
        width = document.epw - QR_SIZE - 3
        document.set_y(top + 3)
        document.text_line(
            TRACKING_HINT, size=A5_SMALL, style="I", align="L", x=text_x, width=width
        )
        document.text_line(facts.tracking_url, size=A5_SMALL, align="L", x=text_x, width=width)
    document.set_y(top + QR_SIZE + 1)


def moment_text(moment: datetime) -> str:
    """'08 giờ 05 phút, ngày 02/01/2024' in Vietnam time (§2.1 items 4 and 5)."""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {format_date(local.date())}"


def place_of(agency: Agency) -> str:
    """The place a form is made at (§9, box 4): the agency's unit without its kind
    ("Phường Đức Xuân" → "Đức Xuân")."""
    name = agency.unit.name
    for kind in _UNIT_KINDS:
        if name.startswith(kind):
            return name[len(kind) :]
    return name


def _or_blank(text: str) -> str:
    return text.strip() or BLANK


class _Form(Document):
    """A form whose page numbers restart with each copy (liên) of form 01."""

    copy_first_page = 1

    def header(self) -> None:
        if self.page_no() != self.copy_first_page:
            super().header()

    def page_label(self) -> str:
        return str(self.page_no() - self.copy_first_page + 1)

    def start_copy(self) -> None:
        # Set before add_page(): it draws the new page's header.
        self.copy_first_page = self.page_no() + 1
        self.add_page()


def _new(title: str, *, paper: str = "A5") -> _Form:
    if paper == "A5":
        return _Form(paper="A5", title=title)
    return _Form(paper="A4", orientation="landscape", title=title)


def _heading(document: _Form, agency: Agency, day: date) -> None:
    """The common header (§2): governing body and agency top left, national title and motto
    top right, the place and date under them (§9 boxes 1, 2, 4)."""
    a5 = document.w < 200
    size = 9.0 if a5 else 12.0
    left_width = document.epw * (0.37 if a5 else 0.4)
    right_x = document.l_margin + left_width
    right_width = document.epw - left_width
    top = document.y
    document.text_line(f"UBND {agency.unit.name}".upper(), size=size, width=left_width)
    document.text_line(agency.name.upper(), size=size, style="B", width=left_width)
    rule = left_width / 3
    start = document.l_margin + (left_width - rule) / 2
    document.set_line_width(0.3)
    document.line(start, document.y + 0.5, start + rule, document.y + 0.5)
    left_end = document.y
    document.set_y(top)
    document.national_title(
        x=right_x,
        width=right_width,
        title_size=9.5 if a5 else 12.0,
        motto_size=10.5 if a5 else 13.0,
    )
    document.text_line(
        place_and_date_text(place_of(agency), day),
        size=10.0 if a5 else 13.0,
        style="I",
        x=right_x,
        width=right_width,
    )
    document.set_y(max(left_end, document.y) + 2)


def _title(document: _Form, title: str, code: str, *lines: str) -> None:
    """The form's name, the dossier code under it, then any further lines in italics."""
    document.text_line(title, size=11.5, style="B")
    document.text_line(f"Mã hồ sơ: {code}", size=A5_BODY, style="B")
    for line in lines:
        document.text_line(line, size=A5_BODY, style="I")
    document.ln(1.5)


def _para(document: _Form, text: str, *, style: str = "", size: float = A5_BODY) -> None:
    document.text_line(text, size=size, style=style, align="L")


def _signatures(document: _Form, signers: Sequence[tuple[str, str]]) -> None:
    """Signature boxes side by side: title, '(Ký và ghi rõ họ tên)', room to sign, name."""
    document.ln(2)
    width = document.epw / len(signers)
    top = document.y
    if top + 26 > document.h - document.b_margin:
        document.add_page()
        top = document.y
    for column, (title, name) in enumerate(signers):
        x = document.l_margin + column * width
        document.set_y(top)
        document.text_line(title, size=A5_BODY, style="B", x=x, width=width)
        document.text_line("(Ký và ghi rõ họ tên)", size=A5_SMALL, style="I", x=x, width=width)
        document.set_y(top + 20)
        document.text_line(name, size=A5_BODY, style="B", x=x, width=width)
    document.set_y(top + 26)


def _staff_name(dossier: Dossier, actions: Iterable[str]) -> str:
    """Who took the last of ``actions`` on the dossier (a staff member), or ''."""
    event = (
        dossier.events.filter(action__in=list(actions), actor__isnull=False)
        .order_by("-seq")
        .first()
    )
    return event.actor_name if event else ""


def _applicant_lines(document: _Form, dossier: Dossier, intro: str) -> None:
    _para(document, f"{intro}: {dossier.applicant_name}")
    if dossier.applicant_id_number:
        _para(document, f"Số định danh cá nhân: {dossier.applicant_id_number}")
    _para(document, f"Địa chỉ: {_or_blank(dossier.applicant_address)}")
    _para(
        document,
        f"Số điện thoại: {_or_blank(dossier.applicant_phone)}    "
        f"Email: {_or_blank(dossier.applicant_email)}",
    )
    matter = dossier.procedure_version.name
    if dossier.summary and dossier.summary != matter:
        matter = f"{matter} ({dossier.summary})"
    _para(document, f"Nội dung yêu cầu giải quyết: {matter}")


def _components_table(document: _Form, dossier: Dossier) -> None:
    rows: list[list[str | Cell]] = [
        [
            Cell("TT", rowspan=2),
            Cell("Thành phần hồ sơ", rowspan=2),
            Cell("Số lượng", colspan=3),
        ],
        ["Bản chính", "Bản chứng thực", "Bản photo"],
    ]
    for number, component in enumerate(dossier.components.all(), start=1):
        rows.append(
            [
                str(number),
                component.name,
                format_number(component.originals),
                format_number(component.certified_copies),
                format_number(component.photocopies),
            ]
        )
    if len(rows) == 2:
        rows.append(["", BLANK, "", "", ""])
    align: list[Align] = ["C", "L", "C", "C", "C"]
    document.grid(rows, col_widths=[1.0, 6.0, 1.8, 2.2, 1.8], heading_rows=2, align=align, size=9)
    document.ln(1)


def _local_day(moment: datetime | None, fallback: datetime) -> date:
    return timezone.localdate(moment or fallback)


# -- 01 --------------------------------------------------------------------------------------


def receipt_01(dossier: Dossier) -> bytes:
    """Mẫu 01, the receipt and appointment (§2.1), A5, printed twice (liên 1 for the
    applicant, liên 2 kept with the control sheet), with a QR code of the tracking page."""
    if dossier.received_at is None or dossier.due_at is None:
        raise InvalidInput(
            _("dossier %(code)s has not been received yet") % {"code": dossier.code},
            field="dossier",
        )
    agency = dossier.receiving_agency
    officer = _staff_name(dossier, [Action.RECEIVE])
    facts = paper_facts(
        dossier,
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        dossier.received_at,
        appointment_at=dossier.due_at,
    )
    amount, unit = dossier.procedure_version.time_limit_for(
        online=dossier.channel == Channel.ONLINE
    )
    document = _new(f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {dossier.code}")
    for copy in (
        "Liên 1: Giao người nộp hồ sơ",
        "Liên 2: Lưu kèm Phiếu kiểm soát quá trình giải quyết hồ sơ",
    ):
        document.start_copy()
        _qr_band(document, facts)
        _heading(document, agency, timezone.localdate(dossier.received_at))
        _title(
            document,
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            dossier.code,
            copy,
        )
        _applicant_lines(
            document,
            dossier,
            f"{agency.name} tiếp nhận hồ sơ của ({CHANNELS[Channel(dossier.channel)]})",
        )
        _para(document, "1. Thành phần hồ sơ nộp gồm:")
        _components_table(document, dossier)
        _para(document, f"2. Số lượng hồ sơ: {format_count(dossier.sets_count, 2)} bộ.")
        _para(
            document,
            "3. Thời gian giải quyết hồ sơ theo quy định: "
            f"{format_count(amount, 2)} {LIMIT_UNITS.get(unit, unit)}.",
        )
        _para(document, f"4. Thời gian nhận hồ sơ: lúc {moment_text(dossier.received_at)}.")
        _para(
            document,
            "5. Thời gian trả kết quả giải quyết hồ sơ: "
            f"hẹn trả kết quả lúc {moment_text(dossier.due_at)}.",
            style="B",
        )
        _para(
            document,
            f"Vào Sổ theo dõi hồ sơ, Quyển số: {BLANK}, Số thứ tự: {BLANK}.",
            style="I",
        )
        _signatures(
            document,
            [("NGƯỜI NỘP HỒ SƠ", dossier.applicant_name), ("NGƯỜI TIẾP NHẬN HỒ SƠ", officer)],
        )
    return document.to_bytes()


# -- 02, 03 ---------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidInput(_("a reason is required"), field="reason")
    return reason.strip()


def supplement_02(dossier: Dossier, *, reason: str) -> bytes:
    """Mẫu 02, the request to supplement or complete the dossier (§2.2), A5."""
    reason = _reason(reason)
    agency = dossier.receiving_agency
    document = _new(f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {dossier.code}")
    document.start_copy()
    issued = dossier.last_event_at or dossier.submitted_at
    _qr_band(document, paper_facts(dossier, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", issued))
    _heading(document, agency, _local_day(dossier.last_event_at, dossier.submitted_at))
    _title(document, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", dossier.code)
    _applicant_lines(document, dossier, f"{agency.name} tiếp nhận hồ sơ của")
    _para(document, "Yêu cầu Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")
    _para(document, reason)
    _para(
        document,
        "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "
        f"{agency.name} để được hướng dẫn.",
        style="I",
    )
    officer = _staff_name(
        dossier, [Action.REQUEST_COMPLETION, Action.REQUEST_SUPPLEMENT, Action.RECEIVE]
    )
    _signatures(document, [("NGƯỜI HƯỚNG DẪN", officer)])
    return document.to_bytes()


def refusal_03(dossier: Dossier, *, reason: str) -> bytes:
    """Mẫu 03, the refusal to receive and handle the dossier (§2.3), A5."""
    reason = _reason(reason)
    agency = dossier.receiving_agency
    document = _new(f"Phiếu từ chối tiếp nhận giải quyết hồ sơ {dossier.code}")
    document.start_copy()
    issued = dossier.ended_at or dossier.last_event_at or dossier.submitted_at
    _qr_band(document, paper_facts(dossier, "Phiếu từ chối tiếp nhận giải quyết hồ sơ", issued))
    _heading(
        document,
        agency,
        _local_day(dossier.ended_at or dossier.last_event_at, dossier.submitted_at),
    )
    _title(document, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", dossier.code)
    _applicant_lines(document, dossier, f"{agency.name} tiếp nhận hồ sơ của")
    _para(
        document,
        f"Qua xem xét, {agency.name} thông báo không tiếp nhận, giải quyết hồ sơ này "
        "với lý do cụ thể như sau:",
    )
    _para(document, reason)
    _para(document, "Xin thông báo cho Ông/Bà được biết và thực hiện.", style="I")
    officer = _staff_name(dossier, [Action.REFUSE, Action.RECEIVE])
    _signatures(
        document, [("NGƯỜI NỘP HỒ SƠ", dossier.applicant_name), ("NGƯỜI TIẾP NHẬN HỒ SƠ", officer)]
    )
    return document.to_bytes()


# -- 04 --------------------------------------------------------------------------------------


def apology_04(extension: Extension) -> bytes:
    """Mẫu 04, the apology and new return date (§2.4, best understanding: NOT CONFIRMED), A5,
    signed by the head of the agency named in the extension."""
    dossier = extension.dossier
    agency = dossier.receiving_agency
    handler = dossier.competent_agency.name if dossier.competent_agency else agency.name
    received = dossier.received_at or dossier.submitted_at
    amount, unit = dossier.procedure_version.time_limit_for(
        online=dossier.channel == Channel.ONLINE
    )
    document = _new(f"Phiếu xin lỗi và hẹn lại ngày trả kết quả {dossier.code}")
    document.start_copy()
    _qr_band(
        document,
        paper_facts(
            dossier,
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            extension.created_at,
            appointment_at=extension.new_due_at,
        ),
    )
    _heading(document, agency, timezone.localdate(extension.created_at))
    _title(document, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", dossier.code)
    document.text_line(f"Kính gửi: Ông/Bà {dossier.applicant_name}", size=A5_BODY, style="B")
    document.ln(1)
    _para(
        document,
        f"Ngày {format_date(timezone.localdate(received))}, {agency.name} tiếp nhận giải quyết "
        f"hồ sơ của Ông/Bà, mã hồ sơ: {dossier.code}.",
    )
    _para(document, f"Nội dung yêu cầu giải quyết: {dossier.procedure_version.name}.")
    _para(
        document,
        f"Thời hạn giải quyết hồ sơ theo quy định: {format_count(amount, 2)} "
        f"{LIMIT_UNITS.get(unit, unit)}; thời gian hẹn trả kết quả: lúc "
        f"{moment_text(extension.old_due_at)}.",
    )
    _para(
        document,
        f"Tuy nhiên đến nay, {handler} chưa trả kết quả giải quyết hồ sơ của Ông/Bà. "
        f"Lý do: {extension.reason}",
    )
    _para(
        document,
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. "
        f"{handler} xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào lúc "
        f"{moment_text(extension.new_due_at)}.",
        style="B",
    )
    _para(document, "Mong nhận được sự thông cảm của Ông/Bà.", style="I")
    _signatures(document, [("THỦ TRƯỞNG CƠ QUAN", extension.signed_by)])
    return document.to_bytes()


# -- 05 --------------------------------------------------------------------------------------

# The events that move the dossier from one holder to another (§2.5 rows).
_HAND_OVERS = (Action.TRANSFER, Action.HAND_OVER, Action.APPROVE, Action.DENY, Action.RETURN_RESULT)


def _control_rows(dossier: Dossier) -> list[list[str | Cell]]:
    events = list(dossier.events.filter(action__in=_HAND_OVERS).order_by("seq"))
    codes: set[str] = set()
    usernames: set[str] = set()
    for event in events:
        changes = event.data.get("changes", {})
        codes.update(
            str(code)
            for code in (event.data.get("from_agency"), changes.get("current_agency"))
            if code
        )
        usernames.update(
            str(name) for name in (event.data.get("deliverer"), changes.get("assignee")) if name
        )
    agencies = {a.code: a.name for a in Agency.objects.filter(code__in=codes)}
    people = {u.username: str(u) for u in User.objects.filter(username__in=usernames)}
    due = dossier.reappointed_due_at or dossier.effective_due_at
    holder = dossier.receiving_agency.name
    rows: list[list[str | Cell]] = []
    for event in events:
        changes = event.data.get("changes", {})
        giver = agencies.get(str(event.data.get("from_agency")), holder)
        deliverer = people.get(str(event.data.get("deliverer")), event.actor_name)
        receiver = people.get(str(changes.get("assignee")), "")
        if event.action in (Action.TRANSFER, Action.HAND_OVER):
            taker = agencies.get(str(changes.get("current_agency")), giver)
            note = str(changes.get("current_step", ""))
        elif event.action == Action.RETURN_RESULT:
            giver, taker, deliverer, receiver = (
                ONE_STOP,
                dossier.applicant_name,
                event.actor_name,
                "",
            )
            note = "Trả kết quả cho tổ chức, cá nhân"
        else:  # approved or denied: the result goes back to the one-stop section
            giver, taker, receiver = holder, ONE_STOP, ""
            note = "Đã có kết quả giải quyết" if event.action == Action.APPROVE else event.reason
        holder = taker
        if (
            event.action in (Action.APPROVE, Action.DENY, Action.RETURN_RESULT)
            and dossier.timeliness
        ):
            result = TIMELINESS[Timeliness(dossier.timeliness)]
        elif due is not None and event.at > due:
            result = TIMELINESS[Timeliness.LATE]
        else:
            result = "Trong hạn"
        people_note = f"Người giao: {deliverer}" + (f"; người nhận: {receiver}" if receiver else "")
        rows.append(
            [
                f"1. Giao: {giver}\n2. Nhận: {taker}",
                moment_text(event.at),
                result,
                "\n".join(part for part in (note, people_note) if part),
            ]
        )
    return rows


def control_sheet_05(dossier: Dossier) -> bytes:
    """Mẫu 05, the process control sheet (§2.5), A5: one row per hand-over of the dossier, from
    the one-stop section to the competent agency, between agencies and back, read from the
    dossier's events (history is never overwritten)."""
    if dossier.received_at is None:
        raise InvalidInput(
            _("dossier %(code)s has not been received yet") % {"code": dossier.code},
            field="dossier",
        )
    agency = dossier.receiving_agency
    document = _new(f"Phiếu kiểm soát quá trình giải quyết hồ sơ {dossier.code}")
    document.start_copy()
    _qr_band(
        document,
        paper_facts(dossier, "Phiếu kiểm soát quá trình giải quyết hồ sơ", dossier.received_at),
    )
    _heading(document, agency, timezone.localdate(dossier.received_at))
    _title(document, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", dossier.code)
    _para(document, f"Quyển số: {BLANK}, Số thứ tự: {BLANK}", style="I")
    _para(document, f"Kèm theo hồ sơ của: {dossier.applicant_name}")
    _para(document, f"Ngày nhận: {moment_text(dossier.received_at)}")
    if dossier.due_at is not None:
        _para(document, f"Ngày, giờ hẹn trả kết quả: {moment_text(dossier.due_at)}")
    if dossier.reappointed_due_at is not None:
        _para(document, f"Hẹn lại ngày trả kết quả: {moment_text(dossier.reappointed_due_at)}")
    competent = dossier.competent_agency.name if dossier.competent_agency else BLANK
    _para(document, f"Cơ quan (bộ phận) giải quyết hồ sơ: {competent}")
    document.ln(1)
    table: list[list[str | Cell]] = [
        [
            "TÊN CƠ QUAN",
            "THỜI GIAN GIAO, NHẬN HỒ SƠ",
            "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)",
            "GHI CHÚ",
        ]
    ]
    table += _control_rows(dossier) or [["", "", "", BLANK]]
    document.grid(table, col_widths=[3.4, 2.6, 2.2, 3.0], align=["L", "C", "C", "L"], size=8.5)
    return document.to_bytes()


# -- 06 --------------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def tracking_log_06(*, agency: Agency, start: date, end: date) -> bytes:
    """Mẫu 06, the dossier tracking log (§2.6, columns NOT CONFIRMED), landscape A4: one row
    per dossier ``agency`` received from ``start`` to ``end`` (both included, Vietnam time)."""
    if end < start:
        raise InvalidInput(
            _("the end date %(end)s is before the start date %(start)s")
            % {"end": format_date(end), "start": format_date(start)},
            field="end",
        )
    transfers = Prefetch(
        "events",
        queryset=DossierEvent.objects.filter(action=Action.TRANSFER).order_by("seq"),
        to_attr="transfers",
    )
    dossiers = (
        Dossier.objects.filter(
            receiving_agency=agency,
            received_at__gte=_day_start(start),
            received_at__lt=_day_start(end + timedelta(days=1)),
        )
        .select_related("procedure_version", "competent_agency")
        .prefetch_related(transfers)
        .order_by("received_at", "code")
    )
    document = _new(f"Sổ theo dõi hồ sơ {agency.name}", paper="A4")
    document.start_copy()
    # A log is no dossier's paper: its QR names the log, the agency and the day it is dated.
    _qr_band(
        document,
        PaperFacts(
            paper_name=(
                f"Sổ theo dõi hồ sơ từ ngày {format_date(start)} đến ngày {format_date(end)}"
            ),
            system_name=settings.MOTCUA_SYSTEM_NAME,
            issued_at=end,
            agency_code=agency.code,
        ),
    )
    _heading(document, agency, end)
    document.text_line("SỔ THEO DÕI HỒ SƠ", size=14, style="B")
    document.text_line(
        f"Từ ngày {format_date(start)} đến ngày {format_date(end)}", size=13, style="I"
    )
    document.ln(2)
    table: list[list[str | Cell]] = [
        [
            Cell("STT", rowspan=2),
            Cell("Mã hồ sơ", rowspan=2),
            Cell("Tên thủ tục hành chính", rowspan=2),
            Cell("Số lượng hồ sơ (bộ)", rowspan=2),
            Cell("Tên người nộp hồ sơ", rowspan=2),
            Cell("Địa chỉ, số điện thoại", rowspan=2),
            Cell("Cơ quan chủ trì giải quyết", rowspan=2),
            Cell("Ngày, tháng, năm", colspan=5),
            Cell("Ký nhận", rowspan=2),
            Cell("Ghi chú", rowspan=2),
        ],
        [
            "Nhận hồ sơ",
            "Hẹn trả kết quả",
            "Chuyển hồ sơ đến cơ quan giải quyết",
            "Nhận kết quả từ cơ quan giải quyết",
            "Trả kết quả cho tổ chức, cá nhân",
        ],
    ]
    for number, dossier in enumerate(dossiers, start=1):
        transferred = dossier.transfers[0].at if dossier.transfers else None
        contact = ", ".join(
            part for part in (dossier.applicant_address, dossier.applicant_phone) if part
        )
        note = ENDINGS.get(Status(dossier.status), "")
        if dossier.timeliness:
            note = TIMELINESS[Timeliness(dossier.timeliness)]
        table.append(
            [
                format_number(number),
                dossier.code,
                dossier.procedure_version.name,
                format_count(dossier.sets_count, 2),
                dossier.applicant_name,
                contact,
                dossier.competent_agency.name if dossier.competent_agency else "",
                _stamp(dossier.received_at),
                _stamp(dossier.reappointed_due_at or dossier.due_at),
                _stamp(transferred),
                _stamp(dossier.resolved_at),
                _stamp(dossier.returned_at),
                "",
                note,
            ]
        )
    align: list[Align] = ["C", "L", "L", "C", "L", "L", "L", "C", "C", "C", "C", "C", "C", "L"]
    widths = [1.0, 4.3, 3.2, 1.3, 2.4, 2.4, 2.2, 1.7, 1.7, 1.7, 1.7, 1.7, 1.3, 1.7]
    document.grid(table, col_widths=widths, heading_rows=2, align=align, size=8)
    return document.to_bytes()


def _stamp(moment: datetime | None) -> str:
    """'08:00 02/01/2024' (two lines in a narrow column), or '' when it has not happened."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H:%M}\n{format_date(local.date())}"


# -- fee receipt ----------------------------------------------------------------------------


def fee_receipt(payment_event: PaymentEvent) -> bytes:
    """The receipt for a fee or charge paid for a dossier (§1.4 step 6), A5.

    A payment collected through ``payments.services.payment_collect`` prints its receipt:
    book and number ("Quyển số … Số …", numbered per agency, book and year), every amount
    it covers, and the collector's name and position as they were when it was collected.
    A payment imported from history has no receipt number and says so (docs/payments.md).
    """
    if payment_event.kind not in (PaymentEventKind.SUCCEEDED, PaymentEventKind.REISSUED):
        raise InvalidInput(_("only a successful payment has a receipt"), field="payment_event")
    payment = payment_event.payment
    dossier = payment.dossier
    agency = dossier.receiving_agency
    receipt = payment_event.receipt
    if receipt is not None:
        events = list(receipt.events.select_related("payment").order_by("id"))
        agency = receipt.book.agency
    else:
        events = [payment_event]
    document = _new(f"Biên nhận thu phí, lệ phí {dossier.code}")
    document.start_copy()
    _qr_band(document, paper_facts(dossier, "Biên nhận thu phí, lệ phí", payment_event.at))
    _heading(document, agency, timezone.localdate(payment_event.at))
    if receipt is not None:
        number = f"Quyển số: {receipt.book.label}    Số: {receipt.number:07d}"
    else:
        number = "Không đánh số (khoản nộp ghi nhận trước khi có sổ biên lai)"
    _title(document, "BIÊN NHẬN THU PHÍ, LỆ PHÍ", dossier.code, number)
    # Cancel-and-replace (payments.services.receipt_cancel_replace): both stay printable.
    if receipt is not None and receipt.cancelled_at is not None:
        _para(document, "ĐÃ HỦY", style="B", size=16)
        _para(document, f"Hủy lúc {moment_text(receipt.cancelled_at)}: {receipt.cancel_reason}")
    if receipt is not None and receipt.replaces is not None:
        old = receipt.replaces
        _para(document, f"Thay thế biên lai đã hủy: Quyển số {old.book.label}, Số {old.number:07d}")
    _para(document, f"Người nộp tiền: {dossier.applicant_name}")
    _para(document, f"Địa chỉ: {_or_blank(dossier.applicant_address)}")
    _para(document, f"Thủ tục hành chính: {dossier.procedure_version.name}")
    descriptions = list(dict.fromkeys(event.payment.description for event in events))
    _para(document, f"Nội dung thu: {'; '.join(descriptions)}")
    for line in receipt_lines(events, dossier.pk):
        kind = FEE_KINDS.get(line.kind, "Phí, lệ phí")
        _para(document, f"{kind}: {line.label}: {format_money(line.amount)}")
    total = sum(event.amount for event in events)
    _para(document, f"Số tiền: {format_money(total)}", style="B")
    _para(document, f"Bằng chữ: {amount_in_words(total)}", style="I")
    method = PAYMENT_METHODS.get(PaymentMethod(payment_event.method), payment_event.method)
    _para(document, f"Hình thức thanh toán: {method}")
    if payment_event.reference:
        _para(document, f"Mã giao dịch: {payment_event.reference}")
    _para(document, f"Thời gian nộp: lúc {moment_text(payment_event.at)}")
    if receipt is None:
        collector = _staff_name(dossier, [Action.PAY, Action.CONFIRM_PAYMENT])
    elif receipt.collector_name:
        collector = receipt.collector_name
        position = f", {receipt.collector_position}" if receipt.collector_position else ""
        _para(document, f"Người thu tiền: {collector}{position}")
    else:  # the applicant paid online: nobody collected it at the desk
        collector = ""
        _para(document, "Người thu tiền: thu trực tuyến, không qua quầy")
    _signatures(
        document, [("NGƯỜI NỘP TIỀN", dossier.applicant_name), ("NGƯỜI THU TIỀN", collector)]
    )
    return document.to_bytes()

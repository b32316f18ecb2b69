"""The demo citizen's own history: Nguyễn Văn An, whom the VNeID stand-in signs in
(motcua/citizens/testprovider.py), gets a birth registration resolved and returned a few
weeks ago, its extract kept in his document store, and a second dossier still in processing,
so that "My papers" has a paper and the submission form offers it for reuse (README).

Everything goes through the services (the ledger, the hash chains and the document store stay
right) on working days before today: the demo is alive on today's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.db import transaction

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_in_force
from motcua.clock.selectors import calendar_for
from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.core.workflow import Action
from motcua.demo.acting import take
from motcua.docstore.services import document_store_add
from motcua.documents.pdf import Document
from motcua.dossiers.choices import Channel, ResultForm, ReturnMethod
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import (
    Applicant,
    Component,
    Details,
    dossier_create,
    dossier_file_attach,
)
from motcua.units.models import Agency

# The identity the stand-in provider gives "an" (its CITIZENS["an"]).
CITIZEN_ID = "006090001234"
CITIZEN = Applicant(
    name="Nguyễn Văn An",
    id_number=CITIZEN_ID,
    phone="0912000111",
    address="Tổ 1, phường Đức Xuân, tỉnh Thái Nguyên",
)
# Birth registration: one of the procedures with a declaration form (data/
# demo_declaration_forms.json); its component "Trích lục hộ tịch đã cấp" is what the
# returned dossier's result is stored as, so a new registration offers it for reuse.
BIRTH_REGISTRATION = "2.005266"
EXTRACT = "Trích lục hộ tịch đã cấp"
DESK, CLERK, OFFICER = "TTPVHCC-01840", "tiepnhan.ducxuan", "chuyenvien.ducxuan"
ISSUER = "UBND phường Đức Xuân"


@dataclass(frozen=True)
class CitizenReport:
    """What the load added: the citizen's dossiers and his stored papers."""

    dossiers: int
    papers: int

    @property
    def total(self) -> int:
        return self.dossiers + self.papers


def _working_days_before(calendar: WorkingCalendar, today: date, count: int) -> date:
    """The day ``count`` working days (the desk's calendar: weekends, holidays) before
    ``today``."""
    day = today
    while count:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def _extract_pdf(number: str, day: date) -> bytes:
    """A one-page extract of the birth registration (the dossier's electronic result)."""
    pdf = Document(title="Trích lục khai sinh")
    pdf.add_page()
    pdf.national_title()
    pdf.ln(8)
    pdf.text_line("TRÍCH LỤC KHAI SINH", size=14, style="B")
    pdf.text_line(f"Số: {number}")
    pdf.ln(4)
    pdf.text_line("Họ, chữ đệm, tên: Nguyễn Minh Khôi", align="L")
    pdf.text_line("Người đi khai sinh: Nguyễn Văn An", align="L")
    pdf.text_line(f"Nơi đăng ký: {ISSUER}, tỉnh Thái Nguyên", align="L")
    pdf.ln(4)
    pdf.place_and_date("Đức Xuân", day)
    return pdf.to_bytes()


def _create(
    procedure: ProcedureVersion, desk: Agency, clerk: User, at: datetime, summary: str
) -> Dossier:
    return dossier_create(
        procedure=procedure,
        receiving_agency=desk,
        channel=Channel.DIRECT,
        applicant=CITIZEN,
        components=[
            Component("Tờ khai theo mẫu quy định", originals=1, digitised=True),
            Component("Giấy chứng sinh hoặc giấy tờ thay thế", photocopies=1),
        ],
        summary=summary,
        actor=clerk,
        at=at,
    ).dossier


@transaction.atomic
def load_demo_citizen(today: date) -> CitizenReport:
    """Give the demo citizen a returned birth registration (its extract stored as his
    paper) and one in processing, on working days before ``today``. Idempotent: nothing is
    done when he already has a dossier; nothing when the procedure is not in force."""
    if Dossier.objects.filter(applicant_id_number=CITIZEN_ID).exists():
        return CitizenReport(0, 0)
    procedure = procedure_in_force(BIRTH_REGISTRATION, today)
    if procedure is None:
        return CitizenReport(0, 0)
    desk = Agency.objects.get(code=DESK)
    clerk = User.objects.get(username=CLERK)
    officer = User.objects.get(username=OFFICER)
    calendar = calendar_for(agency=desk)

    # The first child's registration, received 15 working days ago, returned two days later.
    received = _working_days_before(calendar, today, 15)
    decided = _working_days_before(calendar, today, 14)
    returned = _working_days_before(calendar, today, 13)
    first = _create(procedure, desk, clerk, _at(received, 8, 30), "Đăng ký khai sinh cho con")
    take(first, Action.TRANSFER, clerk, _at(received, 8, 45), Details(assignee=officer))
    # An electronic extract: the paper his store keeps.
    take(
        first,
        Action.APPROVE,
        officer,
        _at(decided, 15, 0),
        Details(result_form=ResultForm.ELECTRONIC, result_digitised=True),
    )
    number = f"{first.pk}/{decided.year}/TLKS"
    extract = _extract_pdf(number, decided)
    dossier_file_attach(
        dossier_id=first.pk,
        upload=BytesIO(extract),
        name="trich-luc-khai-sinh.pdf",
        kind=DossierFile.Kind.RESULT,
        actor=officer,
        at=_at(decided, 15, 5),
    )
    take(
        first,
        Action.RETURN_RESULT,
        clerk,
        _at(returned, 9, 0),
        Details(return_method=ReturnMethod.COUNTER),
    )
    document_store_add(
        id_number=CITIZEN_ID,
        name=EXTRACT,
        data=extract,
        content_type="application/pdf",
        source_dossier_id=first.pk,
        source_component_id=None,
        issuer=ISSUER,
        number=number,
        issued_on=decided,
        actor=clerk,
        at=_at(returned, 9, 5),
    )

    # A second registration, received yesterday (a working day), with the officer now.
    second_day = _working_days_before(calendar, today, 1)
    second = _create(procedure, desk, clerk, _at(second_day, 9, 30), "Đăng ký khai sinh")
    take(second, Action.TRANSFER, clerk, _at(second_day, 9, 45), Details(assignee=officer))
    return CitizenReport(2, 1)

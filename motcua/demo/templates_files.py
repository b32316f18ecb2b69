"""The demo's downloadable template (mẫu đơn, tờ khai): the birth registration's declaration
as a printable PDF, made at load time, so the procedure's page offers one to download."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction

from motcua.catalog.models import TemplateFile
from motcua.catalog.selectors import procedure_in_force
from motcua.documents.pdf import Document

BIRTH_REGISTRATION = "2.005266"
TEMPLATE_NAME = "Tờ khai đăng ký khai sinh (mẫu in)"
FILE_NAME = "to-khai-dang-ky-khai-sinh.pdf"
# The declaration's lines (Circular 04/2024/TT-BTP's form), left blank to fill by hand.
LINES = (
    "Họ, chữ đệm, tên người yêu cầu:",
    "Nơi cư trú:",
    "Giấy tờ tùy thân:",
    "Quan hệ với người được khai sinh:",
    "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
    "Họ, chữ đệm, tên:",
    "Ngày, tháng, năm sinh:",
    "Giới tính:            Dân tộc:            Quốc tịch:",
    "Nơi sinh:",
    "Quê quán:",
    "Họ, chữ đệm, tên người mẹ:",
    "Họ, chữ đệm, tên người cha:",
)


def declaration_template_pdf() -> bytes:
    """The printable declaration: the national title, the form's title and its blank lines."""
    pdf = Document(title="Tờ khai đăng ký khai sinh")
    pdf.add_page()
    pdf.national_title()
    pdf.ln(8)
    pdf.text_line("TỜ KHAI ĐĂNG KÝ KHAI SINH", size=14, style="B")
    pdf.text_line("Kính gửi: Ủy ban nhân dân ..........................................")
    pdf.ln(4)
    for line in LINES:
        pdf.text_line(f"{line} ........................................", align="L")
    return pdf.to_bytes()


@transaction.atomic
def load_demo_template_files(today: date) -> int:
    """Attach the printable declaration to the birth registration in force ``today``;
    idempotent (a version that has a template keeps it). Returns how many were added."""
    version = procedure_in_force(BIRTH_REGISTRATION, today)
    if version is None or version.template_files.exists():
        return 0
    item = TemplateFile(version=version, name=TEMPLATE_NAME)
    item.file.save(FILE_NAME, ContentFile(declaration_template_pdf()), save=False)
    item.save()
    return 1

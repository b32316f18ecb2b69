"""The printed declaration (tờ khai): the filed answers on A4, in the documents app's layout.

National title and motto, the form's title and legal note, the dossier code, every answered
field as "label: value" (groups as numbered rows), then the declarant's signature box. Built
on ``documents.pdf.Document`` (Liberation Serif, complete for Vietnamese; deterministic bytes).
The fixed wording is Vietnamese in every interface language: it is the legal form.
"""

from __future__ import annotations

from django.utils import timezone

from motcua.documents.pdf import Document, long_date
from motcua.documents.printouts import place_of
from motcua.dossiers.models import DossierDeclaration
from motcua.eforms.display import answer_lines

INDENT_MM = 8.0


def declaration_pdf(declaration: DossierDeclaration) -> bytes:
    """The declaration filed with a dossier as a PDF."""
    form = declaration.form
    dossier = declaration.dossier
    document = Document(title=form.title)
    document.add_page()
    document.national_title()
    document.ln(4)
    document.text_line(form.title.upper(), size=14, style="B")
    if form.legal_note:
        document.text_line(f"({form.legal_note})", size=11, style="I")
    document.text_line(f"Mã hồ sơ: {dossier.code}", size=12)
    document.ln(3)
    for line in answer_lines(form.schema, declaration.answers):
        x = document.l_margin + INDENT_MM * line.depth
        width = document.epw - INDENT_MM * line.depth
        if line.heading:
            document.text_line(line.label, size=13, style="B", align="L", x=x, width=width)
        else:
            document.text_line(f"{line.label}: {line.text}", size=13, align="L", x=x, width=width)
    document.ln(4)
    document.text_line(
        "Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp "
        "luật về cam đoan của mình.",
        size=13,
        style="I",
        align="J",
    )
    document.ln(4)
    half = document.epw / 2
    right = document.l_margin + half
    filled = timezone.localdate(declaration.at)
    # Filed at (or for) the desk that received the dossier: its commune is where it was made.
    agency = dossier.receiving_agency
    place = place_of(agency) if agency is not None else "……"
    document.text_line(
        f"Làm tại {place}, {long_date(filled)}", size=13, style="I", x=right, width=half
    )
    document.text_line("NGƯỜI KHAI", size=13, style="B", x=right, width=half)
    document.text_line("(Ký, ghi rõ họ, chữ đệm, tên)", size=11, style="I", x=right, width=half)
    document.ln(18)
    document.text_line(dossier.applicant_name, size=13, style="B", x=right, width=half)
    return document.to_bytes()

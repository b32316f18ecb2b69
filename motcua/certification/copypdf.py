"""The certified copy's PDF: the original's scan (a PDF, or images made into one) followed by
the certification page, ready to be signed.

The scan is checked before anything is numbered: an encrypted, broken or active PDF (scripts,
embedded files), an image too small to read or too large to decode, too many pages, are refused
with the reason, naming the field ``scan``. The certification page carries the statutory wording
of Decree 23/2015/NĐ-CP's form ("Chứng thực bản sao đúng với bản chính", number, date, the
official) and a QR code of the public check; the official's signature stamp is added below it
when the file is signed (``signatures.services.sign_pdf`` puts it bottom right on the last
page, so the page leaves that corner free). Its wording is the legal form, so it is Vietnamese
in every interface language; only the errors go through gettext.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from motcua.certification.errors import InvalidInput
from motcua.lib import uploads
from motcua.lib.formatting import format_date, nfc

# Images: a scan narrower than this cannot be read; one with more pixels than this is refused
# before it is decoded (a "decompression bomb" must not take the server's memory).
MIN_IMAGE_SIDE = 200
MAX_IMAGE_PIXELS = 60_000_000
A4_MM = (210.0, 297.0)
MARGIN_MM = 15.0
# The bottom of the certification page left free for the signature stamp (about 36 mm).
STAMP_ZONE_MM = 40.0
FIXED_DATE = datetime(2020, 5, 22, tzinfo=UTC)  # Decree 45/2020 in force; a constant, not now


@dataclass(frozen=True)
class Scan:
    """The original's scan as a PDF, and its page count."""

    pdf: bytes
    pages: int


@dataclass(frozen=True)
class CertificationText:
    """What the certification page says."""

    unit_name: str
    number_text: str
    type_name: str
    original_name: str
    original_number: str
    original_issuer: str
    original_issued_on: date
    requester_name: str
    day: date
    official_title: str
    official_name: str
    verify_url: str
    pages: int


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="scan")


def scan_read(data: bytes) -> Scan:
    """``data`` (a PDF, JPEG or PNG) as a PDF of the original, or :class:`InvalidInput`
    (field ``scan``) saying why it cannot be certified."""
    limit = int(settings.MOTCUA_CERTIFICATION_MAX_BYTES)
    if not data:
        raise _refuse(_("the scan is empty"))
    if len(data) > limit:
        raise _refuse(
            _("the scan is larger than the %(limit)s MB allowed")
            % {"limit": f"{limit / 1024 / 1024:.0f}"}
        )
    kind = uploads.sniff(data)
    if kind == "application/pdf":
        return _pdf_scan(data)
    if kind in ("image/jpeg", "image/png"):
        return _image_scan(data)
    raise _refuse(_("the scan is not a PDF, JPEG or PNG file (its content was checked)"))


def _max_pages() -> int:
    return int(settings.MOTCUA_CERTIFICATION_MAX_PAGES)


def _pdf_scan(data: bytes) -> Scan:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refuse(
                    _(
                        "the PDF is encrypted or password-protected: "
                        "send the scan without a password"
                    )
                )
            count = len(reader.pages)
            if count > _max_pages():
                raise _refuse(
                    _("the scan has %(count)s pages; at most %(limit)s are accepted")
                    % {"count": count, "limit": _max_pages()}
                )
            if count == 0:
                raise _refuse(_("the PDF has no page"))
            root: Any = reader.trailer["/Root"].get_object()
            found = root.get("/Names")
            names: Any = found.get_object() if found is not None else {}
            opens = root.get("/OpenAction")
            if "/JavaScript" in names or (opens is not None and _is_script(opens)):
                raise _refuse(_("the PDF contains scripts (JavaScript): it cannot be certified"))
            if "/EmbeddedFiles" in names:
                raise _refuse(_("the PDF contains embedded files: it cannot be certified"))
            for page in reader.pages:
                page.mediabox  # noqa: B018 - a page without a size fails here, not later
                if "/AA" in page:
                    raise _refuse(
                        _("the PDF contains page actions (scripts): it cannot be certified")
                    )
    except InvalidInput:
        raise
    except Exception as error:  # noqa: BLE001 - any parser failure means "not readable"
        raise _refuse(
            _("the PDF cannot be read (%(error)s)") % {"error": type(error).__name__}
        ) from None
    return Scan(pdf=data, pages=count)


def _is_script(action: object) -> bool:
    target = getattr(action, "get_object", lambda: action)()
    return isinstance(target, dict) and target.get("/S") == "/JavaScript"


def _image_scan(data: bytes) -> Scan:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    except Image.DecompressionBombError:
        raise _refuse(
            _("the image has too many pixels (at most %(max)s)")
            % {"max": f"{MAX_IMAGE_PIXELS:,}".replace(",", ".")}
        ) from None
    except Exception as error:  # noqa: BLE001 - a damaged header is "not readable"
        raise _refuse(
            _("the image cannot be read (%(error)s)") % {"error": type(error).__name__}
        ) from None
    if min(width, height) < MIN_IMAGE_SIDE:
        raise _refuse(
            _("the image is %(width)s × %(height)s pixels: too small to read (at least %(min)s)")
            % {"width": width, "height": height, "min": MIN_IMAGE_SIDE}
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise _refuse(
            _("the image is %(width)s × %(height)s pixels: too large (at most %(max)s pixels)")
            % {"width": width, "height": height, "max": f"{MAX_IMAGE_PIXELS:,}".replace(",", ".")}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
    except Exception as error:  # noqa: BLE001 - truncated or damaged pixel data
        raise _refuse(
            _("the image cannot be read (%(error)s)") % {"error": type(error).__name__}
        ) from None
    landscape = upright.width > upright.height
    document = FPDF(orientation="landscape" if landscape else "portrait", unit="mm", format="A4")
    document.set_creation_date(FIXED_DATE)
    document.set_producer("motcua")
    document.add_page()
    box_w = document.w - 2 * MARGIN_MM
    box_h = document.h - 2 * MARGIN_MM
    scale = min(box_w / upright.width, box_h / upright.height)
    w, h = upright.width * scale, upright.height * scale
    document.image(upright, x=(document.w - w) / 2, y=(document.h - h) / 2, w=w, h=h)
    return Scan(pdf=bytes(document.output()), pages=1)


def _font_path() -> Path:
    return Path(settings.MOTCUA_SIGNING_STAMP_FONT)


def qr_png(text: str) -> bytes:
    """A QR code (never a Micro QR) of ``text`` as PNG."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def certification_page(text: CertificationText) -> bytes:
    """The certification page (A4) as a one-page PDF."""
    document = FPDF(orientation="portrait", unit="mm", format="A4")
    document.set_creation_date(FIXED_DATE)
    document.set_producer("motcua")
    document.set_auto_page_break(False)
    document.set_margins(20, 20, 15)
    document.add_font("Serif", "", str(_font_path()))
    document.add_page()
    epw = document.epw
    half = epw / 2

    def line(words: str, size: float = 12, *, align: str = "L", x: float | None = None,
             width: float | None = None, height: float = 6.5) -> None:  # fmt: skip
        document.set_font("Serif", size=size)
        document.set_x(document.l_margin if x is None else x)
        document.multi_cell(width or epw, height, nfc(words), align=align)

    top = document.y
    line(f"ỦY BAN NHÂN DÂN {text.unit_name.upper()}", 11, align="C", width=half)
    left_bottom = document.y
    document.set_y(top)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 11, align="C", x=document.l_margin + half,
         width=half)  # fmt: skip
    line("Độc lập - Tự do - Hạnh phúc", 12, align="C", x=document.l_margin + half, width=half)
    document.set_y(max(document.y, left_bottom) + 10)
    line("LỜI CHỨNG CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH", 14, align="C")
    document.ln(4)
    line("Chứng thực bản sao đúng với bản chính.", 13)
    line(f"Số chứng thực: {text.number_text}", 13)
    line(f"Loại giấy tờ: {text.type_name}", 12)
    original = text.original_name
    if text.original_number:
        original += f", số {text.original_number}"
    original += f", do {text.original_issuer} cấp ngày {format_date(text.original_issued_on)}"
    line(f"Bản chính: {original}", 12)
    line(f"Người yêu cầu chứng thực: {text.requester_name}", 12)
    line(f"Bản sao gồm {text.pages} trang, kèm trang lời chứng này.", 12)
    line(f"Ngày {format_date(text.day)}", 12)
    document.ln(4)
    line(text.official_title, 12, align="C", x=document.l_margin + half, width=half)
    line("(Ký số)", 11, align="C", x=document.l_margin + half, width=half)
    line(text.official_name, 12, align="C", x=document.l_margin + half, width=half)
    # The QR code and its address: above the stamp zone, on the left.
    size = 30.0
    top = document.h - STAMP_ZONE_MM - size - 4
    document.image(io.BytesIO(qr_png(text.verify_url)), x=document.l_margin, y=top, w=size,
                   h=size)  # fmt: skip
    document.set_y(top + 4)
    text_x = document.l_margin + size + 4
    line("Quét mã QR hoặc truy cập địa chỉ dưới đây để kiểm tra bản sao này:", 10, x=text_x,
         width=epw - size - 4, height=5)  # fmt: skip
    line(text.verify_url, 10, x=text_x, width=epw - size - 4, height=5)
    return bytes(document.output())


def compose(scan: Scan, page: bytes) -> bytes:
    """The scan's pages followed by the certification page, as one PDF (unsigned)."""
    writer = PdfWriter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in (PdfReader(io.BytesIO(scan.pdf)), PdfReader(io.BytesIO(page))):
            for original in source.pages:
                added = writer.add_page(original)
                # Actions were refused already; an annotation's /AA is dropped for good measure.
                if NameObject("/AA") in added:
                    del added[NameObject("/AA")]
    writer.add_metadata({"/Producer": "motcua", "/Title": "Bản sao chứng thực điện tử"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()

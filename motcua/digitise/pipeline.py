"""Making a checked scan a PDF/A with a Vietnamese text layer (ocrmypdf + Tesseract ``vie``).

No Django models here: bytes in, bytes out, in a temporary directory removed afterwards.
ocrmypdf makes PDF/A-2b with its internal backend (``pdfa_backend="internal"``), so neither
Ghostscript nor a network is needed (notes/dependencies-verified.md §9).
"""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

import img2pdf
import ocrmypdf
import pikepdf
import pypdfium2 as pdfium
from PIL import Image

from motcua.lib.formatting import nfc

LANGUAGE = "vie"  # "vie+eng" was measured worse: it drops diacritics (§9)
# Tesseract's orientation confidence on a sideways A4 scan with speckle was about 9,6 here,
# below ocrmypdf's default threshold of 14, which left the page sideways and its text garbage.
ROTATE_THRESHOLD = 5.0
# One page never holds the worker longer than this (seconds).
TESSERACT_TIMEOUT = 180.0
# Pixels above which an image is rejected by ocrmypdf itself, as a second fence (millions).
MAX_IMAGE_MPIXELS = 100.0


class OcrFailed(Exception):
    """ocrmypdf could not make the PDF/A; ``detail`` says what it reported."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def image_to_pdf(data: bytes) -> bytes:
    """A one-page PDF of the image at its own resolution (img2pdf: no re-encoding of JPEG).
    img2pdf refuses an alpha channel: such a PNG is flattened on white first."""
    try:
        return bytes(img2pdf.convert(data))
    except img2pdf.AlphaChannelError:
        with Image.open(BytesIO(data)) as image:
            dpi = image.info.get("dpi")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        buffer = BytesIO()
        flat.save(buffer, "PNG", **({"dpi": dpi} if dpi else {}))
        return bytes(img2pdf.convert(buffer.getvalue()))


def make_pdfa(source_pdf: bytes) -> bytes:
    """``source_pdf`` with a text layer, pages turned upright, as PDF/A-2b."""
    with tempfile.TemporaryDirectory(prefix="motcua-digitise-") as directory:
        source = Path(directory) / "in.pdf"
        target = Path(directory) / "out.pdf"
        source.write_bytes(source_pdf)
        try:
            ocrmypdf.ocr(
                source,
                target,
                language=LANGUAGE,
                output_type="pdfa",
                pdfa_backend="internal",
                rotate_pages=True,
                rotate_pages_threshold=ROTATE_THRESHOLD,
                # A page that already has text (a PDF made by a program) keeps it.
                skip_text=True,
                tesseract_timeout=TESSERACT_TIMEOUT,
                max_image_mpixels=MAX_IMAGE_MPIXELS,
                progress_bar=False,
                jobs=1,
            )
        except ocrmypdf.exceptions.ExitCodeException as error:
            raise OcrFailed(f"{type(error).__name__}: {error}") from None
        return target.read_bytes()


def pdfa_part(data: bytes) -> str:
    """The PDF/A conformance the file's XMP declares ("2B"), or ""."""
    with pikepdf.open(BytesIO(data)) as pdf:
        status = pdf.open_metadata().pdfa_status
    return str(status or "")


def page_count(data: bytes) -> int:
    with pikepdf.open(BytesIO(data)) as pdf:
        return len(pdf.pages)


def text_layer(data: bytes, limit: int) -> tuple[str, bool]:
    """The text of every page (NFC), cut at ``limit`` characters; and whether it was cut."""
    document = pdfium.PdfDocument(data)
    parts: list[str] = []
    size = 0
    try:
        for page in document:
            textpage = page.get_textpage()
            parts.append(textpage.get_text_bounded())
            size += len(parts[-1])
            if size > limit:
                break
    finally:
        document.close()
    text = nfc("\n".join(parts))
    return text[:limit], len(text) > limit


def has_text(text: str) -> bool:
    """At least three words of two letters or more: OCR of a photo yields stray marks."""
    words = [word for word in text.split() if sum(ch.isalpha() for ch in word) >= 2]
    return len(words) >= 3

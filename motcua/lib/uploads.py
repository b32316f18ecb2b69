"""What an uploaded file really is, from its bytes (never its name or the browser's claim).

Accepted: a PDF (header ``%PDF-`` and an ``%%EOF`` trailer near the end), a JPEG (SOI marker
``FF D8 FF`` and an EOI marker ``FF D9`` after it) or a PNG (signature, then the IHDR chunk).
"""

from __future__ import annotations

# PDF writers may put a few bytes (a newline, a signature's padding) after %%EOF.
PDF_TRAILER_WINDOW = 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` if it is a PDF, JPEG or PNG, else None."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_TRAILER_WINDOW:]:
        return "application/pdf"
    # Cameras may append their own data after the end-of-image marker: look for it anywhere.
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in data[3:]:
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "image/png"
    return None

"""Fixtures of the portal's tests: files as a citizen's browser sends them."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.documents.pdf import Document

real_now = timezone.now

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@functools.cache
def small_pdf(text: str = "Tờ khai đăng ký khai sinh") -> bytes:
    """A real one-page PDF with Vietnamese text, made by the project's PDF layer. Made once
    per text (0,2 s each: the font is embedded); the layer's bytes are deterministic, so a
    cached copy is the same file a new one would be."""
    document = Document()
    document.add_page()
    document.text_line(text)
    return document.to_bytes()


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def pdf_upload():
    def make(name: str = "to-khai.pdf") -> SimpleUploadedFile:
        return SimpleUploadedFile(name, small_pdf(), content_type="application/pdf")

    return make


# A Wednesday morning in office hours (24/11 is Vietnamese Culture Day, a day off since 2026):
# a dossier submitted then is received at once, so a test can resolve and rate it in the
# minutes that follow, whatever the real hour.
WORKING_MOMENT = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def working_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Django's clock moved to :data:`WORKING_MOMENT`, still ticking (for the live server's
    thread too: it reads the same ``django.utils.timezone.now``)."""
    started = real_now()
    monkeypatch.setattr(
        timezone, "now", lambda: WORKING_MOMENT.astimezone(UTC) + (real_now() - started)
    )
    return WORKING_MOMENT

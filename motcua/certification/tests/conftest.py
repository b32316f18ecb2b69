"""Fixtures for certification tests: the dossiers' small world, the signatures' development CA
(real PAdES signatures, nothing mocked) and scans made with Pillow and fpdf2."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from motcua.certification.choices import DocumentType
from motcua.certification.services import copy_certify
from motcua.dossiers.tests.conftest import world  # noqa: F401 - a fixture
from motcua.signatures.tests.conftest import dev_ca, signing_settings  # noqa: F401 - fixtures

ID_NUMBER = "006190012345"


def png_scan(width: int = 800, height: int = 600) -> bytes:
    """A photo-like scan of a paper with a few lines of Vietnamese text."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i in range(5):
        draw.text((40, 40 + 40 * i), f"GIAY KHAI SINH dong {i}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_scan(pages: int = 2) -> bytes:
    document = FPDF()
    for i in range(pages):
        document.add_page()
        document.set_font("helvetica", size=14)
        document.cell(text=f"Bang tot nghiep - trang {i + 1}")
    return bytes(document.output())


def certifier(world):  # noqa: F811 - the world built by the caller
    """``copy_certify`` for ``world`` with sensible defaults; keywords override them."""

    def run(**overrides):
        arguments = {
            "unit_id": world.ward.pk,
            "document_type": DocumentType.BIRTH_CERTIFICATE,
            "source": png_scan(),
            "requester_name": "Nguyễn Thị Minh Khai",
            "requester_id_number": ID_NUMBER,
            "original_name": "Giấy khai sinh",
            "original_number": "123/2001",
            "original_issuer": "UBND phường Đức Xuân",
            "original_issued_on": date(2001, 5, 4),
            "actor": world.ward_clerk,
        }
        arguments.update(overrides)
        return copy_certify(**arguments)

    return run


@pytest.fixture
def certify(world, signing_settings):  # noqa: F811 - pytest fixtures by name
    """``copy_certify`` in the test's world, signed with the development CA."""
    return certifier(world)


@pytest.fixture
def certify_factory(signing_settings):  # noqa: F811 - pytest fixtures by name
    """``certifier`` for a world the test builds itself (a transactional test)."""
    return certifier

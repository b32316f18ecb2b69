"""Fixtures for digitisation tests: the dossier world, a development CA, and scans made here.

Nothing is mocked: the scans are rendered with Pillow (Vietnamese text in the project's
Liberation Serif), OCR is the real ocrmypdf + Tesseract ``vie``, the signature the real
pyHanko one with a CA made by ``create_dev_ca``. Without Tesseract's ``vie`` model the OCR
tests are skipped, except under CI=true (scripts/dev.py installs it there): a failure then.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from motcua.dossiers.services import Applicant, Component
from motcua.dossiers.tests.world import World, build_world
from motcua.signatures.devca import create_dev_ca

FONTS = Path(__file__).resolve().parents[2] / "documents" / "fonts"
NAME = "Nguyễn Thị Hồng Nhung"
ID_NUMBER = "006315001234"  # Bắc Kạn (006), born 2015 (digit 3: 2000s, then 15)
PAPER = (250, 246, 235)
INK = (25, 30, 110)
SEAL = (200, 30, 30)


def require_tesseract() -> None:
    """Tesseract with ``vie``: skipped with a reason where missing, a failure under CI=true."""
    tool = shutil.which("tesseract")
    langs = (
        subprocess.run([tool, "--list-langs"], capture_output=True, text=True).stdout.split()
        if tool
        else []
    )
    if "vie" not in langs:
        if os.environ.get("CI") == "true":
            pytest.fail("tesseract with vie is missing; scripts/dev.py installs it under CI")
        pytest.skip("tesseract-ocr-vie is not installed (apt-get install tesseract-ocr-vie)")


@pytest.fixture
def tesseract() -> None:
    require_tesseract()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="module")
def dev_ca(tmp_path_factory):
    return create_dev_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def signing(settings, dev_ca):
    """The development signers and root, and the digitiser as MOTCUA_DIGITISE_SIGNER."""
    settings.MOTCUA_SIGNERS = json.loads(dev_ca.signers_json)
    settings.MOTCUA_SIGNING_DEFAULT = "official"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(dev_ca.root_pem)]
    settings.MOTCUA_DIGITISE_SIGNER = "digitiser"
    settings.MOTCUA_DIGITISE_MIN_DPI = 200
    settings.MOTCUA_DIGITISE_REQUIRE_COLOUR = True
    return settings


@pytest.fixture
def dossier(world, media):
    """A dossier received at the city's desk with one component, the birth certificate."""
    return world.create(
        applicant=Applicant(name=NAME, id_number=ID_NUMBER, phone="0912345678"),
        components=[Component("Giấy khai sinh", originals=1)],
    )


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def birth_certificate(
    *, dpi: int = 300, angle: float = 90.0, colour: bool = True, seed: int = 14
) -> bytes:
    """An A4 birth certificate as a scanner would give it: rendered at ``dpi``, turned by
    ``angle`` degrees (90: fed sideways) plus a slight skew, speckled, as JPEG."""
    scale = dpi / 300
    width, height = round(2480 * scale), round(3508 * scale)
    page = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(page)
    lines = [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
        ("Độc lập - Tự do - Hạnh phúc", False),
        ("GIẤY KHAI SINH", True),
        ("Số: 123/2015", False),
        (f"Họ, chữ đệm, tên: {NAME}", False),
        ("Ngày, tháng, năm sinh: 12/03/2015", False),
        ("Giới tính: Nữ    Dân tộc: Tày    Quốc tịch: Việt Nam", False),
        (f"Số định danh cá nhân: {ID_NUMBER}", False),
        ("Nơi sinh: Bệnh viện Đa khoa tỉnh Bắc Kạn", False),
        ("Nơi đăng ký: Ủy ban nhân dân phường Đức Xuân", False),
    ]
    y = round(220 * scale)
    for text, bold in lines:
        draw.text((round(200 * scale), y), text, font=_font(round(62 * scale), bold), fill=INK)
        y += round(170 * scale)
    # The red seal: what a colour scan keeps and a grey one loses.
    cx, cy, r = round(1800 * scale), round(2900 * scale), round(230 * scale)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL, width=max(round(14 * scale), 2))
    scan = page.rotate(angle, expand=True, fillcolor=(255, 255, 255))
    scan = scan.rotate(1.2, expand=True, fillcolor=(255, 255, 255), resample=Image.BICUBIC)
    rng = random.Random(seed)
    pixels = scan.load()
    for _ in range(scan.width * scan.height // 400):
        x, yy = rng.randrange(scan.width), rng.randrange(scan.height)
        pixels[x, yy] = (40, 40, 40) if rng.random() < 0.5 else (255, 255, 255)
    scan = scan.filter(ImageFilter.GaussianBlur(0.6))
    if not colour:
        scan = scan.convert("L")
    buffer = io.BytesIO()
    scan.save(buffer, "JPEG", dpi=(dpi, dpi), quality=85)
    return buffer.getvalue()


def photo_without_text(dpi: int = 300) -> bytes:
    """A colour photograph-like picture (gradients and shapes), no writing."""
    image = Image.new("RGB", (1600, 1200))
    draw = ImageDraw.Draw(image)
    for y in range(1200):
        draw.line((0, y, 1600, y), fill=(90 + y // 10, 140, 220 - y // 8))
    draw.ellipse((500, 300, 1100, 900), fill=(240, 200, 60))
    draw.rectangle((0, 950, 1600, 1200), fill=(60, 140, 60))
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(3)).save(buffer, "JPEG", dpi=(dpi, dpi), quality=90)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels (a decompression bomb's header) over a
    few bytes of data: whoever decodes it before checking its size pays for it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def png(width: int, height: int, dpi: int = 300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), PAPER).save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()

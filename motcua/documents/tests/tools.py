"""poppler's pdftotext (and pdftoppm + zbar's zbarimg for QR codes) for tests: skipped with a
reason where it is missing, except under CI
(scripts/dev.py installs poppler-utils there, so a missing tool is a failure)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def pdftotext(*args: str) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing; scripts/dev.py installs poppler-utils under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", *args], capture_output=True, text=True, check=True)
    return done.stdout


def _require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing; scripts/dev.py installs {package} under CI")
        pytest.skip(f"{tool} ({package}) is not installed")


def qr_codes_per_page(pdf: bytes, directory: Path, *, dpi: int = 200) -> list[list[str]]:
    """The QR codes on each page of ``pdf`` as a reader sees them: the pages rasterised by
    poppler's ``pdftoppm`` at ``dpi``, each image decoded by zbar's ``zbarimg`` (raw bytes,
    UTF-8 decoded here, so zbar's character-set guessing plays no part)."""
    _require("pdftoppm", "poppler-utils")
    _require("zbarimg", "zbar-tools")
    source = directory / "qr-source.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(directory / "qr-page")],
        check=True,
        capture_output=True,
    )
    pages = []
    for image in sorted(directory.glob("qr-page-*.png")):
        done = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sbinary", "-Sdisable", "-Sqrcode.enable",
             str(image)],
            capture_output=True,
        )  # fmt: skip
        # zbarimg exits 4 when it finds no symbol: a page without a QR code.
        if done.returncode not in (0, 4):
            raise RuntimeError(done.stderr.decode(errors="replace"))
        raw = done.stdout.decode("utf-8")
        pages.append([raw[:-1] if raw.endswith("\n") else raw] if raw else [])
        image.unlink()
    return pages

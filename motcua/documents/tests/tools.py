"""poppler's pdftotext for tests: skipped with a reason where it is missing, except under CI
(scripts/dev.py installs poppler-utils there, so a missing tool is a failure)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def pdftotext(*args: str) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is missing; scripts/dev.py installs poppler-utils under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", *args], capture_output=True, text=True, check=True)
    return done.stdout

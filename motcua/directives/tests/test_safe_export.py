"""The leader's directives download, end to end: a meeting and a conclusion whose text begins
with a formula come back as text, in openpyxl and in LibreOffice Calc (issue 16, safe outputs;
the writers themselves are covered for every export by tests/test_safe_exports.py)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.directives.services import directive_create, meeting_create
from motcua.directives.tests.conftest import MEETING_DAY, local
from motcua.directives.tests.test_views import client_for
from motcua.directives.xlsx import HEADER_ROW
from tests.test_safe_exports import SOFFICE, soffice_csv

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://x.example/","bấm vào đây")'
SUM = "+1+1000"
HEAD = "@SUM(1,1000)"
TITLE = "-1-1000"


@pytest.fixture
def hostile(people):
    meeting = meeting_create(
        actor=people.city_leader,
        unit=people.city,
        body=LINK,
        title=TITLE,
        held_on=MEETING_DAY,
        chair="Chủ tịch UBND thành phố",
        at=local("23/05/2024 11:30"),
    )
    return directive_create(
        actor=people.city_leader,
        meeting=meeting,
        text=SUM,
        head_name=HEAD,
        agency=people.interior,
        working_days=5,
        at=local("23/05/2024 14:00"),
    )


def download(people) -> bytes:
    response = client_for(people.city_leader).get(
        reverse("directives:export") + "?unit=058&at=21/06/2024 17:00"
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_leaders_download_keeps_formula_text_as_text(people, hostile):
    sheet = load_workbook(io.BytesIO(download(people))).active
    cells = [cell for row in sheet.iter_rows(min_row=HEADER_ROW + 1) for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    [row] = [[cell.value for cell in cells]]
    assert row[1] == f"'{LINK}: {TITLE}"  # the meeting: its body, then its title
    assert row[4] == f"'{SUM}"
    assert row[6] == f"'{HEAD}"


@pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (CI installs it: scripts/dev.py)",
)
def test_libreoffice_shows_the_leaders_download_as_written(people, hostile, tmp_path: Path):
    assert SOFFICE is not None, "CI=true: LibreOffice (soffice) must be installed"
    source = tmp_path / "ket-luan-chi-dao.xlsx"
    source.write_bytes(download(people))
    out = tmp_path / "out"
    out.mkdir()
    rows = soffice_csv(source, out)
    [row] = rows[HEADER_ROW:]
    assert row[1] == f"'{LINK}: {TITLE}"
    assert row[4] == f"'{SUM}"
    assert row[6] == f"'{HEAD}"
    assert "bấm vào đây" not in row  # the link did not run
    assert "1001" not in row  # nor the sums

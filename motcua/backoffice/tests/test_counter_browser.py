"""The counter and the processing desk in a real browser (the system Chromium, Playwright).

The city's clerk signs in, finds the birth registration by typing without diacritics,
receives a dossier with a scan, opens form 01 (a PDF), transfers it to the justice
department; the department's officer finds it in the queue and approves it; a ward's clerk
opening the dossier's address gets the same 404 as for a missing dossier.

Data: units, the demo catalogue and the demo's staff accounts, once for the module inside a
transaction (docs/dashboard.md explains why the live server sees it). The clock is a working
morning (Tuesday 21/05/2024 09:00, moving on in real time): a dossier received outside
opening hours counts from the next session, and the officer could not approve it before.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from motcua.backoffice.tests.staff import demo_staff_load
from motcua.core.clock import LOCAL_TZ
from motcua.demo.services import DEMO_PASSWORD
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier, DossierFile

WORKING_MORNING = datetime(2024, 5, 21, 9, 0, tzinfo=LOCAL_TZ)
PROCEDURE = "1.005474"  # Đăng ký khai sinh có yếu tố nước ngoài (city level, PTP-058)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SCREENSHOTS = Path(settings.BASE_DIR).parent / "var" / "screenshots"


@pytest.fixture(scope="module")
def desk(bac_kan_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_staff_load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def working_morning(monkeypatch):
    started = time.monotonic()
    monkeypatch.setattr(
        timezone,
        "now",
        lambda: (
            WORKING_MORNING
            + (datetime.fromtimestamp(time.monotonic()) - datetime.fromtimestamp(started))
        ),
    )


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_counter_receives_prints_01_and_the_officer_approves(
    desk, working_morning, live_server, page, log_in, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})

    # The clerk finds the procedure typing without diacritics.
    log_in(page, "motcua.thanhpho", DEMO_PASSWORD, next="/mot-cua/")
    expect(page).to_have_url(f"{live_server.url}/mot-cua/")
    page.fill("#q", "dang ky khai sinh")
    page.press("#q", "Enter")
    row = page.locator("#procedures tr", has_text="Đăng ký khai sinh có yếu tố nước ngoài").filter(
        has_text=PROCEDURE
    )
    expect(row).to_have_count(1)
    shot(page, "counter-search")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/mot-cua/tiep-nhan/{PROCEDURE}/"))

    # The applicant, the components (ticked by default) and one scan.
    page.fill("#id_applicant_name", "Lò Thị Mai")
    page.fill("#id_applicant_id_number", "006190001234")
    page.fill("#id_applicant_phone", "0912 345 678")
    page.fill("#id_applicant_email", "mai@example.org")
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(PDF)
    page.locator("input[type=file]").first.set_input_files(str(scan))
    shot(page, "counter-receive")
    with page.expect_navigation():
        page.click("#receive-button")
    expect(page).to_have_url(re.compile(r"/mot-cua/ho-so/[^/]+/\?in=01$"))
    dossier = Dossier.objects.get(applicant_name="Lò Thị Mai")
    assert dossier.status == Status.RECEIVED
    assert DossierFile.objects.filter(dossier=dossier, kind="component").count() == 1
    expect(page.locator("#status")).to_have_attribute("data-status", "received")
    shot(page, "dossier-received")

    # Form 01: the link answers a PDF.
    href = page.locator("#print-01").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Transfer to the competent agency, from the keyboard.
    transfer = page.locator("#action-transfer button[type=submit]")
    transfer.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_attribute("data-status", "in_processing")

    # The justice department's officer finds it in the queue and approves it.
    page.context.clear_cookies()
    log_in(page, "xuly.tuphap", DEMO_PASSWORD, next="/mot-cua/hang-doi/")
    queue_row = page.locator(f'#queue tr[data-code="{dossier.code}"]')
    expect(queue_row).to_have_count(1)
    shot(page, "queue")
    queue_row.get_by_role("link", name=dossier.code).click()
    expect(page.locator("#action-approve")).to_be_visible()
    expect(page.locator("#action-transfer")).to_have_count(0)  # not the officer's to take
    with page.expect_navigation():
        page.click("#action-approve button[type=submit]")
    expect(page.locator("#status")).to_have_attribute("data-status", "resolved")
    dossier.refresh_from_db()
    assert dossier.outcome == "approved"
    shot(page, "dossier-resolved")
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
    shot(page, "dossier-tablet")

    # A ward clerk gets the answer of a missing dossier.
    url = f"/mot-cua/ho-so/{dossier.code}/"
    page.context.clear_cookies()
    log_in(page, "motcua.ducxuan", DEMO_PASSWORD, next="/mot-cua/")
    hidden = page.goto(f"{live_server.url}{url}")
    hidden_body = page.content()
    missing = page.goto(f"{live_server.url}/mot-cua/ho-so/KHONG-CO-0000/")
    assert hidden.status == missing.status == 404
    # Nothing of the dossier, but for the address the clerk typed, which the layout's language
    # form carries to come back to.
    assert dossier.code not in re.sub(r'name="next" value="[^"]*"', "", hidden_body)

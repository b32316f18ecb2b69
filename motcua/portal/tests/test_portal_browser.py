"""The citizen portal in a real browser (the system Chromium, driven by Playwright against the
live server): a citizen finds "Đăng ký khai sinh" by typing without diacritics, submits it
online with a real PDF, gets the dossier code and the tracking secret, tracks the dossier,
and, once the staff (through the services) have resolved and returned it, downloads nothing
more than needed and rates it through the one-time link, which then says it was used.

One test goes through the whole story: a ``live_server`` test flushes the tables when it ends
(docs/dashboard.md). Screenshots: var/screenshots/portal-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.translation import gettext as _
from playwright.sync_api import expect

from motcua.dossiers.choices import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback.choices import RatingLevel
from motcua.feedback.services import rating_link_create
from motcua.portal.tests.conftest import small_pdf
from motcua.portal.tests.test_views import resolve_and_return

SHOTS = Path("var/screenshots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}.png"), full_page=True)


def test_a_citizen_finds_submits_tracks_and_rates(
    bac_kan_world, working_clock, media, live_server, page, tmp_path
):
    base = f"{live_server.url}/dich-vu-cong"

    # The catalogue, searched without diacritics.
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.fill("#q", "dang ky khai sinh")
    page.click("form[role=search] button[type=submit]")
    expect(page).to_have_url(re.compile(r"q=dang\+ky\+khai\+sinh"))
    link = page.get_by_role("link", name="Đăng ký khai sinh", exact=True)
    expect(link).to_be_visible()
    shot(page, "catalog")

    # The procedure's page, then the online form.
    link.click()
    expect(page.locator("h1")).to_have_text("Đăng ký khai sinh")
    expect(page.locator("#online-level")).to_have_text(str(_("Full-process online")))
    expect(page.locator("#components tbody tr")).to_have_count(3)
    shot(page, "procedure")
    page.click("#submit-online")
    page.fill("#id_applicant_name", "Nguyễn Thị Bình")
    page.fill("#id_applicant_id_number", "006190001234")
    page.fill("#id_applicant_phone", "0912 345 678")
    page.fill("#id_applicant_email", "binh@example.org")
    page.select_option("#id_desk", label="Trung tâm Phục vụ hành chính công phường Đức Xuân")
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(small_pdf())
    page.locator("input[type=file]").first.set_input_files(str(pdf))
    shot(page, "submit")
    with page.expect_navigation():
        page.click("#send")

    # The code and the secret, shown once.
    code = page.locator("#dossier-code").inner_text()
    secret = page.locator("#tracking-secret").inner_text()
    assert re.fullmatch(r"000\.40\.19\.H55-261125-\d{4}", code)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", secret)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.SUBMITTED
    assert dossier.files.get().content_type == "application/pdf"
    shot(page, "submitted")

    # Tracking with the code and the secret.
    page.click("text=" + str(_("Track this dossier")))
    expect(page.locator("#id_code")).to_have_value(code)
    page.fill("#id_secret", secret)
    with page.expect_navigation():
        page.click("#track button[type=submit]")
    expect(page.locator("#status")).to_have_text(str(Status.SUBMITTED.label))
    expect(page.locator("#timeline tbody tr")).to_have_count(1)

    # The staff receive, resolve with an electronic result and return it (services).
    resolve_and_return(dossier)
    page.reload()
    expect(page.locator("#status")).to_have_text(str(Status.RETURNED.label))
    expect(page.locator("#timeline tbody tr")).to_have_count(5)
    expect(page.locator("#received-at")).to_have_text("09:00 25/11/2026")
    expect(page.locator("#results a")).to_have_text("giay-khai-sinh.pdf")
    with page.expect_download() as download:
        page.click("#results a")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    shot(page, "dossier")

    # The one-time rating link.
    path = rating_link_create(dossier_id=dossier.pk)
    page.goto(f"{live_server.url}{path}")
    page.check(f"input[value={RatingLevel.VERY_SATISFIED.value}]")
    page.fill("#id_comment", "Cán bộ hướng dẫn tận tình.")
    with page.expect_navigation():
        page.click("#rating button[type=submit]")
    expect(page.locator("#thanks")).to_be_visible()
    shot(page, "rated")
    rating = DossierEvent.objects.get(dossier=dossier, action=Action.RATE)
    assert rating.data["rating"] == RatingLevel.VERY_SATISFIED
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("#used")).to_be_visible()
    assert page.locator("#rating").count() == 0

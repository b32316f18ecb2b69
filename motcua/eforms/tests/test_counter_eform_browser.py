"""The counter's declaration form in a real browser (the system Chromium, Playwright), on a
390 px wide screen: the clerk fills the certified-copy request for a walk-in, using the
labels as a screen reader would; a bad date is shown next to its input; the dossier page then
shows the answers.

Data: units, the demo catalogue and its declaration forms, the demo staff (once for the module
inside a transaction; the live server shares the test connection, conftest.py).
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from motcua.backoffice.tests.staff import demo_staff_load
from motcua.catalog.services import load_demo_declaration_forms
from motcua.demo.services import DEMO_PASSWORD
from motcua.dossiers.models import Dossier
from motcua.eforms.forms import commune_choices
from motcua.eforms.selectors import declaration_of

PROCEDURE = "1.001789"  # Chứng thực bản sao từ bản chính (city level)


@pytest.fixture(scope="module")
def desk(bac_kan_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_staff_load()
        load_demo_declaration_forms()
        yield
        transaction.set_rollback(True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_clerk_fills_the_declaration_on_a_narrow_screen(desk, live_server, page, log_in):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "motcua.thanhpho", DEMO_PASSWORD, next=f"/mot-cua/tiep-nhan/{PROCEDURE}/")
    expect(page).to_have_url(re.compile(rf"/mot-cua/tiep-nhan/{PROCEDURE}/"))
    page.fill("#id_applicant_name", "Hoàng Thị Lụa")
    page.get_by_text("Khai tờ khai giúp người nộp").click()
    form = page.locator("#eform")
    expect(form).to_be_visible()
    form.get_by_label("Họ, chữ đệm, tên người yêu cầu").fill("Hoàng Thị Lụa")
    form.get_by_label("Số định danh cá nhân người yêu cầu").fill("006190001234")
    code, label = commune_choices()[1]  # a commune or ward in force today
    form.get_by_label("Nơi cư trú của người yêu cầu").select_option(code)
    form.get_by_label("Số nhà, đường, thôn, tổ").fill("Tổ 3, phường Đức Xuân")
    form.get_by_label("Tên giấy tờ, văn bản").first.fill("Giấy khai sinh")
    form.get_by_label("Số trang").first.fill("1")
    form.get_by_label("Số bản sao").first.fill("hai")
    assert fits(page)
    with page.expect_navigation():
        page.click("#receive-button")
    error = page.locator("#id_tk-papers-0-copies_error")
    expect(error).to_contain_text("Hãy nhập số nguyên")
    expect(page.locator("#id_tk-papers-0-copies")).to_have_attribute("aria-invalid", "true")
    assert not Dossier.objects.filter(applicant_name="Hoàng Thị Lụa").exists()
    assert fits(page)

    page.locator("#id_tk-papers-0-copies").fill("2")
    with page.expect_navigation():
        page.click("#receive-button")
    expect(page).to_have_url(re.compile(r"/mot-cua/ho-so/[^/]+/\?in=01$"))
    dossier = Dossier.objects.get(applicant_name="Hoàng Thị Lụa")
    declaration = declaration_of(dossier)
    assert declaration is not None
    assert declaration.answers["papers"] == [{"title": "Giấy khai sinh", "pages": 1, "copies": 2}]
    answers = page.locator("#declaration")
    expect(answers).to_contain_text("Tổ 3, phường Đức Xuân")
    expect(answers).to_contain_text(label.split(" – ")[0])
    assert fits(page)

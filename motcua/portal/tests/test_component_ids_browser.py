"""Regression (issue 10): a procedure whose component ids are 1.000 or more could not be
submitted online. The template printed ``file_{{ c.pk }}`` with the thousands separator
("file_1.038") while the view read ``file_1038``, so every file was ignored and the form
answered "attach at least one component file". A citizen now attaches a file to each
component of such a procedure in a real browser and gets the code and the secret.
"""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from motcua.catalog.models import ComponentRequirement, ProcedureVersion
from motcua.catalog.selectors import procedure_version_list
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.portal import selectors
from motcua.portal.tests.conftest import small_pdf

BIRTH = "2.005266"  # Đăng ký khai sinh: commune level, full online


def procedure_with_large_component_ids() -> ProcedureVersion:
    """A procedure offered online today, with a desk, whose components all have ids of
    1.000 or more: one of the demo catalogue's (1.000608 has 1038–1040), or, should the
    catalogue's order ever change, Đăng ký khai sinh given such a component."""
    today = timezone.localdate()
    for version in procedure_version_list(on=today):
        ids = [c.pk for c in version.components.all()]
        if (
            version.offered_online
            and ids
            and min(ids) >= 1000
            and selectors.receiving_desks(version, today).exists()
        ):
            return version
    version = procedure_version_list(on=today).get(procedure__code=BIRTH)
    top = ComponentRequirement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    version.components.all().delete()
    ComponentRequirement.objects.create(
        pk=max(top + 1, 1038), version=version, name="Tờ khai đăng ký khai sinh", originals=1
    )
    return version


def test_a_procedure_whose_component_ids_pass_1000_is_submitted_with_its_files(
    bac_kan_world, working_clock, media, live_server, page, tmp_path
):
    version = procedure_with_large_component_ids()
    components = list(version.components.all())
    assert min(c.pk for c in components) >= 1000
    page.goto(f"{live_server.url}/dich-vu-cong/thu-tuc/{version.procedure.code}/nop-truc-tuyen/")
    inputs = page.locator("input[type=file]")
    expect(inputs).to_have_count(len(components))
    # The inputs are named by the plain id: no thousands separator.
    names = [inputs.nth(i).get_attribute("name") for i in range(len(components))]
    assert names == [f"file_{c.pk}" for c in components]
    page.fill("#id_applicant_name", "Hoàng Văn Đức")
    page.fill("#id_applicant_phone", "0987 654 321")
    pdf = tmp_path / "giay-to.pdf"
    pdf.write_bytes(small_pdf("Giấy tờ kèm theo"))
    for i in range(len(components)):
        inputs.nth(i).set_input_files(str(pdf))
    with page.expect_navigation():
        page.click("#send")
    code = page.locator("#dossier-code").inner_text()
    assert re.fullmatch(r"\S+-\d{6}-\d{4}", code)
    expect(page.locator("#tracking-secret")).to_be_visible()
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.SUBMITTED
    assert dossier.procedure_version_id == version.pk
    assert dossier.files.count() == len(components)

"""The unit picker's options (``units.templatetags.units``), as the dashboard, the end-of-day
page and the directives' lists show them."""

from __future__ import annotations

from django.template import Context, Template

from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit


def _render(units: list[AdministrativeUnit], chosen: AdministrativeUnit) -> str:
    template = Template("{% load units %}{% unit_options units unit %}")
    return template.render(Context({"units": units, "unit": chosen}))


def test_each_unit_is_an_option_by_its_code_and_the_chosen_one_is_selected() -> None:
    province = AdministrativeUnit(code="19", name="Tỉnh Thái Nguyên", level=UnitLevel.PROVINCE)
    commune = AdministrativeUnit(code="01840", name="Phường Đức Xuân", level=UnitLevel.COMMUNE)
    html = _render([province, commune], commune)
    assert html == (
        '<option value="19">Tỉnh Thái Nguyên (19)</option>'
        '<option value="01840" selected>Phường Đức Xuân (01840)</option>'
    )


def test_a_name_is_escaped() -> None:
    odd = AdministrativeUnit(code='1"2', name="<b>Xã & thôn</b>", level=UnitLevel.COMMUNE)
    html = _render([odd], AdministrativeUnit(code="19", name="Tỉnh", level=UnitLevel.PROVINCE))
    assert html == ('<option value="1&quot;2">&lt;b&gt;Xã &amp; thôn&lt;/b&gt; (1&quot;2)</option>')

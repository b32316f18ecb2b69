"""The dashboard's markup written in Python (``reports.templatetags.figures``): every value
escaped as ``{{ }}`` escapes it, links and marks where the page's script looks for them."""

from __future__ import annotations

from django.urls import reverse

from motcua.reports.templatetags.figures import drill_rows, figure_rows, number, period_options
from motcua.reports.views import Number

HOSTILE = "<b>\"Ấp\" & 'x'</b>"
ESCAPED = "&lt;b&gt;&quot;Ấp&quot; &amp; &#x27;x&#x27;&lt;/b&gt;"


def test_a_number_links_to_its_dossiers_escaped():
    linked = Number("1.608", "/bao-cao/ho-so/?unit=058&figure=received", "received")
    assert number(linked, "received") == (
        '<a href="/bao-cao/ho-so/?unit=058&amp;figure=received" data-figure="received"'
        ' data-headline="received">1.608</a>'
    )
    assert number(Number("05", None, HOSTILE)) == f'<span data-figure="{ESCAPED}">05</span>'


def test_figure_rows_escape_their_labels_and_mark_the_total():
    cells = [Number("1", "/x?a=1&b=2", "received"), Number("0", None, "late")]
    html = figure_rows(
        [
            {"label": HOSTILE, "dates": f"01/06/2024–{HOSTILE}", "cells": cells},
            {"label": "Tổng", "cells": cells, "total": True},
        ]
    )
    assert "<b>" not in html
    assert f'<th scope="row"><span title="01/06/2024–{ESCAPED}">{ESCAPED}</span></th>' in html
    assert html.count('<tr class="total">') == 1
    assert '<td class="num"><a href="/x?a=1&amp;b=2" data-figure="received">1</a></td>' in html
    assert '<td class="num"><span data-figure="late">0</span></td>' in html


def test_period_options_escape_and_select():
    years = [
        {
            "year": "2024",
            "options": [
                {"value": "half:2024-1", "label": HOSTILE, "dates": "x", "selected": "selected"},
                {"value": 'q"1', "label": "Quý 1/2024", "dates": "01/01–31/03", "selected": ""},
            ],
        }
    ]
    html = period_options(years)
    assert html.startswith('<optgroup label="2024">')
    assert html.endswith("</optgroup>")
    assert f'<option value="half:2024-1" selected>{ESCAPED} (x)</option>' in html
    assert '<option value="q&quot;1" >Quý 1/2024 (01/01–31/03)</option>' in html


def test_drill_rows_escape_and_link_every_code():
    row = {
        "number": "1.608",
        "code": "000.00.19.H55-261205-0001&x",
        "procedure": HOSTILE,
        "procedure_code": "1.001",
        "agency": HOSTILE,
        "received": "08:00 01/12/2026",
        "due": "—",
        "resolved": "—",
        "status": "Đang xử lý",
        "timeliness": "",
        "assignee": HOSTILE,
    }
    html = drill_rows([row, {**row, "timeliness": "Trễ hạn"}])
    assert "<b>" not in html
    assert html.count(ESCAPED) == 6
    href = reverse("backoffice:dossier", args=[row["code"]]).replace("&", "&amp;")
    assert f'<td data-code><a href="{href}">000.00.19.H55-261205-0001&amp;x</a></td>' in html
    assert html.count("<td>—</td>") == 3  # due; resolved without timeliness
    assert "<td>— <small>(Trễ hạn)</small></td>" in html

"""The queue's and the search's table, written by ``dossier_table``
(``backoffice.templatetags.backoffice``): every value escaped, the link as reverse() gives
it, the urgency's badge and each cell's label for the phone layout, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from motcua.accounts.models import User
from motcua.backoffice.selectors import QueueRow, Urgency
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier

HOSTILE = "<b>\"Ấp\" & 'x'</b>"
TABLE = engines["django"].from_string("{% load backoffice %}{% dossier_table rows table_id %}")


def row(code, urgency=None, assignee=None, phone="0912 345 678", name="Nguyễn Văn An"):
    dossier = Dossier(
        code=code,
        applicant_name=name,
        applicant_phone=phone,
        status="in_processing",
        effective_due_at=datetime(2026, 12, 7, 3, 30, tzinfo=UTC),
    )
    dossier.procedure_version = ProcedureVersion(name=HOSTILE)
    dossier.assignee = assignee
    return QueueRow(dossier, urgency)


def test_every_value_is_escaped_and_the_link_is_reverses():
    rows = [
        row("000.00.19.H55-261205-0001&x", Urgency.OVERDUE, User(full_name=HOSTILE)),
        row("000.00.19.H55-261205-0002", None, User(full_name="", username="<u>"), phone=""),
    ]
    with translation.override("vi"):
        html = TABLE.render({"rows": rows, "table_id": 'q"<x>'})
    for raw in ("<b>", "<u>", '"<x>'):
        assert raw not in html
    assert html.count("&lt;b&gt;&quot;Ấp&quot; &amp; &#x27;x&#x27;&lt;/b&gt;") == 3
    assert 'data-code="000.00.19.H55-261205-0001&amp;x"' in html
    for r in rows:
        href = reverse("backoffice:dossier", args=[r.dossier.code]).replace("&", "&amp;")
        assert f'<a href="{href}">' in html
    assert '<span class="urgency overdue">Quá hạn</span>' in html
    assert html.count('<td data-label="Mức khẩn">—</td>') == 1
    assert '<td data-label="Hạn xử lý">10:30 07/12/2026</td>' in html  # Vietnam time
    assert '<td data-label="Trạng thái">Đang xử lý</td>' in html
    assert '<td data-label="Người xử lý">&lt;u&gt;</td>' in html  # no full name: the username
    assert html.count('<span class="hint">0912 345 678</span>') == 1  # no phone: no line


@pytest.mark.parametrize(
    ("language", "header", "badge"),
    [("vi", "Người nộp", "Đến hạn hôm nay"), ("en", "Applicant", "Due today")],
)
def test_the_labels_follow_the_language(language, header, badge):
    with translation.override(language):
        html = TABLE.render({"rows": [row("C-1", Urgency.DUE_TODAY)], "table_id": "queue"})
    assert f'<th scope="col">{header}</th>' in html
    assert f'<td data-label="{header}" class="wrap-anywhere">Nguyễn Văn An' in html
    assert f'<span class="urgency due_today">{badge}</span>' in html
    assert 'class="due_today" data-code="C-1" data-urgency="due_today"' in html

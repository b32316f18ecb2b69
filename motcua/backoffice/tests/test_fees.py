"""Fees at the counter (issue 10 item 5) through Django's test client: the amount owed shown and
pre-filled, no pay form when nothing is owed, refusals naming the field, and the numbered
receipt printed (read back with pypdf and pdftotext).

Data and helpers: those of ``test_views`` (the demo catalogue and staff, dossiers received a
week ago at the city's desk; procedure 1.005474 costs 100.000 đ).
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from motcua.backoffice.tests.test_views import clerk as clerk  # noqa: F401 (fixture)
from motcua.backoffice.tests.test_views import receive_at_counter
from motcua.backoffice.tests.test_views import staff as staff  # noqa: F401 (fixture)
from motcua.documents.tests.tools import pdftotext
from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentEvent, Receipt


def page_of(client, dossier) -> tuple[object, str]:
    response = client.get(f"/mot-cua/ho-so/{dossier.code}/")
    assert response.status_code == 200
    return response, response.content.decode()


def post_pay(client, dossier, amount: str, *, version: int | None = None):
    fresh = Dossier.objects.get(pk=dossier.pk)
    return client.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/pay/",
        {
            "version": str(fresh.version if version is None else version),
            "payment_method": "cash",
            "amount": amount,
        },
    )


def owed_shown(html: str) -> str:
    found = re.search(r'id="amount-owed"[^>]*>([^<]+)<', html)
    assert found, "the amount owed is on the page"
    return found.group(1)


def prefilled(html: str) -> str | None:
    found = re.search(r'id="pay-amount" name="amount" value="([^"]*)"', html)
    return None if found is None else found.group(1)


def test_the_counter_shows_the_amount_owed_and_prefills_the_pay_form(clerk):
    dossier = receive_at_counter()
    response, html = page_of(clerk, dossier)
    assert owed_shown(html) == "100.000 đ"
    assert prefilled(html) == "100.000"
    assert "Còn phải nộp: 100.000 đ" in html  # the hint under the amount, in Vietnamese
    # A part paid: the rest is what is shown and offered.
    assert post_pay(clerk, dossier, "40.000").status_code == 302
    response, html = page_of(clerk, dossier)
    assert owed_shown(html) == "60.000 đ"
    assert prefilled(html) == "60.000"
    assert response.context["fees"].paid == 40000


def test_nothing_owed_means_no_pay_form_and_a_post_is_refused(clerk):
    dossier = receive_at_counter()
    paid = post_pay(clerk, dossier, "100.000")
    assert paid.status_code == 302
    assert paid["Location"].endswith("?in=bien-lai")
    response, html = page_of(clerk, dossier)
    assert owed_shown(html) == "0 đ"
    assert 'id="action-pay"' not in html
    assert "pay" not in [a.value for a, _label, _fields in response.context["actions"]]
    before = (Dossier.objects.get(pk=dossier.pk).version, PaymentEvent.objects.count())
    refused = post_pay(clerk, dossier, "1.000")
    assert refused.status_code == 400
    assert refused.context["errors"] == {"general": "hồ sơ này không còn khoản phải nộp"}
    assert "hồ sơ này không còn khoản phải nộp" in refused.content.decode()
    assert (Dossier.objects.get(pk=dossier.pk).version, PaymentEvent.objects.count()) == before


def test_overpaying_or_a_non_positive_amount_is_refused_naming_the_field(clerk):
    dossier = receive_at_counter()
    version = dossier.version
    for amount, words in (
        ("100.001", "100.001 đ"),
        ("0", "số tiền phải lớn hơn 0"),
        ("-5", "-5"),
    ):
        refused = post_pay(clerk, dossier, amount)
        assert refused.status_code == 400, amount
        assert list(refused.context["errors"]) == ["amount"]
        assert words in refused.context["errors"]["amount"]
        assert 'id="pay-amount-error"' in refused.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).version == version
    assert PaymentEvent.objects.filter(payment__dossier=dossier).count() == 0
    assert Receipt.objects.count() == 0


def test_every_field_at_fault_is_named_at_once(clerk):
    dossier = receive_at_counter()
    version = dossier.version
    refused = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/pay/",
        {"version": str(version), "payment_method": "gold", "amount": "mười nghìn"},
    )
    assert refused.status_code == 400
    assert list(refused.context["errors"]) == ["amount", "payment_method"]
    html = refused.content.decode()
    assert 'id="pay-amount-error"' in html
    assert 'id="pay-payment_method-error"' in html
    assert "Chưa có thay đổi nào: hãy sửa những chỗ được đánh dấu dưới đây." in html
    assert Dossier.objects.get(pk=dossier.pk).version == version
    assert PaymentEvent.objects.filter(payment__dossier=dossier).count() == 0


def test_the_receipt_is_numbered_names_the_collector_and_prints(clerk, tmp_path):
    first, second = receive_at_counter(name="Một"), receive_at_counter(name="Hai")
    post_pay(clerk, first, "100.000")
    post_pay(clerk, second, "30.000")
    response, html = page_of(clerk, second)
    (row,) = response.context["payments"]
    year = row.receipt.book.year
    assert (row.receipt.book.label, row.receipt.number) == (str(year), 2)
    assert f"Quyển số {year}, Số 0000002" in html
    assert "Hoàng Thị Lan" in html  # the collector
    url = f"/mot-cua/ho-so/{second.code}/in/bien-lai/{row.pk}/"
    assert f'href="{url}" target="_blank"' in html  # opened in the browser to print
    printed = clerk.get(url)
    assert printed["Content-Type"] == "application/pdf"
    assert printed["Content-Disposition"].startswith("inline;")
    download = clerk.get(url, {"tai-ve": "1"})
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"bien-lai-{year}-0000002.pdf" in download["Content-Disposition"]
    assert download.content == printed.content
    path = tmp_path / "bien-lai.pdf"
    path.write_bytes(printed.content)
    reader = PdfReader(io.BytesIO(printed.content))
    for text in ("\n".join(p.extract_text() for p in reader.pages), pdftotext(str(path), "-")):
        flat = " ".join(text.split())
        assert f"Quyển số: {year} Số: 0000002" in flat
        assert "Số tiền: 30.000 đ Bằng chữ: Ba mươi nghìn đồng" in flat
        assert "Người thu tiền: Hoàng Thị Lan, Công chức Bộ phận Một cửa" in flat
        assert second.code in flat
    # Another dossier's payment is not printed through this dossier.
    other = Receipt.objects.get(dossier=first).events.get().pk
    assert clerk.get(f"/mot-cua/ho-so/{second.code}/in/bien-lai/{other}/").status_code == 404

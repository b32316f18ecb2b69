"""Issue 13, "Done when", in a real browser on today's date: a citizen signs in through the test
OpenID Connect provider, fills the birth-registration declaration (e-form), submits, is asked
for a supplement and uploads it from the tracking page, pays the fee through the VNPay sandbox,
receives the SMS and Zalo messages at the test gateway, gets the result and rates it from the
tracking page. The day's sandbox statement then reconciles with zero differences, and with
exactly the injected one when the sandbox loses a callback (and double-sends another, which
stays one payment).

Every outside party is a separate process on 127.0.0.1 (the OIDC provider, the payment
sandbox, the notification gateway); the officer's steps go through the dossier services, as
the back office's pages do. Screenshots: var/screenshots/citizen-*.png.
"""

from __future__ import annotations

import copy
from io import BytesIO
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from motcua.accounts.services import user_create_or_update
from motcua.catalog.models import ProcedureVersion
from motcua.citizens.tests.conftest import oidc_on, provider_process  # noqa: F401 (fixtures)
from motcua.docstore.models import DocumentReuse
from motcua.docstore.services import document_store_add
from motcua.dossiers.choices import Action, Channel, ResultForm, ReturnMethod, Status
from motcua.dossiers.models import Dossier, DossierDeclaration
from motcua.dossiers.services import (
    Applicant,
    Component,
    Details,
    dossier_create,
    dossier_file_attach,
    dossier_transition,
)
from motcua.feedback.models import Rating
from motcua.notify.services import notifications_deliver_due
from motcua.notify.tests.conftest import (  # noqa: F401 (fixtures)
    gateway,
    gateway_on,
    gateway_process,
)
from motcua.onlinepay.services import payment_intent_create
from motcua.onlinepay.tests.conftest import (  # noqa: F401 (fixtures)
    gateways_on,
    live,
    sandbox,
    sandbox_process,
)
from motcua.onlinepay.tests.paying import browse, reconcile
from motcua.payments.models import PaymentEvent, Receipt
from motcua.payments.selectors import amount_owed
from motcua.portal.tests.conftest import small_pdf
from motcua.portal.tests.test_declaration_online import forms_world  # noqa: F401 (fixture)
from motcua.units.models import Agency

SHOTS = Path("var/screenshots")
BIRTH = "2.005266"  # Đăng ký khai sinh
DESK = "Trung tâm Phục vụ hành chính công phường Đức Xuân"
ASKED = "Thiếu bản sao giấy chứng sinh có chứng thực."
EXTRACT = "Trích lục hộ tịch đã cấp"  # a component of the procedure, matched by name
COPY_FEE = 8000  # two extracts of the birth register at 8.000 đ: a fee the officer asks for


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"citizen-{name}.png"), full_page=True)


def officer():
    return user_create_or_update(
        username="portal.officer", full_name="Cán bộ Thử", password="x", is_superuser=True
    )


def act(dossier: Dossier, action: Action, details: Details | None = None, reason: str = ""):
    dossier_transition(
        dossier_id=dossier.pk,
        action=action,
        actor=officer(),
        details=details or Details(),
        reason=reason,
    )
    return Dossier.objects.get(pk=dossier.pk)


def test_a_citizen_online_from_sign_in_to_rating_and_the_days_reconciliation(
    forms_world,  # noqa: F811
    media,
    oidc_on,  # noqa: F811
    gateway,  # noqa: F811
    gateway_on,  # noqa: F811
    live,  # noqa: F811
    live_server,
    page,
    settings,
    tmp_path,
):
    settings.MOTCUA_BASE_URL = live_server.url  # links in the messages lead to this server
    # The settings put the configured gateway's origin in form-action at start-up; the sandbox
    # was configured after it, so its origin is added as a deployment's settings would.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(live.url)
    settings.CONTENT_SECURITY_POLICY = policy
    base = f"{live_server.url}/dich-vu-cong"
    page.set_viewport_size({"width": 1366, "height": 900})

    # The register extract of an earlier dossier, digitised and kept in the citizen's store.
    extract = document_store_add(
        id_number="006090001234",
        name=EXTRACT,
        data=small_pdf("Trích lục đăng ký kết hôn"),
        content_type="application/pdf",
        source_dossier_id=None,
        source_component_id=None,
        number="45/2024",
        issuer="UBND phường Đức Xuân",
    )

    # Sign in through the national identity's provider (the test provider signs in at once).
    page.goto(f"{base}/thu-tuc/{BIRTH}/")
    page.click("#citizen-sign-in")
    expect(page.locator("#citizen-signed-in")).to_have_text("Nguyễn Văn An")

    # The online form: identity locked from the verified claims; the declaration; a scan;
    # the register extract reused from the citizen's document store (issue 14).
    page.click("#submit-online")
    expect(page.locator("#verified-identity")).to_be_visible()
    expect(page.locator("#id_tk-requester_name")).to_have_value("Nguyễn Văn An")
    page.select_option("#id_tk-requester_address-unit", index=1)
    page.fill("#id_tk-requester_address-street", "Tổ 1, phường Đức Xuân")
    page.select_option("#id_tk-relationship", "cha")
    page.fill("#id_tk-child_name", "Nguyễn Minh Khôi")
    page.select_option("#id_tk-child_sex", "nam")
    page.fill("#id_tk-child_birth_date", "20/11/2026")
    page.fill("#id_tk-child_birth_place", "Bệnh viện Đa khoa tỉnh Bắc Kạn")
    page.fill("#id_tk-child_ethnicity", "Tày")
    page.fill("#id_tk-child_nationality", "Việt Nam")
    page.fill("#id_tk-mother_name", "Hoàng Thị Lan")
    page.fill("#id_applicant_phone", "0912 345 678")
    page.fill("#id_applicant_email", "an@example.org")
    page.select_option("#id_desk", label=DESK)
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(small_pdf("Giấy chứng sinh"))
    page.locator("input[type=file]").first.set_input_files(str(scan))
    expect(page.locator("#stored-papers")).to_be_visible()
    page.locator("select.stored-paper").select_option(str(extract.pk))
    shot(page, "submit")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "submit-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    with page.expect_navigation():
        page.click("#send")
    code = page.locator("#dossier-code").inner_text()
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_verified
    assert dossier.applicant_id_number == "006090001234"
    assert DossierDeclaration.objects.get(dossier=dossier).answers["child_name"] == (
        "Nguyễn Minh Khôi"
    )
    reused = DocumentReuse.objects.get(dossier=dossier)
    assert (reused.document_id, reused.component.name) == (extract.pk, EXTRACT)
    assert reused.component.digitised

    # The officer receives it and asks for a supplement: the clock stops.
    dossier = act(dossier, Action.RECEIVE)
    transfer = Details(to_agency=Agency.objects.get(code="UBND-01840-2025"))
    dossier = act(dossier, Action.TRANSFER, transfer)
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, reason=ASKED)
    assert dossier.status == Status.AWAITING_SUPPLEMENT

    # The citizen opens it from "my dossiers" and sends the supplement.
    page.goto(f"{base}/tai-khoan/ho-so-cua-toi/")
    page.get_by_role("link", name=code).click()
    expect(page.locator("#supplement-note")).to_contain_text(ASKED)
    extra = tmp_path / "ban-sao-giay-chung-sinh.pdf"
    extra.write_bytes(small_pdf("Bản sao giấy chứng sinh"))
    page.locator("#supplement input[type=file]").first.set_input_files(str(extra))
    shot(page, "supplement")
    with page.expect_navigation():
        page.locator("#supplement button[type=submit]").click()
    expect(page.locator("#done")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.status != Status.AWAITING_SUPPLEMENT

    # The officer asks for the fee of the register extracts; the citizen pays it with VNPay.
    dossier = act(
        dossier,
        Action.REQUEST_PAYMENT,
        Details(amount=COPY_FEE),
        reason="Lệ phí cấp 02 bản sao trích lục khai sinh.",
    )
    page.reload()
    expect(page.locator("#fees-owed")).to_have_text("8.000 đ")
    with page.expect_navigation():
        page.locator("#pay-online button[value=vnpay]").click()
    expect(page.locator("#paid")).to_be_visible()
    shot(page, "paid")
    assert amount_owed(dossier.pk) == 0
    assert PaymentEvent.objects.filter(payment__dossier=dossier).count() == 1
    assert Receipt.objects.filter(dossier=dossier).count() == 1

    # The result, signed off and returned online; the citizen rates from the tracking page.
    dossier = act(Dossier.objects.get(pk=dossier.pk), Action.CONFIRM_PAYMENT)
    dossier = act(
        dossier,
        Action.APPROVE,
        Details(result_form=ResultForm.ELECTRONIC, result_digitised=True),
    )
    dossier_file_attach(
        dossier_id=dossier.pk,
        upload=BytesIO(small_pdf("Giấy khai sinh")),
        name="giay-khai-sinh.pdf",
        kind="result",
        actor=officer(),
    )
    dossier = act(dossier, Action.RETURN_RESULT, Details(return_method=ReturnMethod.ONLINE))
    page.goto(f"{base}/ho-so/{code}/")
    expect(page.locator("#results")).to_contain_text("giay-khai-sinh.pdf")
    page.locator("#rating input[type=radio]").first.check()
    shot(page, "rate")
    with page.expect_navigation():
        page.locator("#rating button[type=submit]").click()
    expect(page.locator("#done")).to_be_visible()
    assert Rating.objects.filter(dossier=dossier).count() == 1

    # The messages, delivered by the worker to the gateway: SMS and Zalo, for the receipt,
    # the supplement asked for and the result.
    # (The test runs inside the module's transaction, so the on-commit enqueue never fires:
    # the worker's sweep of due messages sends them, as it does for a lost enqueue.)
    assert notifications_deliver_due(now=timezone.now()) >= 6
    for channel in ("sms", "zalo"):
        sent = [m for m in gateway.messages(channel) if code in str(m)]
        assert len(sent) >= 3, (channel, gateway.messages(channel))

    # "My papers" lists the stored extract.
    page.goto(f"{base}/tai-khoan/ho-so-cua-toi/giay-to/")
    expect(page.locator("#papers")).to_contain_text(EXTRACT)
    shot(page, "my-papers")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "my-papers-390")

    # The day's statement reconciles with no difference.
    statement = tmp_path / "vnpay.csv"
    statement.write_bytes(live.statement("vnpay"))
    assert reconcile(statement)[0] == 0

    # Inject: one callback lost, another sent twice. Exactly the lost one is listed; the
    # double-sent one is one payment.
    lost, doubled = walk_in(10000), walk_in(20000)
    intents = [payment_intent_create(dossier_id=d.pk, provider="vnpay") for d in (lost, doubled)]
    live.scenario("lost")
    live.scenario("duplicate")
    for intent in intents:
        browse(intent.payment_url)
    statement.write_bytes(live.statement("vnpay"))
    status, lines = reconcile(statement)
    assert status == 1
    listed = [line for line in lines if line.startswith("  ")]
    assert len(listed) == 1
    assert intents[0].reference in listed[0]
    assert lost.code in listed[0]
    assert PaymentEvent.objects.filter(payment__dossier=doubled).count() == 1
    assert amount_owed(doubled.pk) == 0


def walk_in(fee: int) -> Dossier:
    """Another applicant's dossier received at the desk with a fee, paid online later."""
    version = ProcedureVersion.objects.filter(procedure__code=BIRTH).order_by("-version").first()
    return dossier_create(
        procedure=version,
        receiving_agency=Agency.objects.get(code="TTPVHCC-01840"),
        channel=Channel.DIRECT,
        applicant=Applicant(name="Hoàng Thị Mai", id_number="006190012345", phone="0987654321"),
        components=[Component("Tờ khai đăng ký khai sinh", originals=1)],
        actor=officer(),
        fee=fee,
    ).dossier

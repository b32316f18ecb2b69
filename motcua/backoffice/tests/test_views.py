"""The staff pages through Django's test client: the counter, the online list, the queue,
the dossier page and its actions, the printed forms; bad input and access.

Data: units and the demo catalogue (``bac_kan_world``) and the demo's staff accounts, once
for the module; each test makes its own dossiers (rolled back after it).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.backoffice.tests.staff import demo_staff_load
from motcua.catalog.selectors import procedure_in_force
from motcua.core import workflow
from motcua.dossiers.choices import Channel, Status
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.services import Applicant, Component, dossier_create, dossier_transition
from motcua.units.models import Agency

# City-level birth registration with a foreign element (demo catalogue, PTP-058 settles it).
CITY_PROCEDURE = "1.005474"


# Dossiers made by the tests were received a week ago: the pages act "now", which must come
# after the receipt moment whatever the hour the tests run at.
def a_week_ago():
    return timezone.now() - timedelta(days=7)


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def staff(bac_kan_world, django_db_blocker):
    """The demo's staff accounts (no dossier history)."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_staff_load()
        yield
        transaction.set_rollback(True)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def clerk(staff, db):
    return client_for("motcua.thanhpho")


@pytest.fixture
def officer(staff, db):
    return client_for("xuly.tuphap")


def receive_at_counter(**applicant) -> Dossier:
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    assert version is not None
    return dossier_create(
        procedure=version,
        receiving_agency=Agency.objects.get(code="BPMC-058"),
        channel=Channel.DIRECT,
        applicant=Applicant(name=applicant.get("name", "Nguyễn Văn An"), phone="0912345678"),
        components=[Component(name="Tờ khai theo mẫu quy định", originals=1)],
        actor=User.objects.get(username="motcua.thanhpho"),
        at=a_week_ago(),
    ).dossier


def same_page(html: str) -> str:
    """The page without its CSRF tokens, CSP nonces (both new in every response) and the
    language form's return address."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r' nonce="[^"]*"', "", html)
    return re.sub(r'name="next" value="[^"]*"', "", html)


def submit_online() -> Dossier:
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    assert version is not None
    return dossier_create(
        procedure=version,
        receiving_agency=Agency.objects.get(code="BPMC-058"),
        channel=Channel.ONLINE,
        applicant=Applicant(name="Trần Thị Bình", email="binh@example.org"),
        at=a_week_ago(),
    ).dossier


def transfer(dossier: Dossier) -> Dossier:
    return dossier_transition(
        dossier_id=dossier.pk,
        action=workflow.Action.TRANSFER,
        actor=User.objects.get(username="motcua.thanhpho"),
    )


# -- sign-in and access -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/mot-cua/", "/mot-cua/hang-doi/", "/mot-cua/truc-tuyen/", "/mot-cua/so-theo-doi/"]
)
def test_every_page_asks_for_a_sign_in_first(staff, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_a_ward_clerk_gets_the_same_404_for_a_city_dossier_as_for_a_missing_one(staff, db):
    dossier = receive_at_counter()
    ward = client_for("motcua.ducxuan")
    hidden = ward.get(f"/mot-cua/ho-so/{dossier.code}/")
    missing = ward.get("/mot-cua/ho-so/KHONG-CO-0000/")
    assert hidden.status_code == missing.status_code == 404
    # The same page, but for what any page has: the layout's language form carries a fresh
    # CSRF token and the address to come back to.
    assert same_page(hidden.content.decode()) == same_page(missing.content.decode())
    # Nor can it act on it, print it, or see it in a list.
    act = ward.post(f"/mot-cua/ho-so/{dossier.code}/thao-tac/transfer/", {"version": "1"})
    assert act.status_code == 404
    assert ward.get(f"/mot-cua/ho-so/{dossier.code}/in/01/").status_code == 404
    assert dossier.code not in ward.get("/mot-cua/hang-doi/?all=1").content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_a_user_without_a_desk_is_told_so_at_the_counter(officer):
    response = officer.get("/mot-cua/")
    assert response.status_code == 403
    assert "một cửa" in response.content.decode().lower() or "one-stop" in response.content.decode()


# -- the counter --------------------------------------------------------------------------


def test_the_counter_finds_a_procedure_typed_without_diacritics(clerk):
    page = clerk.get("/mot-cua/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Đăng ký khai sinh có yếu tố nước ngoài" in page
    assert f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/" in page
    # The city desk sees district-level procedures only, not the wards' "Đăng ký khai sinh".
    assert "2.005266" not in page


def test_the_receive_form_lists_the_required_components(clerk):
    page = clerk.get(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/").content.decode()
    for name in ("Tờ khai theo mẫu quy định", "Giấy tờ chứng minh nơi cư trú"):
        assert name in page
    assert 'name="csrfmiddlewaretoken"' in page


def receive_form(clerk: Client) -> dict[str, str]:
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    data = {
        "token": "t-" + str(timezone.now().timestamp()),
        "agency": "BPMC-058",
        "applicant_name": "Lò Văn Cường",
        "applicant_id_number": "",
        "applicant_phone": "0912 345 678",
        "applicant_email": "cuong@example.org",
        "sets_count": "1",
    }
    for requirement in version.components.all():
        key = f"c{requirement.pk}"
        data |= {
            key: "1",
            f"{key}_originals": "1",
            f"{key}_certified": "0",
            f"{key}_photocopies": "0",
        }
    return data


def test_receiving_at_the_counter_creates_the_dossier_with_components_and_scans(clerk):
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    first = version.components.first()
    data = receive_form(clerk)
    data[f"c{first.pk}_file"] = io.BytesIO(PDF)
    data[f"c{first.pk}_file"].name = "to-khai.pdf"
    response = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data)
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Lò Văn Cường")
    assert response["Location"] == f"/mot-cua/ho-so/{dossier.code}/?in=01"
    assert dossier.status == Status.RECEIVED
    assert dossier.channel == Channel.DIRECT
    assert dossier.applicant_phone == "0912345678"
    assert dossier.components.count() == version.components.count()
    scan = DossierFile.objects.get(dossier=dossier)
    assert scan.component.name == first.name
    assert scan.kind == "component"
    # Counted as digitised only once the worker has made it a signed PDF/A (issue 14).
    assert dossier.components.get(name=first.name).digitised is False
    assert scan.digitisation.status == "queued"
    page = clerk.get(response["Location"]).content.decode()
    assert f"/mot-cua/ho-so/{dossier.code}/in/01/" in page
    # The same form submitted again (double click): still one dossier.
    again = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data | {f"c{first.pk}_file": ""})
    assert again.status_code == 302
    assert again["Location"] == f"/mot-cua/ho-so/{dossier.code}/"
    assert Dossier.objects.filter(applicant_name="Lò Văn Cường").count() == 1


def test_a_doubtful_id_number_warns_and_a_malformed_one_is_refused(clerk):
    data = receive_form(clerk) | {"applicant_id_number": "12345"}
    refused = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data)
    assert refused.status_code == 400
    assert refused.context["errors"].keys() == {"applicant_id_number"}
    assert 'id="applicant_id_number-error"' in refused.content.decode()
    assert not Dossier.objects.filter(applicant_name="Lò Văn Cường").exists()
    # 12 digits whose province code is not a province: received, with a warning.
    data = receive_form(clerk) | {"applicant_id_number": "999012345678"}
    received = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data, follow=True)
    assert received.status_code == 200
    assert Dossier.objects.filter(applicant_name="Lò Văn Cường").count() == 1
    assert any(m.level_tag == "warning" for m in received.context["messages"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_name", "  "),
        ("applicant_email", "not-an-address"),
        ("applicant_phone", "abc"),
        ("applicant_birth_date", "31/02/2020"),
        ("sets_count", "two"),
    ],
)
def test_bad_applicant_data_is_shown_next_to_its_field_and_nothing_is_received(clerk, field, value):
    before = Dossier.objects.count()
    response = clerk.post(
        f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", receive_form(clerk) | {field: value}
    )
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert f'id="{field}-error"' in response.content.decode()
    assert Dossier.objects.count() == before


def test_a_disguised_scan_is_refused_with_nothing_received(clerk):
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    first = version.components.first()
    fake = io.BytesIO(b"MZ this is not a PDF")
    fake.name = "to-khai.pdf"
    before = Dossier.objects.count()
    response = clerk.post(
        f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", receive_form(clerk) | {f"c{first.pk}_file": fake}
    )
    assert response.status_code == 400
    assert f"c{first.pk}_file" in response.context["errors"]
    assert Dossier.objects.count() == before
    assert not DossierFile.objects.exists()


def test_an_unknown_procedure_is_a_404(clerk):
    assert clerk.get("/mot-cua/tiep-nhan/9.999999/").status_code == 404


# -- online submissions ---------------------------------------------------------------------


def test_online_submissions_wait_at_the_desk_and_are_accepted(clerk):
    dossier = submit_online()
    page = clerk.get("/mot-cua/truc-tuyen/").content.decode()
    assert dossier.code in page
    response = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/receive/", {"version": str(dossier.version)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/mot-cua/ho-so/{dossier.code}/?in=01"
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
    assert dossier.code not in clerk.get("/mot-cua/truc-tuyen/").content.decode()


def test_sending_back_needs_a_reason_and_then_offers_form_02(clerk):
    dossier = submit_online()
    url = f"/mot-cua/ho-so/{dossier.code}/thao-tac/request_completion/"
    missing = clerk.post(url, {"version": str(dossier.version), "reason": " "})
    assert missing.status_code == 400
    assert missing.context["errors"] == {"reason": missing.context["errors"]["reason"]}
    assert 'id="request_completion-reason-error"' in missing.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED
    done = clerk.post(url, {"version": str(dossier.version), "reason": "Thiếu giấy chứng sinh"})
    assert done["Location"] == f"/mot-cua/ho-so/{dossier.code}/?in=02"
    assert Dossier.objects.get(pk=dossier.pk).status == Status.AWAITING_COMPLETION


def test_a_stale_form_is_refused_as_changed_by_someone_else(clerk):
    dossier = submit_online()
    url = f"/mot-cua/ho-so/{dossier.code}/thao-tac/receive/"
    first = clerk.post(url, {"version": str(dossier.version)})
    assert first.status_code == 302
    events = DossierEvent.objects.filter(dossier=dossier).count()
    second = clerk.post(url, {"version": str(dossier.version)})
    assert second.status_code == 409
    assert (
        "someone else" in second.context["errors"]["general"]
        or "người khác" in (second.context["errors"]["general"])
    )
    assert 'id="action-error"' in second.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier).count() == events


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_missing_or_malformed_version_changes_nothing(clerk, version):
    dossier = submit_online()
    response = clerk.post(f"/mot-cua/ho-so/{dossier.code}/thao-tac/receive/", {"version": version})
    assert response.status_code == 409
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_an_unknown_action_is_a_404_and_a_get_is_refused(clerk):
    dossier = submit_online()
    assert (
        clerk.post(f"/mot-cua/ho-so/{dossier.code}/thao-tac/fly/", {"version": "1"}).status_code
        == 404
    )
    assert (
        clerk.post(f"/mot-cua/ho-so/{dossier.code}/thao-tac/rate/", {"version": "1"}).status_code
        == 404
    )
    assert clerk.get(f"/mot-cua/ho-so/{dossier.code}/thao-tac/receive/").status_code == 405


def test_csrf_is_enforced(staff, db):
    dossier = submit_online()
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="motcua.thanhpho"))
    response = client.post(f"/mot-cua/ho-so/{dossier.code}/thao-tac/receive/", {"version": "1"})
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


# -- the processing desk ------------------------------------------------------------------


def test_the_dossier_page_offers_only_the_allowed_actions_the_user_may_take(clerk, officer):
    dossier = receive_at_counter()
    clerk_page = clerk.get(f"/mot-cua/ho-so/{dossier.code}/")
    clerk_actions = [a for a, _, _ in clerk_page.context["actions"]]
    # Received: the clerk transfers or withdraws; officers' actions are not offered.
    assert clerk_actions == [
        workflow.Action.TRANSFER,
        workflow.Action.WITHDRAW,
        workflow.Action.PAY,
    ]
    officer_page = officer.get(f"/mot-cua/ho-so/{dossier.code}/")
    assert [a for a, _, _ in officer_page.context["actions"]] == [
        workflow.Action.STOP,
        workflow.Action.APOLOGISE,
    ]
    # What the page does not offer, the service refuses too: nothing changes.
    refused = officer.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/transfer/", {"version": str(dossier.version)}
    )
    assert refused.status_code == 400
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_the_queue_is_ordered_by_due_moment_and_coloured(officer):
    first = transfer(receive_at_counter(name="Một"))
    second = transfer(receive_at_counter(name="Hai"))
    response = officer.get("/mot-cua/hang-doi/")
    rows = response.context["rows"]
    codes = [row.dossier.code for row in rows]
    assert codes.index(first.code) < codes.index(second.code) or (
        first.effective_due_at == second.effective_due_at
    )
    dues = [row.dossier.effective_due_at for row in rows]
    assert dues == sorted(dues)
    # The colour is the end-of-day list's state, seen from well after the due moment.
    from motcua.backoffice.selectors import Urgency, queue_for_user

    later = queue_for_user(
        User.objects.get(username="xuly.tuphap"), at=first.effective_due_at + timedelta(days=1)
    )
    assert {row.dossier.code: row.urgency for row in later}[first.code] is Urgency.OVERDUE
    page = response.content.decode()
    assert f'data-code="{first.code}"' in page


def test_the_officer_approves_with_a_result_file(officer):
    dossier = transfer(receive_at_counter())
    result = io.BytesIO(PDF)
    result.name = "ket-qua.pdf"
    response = officer.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/approve/",
        {"version": str(dossier.version), "result_form": "electronic", "result_file": result},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED
    assert dossier.outcome == "approved"
    assert DossierFile.objects.get(dossier=dossier, kind="result").original_name == "ket-qua.pdf"


def test_a_disguised_result_file_undoes_the_approval(officer):
    dossier = transfer(receive_at_counter())
    fake = io.BytesIO(b"GIF89a not a pdf")
    fake.name = "ket-qua.pdf"
    response = officer.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/approve/",
        {"version": str(dossier.version), "result_file": fake},
    )
    assert response.status_code == 400
    assert "result_file" in response.context["errors"]
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING
    assert not DossierFile.objects.filter(dossier=dossier).exists()


def test_deny_hand_over_and_apology_validate_their_fields(officer):
    dossier = transfer(receive_at_counter())
    url = f"/mot-cua/ho-so/{dossier.code}/thao-tac/"
    version = str(dossier.version)
    bad_agency = officer.post(url + "hand_over/", {"version": version, "to_agency": "NOPE"})
    assert bad_agency.status_code == 400
    assert "to_agency" in bad_agency.context["errors"]
    bad_date = officer.post(
        url + "apologise/",
        {"version": version, "new_due_at": "mai", "signed_by": "Lý Thị Hà", "reason": "Chậm"},
    )
    assert bad_date.status_code == 400
    assert "new_due_at" in bad_date.context["errors"]
    early = officer.post(
        url + "apologise/",
        {"version": version, "new_due_at": "01/01/2020 08:00", "signed_by": "X", "reason": "Chậm"},
    )
    assert early.status_code == 400
    assert "new_due_at" in early.context["errors"]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version
    # A hand-over to another officer works, and the timeline shows it.
    done = officer.post(
        url + "hand_over/", {"version": version, "assignee": "xuly.tuphap", "step": "Thẩm định"}
    )
    assert done.status_code == 302
    page = officer.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "Thẩm định" in page


def test_payment_and_return_of_the_result(clerk, officer):
    dossier = transfer(receive_at_counter())
    pay = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/pay/",
        {"version": str(dossier.version), "payment_method": "cash", "amount": "abc"},
    )
    assert pay.status_code == 400
    assert "amount" in pay.context["errors"]
    pay = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/pay/",
        {"version": str(dossier.version), "payment_method": "cash", "amount": "100.000"},
    )
    assert pay.status_code == 302
    dossier.refresh_from_db()
    page = clerk.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "/in/bien-lai/" in page
    officer.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/approve/", {"version": str(dossier.version)}
    )
    dossier.refresh_from_db()
    done = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/return_result/",
        {"version": str(dossier.version), "return_method": "counter"},
    )
    assert done.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED


def test_the_tracking_log_form_names_bad_fields(officer):
    assert officer.get("/mot-cua/so-theo-doi/").status_code == 200
    bad = officer.get("/mot-cua/so-theo-doi/", {"agency": "NOPE", "from": "x", "to": "01/01/2024"})
    assert bad.status_code == 400
    assert set(bad.context["errors"]) == {"agency", "from"}
    backwards = officer.get(
        "/mot-cua/so-theo-doi/", {"agency": "PTP-058", "from": "02/01/2024", "to": "01/01/2024"}
    )
    assert backwards.status_code == 400
    assert set(backwards.context["errors"]) == {"to"}


# -- printed forms ------------------------------------------------------------------------


def test_forms_that_do_not_exist_for_the_dossier_are_404(clerk):
    dossier = submit_online()
    for form in ("01", "03", "04", "05", "99"):
        assert clerk.get(f"/mot-cua/ho-so/{dossier.code}/in/{form}/").status_code == 404
    assert clerk.get(f"/mot-cua/ho-so/{dossier.code}/in/bien-lai/1/").status_code == 404


def test_the_printed_forms_are_pdfs(clerk, officer):
    dossier = transfer(receive_at_counter())
    for form in ("01", "05"):
        response = clerk.get(f"/mot-cua/ho-so/{dossier.code}/in/{form}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    new_date = timezone.localtime(dossier.effective_due_at) + timedelta(days=3)
    officer.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/apologise/",
        {
            "version": str(dossier.version),
            "new_due_at": new_date.strftime("%d/%m/%Y %H:%M"),
            "signed_by": "Lý Thị Hà",
            "reason": "Cần xác minh thêm",
        },
    )
    assert clerk.get(f"/mot-cua/ho-so/{dossier.code}/in/04/").content.startswith(b"%PDF")
    log = officer.get(
        "/mot-cua/so-theo-doi/",
        {
            "agency": "BPMC-058",
            "from": timezone.localdate().strftime("%d/%m/%Y"),
            "to": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert log.status_code == 200
    assert log.content.startswith(b"%PDF")


def test_forms_02_03_and_the_fee_receipt_are_pdfs(clerk):
    sent_back = submit_online()
    clerk.post(
        f"/mot-cua/ho-so/{sent_back.code}/thao-tac/request_completion/",
        {"version": str(sent_back.version), "reason": "Thiếu giấy chứng sinh"},
    )
    assert clerk.get(f"/mot-cua/ho-so/{sent_back.code}/in/02/").content.startswith(b"%PDF")
    refused = submit_online()
    clerk.post(
        f"/mot-cua/ho-so/{refused.code}/thao-tac/refuse/",
        {"version": str(refused.version), "reason": "Không thuộc thẩm quyền"},
    )
    assert clerk.get(f"/mot-cua/ho-so/{refused.code}/in/03/").content.startswith(b"%PDF")
    paid = receive_at_counter()
    clerk.post(
        f"/mot-cua/ho-so/{paid.code}/thao-tac/pay/",
        {"version": str(paid.version), "payment_method": "cash", "amount": "100000"},
    )
    page = clerk.get(f"/mot-cua/ho-so/{paid.code}/")
    (payment,) = page.context["payments"]
    receipt = clerk.get(f"/mot-cua/ho-so/{paid.code}/in/bien-lai/{payment.pk}/")
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")


# -- bad input at the counter (issue 10 item 8): Vietnamese messages naming the field ---------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "applicant_name",
            "A" * 10_000,
            "Họ và tên: tối đa 300 ký tự (đã nhập 10.000 ký tự).",
        ),
        ("applicant_birth_date", "01/01/2030", "Ngày sinh: 01/01/2030 là ngày trong tương lai."),
        ("applicant_birth_date", "31/12/9999", "Ngày sinh: 31/12/9999 là ngày trong tương lai."),
        ("applicant_birth_date", "01/01/1850", "Ngày sinh: 01/01/1850 trước ngày 01/01/1900."),
        (
            "applicant_phone",
            "abc",
            "Số điện thoại: “abc” không phải là số điện thoại Việt Nam"
            " (10 chữ số bắt đầu bằng 0, hoặc +84).",
        ),
        (
            "applicant_id_number",
            "12345",
            "Số định danh cá nhân: “12345” không phải là dãy 12 chữ số.",
        ),
        ("sets_count", "-3", "Số bộ hồ sơ phải là số nguyên dương."),
        ("sets_count", "0", "Số bộ hồ sơ phải là số nguyên dương."),
        ("sets_count", "2.5", "Số bộ hồ sơ phải là số nguyên dương."),
        ("sets_count", "99999999999999999999", "Số bộ hồ sơ: tối đa 50."),
        ("applicant_address", "x" * 501, "Địa chỉ: tối đa 500 ký tự (đã nhập 501 ký tự)."),
        (
            "summary",
            "x" * 600,
            "Nội dung yêu cầu giải quyết: tối đa 500 ký tự (đã nhập 600 ký tự).",
        ),
        (
            "applicant_email",
            "not-an-address",
            "Thư điện tử: “not-an-address” không phải là địa chỉ thư điện tử.",
        ),
    ],
)
def test_the_counter_refuses_bad_applicant_data_in_vietnamese_naming_the_field(
    clerk, field, value, message
):
    before = Dossier.objects.count()
    response = clerk.post(
        f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", receive_form(clerk) | {field: value}
    )
    assert response.status_code == 400
    assert response.context["errors"] == {field: message}
    page = response.content.decode()
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in page
    assert "không phải là số nguyên" not in page.replace("số nguyên dương", "")
    assert Dossier.objects.count() == before


def test_a_long_name_pasted_is_quoted_short_and_the_page_keeps_its_width(clerk):
    response = clerk.post(
        f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/",
        receive_form(clerk) | {"applicant_phone": "9" * 5_000},
    )
    assert response.status_code == 400
    message = response.context["errors"]["applicant_phone"]
    assert message == "Điện thoại: tối đa 20 ký tự (đã nhập 5.000 ký tự)."
    assert 'maxlength="300"' in response.content.decode()


def test_a_birth_date_today_and_a_valid_id_are_received(clerk):
    today = timezone.localdate().strftime("%d/%m/%Y")
    data = receive_form(clerk) | {
        "applicant_birth_date": today,
        "applicant_id_number": "006 090 001 234",
        "sets_count": "2",
    }
    response = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data)
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Lò Văn Cường")
    assert dossier.applicant_birth_date == timezone.localdate()
    assert dossier.applicant_id_number == "006090001234"
    assert dossier.sets_count == 2


# -- ids in attributes (issue 10): "1.038" is not 1038 -------------------------------------


def test_the_dossier_page_attaches_a_scan_to_a_component_whose_id_passes_1000(clerk):
    from motcua.dossiers.models import DossierComponent

    dossier = receive_at_counter()
    top = DossierComponent.objects.order_by("-pk").values_list("pk", flat=True).first()
    component = DossierComponent.objects.create(
        pk=max(top + 1, 1038), dossier=dossier, name="Giấy tờ chứng minh nơi cư trú"
    )
    page = clerk.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert f'<option value="{component.pk}">' in page
    assert f"{component.pk:,}".replace(",", ".") not in page.replace(dossier.code, "")
    scan = io.BytesIO(PDF)
    scan.name = "cu-tru.pdf"
    response = clerk.post(
        f"/mot-cua/ho-so/{dossier.code}/dinh-kem/", {"component": str(component.pk), "scan": scan}
    )
    assert response.status_code == 302
    stored = DossierFile.objects.get(dossier=dossier)
    assert stored.component_id == component.pk


def test_an_overlong_reason_or_step_is_refused_naming_the_field_not_cut(clerk, officer):
    dossier = submit_online()
    url = f"/mot-cua/ho-so/{dossier.code}/thao-tac/request_completion/"
    response = clerk.post(url, {"version": str(dossier.version), "reason": "x" * 2001})
    assert response.status_code == 400
    assert response.context["errors"] == {
        "reason": "Lý do: tối đa 2.000 ký tự (đã nhập 2.001 ký tự)."
    }
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED
    received = receive_at_counter()
    url = f"/mot-cua/ho-so/{received.code}/thao-tac/transfer/"
    response = clerk.post(url, {"version": str(received.version), "step": "b" * 201})
    assert response.status_code == 400
    assert response.context["errors"] == {
        "step": "Bước xử lý: tối đa 200 ký tự (đã nhập 201 ký tự)."
    }
    assert Dossier.objects.get(pk=received.pk).version == received.version


def test_a_doubtful_id_number_is_received_with_a_vietnamese_warning(clerk):
    data = receive_form(clerk) | {
        "applicant_id_number": "999190012345",
        "applicant_birth_date": "01/05/1991",
    }
    received = clerk.post(f"/mot-cua/tiep-nhan/{CITY_PROCEDURE}/", data, follow=True)
    assert received.status_code == 200
    warnings = [str(m) for m in received.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        "Số định danh cá nhân: 999 không phải là mã tỉnh nơi đăng ký khai sinh đã biết"
        " (vẫn tiếp nhận: hãy kiểm tra lại số).",
        "Số định danh cá nhân: hai chữ số năm sinh 90 không khớp với năm sinh 1991"
        " (vẫn tiếp nhận: hãy kiểm tra lại).",
    ]


def test_an_electronic_result_is_issued_signed_by_the_official(officer, settings, tmp_path):
    # Issue 14 item 3: the competent official's signature on electronic results.
    import json
    from datetime import UTC, datetime

    from motcua.documents.pdf import Document
    from motcua.lib import uploads
    from motcua.signatures.devca import create_dev_ca
    from motcua.signatures.selectors import verify_pdf

    ca = create_dev_ca(tmp_path / "ca")
    settings.MOTCUA_SIGNERS = json.loads(ca.signers_json)
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(ca.root_pem)]
    settings.MOTCUA_RESULT_SIGNER = "official"
    document = Document(title="Kết quả", created=datetime(2026, 12, 3, tzinfo=UTC))
    document.add_page()
    document.text_line("Quyết định giải quyết thủ tục hành chính.")

    dossier = transfer(receive_at_counter())
    result = io.BytesIO(document.to_bytes())
    result.name = "ket-qua.pdf"
    response = officer.post(
        f"/mot-cua/ho-so/{dossier.code}/thao-tac/approve/",
        {"version": str(dossier.version), "result_form": "electronic", "result_file": result},
    )
    assert response.status_code == 302
    stored = DossierFile.objects.get(dossier=dossier, kind="result")
    with uploads.open_checked(stored.file, stored.sha256) as stream:
        report = verify_pdf(stream.read())
    assert report.ok, report.problems
    assert [check.signer for check in report.signatures] == ["Lãnh đạo (THỬ NGHIỆM)"]

    # A signer that cannot sign: the result is not issued, the approval not taken.
    other = transfer(receive_at_counter())
    settings.MOTCUA_RESULT_SIGNER = "nobody"
    result.seek(0)
    refused = officer.post(
        f"/mot-cua/ho-so/{other.code}/thao-tac/approve/",
        {"version": str(other.version), "result_form": "electronic", "result_file": result},
    )
    assert refused.status_code == 400
    assert "result_file" in refused.context["errors"]
    assert Dossier.objects.get(pk=other.pk).status == Status.IN_PROCESSING

"""The citizen portal through Django's test client: every page, and every kind of bad input
answered on the page with nothing changed."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.services import user_create_or_update
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.choices import Action, ResultForm, ReturnMethod, Status
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.services import Details, dossier_file_attach, dossier_transition
from motcua.feedback.choices import RatingLevel
from motcua.feedback.models import RatingLink
from motcua.feedback.services import rating_link_create
from motcua.portal.models import DossierAccess, TrackingAttempt
from motcua.portal.tests.applicant import APPLICANT_FIELDS
from motcua.portal.tests.conftest import PNG_1PX, small_pdf
from motcua.units.models import Agency

BIRTH = "2.005266"  # Đăng ký khai sinh: commune level, full online, free
NOT_ONLINE = "2.006122"  # Đăng ký khai sinh lưu động: not offered online
DISTRICT = "1.005474"  # district level, competent agency PTP-058 (tier abolished 1/7/2025)

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock")


def version(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.filter(procedure__code=code).order_by("-version").first()


def desk() -> Agency:
    return Agency.objects.get(code="TTPVHCC-01840")


def form_key(client, code: str = BIRTH) -> str:
    page = client.get(reverse("portal:submit", args=[code]))
    assert page.status_code == 200
    return re.search(r'name="submission_key" value="([^"]+)"', page.content.decode()).group(1)


def post_submission(client, key: str, files: dict, **overrides):
    data = {"desk": desk().pk, **APPLICANT_FIELDS, "submission_key": key, **overrides}
    return client.post(reverse("portal:submit", args=[BIRTH]), {**data, **files})


def first_component(code: str = BIRTH) -> str:
    return f"file_{version(code).components.order_by('position').first().pk}"


def submit_ok(client, pdf_upload) -> tuple[Dossier, str]:
    response = post_submission(client, form_key(client), {first_component(): pdf_upload()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    code = re.search(r'id="dossier-code">([^<]+)<', page).group(1)
    secret = re.search(r'id="tracking-secret">([^<]+)<', page).group(1)
    return Dossier.objects.get(code=code), secret


# -- catalogue ---------------------------------------------------------------------------------


def test_the_catalogue_finds_a_procedure_typed_without_diacritics(client, db):
    response = client.get(reverse("portal:catalog"), {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đăng ký khai sinh" in text
    assert f'href="/dich-vu-cong/thu-tuc/{BIRTH}/"' in text
    assert "Đăng ký kết hôn" not in text


def test_the_catalogue_filters_by_level_and_field(client, db):
    response = client.get(
        reverse("portal:catalog"), {"q": "khai sinh", "level": "commune", "field": "HOTICH"}
    )
    text = response.content.decode()
    assert BIRTH in text
    assert DISTRICT not in text  # district level


@pytest.mark.parametrize(
    ("params", "named"), [({"level": "tinh"}, "tinh"), ({"field": "NOPE"}, "NOPE")]
)
def test_the_catalogue_names_a_bad_filter(client, db, params, named):
    response = client.get(reverse("portal:catalog"), params)
    assert response.status_code == 400
    assert f"&#x27;{named}&#x27;" in response.content.decode()
    assert 'id="procedures"' not in response.content.decode()


def test_a_procedure_page_shows_components_fees_limit_level_and_desks(client, db):
    response = client.get(reverse("portal:procedure", args=[BIRTH]))
    assert response.status_code == 200
    text = response.content.decode()
    v = version(BIRTH)
    for component in v.components.all():
        assert component.name in text
    assert f"1 {_('working days')}" in text
    assert str(_("Full-process online")) in text
    assert str(_("Free of charge")) in text
    assert "Trung tâm Phục vụ hành chính công phường Đức Xuân" in text
    assert reverse("portal:submit", args=[BIRTH]) in text


def test_a_procedure_page_shows_fees_in_dong(client, db):
    text = client.get(reverse("portal:procedure", args=[DISTRICT])).content.decode()
    assert "100.000 đ" in text
    assert "Phòng Tư pháp" in text


def test_an_unknown_procedure_answers_404_with_a_message(client, db):
    response = client.get(reverse("portal:procedure", args=["9.999999"]))
    assert response.status_code == 404
    assert "9.999999" in response.content.decode()


def test_a_procedure_not_offered_online_cannot_be_submitted(client, db):
    response = client.get(reverse("portal:submit", args=[NOT_ONLINE]))
    assert response.status_code == 400
    assert str(_("This procedure is not offered online: submit it at the one-stop desk.")) in (
        response.content.decode()
    )


# -- submission ----------------------------------------------------------------------------------


def test_a_submission_creates_a_dossier_with_its_files_and_shows_the_secret_once(
    client, db, media, pdf_upload
):
    dossier, secret = submit_ok(client, pdf_upload)
    assert dossier.status == Status.SUBMITTED
    assert dossier.channel == "online"
    assert dossier.receiving_agency == desk()
    assert dossier.applicant_phone == "0912345678"
    files = list(DossierFile.objects.filter(dossier=dossier))
    assert [(f.kind, f.content_type) for f in files] == [("component", "application/pdf")]
    # Counted as digitised once the worker has made it a signed PDF/A (issue 14).
    assert files[0].component.digitised is False
    assert files[0].digitisation.status == "queued"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", secret)
    access = DossierAccess.objects.get(dossier=dossier)
    assert secret.replace("-", "") not in access.secret_hash
    assert len(access.secret_hash) == 64
    # The page that ended the submission does not show the secret a second time.
    key = access.submission_key
    again = client.get(reverse("portal:submitted", args=[key])).content.decode()
    assert dossier.code in again
    assert secret not in again
    assert 'id="secret-shown"' in again


def test_a_double_submit_creates_one_dossier(client, db, media, pdf_upload):
    key = form_key(client)
    first = post_submission(client, key, {first_component(): pdf_upload()})
    second = post_submission(client, key, {first_component(): pdf_upload()})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 1
    page = client.get(second["Location"]).content.decode()
    assert 'id="tracking-secret"' in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"applicant_name": ""}, "applicant_name"),
        ({"applicant_name": "   "}, "applicant_name"),
        ({"applicant_phone": ""}, "applicant_phone"),
        ({"applicant_phone": "12ab"}, "applicant_phone"),
        ({"applicant_email": "not-an-email"}, "applicant_email"),
        ({"applicant_id_number": "12345"}, "applicant_id_number"),
        ({"desk": "999999"}, "desk"),
        ({"desk": str(Agency.objects.none().count() - 1)}, "desk"),
    ],
)
def test_a_bad_applicant_field_is_named_and_nothing_is_created(
    client, db, media, pdf_upload, overrides, field
):
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, **overrides
    )
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.content.decode()
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert list(media.rglob("*.*")) == []


def test_a_desk_of_another_level_is_refused(client, db, media, pdf_upload):
    other = Agency.objects.get(code="BPMC-058")  # the city's desk, closed on 30/06/2025
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, desk=str(other.pk)
    )
    assert response.status_code == 400
    assert 'id="desk-errors"' in response.content.decode()
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message_part"),
    [
        (b"just text pretending", "PDF, JPEG"),
        (b"%PDF-1.7 but no trailer", "PDF, JPEG"),
        (b"", None),
    ],
)
def test_a_disguised_or_empty_file_refuses_the_whole_submission(
    client, db, media, pdf_upload, data, message_part
):
    components = list(version(BIRTH).components.order_by("position"))
    assert len(components) >= 2
    files = {
        f"file_{components[0].pk}": pdf_upload(),
        f"file_{components[1].pk}": SimpleUploadedFile("giay-chung-sinh.pdf", data),
    }
    response = post_submission(client, form_key(client), files)
    assert response.status_code == 400
    text = response.content.decode()
    assert str(_("Nothing was submitted. Correct what is marked and send again.")) in text
    if message_part:
        assert "giay-chung-sinh.pdf" in text
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert DossierAccess.objects.count() == 0
    # The good file stored before the bad one was read is removed with the rollback.
    assert list(media.rglob("*.*")) == []


def test_an_oversized_file_refuses_the_submission(client, db, media, settings):
    settings.MOTCUA_DOSSIERS = {**settings.MOTCUA_DOSSIERS, "UPLOAD_MAX_BYTES": 1000}
    big = small_pdf("x" * 50) + b"%" * 2000 + b"\n%%EOF\n"
    response = post_submission(
        client, form_key(client), {first_component(): SimpleUploadedFile("lon.pdf", big)}
    )
    assert response.status_code == 400
    assert "1.000" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_submission_without_any_file_is_refused(client, db, media):
    response = post_submission(client, form_key(client), {})
    assert response.status_code == 400
    assert str(_("Attach at least one component file.")) in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_png_is_accepted(client, db, media):
    response = post_submission(
        client, form_key(client), {first_component(): SimpleUploadedFile("anh.png", PNG_1PX)}
    )
    assert response.status_code == 302
    assert DossierFile.objects.get().content_type == "image/png"


def test_a_forged_or_missing_form_key_is_refused(client, db, media, pdf_upload):
    response = post_submission(client, "short", {first_component(): pdf_upload()})
    assert response.status_code == 400
    assert str(_("The form has expired: open it again.")) in response.content.decode()
    assert Dossier.objects.count() == 0


def test_the_end_page_of_an_unknown_submission_is_404(client, db):
    response = client.get(reverse("portal:submitted", args=["x" * 32]))
    assert response.status_code == 404


# -- tracking --------------------------------------------------------------------------------------


def test_tracking_with_the_secret_shows_status_moments_and_timeline(client, db, media, pdf_upload):
    dossier, secret = submit_ok(client, pdf_upload)
    other = client.__class__()  # another browser: only the code and the secret
    response = other.post(
        reverse("portal:track"), {"code": dossier.code.lower(), "secret": secret.lower()}
    )
    assert response.status_code == 302
    page = other.get(response["Location"])
    text = page.content.decode()
    assert str(_("Submitted online")) in text
    assert dossier.code in text
    assert 'id="timeline"' in text
    assert "Nguyễn Văn An" not in text.split('id="timeline"')[1]  # no names in the history


def test_tracking_with_the_phone_number(client, db, media, pdf_upload):
    dossier, _secret = submit_ok(client, pdf_upload)
    other = client.__class__()
    response = other.post(reverse("portal:track"), {"code": dossier.code, "phone": "0912.345.678"})
    assert response.status_code == 302


def test_an_unknown_code_and_a_wrong_secret_give_the_same_answer(client, db, media, pdf_upload):
    dossier, _secret = submit_ok(client, pdf_upload)
    before = Dossier.objects.get(pk=dossier.pk).version
    unknown = client.post(
        reverse("portal:track"), {"code": "000.40.19.H55-261124-9999", "secret": "AAAA-BBBB-CCCC"}
    )
    wrong = client.post(reverse("portal:track"), {"code": dossier.code, "secret": "AAAA-BBBB-CCCC"})
    wrong_phone = client.post(
        reverse("portal:track"), {"code": dossier.code, "phone": "0987654321"}
    )
    assert unknown.status_code == wrong.status_code == wrong_phone.status_code == 400
    message = str(
        _(
            "No dossier matches this code and secret or phone number. "
            "Check what you typed against your receipt."
        )
    )
    for response in (unknown, wrong, wrong_phone):
        assert message in response.content.decode()
        assert str(_("Submitted online")) not in response.content.decode()
    assert TrackingAttempt.objects.count() == 3
    assert Dossier.objects.get(pk=dossier.pk).version == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "", "secret": "X"}, "code"),
        ({"code": "ABC"}, "secret"),
        ({"code": "ABC", "phone": "12ab"}, "phone"),
    ],
)
def test_tracking_names_an_empty_or_malformed_field(client, db, data, field):
    response = client.post(reverse("portal:track"), data)
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.content.decode()
    assert TrackingAttempt.objects.count() == 0


def test_too_many_attempts_for_a_code_are_refused_even_with_the_right_secret(
    client, db, media, pdf_upload, settings
):
    settings.MOTCUA_PORTAL = {"TRACK_MAX_PER_CODE": 3, "TRACK_MAX_PER_IP": 100}
    dossier, secret = submit_ok(client, pdf_upload)
    for _n in range(3):
        assert (
            client.post(
                reverse("portal:track"), {"code": dossier.code, "secret": "ZZZZ"}
            ).status_code
            == 400
        )
    limited = client.post(reverse("portal:track"), {"code": dossier.code, "secret": secret})
    assert limited.status_code == 429
    text = limited.content.decode()
    assert (
        str(
            _("Too many unsuccessful attempts. Please try again in %(minutes)s minutes.")
            % {"minutes": 15}
        )
        in text
    )
    assert str(_("Submitted online")) not in text


def test_too_many_attempts_from_one_address_are_refused(client, db, settings):
    settings.MOTCUA_PORTAL = {"TRACK_MAX_PER_CODE": 100, "TRACK_MAX_PER_IP": 2}
    for n in range(2):
        client.post(reverse("portal:track"), {"code": f"CODE-{n}", "secret": "ZZZZ"})
    assert (
        client.post(reverse("portal:track"), {"code": "CODE-9", "secret": "ZZZZ"}).status_code
        == 429
    )
    # Another address is not limited.
    other = client.post(
        reverse("portal:track"), {"code": "CODE-9", "secret": "ZZZZ"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 400


def test_a_dossier_page_needs_tracking_first(client, db, media, pdf_upload):
    dossier, _secret = submit_ok(client, pdf_upload)
    other = client.__class__()
    response = other.get(reverse("portal:dossier", args=[dossier.code]))
    assert response.status_code == 302
    assert response["Location"] == f"/dich-vu-cong/tra-cuu/?code={dossier.code}"


# -- result and rating -----------------------------------------------------------------------------


def _staff():
    return user_create_or_update(
        username="portal.admin", full_name="Cán bộ Thử", password="x", is_superuser=True
    )


def resolve_and_return(dossier: Dossier) -> Dossier:
    staff = _staff()
    for action, details in [
        (Action.RECEIVE, Details()),
        (Action.TRANSFER, Details(to_agency=Agency.objects.get(code="UBND-01840-2025"))),
        (Action.APPROVE, Details(result_form=ResultForm.ELECTRONIC, result_digitised=True)),
    ]:
        dossier_transition(dossier_id=dossier.pk, action=action, actor=staff, details=details)
    dossier_file_attach(
        dossier_id=dossier.pk,
        upload=BytesIO(small_pdf("Giấy khai sinh")),
        name="giay-khai-sinh.pdf",
        kind="result",
        actor=staff,
    )
    dossier_transition(
        dossier_id=dossier.pk,
        action=Action.RETURN_RESULT,
        actor=staff,
        details=Details(return_method=ReturnMethod.ONLINE),
    )
    return Dossier.objects.get(pk=dossier.pk)


def test_the_result_downloads_after_tracking_and_only_then(client, db, media, pdf_upload):
    dossier, secret = submit_ok(client, pdf_upload)
    resolve_and_return(dossier)
    result = DossierFile.objects.get(dossier=dossier, kind="result")
    url = reverse("portal:result", args=[dossier.code, result.pk])
    stranger = client.__class__()
    assert stranger.get(url).status_code == 404
    client.post(reverse("portal:track"), {"code": dossier.code, "secret": secret})
    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    assert str(_("Result returned")) in page
    assert url in page
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    component = DossierFile.objects.get(dossier=dossier, kind="component")
    assert (
        client.get(reverse("portal:result", args=[dossier.code, component.pk])).status_code == 404
    )


def test_a_rating_link_rates_once(client, db, media, pdf_upload):
    dossier, _secret = submit_ok(client, pdf_upload)
    resolve_and_return(dossier)
    path = rating_link_create(dossier_id=dossier.pk)
    assert path.startswith("/dich-vu-cong/danh-gia/")
    page = client.get(path)
    assert page.status_code == 200
    assert 'id="rating"' in page.content.decode()
    empty = client.post(path, {})
    assert empty.status_code == 400
    assert 'id="rating-errors"' in empty.content.decode()
    bad = client.post(path, {"rating": "wonderful"})
    assert bad.status_code == 400
    done = client.post(path, {"rating": RatingLevel.VERY_SATISFIED, "comment": "Nhanh, gọn."})
    assert done.status_code == 200
    assert 'id="thanks"' in done.content.decode()
    event = DossierEvent.objects.get(dossier=dossier, action=Action.RATE)
    assert event.data["rating"] == RatingLevel.VERY_SATISFIED
    assert event.reason == "Nhanh, gọn."
    # The one used (the result e-mail carries a link of its own).
    assert RatingLink.objects.filter(used_at__isnull=False).count() == 1
    # A second use: already used, nothing recorded.
    again = client.post(path, {"rating": RatingLevel.NOT_SATISFIED})
    assert 'id="used"' in again.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.RATE).count() == 1
    # Another link for the same dossier: already rated.
    second = rating_link_create(dossier_id=dossier.pk)
    refused = client.post(second, {"rating": RatingLevel.SATISFIED})
    assert str(_("This dossier has already been rated. Thank you.")) in refused.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.RATE).count() == 1


def test_a_rating_before_the_result_is_refused_with_nothing_changed(client, db, media, pdf_upload):
    dossier, _secret = submit_ok(client, pdf_upload)
    path = rating_link_create(dossier_id=dossier.pk)
    response = client.post(path, {"rating": RatingLevel.SATISFIED})
    assert response.status_code == 400
    assert str(_("The dossier can be rated once its result is ready.")) in response.content.decode()
    assert RatingLink.objects.get().used_at is None
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_an_unknown_rating_link_is_404(client, db):
    response = client.get(reverse("portal:rate", args=["nope"]))
    assert response.status_code == 404
    assert str(_("This rating link is not valid.")) in response.content.decode()


def test_nothing_here_needs_a_sign_in(client, db):
    for url in (
        reverse("portal:catalog"),
        reverse("portal:track"),
        reverse("portal:procedure", args=[BIRTH]),
    ):
        assert client.get(url).status_code == 200
    assert timezone.now()  # the pages read the catalogue in force today


# -- bad input (issue 10 item 8): the counter's checks and messages ---------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"applicant_name": "A" * 10_000},
            "applicant_name",
            "Họ và tên: tối đa 300 ký tự (đã nhập 10.000 ký tự).",
        ),
        (
            {"applicant_phone": "abc"},
            "applicant_phone",
            "Số điện thoại: “abc” không phải là số điện thoại Việt Nam"
            " (10 chữ số bắt đầu bằng 0, hoặc +84).",
        ),
        (
            {"applicant_id_number": "12345"},
            "applicant_id_number",
            "Số định danh cá nhân: “12345” không phải là dãy 12 chữ số.",
        ),
        (
            {"applicant_address": "x" * 501},
            "applicant_address",
            "Địa chỉ: tối đa 500 ký tự (đã nhập 501 ký tự).",
        ),
        ({"applicant_phone": ""}, "applicant_phone", "Số điện thoại: bắt buộc phải nhập."),
    ],
)
def test_bad_applicant_data_gets_the_counters_vietnamese_message(
    client, db, media, pdf_upload, overrides, field, message
):
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, **overrides
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Dossier.objects.count() == 0
    assert list(media.rglob("*.*")) == []


def test_the_portal_and_the_counter_share_one_phone_and_id_rule():
    from motcua.backoffice.forms import ReceiveForm
    from motcua.portal.forms import SubmissionForm

    portal = SubmissionForm.base_fields
    counter = ReceiveForm.base_fields
    for name in ("applicant_phone", "applicant_id_number", "applicant_email"):
        assert type(portal[name]) is type(counter[name])
        assert type(portal[name]).__module__ == "motcua.lib.validators"


def test_file_inputs_are_named_by_the_plain_component_id(client, db):
    """1.000608 has components 1038–1040 in the demo catalogue: "file_1.038" was unreadable."""
    from motcua.portal.tests.test_component_ids_browser import (
        procedure_with_large_component_ids,
    )

    version_ = procedure_with_large_component_ids()
    page = client.get(reverse("portal:submit", args=[version_.procedure.code])).content.decode()
    big = [c.pk for c in version_.components.all()]
    assert big
    assert min(big) >= 1000
    for pk in big:
        assert f'name="file_{pk}"' in page
    assert not re.search(r'name="file_\d+\.\d+', page)


def test_tracking_refuses_an_overlong_code_naming_the_field(client, db):
    response = client.post(reverse("portal:track"), {"code": "X" * 100, "secret": "ABCD"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "Mã hồ sơ: tối đa 40 ký tự (đã nhập 100 ký tự)."
    ]
    assert not TrackingAttempt.objects.exists()


def test_a_doubtful_id_number_is_accepted_with_a_vietnamese_warning(client, db, media, pdf_upload):
    response = post_submission(
        client,
        form_key(client),
        {first_component(): pdf_upload()},
        applicant_id_number="999190012345",
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert (
        "Số định danh cá nhân: 999 không phải là mã tỉnh nơi đăng ký khai sinh đã biết"
        " (vẫn tiếp nhận: hãy kiểm tra lại số)."
    ) in page

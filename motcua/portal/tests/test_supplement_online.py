"""The supplement an officer asks for, sent by the citizen from the tracking page, and the
one-time rating offered there once the result is out (issue 13 item 3)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.digitise.models import Digitisation
from motcua.dossiers.choices import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile, Pause
from motcua.dossiers.services import Details, dossier_transition
from motcua.feedback.choices import RatingLevel
from motcua.feedback.models import Rating, RatingLink
from motcua.feedback.services import rating_link_create
from motcua.portal.tests.conftest import PNG_1PX, small_pdf
from motcua.portal.tests.test_views import _staff, resolve_and_return, submit_ok
from motcua.units.models import Agency

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock")

ASKED = "Thiếu bản sao giấy chứng sinh có chứng thực."


def awaiting_supplement(dossier: Dossier) -> Dossier:
    """Received, transferred, then the officer asks for a supplement: the clock stops."""
    staff = _staff()
    for action, details, reason in [
        (Action.RECEIVE, Details(), ""),
        (Action.TRANSFER, Details(to_agency=Agency.objects.get(code="UBND-01840-2025")), ""),
        (Action.REQUEST_SUPPLEMENT, Details(), ASKED),
    ]:
        dossier_transition(
            dossier_id=dossier.pk, action=action, actor=staff, details=details, reason=reason
        )
    return Dossier.objects.get(pk=dossier.pk)


def tracked(client, pdf_upload) -> Dossier:
    """A dossier submitted from ``client``'s browser and tracked there with its secret."""
    dossier, secret = submit_ok(client, pdf_upload)
    response = client.post(reverse("portal:track"), {"code": dossier.code, "secret": secret})
    assert response.status_code == 302
    return dossier


def component_field(dossier: Dossier) -> str:
    return f"file_{dossier.components.order_by('id').first().pk}"


def pdf(name: str = "giay-chung-sinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, small_pdf("Giấy chứng sinh"), content_type="application/pdf")


def post_supplement(client, dossier: Dossier, files: dict, version: int | None = None):
    data = {"version": dossier.version if version is None else version, **files}
    return client.post(reverse("portal:supplement", args=[dossier.code]), data)


def scans(dossier: Dossier) -> int:
    return DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.COMPONENT).count()


def test_the_tracking_page_shows_what_was_asked_and_the_supplement_form(
    client, db, media, pdf_upload
):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    assert 'id="supplement"' in page
    assert re.search(r'id="supplement-note"[^>]*>\s*' + re.escape(ASKED), page)
    assert f'name="{component_field(dossier)}"' in page
    assert f'name="version" value="{dossier.version}"' in page
    assert 'id="rating"' not in page  # no result yet
    assert "Gửi hồ sơ bổ sung" in page  # in Vietnamese
    assert "cán bộ đã yêu cầu bạn bổ sung hồ sơ" in page


def test_a_supplement_resumes_processing_closes_the_pause_and_queues_digitisation(
    client, db, media, pdf_upload
):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    before = scans(dossier)
    response = post_supplement(client, dossier, {component_field(dossier): pdf()})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dossier", args=[dossier.code])
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.status == Status.IN_PROCESSING
    assert after.paused_since is None
    assert after.version == dossier.version + 1
    pause = Pause.objects.get(dossier=dossier)
    assert pause.ended_at is not None
    assert pause.note == ASKED
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event.action == Action.SUPPLEMENT
    assert event.actor is None  # the applicant's own action
    assert event.at == pause.ended_at  # the clock resumed at the supplement's moment
    assert scans(dossier) == before + 1
    new = DossierFile.objects.get(dossier=dossier, original_name="giay-chung-sinh.pdf")
    assert new.component_id == dossier.components.order_by("id").first().pk
    assert Digitisation.objects.filter(file=new).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'id="done"' in page
    assert 'id="supplement"' not in page


def test_a_png_for_the_supplement_is_accepted(client, db, media, pdf_upload):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    png = SimpleUploadedFile("anh.png", PNG_1PX, content_type="image/png")
    assert post_supplement(client, dossier, {component_field(dossier): png}).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING


def test_a_supplement_for_a_dossier_not_awaiting_one_is_refused(client, db, media, pdf_upload):
    dossier = tracked(client, pdf_upload)
    before = scans(dossier)
    response = post_supplement(client, dossier, {component_field(dossier): pdf()})
    assert response.status_code == 409
    assert str(_("This dossier is not awaiting a supplement: nothing was sent.")) in (
        response.content.decode()
    )
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.status, after.version) == (Status.SUBMITTED, dossier.version)
    assert scans(dossier) == before


def test_a_second_supplement_is_refused(client, db, media, pdf_upload):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    assert post_supplement(client, dossier, {component_field(dossier): pdf()}).status_code == 302
    again = post_supplement(client, dossier, {component_field(dossier): pdf("lan-2.pdf")})
    assert again.status_code == 409
    assert not DossierFile.objects.filter(dossier=dossier, original_name="lan-2.pdf").exists()
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.SUPPLEMENT).count() == 1


def test_a_stale_version_is_refused_with_nothing_changed(client, db, media, pdf_upload):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    shown = dossier.version
    # Meanwhile the officer receives the supplement at the desk and asks for another one.
    staff = _staff()
    dossier_transition(dossier_id=dossier.pk, action=Action.SUPPLEMENT, actor=staff)
    dossier_transition(
        dossier_id=dossier.pk, action=Action.REQUEST_SUPPLEMENT, actor=staff, reason="Thêm nữa."
    )
    current = Dossier.objects.get(pk=dossier.pk)
    before = scans(dossier)
    response = post_supplement(client, dossier, {component_field(dossier): pdf()}, version=shown)
    assert response.status_code == 409
    assert 'id="problem"' in response.content.decode()
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.status, after.version) == (Status.AWAITING_SUPPLEMENT, current.version)
    assert after.paused_since is not None
    assert scans(dossier) == before
    # The page shown again carries the new version and the new request.
    assert f'name="version" value="{current.version}"' in response.content.decode()


def test_a_supplement_without_tracking_is_forbidden(client, db, media, pdf_upload):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    stranger = client.__class__()
    response = post_supplement(stranger, dossier, {component_field(dossier): pdf()})
    assert response.status_code == 403
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.status, after.version) == (Status.AWAITING_SUPPLEMENT, dossier.version)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("gia.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        SimpleUploadedFile("rong.pdf", b"", content_type="application/pdf"),
    ],
    ids=["disguised", "empty"],
)
def test_a_bad_file_is_named_and_nothing_changes(client, db, media, pdf_upload, upload):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    before = scans(dossier)
    field = component_field(dossier)
    response = post_supplement(client, dossier, {field: upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="{field}-errors"' in text
    assert upload.name in text.split(f'id="{field}-errors"')[1]
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.status, after.version) == (Status.AWAITING_SUPPLEMENT, dossier.version)
    assert scans(dossier) == before


def test_no_file_or_a_bad_version_is_refused(client, db, media, pdf_upload):
    dossier = awaiting_supplement(tracked(client, pdf_upload))
    empty = post_supplement(client, dossier, {})
    assert empty.status_code == 400
    assert str(_("Attach at least one file for a missing component.")) in empty.content.decode()
    forged = client.post(
        reverse("portal:supplement", args=[dossier.code]),
        {"version": "1.038", component_field(dossier): pdf()},
    )
    assert forged.status_code == 400
    assert 'id="supplement-problem"' in forged.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_the_tracking_page_rates_once(client, db, media, pdf_upload):
    dossier = tracked(client, pdf_upload)
    resolve_and_return(dossier)
    link = rating_link_create(dossier_id=dossier.pk)
    url = reverse("portal:dossier", args=[dossier.code])
    assert 'id="rating"' in client.get(url).content.decode()
    rate = reverse("portal:track_rate", args=[dossier.code])
    bad = client.post(rate, {"rating": "wonderful"})
    assert bad.status_code == 400
    assert 'id="rating-errors"' in bad.content.decode()
    assert not Rating.objects.filter(dossier=dossier).exists()
    done = client.post(rate, {"rating": RatingLevel.SATISFIED, "comment": "Đúng hẹn."})
    assert done.status_code == 302
    rating = Rating.objects.get(dossier=dossier)
    assert (rating.level, rating.comment) == (RatingLevel.SATISFIED, "Đúng hẹn.")
    page = client.get(url).content.decode()
    assert 'id="done"' in page
    assert 'id="rating"' not in page
    # The e-mail's link is used up with it.
    assert not RatingLink.objects.filter(dossier=dossier, used_at__isnull=True).exists()
    assert 'id="used"' in client.get(link).content.decode()
    again = client.post(rate, {"rating": RatingLevel.NOT_SATISFIED})
    assert again.status_code == 409
    assert str(_("This dossier has already been rated. Thank you.")) in again.content.decode()
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.RATE).count() == 1
    assert Rating.objects.get(dossier=dossier).level == RatingLevel.SATISFIED


def test_rating_from_the_tracking_page_needs_tracking_and_a_result(client, db, media, pdf_upload):
    dossier = tracked(client, pdf_upload)
    rate = reverse("portal:track_rate", args=[dossier.code])
    early = client.post(rate, {"rating": RatingLevel.SATISFIED})
    assert early.status_code == 400
    assert str(_("The dossier can be rated once its result is ready.")) in (early.content.decode())
    resolve_and_return(dossier)
    stranger = client.__class__()
    assert stranger.post(rate, {"rating": RatingLevel.SATISFIED}).status_code == 403
    assert not Rating.objects.filter(dossier=dossier).exists()

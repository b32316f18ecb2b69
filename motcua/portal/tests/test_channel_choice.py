"""The applicant's choice of notification channels on the submission form (issue 13 item 5):
recorded with the submission, before the receipt's message is written, and refused by name
(nothing created) when it cannot be honoured."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.notify.models import NotificationPreference
from motcua.portal.tests.test_views import BIRTH, first_component, form_key, post_submission

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock", "media")


def test_the_form_offers_the_three_channels_all_ticked(client, db):
    text = client.get(reverse("portal:submit", args=[BIRTH])).content.decode()
    for value in ("sms", "zalo", "email"):
        box = re.search(rf'<input[^>]*name="channels"[^>]*value="{value}"[^>]*>', text)
        assert box is not None
        assert "checked" in box.group(0)


def test_the_chosen_channels_are_recorded_for_the_phone_and_the_email(client, db, pdf_upload):
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, channels=["sms"]
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    keys = dict(NotificationPreference.objects.values_list("key", "channels"))
    assert keys == {"phone:84912345678": ["sms"], "email:an@example.org": ["sms"]}


def test_email_ticked_without_an_address_is_dropped_from_the_choice(client, db, pdf_upload):
    response = post_submission(
        client,
        form_key(client),
        {first_component(): pdf_upload()},
        channels=["zalo", "email"],
        applicant_email="",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    keys = dict(NotificationPreference.objects.values_list("key", "channels"))
    assert keys == {"phone:84912345678": ["zalo"]}


def test_a_landline_keeps_only_the_email(client, db, pdf_upload):
    response = post_submission(
        client,
        form_key(client),
        {first_component(): pdf_upload()},
        applicant_phone="0209 3870 123",
        channels=["sms", "zalo", "email"],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    keys = dict(NotificationPreference.objects.values_list("key", "channels"))
    assert keys == {"email:an@example.org": ["email"]}


def test_no_channel_ticked_records_no_choice(client, db, pdf_upload):
    response = post_submission(client, form_key(client), {first_component(): pdf_upload()})
    assert response.status_code == 302
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"channels": ["email"], "applicant_email": ""},
            "E-mail needs an e-mail address: enter one or tick SMS or Zalo.",
        ),
        ({"channels": ["fax"]}, "Choose among SMS, Zalo and e-mail."),
    ],
)
def test_a_choice_that_cannot_be_honoured_is_refused_with_nothing_created(
    client, db, pdf_upload, overrides, message
):
    before = Dossier.objects.count()
    response = post_submission(
        client, form_key(client), {first_component(): pdf_upload()}, **overrides
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="channels-errors"' in text
    assert escape(_(message)) in text
    assert Dossier.objects.count() == before
    assert not NotificationPreference.objects.exists()

"""The applicant's choice of notification channels at the counter (issue 13 item 5): recorded
with the reception, the channels their contact cannot receive dropped, and a choice that
cannot be honoured refused next to the field with nothing received."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.eforms.tests.test_eforms import (  # noqa: F401 (fixtures)
    RECEIVE_URL,
    clerk,
    copy_form,
    counter_post,
    world,
)
from motcua.notify.models import NotificationPreference

NAME = "Nguyễn Thị Hằng"  # counter_post's applicant


def received() -> bool:
    return Dossier.objects.filter(applicant_name=NAME).exists()


def test_the_page_offers_the_three_channels_ticked(clerk):  # noqa: F811
    page = clerk.get(RECEIVE_URL).content.decode()
    for value in ("sms", "zalo", "email"):
        assert f'name="channels" value="{value}" checked' in page


def test_the_choice_is_recorded_with_the_reception(clerk):  # noqa: F811
    data = counter_post(copy_form()) | {"applicant_email": "hang@example.org"}
    response = clerk.post(RECEIVE_URL, data | {"channels": ["zalo", "email"]})
    assert response.status_code == 302
    assert received()
    keys = dict(NotificationPreference.objects.values_list("key", "channels"))
    assert keys == {
        "phone:84912345678": ["zalo", "email"],
        "email:hang@example.org": ["zalo", "email"],
    }
    # The dossier page tells the officer what the applicant chose.
    page = clerk.get(response["Location"]).content.decode()
    assert f'id="told-by">{_("E-mail")}, Zalo<' in page


def test_channels_the_contact_cannot_receive_are_dropped(clerk):  # noqa: F811
    data = counter_post(copy_form()) | {"channels": ["sms", "zalo", "email"]}
    assert clerk.post(RECEIVE_URL, data).status_code == 302
    keys = dict(NotificationPreference.objects.values_list("key", "channels"))
    assert keys == {"phone:84912345678": ["sms", "zalo"]}


def test_without_a_contact_nothing_is_recorded(clerk):  # noqa: F811
    data = counter_post(copy_form()) | {"applicant_phone": "", "channels": ["sms", "email"]}
    response = clerk.post(RECEIVE_URL, data)
    assert response.status_code == 302
    assert received()
    assert not NotificationPreference.objects.exists()
    page = clerk.get(response["Location"]).content.decode()
    assert f'id="told-by">{_("No choice: every channel the desk uses")}<' in page


def test_a_landline_takes_no_sms_or_zalo_and_the_reception_goes_on(clerk):  # noqa: F811
    data = counter_post(copy_form()) | {
        "applicant_phone": "0209 3870 123",
        "applicant_email": "hang@example.org",
        "channels": ["sms", "zalo", "email"],
    }
    assert clerk.post(RECEIVE_URL, data).status_code == 302
    assert received()
    keys = dict(NotificationPreference.objects.values_list("key", "channels"))
    assert keys == {"email:hang@example.org": ["email"]}


def test_an_unknown_channel_receives_nothing(clerk):  # noqa: F811
    response = clerk.post(RECEIVE_URL, counter_post(copy_form()) | {"channels": ["fax"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="channels-error"' in page
    assert escape(_("Choose among SMS, Zalo and e-mail.")) in page
    assert not received()
    assert not NotificationPreference.objects.exists()


def test_a_choice_the_contact_cannot_receive_at_all_is_refused(clerk):  # noqa: F811
    # Recorded as no choice, every channel of the desk would apply: SMS and Zalo would go to
    # an applicant who ticked e-mail only (found in the walk-through of 04/12/2026).
    for channels, phone, message in (
        (["email"], "0912345678", "E-mail needs an e-mail address: enter one or tick SMS or Zalo."),
        (
            ["sms", "zalo"],
            "0209 3870 123",
            "SMS and Zalo need a mobile number: enter one or tick e-mail.",
        ),
    ):
        data = counter_post(copy_form()) | {"applicant_phone": phone, "channels": channels}
        response = clerk.post(RECEIVE_URL, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="channels-error"' in page
        assert escape(_(message)) in page
        assert not received()
        assert not NotificationPreference.objects.exists()

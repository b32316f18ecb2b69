"""The portal's rate limits (issue 16 item 2, docs/limits.md): anonymous submissions per
address and per phone, tracking attempts per code *and* address and per address. Refusals
answer 429 with ``Retry-After`` and a Vietnamese message, and create nothing; guessing
someone's code from one place never locks its owner out elsewhere.

Before issue 16: 60 submissions from one address were all accepted, five wrong secrets for a
code locked its owner out everywhere, and parallel guesses were all checked.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.accounts import ratelimit
from motcua.accounts.models import RateCounter
from motcua.dossiers.models import Dossier, DossierFile
from motcua.portal.tests.test_views import first_component, form_key, post_submission, submit_ok

pytestmark = pytest.mark.usefixtures("bac_kan_world", "working_clock")

GUESSER = "203.0.113.66"
OWNER = "198.51.100.7"


def said_minutes(response) -> int:
    """The wait the page states: "… thử lại sau N phút …"."""
    return int(re.search(r"thử lại sau (\d+) phút", response.content.decode()).group(1))


def phone(n: int) -> str:
    return f"0912{n:06d}"


def submit_from(address: str, applicant_phone: str, pdf_upload) -> object:
    client = Client(REMOTE_ADDR=address)
    return post_submission(
        client,
        form_key(client),
        {first_component(): pdf_upload()},
        applicant_phone=applicant_phone,
    )


def test_sixty_submissions_from_one_address_accept_the_first_five(db, media, pdf_upload):
    limit = settings.MOTCUA_PORTAL["SUBMIT_MAX_PER_IP"]
    assert limit == 5
    answers = [submit_from(GUESSER, phone(n), pdf_upload) for n in range(60)]
    assert [a.status_code for a in answers[:limit]] == [302] * limit
    refused = answers[limit:]
    assert {a.status_code for a in refused} == {429}
    for answer in refused:
        assert 0 < int(answer["Retry-After"]) <= 10 * 60
    text = refused[-1].content.decode()
    assert "Đã có quá nhiều hồ sơ nộp từ địa chỉ mạng này." in text
    assert said_minutes(refused[-1]) == math.ceil(int(refused[-1]["Retry-After"]) / 60)
    # Nothing to correct: only to wait.
    assert "Hồ sơ chưa được nộp." in text
    assert "Vui lòng sửa các mục" not in text
    assert Dossier.objects.count() == limit
    assert DossierFile.objects.count() == limit
    assert sum(1 for _f in media.rglob("*") if _f.is_file()) == limit
    # Another address is not concerned.
    assert submit_from(OWNER, phone(99), pdf_upload).status_code == 302


def test_one_phone_from_many_addresses_is_limited_too(db, media, pdf_upload):
    limit = settings.MOTCUA_PORTAL["SUBMIT_MAX_PER_PHONE"]
    # The same phone written three ways is one phone.
    written = ["0912 345 678", "+84 912 345 678", "0912.345.678", "0912345678", "+84912345678"]
    answers = [submit_from(f"10.0.1.{n}", written[n], pdf_upload) for n in range(5)]
    assert [a.status_code for a in answers] == [302] * limit + [429] * (5 - limit)
    assert "Đã có quá nhiều hồ sơ nộp với số điện thoại này" in answers[-1].content.decode()
    assert 10 * 60 < int(answers[-1]["Retry-After"]) <= 60 * 60  # the phone's window, an hour
    assert Dossier.objects.count() == limit


def test_refused_and_repeated_submissions_do_not_count(db, media, pdf_upload, settings):
    settings.MOTCUA_PORTAL = {**settings.MOTCUA_PORTAL, "SUBMIT_MAX_PER_IP": 2}
    client = Client(REMOTE_ADDR=GUESSER)
    for _n in range(4):  # no file: refused by the service, nothing created
        assert post_submission(client, form_key(client), {}).status_code == 400
    key = form_key(client)
    files = {first_component(): pdf_upload()}
    assert post_submission(client, key, files).status_code == 302
    # A double click is the same submission.
    assert post_submission(client, key, {first_component(): pdf_upload()}).status_code == 302
    assert submit_from(GUESSER, phone(2), pdf_upload).status_code == 302
    assert submit_from(GUESSER, phone(3), pdf_upload).status_code == 429
    assert Dossier.objects.count() == 2


def test_the_desks_own_network_is_not_limited_per_address(db, media, pdf_upload, settings):
    settings.MOTCUA_PORTAL = {
        **settings.MOTCUA_PORTAL,
        "SUBMIT_MAX_PER_IP": 1,
        "EXEMPT_NETWORKS": ["10.20.0.0/16"],
    }
    for n in range(3):
        assert submit_from("10.20.3.4", phone(n), pdf_upload).status_code == 302
    assert submit_from("10.21.0.1", phone(10), pdf_upload).status_code == 302
    assert submit_from("10.21.0.1", phone(11), pdf_upload).status_code == 429


# -- tracking --------------------------------------------------------------------------------


def track(address: str, code: str, **proof: str):
    return Client(REMOTE_ADDR=address).post(reverse("portal:track"), {"code": code, **proof})


def test_wrong_guesses_never_lock_the_owner_out_elsewhere(db, media, pdf_upload):
    """Issue 16: five wrong secrets for someone's code from one address, then the owner at
    another address tracks with the secret and with the phone; the guesser stays refused,
    even with the right secret (nothing is checked past the limit)."""
    dossier, secret = submit_ok(Client(REMOTE_ADDR=OWNER), pdf_upload)
    for _n in range(5):
        assert track(GUESSER, dossier.code, secret="AAAA-BBBB-CCCC").status_code == 400
    refused = track(GUESSER, dossier.code, secret=secret)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert said_minutes(refused) == math.ceil(int(refused["Retry-After"]) / 60)
    assert track(OWNER, dossier.code, secret=secret).status_code == 302
    assert track(OWNER, dossier.code, phone="0912 345 678").status_code == 302
    assert track("192.0.2.1", dossier.code, secret=secret).status_code == 302


def test_a_right_secret_does_not_count_against_the_address(db, media, pdf_upload, settings):
    settings.MOTCUA_PORTAL = {**settings.MOTCUA_PORTAL, "TRACK_MAX_PER_IP": 3}
    dossier, secret = submit_ok(Client(REMOTE_ADDR=OWNER), pdf_upload)
    for _n in range(10):
        assert track(OWNER, dossier.code, secret=secret).status_code == 302


def test_tracking_counters_expire_and_the_cleanup_removes_them(db, media, pdf_upload):
    dossier, secret = submit_ok(Client(REMOTE_ADDR=OWNER), pdf_upload)
    for _n in range(5):
        track(GUESSER, dossier.code, secret="AAAA-BBBB-CCCC")
    assert track(GUESSER, dossier.code, secret=secret).status_code == 429
    later = timezone.now() + timedelta(minutes=15, seconds=1)
    # The submission's counters expire too (10 minutes, one hour): all four are cleaned.
    assert ratelimit.cleanup(now=later) == 3
    assert ratelimit.cleanup(now=later + timedelta(hours=1)) == 1
    assert not RateCounter.objects.exists()
    assert track(GUESSER, dossier.code, secret=secret).status_code == 302


def test_an_expired_window_starts_again_without_the_cleanup(db, media, pdf_upload, monkeypatch):
    dossier, secret = submit_ok(Client(REMOTE_ADDR=OWNER), pdf_upload)
    for _n in range(5):
        track(GUESSER, dossier.code, secret="AAAA-BBBB-CCCC")
    assert track(GUESSER, dossier.code, secret=secret).status_code == 429
    now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: now() + timedelta(minutes=16))
    assert track(GUESSER, dossier.code, secret=secret).status_code == 302

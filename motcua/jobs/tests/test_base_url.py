"""One public address (``MOTCUA_BASE_URL``) for every absolute link motcua hands out: the QR
code of form 01, the tracking and rating links of the applicant's e-mails, the leaders'
digest, directive reminders (issue 10, item 6 and "QR codes and e-mails point to
127.0.0.1:8000 whatever address was served")."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from motcua.directives.emails import directive_url
from motcua.directives.models import Directive
from motcua.documents import printouts
from motcua.documents.qrcontent import parse_qr_content
from motcua.documents.tests.tools import qr_codes_per_page
from motcua.dossiers.choices import ResultForm
from motcua.dossiers.services import Applicant
from motcua.dossiers.tests.world import World, build_world
from motcua.jobs.tests.test_notifications import act, deliver
from motcua.lib.site import base_url_problem, site_url

BASE = "https://dichvucong.example.vn/"
EMAIL = "an.tran@example.vn"
APPLICANT = Applicant(name="Trần Văn An", id_number="006190054321", phone="0912000111", email=EMAIL)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def public(settings):
    settings.MOTCUA_BASE_URL = BASE


def test_site_url_joins_the_base_and_a_path(settings):
    settings.MOTCUA_BASE_URL = BASE
    assert site_url("/dich-vu-cong/tra-cuu/?code=A") == BASE + "dich-vu-cong/tra-cuu/?code=A"
    settings.MOTCUA_BASE_URL = "https://example.vn/motcua"  # a path prefix is kept
    assert site_url("/bao-cao/") == "https://example.vn/motcua/bao-cao/"
    with pytest.raises(ValueError):
        site_url("bao-cao/")
    assert base_url_problem(BASE) is None
    assert base_url_problem("dichvucong.example.vn") is not None
    assert base_url_problem("https://x.vn/?a=1") is not None


def test_the_qr_code_of_form_01_carries_the_public_address(world, public, tmp_path):
    dossier = world.create(applicant=APPLICANT)
    url = f"{BASE}dich-vu-cong/tra-cuu/?code={dossier.code}"
    pages = qr_codes_per_page(printouts.receipt_01(dossier), tmp_path)
    links = [parse_qr_content(text)["TraCuu"] for page in pages for text in page]
    assert links == [url, url]  # one QR code on each copy, read by a real decoder


def test_the_applicants_emails_link_to_the_public_address(
    world, smtp, public, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.create(applicant=APPLICANT, fee=0)
    act(world, dossier, "transfer", "02/01/2024 09:00", actor=world.clerk, assignee=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        act(world, dossier, "approve", "03/01/2024 10:00", result_form=ResultForm.ELECTRONIC)
    deliver()  # motcua worker sends them
    mails = smtp.to(EMAIL)
    assert len(mails) == 2
    track = f"{BASE}dich-vu-cong/tra-cuu/?code={dossier.code}"
    for mail in mails:
        assert track in mail.body
        assert "127.0.0.1" not in mail.body
    assert f"{BASE}dich-vu-cong/danh-gia/" in mails[1].body


@pytest.mark.django_db
def test_a_directive_reminder_links_to_the_public_address(public):
    directive = Directive(pk=7)
    assert directive_url(directive) == f"{BASE}chi-dao/chi-dao-dieu-hanh/ket-luan/7/"


def test_the_demo_accounts_list_names_the_public_address(public):
    out = io.StringIO()
    call_command("demo", "accounts", stdout=out)
    assert f"Đăng nhập tại {BASE}" in out.getvalue()
    assert "127.0.0.1" not in out.getvalue()

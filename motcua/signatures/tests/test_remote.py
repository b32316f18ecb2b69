"""Remote signing (SmartCA / MySign style) against the stand-in service, a separate process."""

from __future__ import annotations

import pytest
from django.core.management import CommandError
from django.utils import translation

from motcua.signatures.errors import SignatureError
from motcua.signatures.selectors import verify_pdf
from motcua.signatures.services import sign_pdf
from motcua.signatures.signers import Backend, build_signer
from motcua.signatures.tests.conftest import CLIENT_SECRET, free_port, remote_options
from motcua.signatures.tests.test_sign_verify import sign, verify


@pytest.fixture
def remote_settings(signing_settings, remote_service, monkeypatch):
    """MOTCUA_SIGNERS with one remote signer per stand-in behaviour."""
    monkeypatch.setenv("MOTCUA_TEST_REMOTE_SECRET", CLIENT_SECRET)
    signers = dict(signing_settings.MOTCUA_SIGNERS)
    for user in ("approver", "rejecter", "broken", "garbler", "forger", "nobody"):
        signers[f"remote-{user}"] = remote_options(remote_service, user)
    signers["remote-sleeper"] = remote_options(
        remote_service, "sleeper", timeout=1, poll_interval=0.2
    )
    signers["remote-wrong-secret"] = remote_options(
        remote_service, client_secret_env="MOTCUA_TEST_WRONG_SECRET"
    )
    monkeypatch.setenv("MOTCUA_TEST_WRONG_SECRET", "not-the-secret")
    signers["remote-down"] = remote_options(f"http://127.0.0.1:{free_port()}")
    signing_settings.MOTCUA_SIGNERS = signers
    return signing_settings


def test_a_pdf_signed_through_the_remote_service_verifies_intact_and_trusted(
    remote_settings, unsigned_pdf, tmp_path
):
    signed = tmp_path / "signed.pdf"
    assert "remote-approver" in sign(unsigned_pdf, signed, signer="remote-approver")
    status, report = verify(signed)
    assert status == 0, report
    # The certificate is the one the service holds: the official's, under the dev CA.
    assert "Lãnh đạo (THỬ NGHIỆM)" in report
    checks = verify_pdf(signed.read_bytes()).signatures
    assert len(checks) == 1
    assert checks[0].ok


@pytest.mark.parametrize(
    ("signer", "expected"),
    [
        ("remote-rejecter", "the user rejected the signing request"),
        ("remote-sleeper", "the user did not approve the signing request within 1 s"),
        ("remote-wrong-secret", "refused the credentials (HTTP 401)"),
        ("remote-broken", "the signing service failed (HTTP 503)"),
        ("remote-garbler", "the signing service's answer is malformed"),
        ("remote-forger", "a signature that does not match the certificate"),
        ("remote-nobody", "does not know user nobody (HTTP 404)"),
        ("remote-down", "cannot reach the signing service"),
    ],
)
def test_each_failure_names_the_signer_and_writes_nothing(
    remote_settings, unsigned_pdf, tmp_path, signer, expected
):
    signed = tmp_path / "signed.pdf"
    with translation.override("en"), pytest.raises(SignatureError) as refused:
        sign_pdf(source=unsigned_pdf.read_bytes(), signer=build_signer(signer, _options(signer)))
    assert refused.value.field == "signer"
    assert f"signer {signer}: " in refused.value.message
    assert expected in refused.value.message
    # The command line says the same, naming --signer, and leaves no file behind.
    with pytest.raises(CommandError) as error:
        sign(unsigned_pdf, signed, signer=signer)
    assert str(error.value).startswith("--signer: ")
    assert signer in str(error.value)
    assert sorted(path.name for path in tmp_path.iterdir()) == [unsigned_pdf.name]


def test_failures_are_told_in_vietnamese(remote_settings, unsigned_pdf):
    with translation.override("vi"), pytest.raises(SignatureError) as refused:
        sign_pdf(
            source=unsigned_pdf.read_bytes(),
            signer=build_signer("remote-rejecter", _options("remote-rejecter")),
        )
    assert "người ký" in refused.value.message
    assert "từ chối" in refused.value.message


def _options(name):
    from django.conf import settings

    return settings.MOTCUA_SIGNERS[name]


@pytest.mark.parametrize(
    ("change", "option"),
    [
        ({"url": ""}, "url"),
        ({"url": "ftp://ca.example.vn"}, "url"),
        ({"client_id": None}, "client_id"),
        ({"user_id": ""}, "user_id"),
        ({"client_secret_env": None}, "client_secret"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": "120"}, "timeout"),
        ({"poll_interval": True}, "poll_interval"),
        ({"poll_interval": 30, "timeout": 10}, "poll_interval"),
    ],
)
def test_bad_options_are_refused_naming_the_option(monkeypatch, change, option):
    monkeypatch.setenv("MOTCUA_TEST_REMOTE_SECRET", CLIENT_SECRET)
    options = {**remote_options("https://ca.example.vn/v1"), **change}
    options = {key: value for key, value in options.items() if value is not None}
    with translation.override("en"), pytest.raises(SignatureError) as refused:
        build_signer("smartca", options)
    assert refused.value.field == "signer"
    assert "signer smartca" in refused.value.message
    assert option in refused.value.message


def test_the_remote_backend_is_one_of_the_choices():
    assert Backend("remote") is Backend.REMOTE

"""RFC 3161 signature timestamps (PAdES-B-T) from the stand-in TSA, a separate process."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.core.management import CommandError
from django.utils import translation
from pypdf import PdfReader

from motcua.signatures.choices import Problem
from motcua.signatures.errors import SignatureError
from motcua.signatures.selectors import verify_pdf
from motcua.signatures.services import sign_pdf
from motcua.signatures.signers import configured_signer
from motcua.signatures.tests.conftest import free_port, start_standin, stop_standin
from motcua.signatures.tests.test_sign_verify import sign, verify


def test_a_signature_with_the_tsa_carries_a_valid_timestamp(
    signing_settings, tsa_service, unsigned_pdf, tmp_path
):
    signing_settings.MOTCUA_SIGNING_TSA_URL = tsa_service
    signed = tmp_path / "signed.pdf"
    sign(unsigned_pdf, signed)
    [check] = verify_pdf(signed.read_bytes()).signatures
    assert check.ok, check.problems
    assert isinstance(check.timestamp, datetime)
    assert check.timestamp_ok is True
    with translation.override("en"):
        status, report = verify(signed)
    assert status == 0, report
    assert re.search(r"Timestamp \(RFC 3161\): \d{2}/\d{2}/\d{4} \d{2}:\d{2}, valid\.", report)
    # The chain went in as validation data (the DSS): the dev CA has no OCSP or CRL to add.
    dss = PdfReader(signed).trailer["/Root"]["/DSS"]
    assert len(dss["/Certs"]) >= 2


def test_without_a_tsa_the_report_says_there_is_no_timestamp(
    signing_settings, unsigned_pdf, tmp_path
):
    signing_settings.MOTCUA_SIGNING_TSA_URL = ""
    signed = tmp_path / "signed.pdf"
    sign(unsigned_pdf, signed)
    [check] = verify_pdf(signed.read_bytes()).signatures
    assert check.ok
    assert check.timestamp is None
    assert check.timestamp_ok is None
    with translation.override("en"):
        status, report = verify(signed)
    assert status == 0
    assert "No timestamp: the signing time is the one the signer claims." in report


def test_a_tsa_that_is_down_refuses_the_signing_and_nothing_is_written(
    signing_settings, unsigned_pdf, tmp_path
):
    down = f"http://127.0.0.1:{free_port()}/"
    signing_settings.MOTCUA_SIGNING_TSA_URL = down
    with translation.override("en"), pytest.raises(SignatureError) as refused:
        sign_pdf(source=unsigned_pdf.read_bytes(), signer=configured_signer())
    assert refused.value.field == "tsa"
    assert f"the time-stamping authority {down} did not answer with a timestamp" in (
        refused.value.message
    )
    signed = tmp_path / "signed.pdf"
    with pytest.raises(CommandError) as error:
        sign(unsigned_pdf, signed)
    assert str(error.value).startswith("MOTCUA_SIGNING_TSA_URL: ")
    assert not signed.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == [unsigned_pdf.name]


def test_a_server_that_is_not_a_tsa_is_refused(
    signing_settings, remote_service, unsigned_pdf, tmp_path
):
    # The remote-signing stand-in answers JSON (401), not application/timestamp-reply.
    signing_settings.MOTCUA_SIGNING_TSA_URL = remote_service + "/"
    with pytest.raises(SignatureError) as refused:
        sign_pdf(source=unsigned_pdf.read_bytes(), signer=configured_signer())
    assert refused.value.field == "tsa"


def test_a_tsa_address_that_is_not_http_is_refused(signing_settings, unsigned_pdf):
    with translation.override("en"), pytest.raises(SignatureError) as refused:
        sign_pdf(source=unsigned_pdf.read_bytes(), signer=configured_signer(), tsa_url="ftp://tsa")
    assert refused.value.field == "tsa"
    assert "must start with https:// or http://" in refused.value.message


def test_a_tsa_outside_the_trust_roots_is_refused_before_signing(
    signing_settings, other_ca, unsigned_pdf
):
    url, process = start_standin(
        "tsa", "--p12", other_ca.tsa["path"], "--passphrase-file", other_ca.tsa["passphrase_file"]
    )
    try:
        with translation.override("en"), pytest.raises(SignatureError) as refused:
            sign_pdf(source=unsigned_pdf.read_bytes(), signer=configured_signer(), tsa_url=url)
    finally:
        stop_standin(process)
    assert refused.value.field == "tsa"
    assert "its certificate does not chain to MOTCUA_SIGNING_TRUST_ROOTS" in refused.value.message


def test_a_timestamp_whose_tsa_is_not_trusted_fails_verification(
    signing_settings, other_ca, unsigned_pdf
):
    url, process = start_standin(
        "tsa", "--p12", other_ca.tsa["path"], "--passphrase-file", other_ca.tsa["passphrase_file"]
    )
    try:
        # Signed elsewhere, without our trust roots: only verification can catch it.
        signed = sign_pdf(
            source=unsigned_pdf.read_bytes(),
            signer=configured_signer(),
            trust_roots=[],
            tsa_url=url,
        )
    finally:
        stop_standin(process)
    report = verify_pdf(signed)
    [check] = report.signatures
    assert check.timestamp is not None
    assert check.timestamp_ok is False
    assert check.problems == (Problem.TIMESTAMP_INVALID,)
    assert not report.ok

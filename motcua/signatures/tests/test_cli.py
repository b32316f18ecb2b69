"""``motcua documents sign|verify|dev-ca`` refusing bad input: the error names the argument,
and nothing is written."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.signatures.selectors import verify_pdf
from motcua.signatures.signers import build_signer


def run(*args):
    out = StringIO()
    call_command("documents", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def bad_inputs(tmp_path, unsigned_pdf):
    """name -> a file that is no signable PDF."""
    data = unsigned_pdf.read_bytes()
    files = {
        "not-pdf": b"ho_so,ngay\nH58.01-000001,03/12/2026\n",
        "empty": b"",
        "truncated": data[: len(data) // 2],
    }
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / f"{name}.pdf"
        paths[name].write_bytes(content)
    paths["missing"] = tmp_path / "missing.pdf"
    return paths


@pytest.mark.parametrize("kind", ["not-pdf", "empty", "truncated", "missing"])
def test_sign_refuses_bad_input_naming_in(signing_settings, bad_inputs, tmp_path, kind):
    target = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match="^IN: "):
        run("sign", bad_inputs[kind], target)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.pdf")]


@pytest.mark.parametrize("kind", ["not-pdf", "empty", "truncated", "missing"])
def test_verify_refuses_bad_input_naming_file(signing_settings, bad_inputs, kind):
    with pytest.raises(CommandError, match="^FILE: "):
        run("verify", bad_inputs[kind])


def test_the_messages_are_vietnamese_by_default(signing_settings, bad_inputs):
    with pytest.raises(CommandError, match="^FILE: tệp trống$"):
        run("verify", bad_inputs["empty"])
    with pytest.raises(CommandError, match="^FILE: không phải tệp PDF$"):
        run("verify", bad_inputs["not-pdf"])


def test_unknown_signer(signing_settings, unsigned_pdf, tmp_path):
    target = tmp_path / "out.pdf"
    with pytest.raises(CommandError, match=r"^--signer: .*nobody.*digitiser, official"):
        run("sign", unsigned_pdf, target, "--signer", "nobody")
    assert not target.exists()


def test_no_signer_configured(settings, unsigned_pdf, tmp_path):
    settings.MOTCUA_SIGNERS = {}
    settings.MOTCUA_SIGNING_DEFAULT = ""
    with pytest.raises(CommandError, match="^--signer: .*MOTCUA_SIGNING_DEFAULT"):
        run("sign", unsigned_pdf, tmp_path / "out.pdf")


def test_wrong_passphrase(signing_settings, dev_ca, unsigned_pdf, tmp_path):
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-passphrase")
    signing_settings.MOTCUA_SIGNERS = {
        "official": {**dev_ca.signers["official"], "passphrase_file": str(wrong)}
    }
    with pytest.raises(CommandError, match="^--signer: .*PKCS#12"):
        run("sign", unsigned_pdf, tmp_path / "out.pdf")


def test_existing_out_is_refused_unless_force(signing_settings, unsigned_pdf, tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="^OUT: .*--force"):
        run("sign", unsigned_pdf, target)
    assert target.read_bytes() == b"keep me"
    run("sign", unsigned_pdf, target, "--force")
    assert verify_pdf(target.read_bytes()).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ban-sao.pdf", "out.pdf"]


def test_unreadable_trust_root(signing_settings, tmp_path, unsigned_pdf):
    bogus = tmp_path / "root.pem"
    bogus.write_text("not a certificate")
    signing_settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(bogus)]
    with pytest.raises(CommandError, match="^MOTCUA_SIGNING_TRUST_ROOTS: "):
        run("verify", unsigned_pdf)


def test_dev_ca_prints_working_settings(tmp_path, unsigned_pdf):
    directory = tmp_path / "ca"
    out = run("dev-ca", directory)
    signers = json.loads(out.split("MOTCUA_SIGNERS_JSON='")[1].split("'\n")[0])
    root = out.split("MOTCUA_SIGNING_TRUST_ROOTS=")[1].split("\n")[0]
    assert set(signers) == {"digitiser", "official"}
    assert (directory / "official.passphrase").stat().st_mode & 0o077 == 0
    from motcua.signatures.services import sign_pdf

    signed = sign_pdf(
        source=unsigned_pdf.read_bytes(),
        signer=build_signer("digitiser", signers["digitiser"]),
        trust_roots=[root],
    )
    report = verify_pdf(signed, trust_roots=[root])
    assert report.ok
    assert report.signatures[0].signer == "Cán bộ số hoá (THỬ NGHIỆM)"
    # Refuses to overwrite the keys it made, naming DIR.
    with pytest.raises(CommandError, match="^DIR: .*--force"):
        run("dev-ca", directory)


def test_dev_certificates_say_development(dev_ca):
    from cryptography import x509

    root = x509.load_pem_x509_certificate(dev_ca.root_pem.read_bytes())
    subject = root.subject.rfc4514_string()
    assert "DEVELOPMENT" in subject
    assert "THỬ NGHIỆM" in subject
    years = (root.not_valid_after_utc - root.not_valid_before_utc).days / 365
    assert 9.9 < years < 10.1

"""Fixtures for signature tests: a development CA, a PDF to sign, a SoftHSM2 token.

Nothing is mocked: the CA is made by ``create_dev_ca``, the PDF by the documents app, the
token by ``softhsm2-util`` in a temporary directory. Without softhsm2 the token tests are
skipped, except under CI=true (scripts/dev.py installs it there), where that is a failure.
The remote signing service and the time-stamping authority are the stand-ins of
``motcua.signatures.standin``, each started as its own process on a free local port.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from motcua.documents.pdf import Document
from motcua.signatures.devca import create_dev_ca

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "123456"
SO_PIN = "12345678"


def require_softhsm() -> str:
    """softhsm2-util's path: skipped with a reason where missing, a failure under CI=true."""
    tool = shutil.which("softhsm2-util")
    if tool is None or not SOFTHSM_MODULE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("softhsm2 is missing; scripts/dev.py installs it under CI")
        pytest.skip("softhsm2 is not installed (apt-get install softhsm2)")
    return tool


@pytest.fixture(scope="module")
def dev_ca(tmp_path_factory):
    """A development CA with its two signers (module scope: key generation is not free)."""
    return create_dev_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    """A second, unrelated development CA: never among the trust roots of ``dev_ca`` tests."""
    return create_dev_ca(tmp_path_factory.mktemp("other-ca"))


@pytest.fixture
def signing_settings(settings, dev_ca):
    """MOTCUA_SIGNERS and trust roots as ``motcua documents dev-ca`` prints them."""
    settings.MOTCUA_SIGNERS = json.loads(dev_ca.signers_json)
    settings.MOTCUA_SIGNING_DEFAULT = "official"
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(dev_ca.root_pem)]
    return settings


@pytest.fixture
def unsigned_pdf(tmp_path) -> Path:
    """A two-page document from the documents app's PDF layer."""
    document = Document(title="Bản sao", created=datetime(2026, 12, 3, tzinfo=UTC))
    for _ in range(2):
        document.add_page()
        document.national_title()
        document.text_line("Bản sao điện tử được chứng thực từ bản chính.")
    path = tmp_path / "ban-sao.pdf"
    path.write_bytes(document.to_bytes())
    return path


@pytest.fixture
def softhsm_token(tmp_path, dev_ca, monkeypatch):
    """A SoftHSM2 token "motcua" holding the official's key (label/id "signer"/01), its
    certificate and the CA's; returns the MOTCUA_SIGNERS entry for it."""
    tool = require_softhsm()
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    config = tmp_path / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    run = lambda *args: subprocess.run([tool, *args], check=True, capture_output=True)  # noqa: E731
    run("--init-token", "--free", "--label", "motcua", "--pin", PIN, "--so-pin", SO_PIN)

    official = dev_ca.signers["official"]
    passphrase = Path(official["passphrase_file"]).read_bytes()
    key, certificate, chain = pkcs12.load_key_and_certificates(
        Path(official["path"]).read_bytes(), passphrase
    )
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    run("--import", str(key_pem), "--token", "motcua", "--label", "signer", "--id", "01",
        "--pin", PIN)  # fmt: skip
    key_pem.unlink()

    # softhsm2-util imports keys only; the certificates go in through PKCS#11 itself.
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    library = pkcs11.lib(str(SOFTHSM_MODULE))
    token = library.get_token(token_label="motcua")
    with token.open(rw=True, user_pin=PIN) as session:
        for label, object_id, cert in (
            ("signer", b"\x01", certificate),
            ("root", b"\x02", chain[0]),
        ):
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: object_id,
                    Attribute.SUBJECT: cert.subject.public_bytes(),
                    Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                }
            )
    return {
        "backend": "pkcs11",
        "module": str(SOFTHSM_MODULE),
        "token": "motcua",
        "key_label": "signer",
        "pin_env": "MOTCUA_TEST_TOKEN_PIN",
        "raw_mechanism": True,
    }


# -- stand-in services (separate processes, as the real ones would be) ----------------------

CLIENT_ID = "motcua-test"
CLIENT_SECRET = "stand-in-secret"
# How the remote stand-in treats each user (motcua.signatures.standin).
REMOTE_USERS = {
    "approver": "approve",
    "rejecter": "reject",
    "sleeper": "never",
    "broken": "error",
    "garbler": "malformed",
    "forger": "bad-signature",
}


def start_standin(*args: str) -> tuple[str, subprocess.Popen]:
    """Start ``python -m motcua.signatures.standin ARGS``; (its URL, the process) once ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.signatures.standin", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    # Wait for the READY line, but never forever: a stand-in that hangs fails the test.
    ready, _w, _x = select.select([process.stdout], [], [], 60)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("READY "):
        process.kill()
        _out, errors = process.communicate(timeout=10)
        raise RuntimeError(f"the stand-in did not start: {line!r} {errors}")
    return line.split()[1], process


def stop_standin(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def remote_service(dev_ca, tmp_path_factory):
    """The remote-signing stand-in holding the official's development key."""
    official = dev_ca.signers["official"]
    secret = tmp_path_factory.mktemp("remote") / "client-secret"
    secret.write_text(CLIENT_SECRET)
    users = [f"--user={name}={behaviour}" for name, behaviour in REMOTE_USERS.items()]
    url, process = start_standin(
        "remote",
        "--p12", official["path"],
        "--passphrase-file", official["passphrase_file"],
        "--client-id", CLIENT_ID,
        "--client-secret-file", str(secret),
        "--approve-after", "0.3",
        *users,
    )  # fmt: skip
    yield url
    stop_standin(process)


@pytest.fixture(scope="module")
def tsa_service(dev_ca):
    """The RFC 3161 stand-in with the development TSA certificate."""
    url, process = start_standin(
        "tsa", "--p12", dev_ca.tsa["path"], "--passphrase-file", dev_ca.tsa["passphrase_file"]
    )
    yield url
    stop_standin(process)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def remote_options(url: str, user: str = "approver", **overrides) -> dict:
    """A MOTCUA_SIGNERS entry for the remote stand-in."""
    return {
        "backend": "remote",
        "url": url,
        "client_id": CLIENT_ID,
        "client_secret_env": "MOTCUA_TEST_REMOTE_SECRET",
        "user_id": user,
        "poll_interval": 0.1,
        "timeout": 20,
        **overrides,
    }

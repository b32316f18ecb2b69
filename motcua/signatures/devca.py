"""A development CA and two development signers, so signing can be tried without a real token.

Everything it makes says DEVELOPMENT / THỬ NGHIỆM in the certificate subject: such a
signature has no legal value and must never be used in production. The root is valid 10 years,
the signers 2 years; the signers' keyUsage is digitalSignature + nonRepudiation (what a signing
certificate for documents carries, and what pyHanko's validation expects).

It also issues a development time-stamping authority (``tsa.p12``): an RSA key (pyHanko's
``DummyTimeStamper``, which ``motcua.signatures.standin tsa`` serves, signs with RSA only) whose
certificate carries the critical extendedKeyUsage timeStamping RFC 3161 requires.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.translation import gettext as _

from motcua.signatures.errors import SignatureError

ORGANIZATION = "motcua DEVELOPMENT / THỬ NGHIỆM - not for production"
ROOT_NAME = "motcua Development CA (THỬ NGHIỆM)"
ROOT_YEARS = 10
SIGNER_YEARS = 2
TSA_NAME = "motcua Development TSA (THỬ NGHIỆM)"
TSA_FILE = "tsa"


class DevSigner(StrEnum):
    """The development signers: their MOTCUA_SIGNERS names."""

    DIGITISER = "digitiser"
    OFFICIAL = "official"

    @property
    def common_name(self) -> str:
        """The name in the certificate, and so on the stamp."""
        return {
            DevSigner.DIGITISER: "Cán bộ số hoá (THỬ NGHIỆM)",
            DevSigner.OFFICIAL: "Lãnh đạo (THỬ NGHIỆM)",
        }[self]


@dataclass(frozen=True)
class DevCa:
    """What ``create_dev_ca`` wrote, and the settings that use it."""

    root_pem: Path
    signers: dict[str, dict[str, str]]
    # The development TSA: {"path": tsa.p12, "passphrase_file": tsa.passphrase}.
    tsa: dict[str, str] = field(default_factory=dict)

    @property
    def signers_json(self) -> str:
        """The value for MOTCUA_SIGNERS_JSON."""
        return json.dumps(self.signers, ensure_ascii=False)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _years(start: datetime, years: int) -> datetime:
    return start + timedelta(days=365 * years + years // 4)


def _files(directory: Path) -> list[Path]:
    files = [directory / "root.pem"]
    for name in [*(signer.value for signer in DevSigner), TSA_FILE]:
        files += [directory / f"{name}.p12", directory / f"{name}.passphrase"]
    return files


def create_dev_ca(directory: Path, *, force: bool = False) -> DevCa:
    """Write root.pem and, per signer, ``<name>.p12`` with its ``<name>.passphrase`` (0600).

    Refuses (``SignatureError`` field ``"directory"``) to overwrite earlier files unless
    ``force``. The root's key is not kept: a development CA issues these two signers only.
    """
    existing = [path for path in _files(directory) if path.exists()]
    if existing and not force:
        raise SignatureError(
            _("%(path)s exists (use --force to replace it)") % {"path": existing[0]},
            field="directory",
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SignatureError(
            _("cannot create %(path)s (%(error)s)") % {"path": directory, "error": error.strerror},
            field="directory",
        ) from None
    now = datetime.now(tz=UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(ROOT_NAME)
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(_years(now, ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    root_pem = directory / "root.pem"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    signers: dict[str, dict[str, str]] = {}
    for signer in DevSigner:
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(signer.common_name))
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(_years(now, SIGNER_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,  # nonRepudiation
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(root_key, hashes.SHA256())
        )
        passphrase = secrets.token_urlsafe(24)
        bundle = pkcs12.serialize_key_and_certificates(
            name=signer.value.encode(),
            key=key,
            cert=certificate,
            cas=[root],
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
        )
        p12 = directory / f"{signer.value}.p12"
        secret = directory / f"{signer.value}.passphrase"
        for path, data in ((p12, bundle), (secret, passphrase.encode())):
            path.unlink(missing_ok=True)
            # 0600 from the start: the key and its passphrase are never world-readable.
            with open(path, "xb", opener=_private_open) as stream:
                stream.write(data)
        signers[signer.value] = {
            "backend": "pkcs12",
            "path": str(p12.resolve()),
            "passphrase_file": str(secret.resolve()),
        }
    tsa = _write_tsa(directory, root, root_key, now)
    return DevCa(root_pem=root_pem.resolve(), signers=signers, tsa=tsa)


def _write_tsa(
    directory: Path, root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey, now: datetime
) -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(TSA_NAME))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(_years(now, SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # RFC 3161 §2.3: a TSA's certificate has exactly this purpose, marked critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    passphrase = secrets.token_urlsafe(24)
    bundle = pkcs12.serialize_key_and_certificates(
        name=TSA_FILE.encode(),
        key=key,
        cert=certificate,
        cas=[root],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    p12 = directory / f"{TSA_FILE}.p12"
    secret = directory / f"{TSA_FILE}.passphrase"
    for path, data in ((p12, bundle), (secret, passphrase.encode())):
        path.unlink(missing_ok=True)
        with open(path, "xb", opener=_private_open) as stream:
            stream.write(data)
    return {"path": str(p12.resolve()), "passphrase_file": str(secret.resolve())}


def _private_open(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)

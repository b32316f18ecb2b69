"""Remote signing: the key stays with a signing service (VNPT SmartCA, Viettel MySign style).

The flow those services share (integrations-vn.md §4.2): the client sends the *hash* of what
is to be signed, the service pushes a request to the signer's mobile app, the signer approves
(or rejects) there, and the client polls until the raw signature is ready. The certificate and
its chain come from the service too.

The real APIs' exact shapes are not confirmed here (SmartCA's ``gwsca.vnpt.vn/sca/sp769/v1``
is known only from a third-party client; MySign's not at all), so this adapter speaks one small
JSON protocol of its own, which ``motcua.signatures.standin`` serves for tests and a thin
gateway would translate for a real service (docs/signatures.md, "Remote signing"):

* every call carries HTTP Basic credentials ``client_id:client_secret``;
* ``POST {url}/certificates`` ``{"user_id"}`` -> ``{"certificate": b64 DER, "chain": [b64 DER]}``;
* ``POST {url}/transactions`` ``{"user_id", "digest_algorithm", "digest": b64, "description"}``
  -> 201 ``{"transaction_id", "status": "pending"}``;
* ``GET {url}/transactions/{id}`` -> ``{"status": "pending" | "approved" | "rejected" |
  "expired", "signature": b64}`` (the signature only once approved).

Every failure (wrong credentials, the service down or answering nonsense, the user rejecting or
never approving, a signature that does not match the certificate) is a ``SignatureError``
naming the signer, raised before anything is written.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils.translation import gettext as _
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.signatures.errors import SignatureError

# An answer is a few certificates or one signature: anything bigger is not this protocol.
MAX_ANSWER_BYTES = 1024 * 1024
# One HTTP exchange never waits longer than this, whatever the approval timeout.
REQUEST_TIMEOUT = 10.0


class TransactionStatus(StrEnum):
    """Where a signing transaction stands at the service."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class _Client:
    """The protocol's three calls, each mapped to a ``SignatureError`` naming the signer."""

    def __init__(self, signer: RemoteSigner) -> None:
        self.signer = signer
        token = f"{signer.client_id}:{signer.client_secret}".encode()
        self.authorization = "Basic " + base64.b64encode(token).decode("ascii")

    def _refused(self, message: str) -> SignatureError:
        return SignatureError(
            _("signer %(name)s: %(problem)s") % {"name": self.signer.name, "problem": message},
            field="signer",
        )

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One JSON exchange; the answer as a dict, or a ``SignatureError``."""
        request = urllib.request.Request(
            self.signer.url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Authorization": self.authorization,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        timeout = min(REQUEST_TIMEOUT, self.signer.timeout)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in (401, 403):
                raise self._refused(
                    _("the signing service refused the credentials (HTTP %(status)s)")
                    % {"status": error.code}
                ) from None
            if error.code == 404:
                raise self._refused(
                    _("the signing service does not know user %(user)s (HTTP 404)")
                    % {"user": self.signer.user_id}
                ) from None
            if error.code >= 500:
                raise self._refused(
                    _("the signing service failed (HTTP %(status)s)") % {"status": error.code}
                ) from None
            raise self._refused(
                _("the signing service refused the request (HTTP %(status)s)")
                % {"status": error.code}
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise self._refused(
                _("cannot reach the signing service at %(url)s (%(error)s)")
                % {"url": self.signer.url, "error": reason}
            ) from None
        if len(raw) > MAX_ANSWER_BYTES:
            raise self._refused(_("the signing service's answer is too large"))
        try:
            answer = json.loads(raw)
        except ValueError:
            raise self.malformed() from None
        if not isinstance(answer, dict):
            raise self.malformed()
        return answer

    def malformed(self) -> SignatureError:
        return self._refused(_("the signing service's answer is malformed"))

    def der(self, value: Any) -> bytes:
        """A base64 field of an answer, decoded; malformed if it is not."""
        if not isinstance(value, str) or not value:
            raise self.malformed()
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise self.malformed() from None

    def certificates(self) -> tuple[asn1_x509.Certificate, list[asn1_x509.Certificate]]:
        """The user's signing certificate and its chain, as the service holds them."""
        answer = self.call("POST", "/certificates", {"user_id": self.signer.user_id})
        chain = answer.get("chain", [])
        if not isinstance(chain, list):
            raise self.malformed()
        try:
            certificate = asn1_x509.Certificate.load(self.der(answer.get("certificate")))
            others = [asn1_x509.Certificate.load(self.der(item)) for item in chain]
            # asn1crypto parses lazily: touch each one so a bad DER fails here, not mid-sign.
            for parsed in (certificate, *others):
                _subject = parsed.subject.native
        except (ValueError, TypeError):
            raise self.malformed() from None
        return certificate, others


@dataclass(frozen=True)
class RemoteSigner:
    """A signing service account: the service holds the key of ``user_id``."""

    name: str
    url: str
    client_id: str
    client_secret: str
    user_id: str
    poll_interval: float = 2.0
    timeout: float = 120.0

    @contextmanager
    def open(self) -> Iterator[Signer]:
        """Fetch the certificate and chain; signing then goes through the service."""
        client = _Client(self)
        certificate, chain = client.certificates()
        yield RemoteServiceSigner(client, certificate, chain)


def _signature_size(certificate: asn1_x509.Certificate) -> int:
    """The longest raw signature the certificate's key gives (for pyHanko's dry run)."""
    public_key = x509.load_der_x509_certificate(certificate.dump()).public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        return public_key.key_size // 8
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        # DER SEQUENCE of two INTEGERs, each up to the curve size plus a sign byte.
        return 2 * ((public_key.key_size + 7) // 8 + 3) + 3
    return 512


class RemoteServiceSigner(Signer):
    """A pyHanko ``Signer`` whose raw signature is made by the remote service.

    pyHanko builds the CMS signed attributes; their digest goes to the service, which returns
    the raw signature once the user approves. The signature is checked against the
    certificate before pyHanko embeds it, so a wrong answer never reaches a file.
    """

    def __init__(
        self,
        client: _Client,
        certificate: asn1_x509.Certificate,
        chain: list[asn1_x509.Certificate],
    ) -> None:
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        for item in (certificate, *chain):
            registry.register(item)
        super().__init__(signing_cert=certificate, cert_registry=registry)
        self.client = client

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        """The service's signature of ``data`` (hashed here with ``digest_algorithm``)."""
        assert self.signing_cert is not None  # set in __init__
        if dry_run:
            return bytes(_signature_size(self.signing_cert))
        client = self.client
        signer = client.signer
        digest = hashlib.new(digest_algorithm, data).digest()
        # The calls block: pyHanko runs this coroutine on an event loop of its own for this one
        # signature, so nothing else waits; and in this thread the active language (for the
        # error messages) is the caller's.
        created = client.call(
            "POST",
            "/transactions",
            {
                "user_id": signer.user_id,
                "digest_algorithm": digest_algorithm,
                "digest": base64.b64encode(digest).decode("ascii"),
                "description": "motcua PAdES",
            },
        )
        transaction = created.get("transaction_id")
        if not isinstance(transaction, str) or not transaction.isalnum():
            raise client.malformed()
        deadline = time.monotonic() + signer.timeout
        while True:
            answer = client.call("GET", f"/transactions/{transaction}")
            try:
                status = TransactionStatus(str(answer.get("status")))
            except ValueError:
                raise client.malformed() from None
            if status is TransactionStatus.APPROVED:
                signature = client.der(answer.get("signature"))
                self._check(signature, data, digest_algorithm)
                return signature
            if status is TransactionStatus.REJECTED:
                raise client._refused(_("the user rejected the signing request"))
            if status is TransactionStatus.EXPIRED or time.monotonic() >= deadline:
                raise client._refused(
                    _("the user did not approve the signing request within %(seconds)s s")
                    % {"seconds": f"{signer.timeout:g}"}
                )
            await asyncio.sleep(min(signer.poll_interval, max(0.0, deadline - time.monotonic())))

    def _check(self, signature: bytes, data: bytes, digest_algorithm: str) -> None:
        assert self.signing_cert is not None
        public_key = x509.load_der_x509_certificate(self.signing_cert.dump()).public_key()
        algorithm = getattr(hashes, digest_algorithm.upper())()
        try:
            if isinstance(public_key, ec.EllipticCurvePublicKey):
                public_key.verify(signature, data, ec.ECDSA(algorithm))
            elif isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
            else:
                raise InvalidSignature
        except InvalidSignature:
            raise self.client._refused(
                _("the signing service returned a signature that does not match the certificate")
            ) from None

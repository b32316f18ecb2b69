"""Key holders that can sign: the ``SignerBackend`` interface and its three backends.

A backend is configured by name in ``MOTCUA_SIGNERS`` (or ``MOTCUA_SIGNERS_JSON``)::

    {"official": {"backend": "pkcs12", "path": "/etc/motcua/official.p12",
                  "passphrase_file": "/run/secrets/official-pass"},
     "token":    {"backend": "pkcs11", "module": "/usr/lib/softhsm/libsofthsm2.so",
                  "token": "motcua", "key_label": "signer", "pin_env": "MOTCUA_TOKEN_PIN",
                  "raw_mechanism": true},
     "smartca":  {"backend": "remote", "url": "https://ca.example.vn/motcua-sign/v1",
                  "client_id": "motcua", "client_secret_file": "/run/secrets/sca",
                  "user_id": "001190012345", "poll_interval": 2, "timeout": 120}}

Secrets (a passphrase, a PIN) never sit in the JSON itself: ``*_file`` names a file, ``*_env``
an environment variable (whose own ``*_FILE`` variant wins, as in settings). Opening a backend
yields a pyHanko ``Signer``; a PKCS#11 session is closed again when the block ends. The
remote backend (``motcua.signatures.remote``) keeps no key here at all: the service signs a
hash once the user approves in a mobile app.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.signers import Signer, SimpleSigner

from motcua.signatures.errors import SignatureError


class Backend(StrEnum):
    """The kinds of key holder MOTCUA_SIGNERS may name."""

    PKCS12 = "pkcs12"
    PKCS11 = "pkcs11"
    # VNPT SmartCA / Viettel MySign style: the service holds the key (signatures.remote).
    REMOTE = "remote"


class SignerBackend(Protocol):
    """Something holding a signing key and its certificate.

    ``open()`` gives a pyHanko ``Signer`` for the duration of a ``with`` block, so a token's
    session (and its PIN login) lasts no longer than one signing.
    """

    @property
    def name(self) -> str:
        """The signer's name in MOTCUA_SIGNERS."""
        ...

    def open(self) -> AbstractContextManager[Signer]:
        """The key, ready to sign; released when the block ends."""
        ...


@dataclass(frozen=True)
class Pkcs12Signer:
    """A PKCS#12 (.p12/.pfx) file holding the key, its certificate and the chain."""

    name: str
    path: Path
    passphrase: bytes | None

    @contextmanager
    def open(self) -> Iterator[Signer]:
        """Load the file; a wrong passphrase or a damaged file is a ``SignatureError``."""
        try:
            data = self.path.read_bytes()
        except OSError as error:
            raise SignatureError(
                _("signer %(name)s: cannot read %(path)s (%(error)s)")
                % {"name": self.name, "path": self.path, "error": error.strerror},
                field="signer",
            ) from None
        try:
            signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=self.passphrase)
        except ValueError:
            raise SignatureError(
                _("signer %(name)s: %(path)s is not a PKCS#12 file or the passphrase is wrong")
                % {"name": self.name, "path": self.path},
                field="signer",
            ) from None
        yield signer


@dataclass(frozen=True)
class Pkcs11Signer:
    """A key on a PKCS#11 token (USB token, HSM; SoftHSM2 in development and tests).

    The key is found by label and/or id; the certificate by the same label/id unless
    ``cert_label`` is given. pyHanko reads the other certificates on the token as the chain.
    """

    name: str
    module: Path
    token: str
    pin: str | None
    key_label: str | None = None
    key_id: bytes | None = None
    cert_label: str | None = None
    # Hash here, sign the digest on the token (CKM_ECDSA rather than CKM_ECDSA_SHA256):
    # SoftHSM2 2.6 and some tokens lack the combined mechanisms.
    raw_mechanism: bool = False

    @contextmanager
    def open(self) -> Iterator[Signer]:
        """Log in to the token; the session is closed when the block ends."""
        # Imported here: python-pkcs11 loads a native library, which only this backend needs.
        from pkcs11.exceptions import PKCS11Error
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

        if not self.module.is_file():
            raise SignatureError(
                _("signer %(name)s: PKCS#11 module %(path)s not found")
                % {"name": self.name, "path": self.module},
                field="signer",
            )
        try:
            session = open_pkcs11_session(
                str(self.module), token_criteria=TokenCriteria(label=self.token), user_pin=self.pin
            )
        except (PKCS11Error, OSError, RuntimeError) as error:
            # pyHanko raises PKCS11Error when no token has the label; the module may fail
            # to load (OSError) or to initialise (RuntimeError).
            raise SignatureError(
                _("signer %(name)s: cannot open token %(token)s (%(error)s)")
                % {"name": self.name, "token": self.token, "error": type(error).__name__},
                field="signer",
            ) from None
        try:
            yield PKCS11Signer(
                session,
                key_label=self.key_label,
                key_id=self.key_id,
                cert_label=self.cert_label or self.key_label,
                cert_id=self.key_id,
                use_raw_mechanism=self.raw_mechanism,
            )
        finally:
            session.close()


def _secret(name: str, options: Mapping[str, Any], key: str) -> str | None:
    """``options[key_file]`` (a path) or ``options[key_env]`` (a variable, or its ``_FILE``)."""
    if path := options.get(f"{key}_file"):
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise SignatureError(
                _("signer %(name)s: cannot read %(option)s %(path)s (%(error)s)")
                % {"name": name, "option": f"{key}_file", "path": path, "error": error.strerror},
                field="signer",
            ) from None
    if variable := options.get(f"{key}_env"):
        if file_path := os.environ.get(f"{variable}_FILE"):
            return Path(file_path).read_text(encoding="utf-8").strip()
        if variable not in os.environ:
            raise SignatureError(
                _("signer %(name)s: environment variable %(variable)s is not set")
                % {"name": name, "variable": variable},
                field="signer",
            )
        return os.environ[variable]
    return None


def _required(name: str, options: Mapping[str, Any], key: str) -> str:
    value = options.get(key)
    if not isinstance(value, str) or not value:
        raise SignatureError(
            _("signer %(name)s: option %(option)s is required") % {"name": name, "option": key},
            field="signer",
        )
    return value


def build_signer(name: str, options: Mapping[str, Any]) -> SignerBackend:
    """The backend ``options`` describe (one entry of MOTCUA_SIGNERS)."""
    if not isinstance(options, Mapping):
        raise SignatureError(
            _("signer %(name)s: its options must be an object") % {"name": name}, field="signer"
        )
    try:
        backend = Backend(options.get("backend", ""))
    except ValueError:
        raise SignatureError(
            _("signer %(name)s: backend must be one of %(choices)s")
            % {"name": name, "choices": ", ".join(b.value for b in Backend)},
            field="signer",
        ) from None
    if backend is Backend.PKCS12:
        passphrase = _secret(name, options, "passphrase")
        return Pkcs12Signer(
            name=name,
            path=Path(_required(name, options, "path")),
            passphrase=passphrase.encode() if passphrase is not None else None,
        )
    if backend is Backend.REMOTE:
        return _remote(name, options)
    key_id = options.get("key_id")
    try:
        key_id_bytes = bytes.fromhex(key_id) if key_id else None
    except ValueError:
        raise SignatureError(
            _("signer %(name)s: key_id must be hexadecimal") % {"name": name}, field="signer"
        ) from None
    if not options.get("key_label") and key_id_bytes is None:
        raise SignatureError(
            _("signer %(name)s: give key_label or key_id") % {"name": name}, field="signer"
        )
    return Pkcs11Signer(
        name=name,
        module=Path(_required(name, options, "module")),
        token=_required(name, options, "token"),
        pin=_secret(name, options, "pin"),
        key_label=options.get("key_label") or None,
        key_id=key_id_bytes,
        cert_label=options.get("cert_label") or None,
        raw_mechanism=bool(options.get("raw_mechanism", False)),
    )


def _seconds(name: str, options: Mapping[str, Any], key: str, default: float) -> float:
    value = options.get(key, default)
    # bool is an int: "timeout": true is a mistake, not one second.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
        raise SignatureError(
            _("signer %(name)s: option %(option)s must be a number of seconds from 0 to 3600")
            % {"name": name, "option": key},
            field="signer",
        )
    return float(value)


def _remote(name: str, options: Mapping[str, Any]) -> SignerBackend:
    # Imported here: the remote client is only needed by this backend.
    from motcua.signatures.remote import RemoteSigner

    url = _required(name, options, "url")
    if not url.startswith(("https://", "http://")):
        raise SignatureError(
            _("signer %(name)s: option url must start with https:// or http://") % {"name": name},
            field="signer",
        )
    secret = _secret(name, options, "client_secret")
    if not secret:
        raise SignatureError(
            _("signer %(name)s: give client_secret_file or client_secret_env") % {"name": name},
            field="signer",
        )
    poll_interval = _seconds(name, options, "poll_interval", 2.0)
    timeout = _seconds(name, options, "timeout", 120.0)
    if poll_interval > timeout:
        raise SignatureError(
            _("signer %(name)s: poll_interval is longer than timeout") % {"name": name},
            field="signer",
        )
    return RemoteSigner(
        name=name,
        url=url.rstrip("/"),
        client_id=_required(name, options, "client_id"),
        client_secret=secret,
        user_id=_required(name, options, "user_id"),
        poll_interval=poll_interval,
        timeout=timeout,
    )


def configured_signer(name: str | None = None) -> SignerBackend:
    """The signer called ``name`` in MOTCUA_SIGNERS, or MOTCUA_SIGNING_DEFAULT's."""
    chosen = name or settings.MOTCUA_SIGNING_DEFAULT
    if not chosen:
        raise SignatureError(
            _("no signer given and MOTCUA_SIGNING_DEFAULT is not set"), field="signer"
        )
    signers: Mapping[str, Any] = settings.MOTCUA_SIGNERS
    if chosen not in signers:
        known = ", ".join(sorted(signers)) or _("none configured")
        raise SignatureError(
            _("unknown signer %(name)s (MOTCUA_SIGNERS has: %(known)s)")
            % {"name": chosen, "known": known},
            field="signer",
        )
    return build_signer(chosen, signers[chosen])

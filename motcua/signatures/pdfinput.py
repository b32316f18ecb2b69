"""Checks on what comes in: a PDF to sign or verify, the trust roots' PEM files.

A PDF is read whole into memory (MOTCUA_SIGNING_MAX_BYTES bounds it) and parsed once before
anything else happens, so an empty, truncated or foreign file is refused at once with an error
naming the input, instead of failing half-way through signing.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.signatures.errors import SignatureError

PDF_MAGIC = b"%PDF-"
# The header may follow a little junk (ISO 32000-1 §7.5.2 readers tolerate up to 1 KiB).
HEADER_WINDOW = 1024


def read_file(path: Path, *, field: str) -> bytes:
    """The bytes of ``path``; missing, unreadable or oversized files are a ``SignatureError``."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise SignatureError(_("%(path)s is not a file") % {"path": path}, field=field)
        if size > settings.MOTCUA_SIGNING_MAX_BYTES:
            raise SignatureError(
                _("%(path)s is larger than %(limit)s bytes (MOTCUA_SIGNING_MAX_BYTES)")
                % {"path": path, "limit": settings.MOTCUA_SIGNING_MAX_BYTES},
                field=field,
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SignatureError(_("%(path)s does not exist") % {"path": path}, field=field) from None
    except OSError as error:
        raise SignatureError(
            _("cannot read %(path)s (%(error)s)") % {"path": path, "error": error.strerror},
            field=field,
        ) from None


def read_pdf(data: bytes, *, field: str) -> PdfFileReader:
    """``data`` parsed as a PDF, or a ``SignatureError`` saying why it is not one."""
    if not data:
        raise SignatureError(_("the file is empty"), field=field)
    if PDF_MAGIC not in data[:HEADER_WINDOW]:
        raise SignatureError(_("not a PDF file"), field=field)
    if b"%%EOF" not in data[-HEADER_WINDOW:]:
        # A PDF ends with %%EOF after its last cross-reference section: without it the file
        # was cut short (an interrupted upload or copy).
        raise SignatureError(_("the PDF is truncated (no end-of-file marker)"), field=field)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        # Touch the page tree: a broken trailer or cross-reference table fails here, not later.
        reader.root["/Pages"].get_object()
    except Exception as error:  # noqa: BLE001 - any parser failure means "not readable"
        raise SignatureError(
            _("the PDF cannot be read (%(error)s)") % {"error": type(error).__name__},
            field=field,
        ) from None
    return reader


def trust_root_certificates(paths: Sequence[str | Path]) -> list[x509.Certificate]:
    """The certificates in the PEM (or DER) files ``paths``; field ``"trust_roots"`` if not."""
    roots = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
            if pem.detect(data):
                _type, _headers, data = pem.unarmor(data)
            certificate = x509.Certificate.load(data)
            certificate.native  # noqa: B018 - parse it all now: asn1crypto parses lazily
            roots.append(certificate)
        except (OSError, ValueError, TypeError) as error:
            raise SignatureError(
                _("trust root %(path)s cannot be read (%(error)s)")
                % {"path": path, "error": type(error).__name__},
                field="trust_roots",
            ) from None
    return roots

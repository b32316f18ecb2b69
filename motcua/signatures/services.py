"""Signing PDFs (PAdES baseline, pyHanko) and writing the result safely.

A signature is added as an incremental update: the bytes signed before stay as they were, so
earlier signatures still verify. Each signature gets a visible stamp on the last page (Circular
01/2023 Art. 8: a signed electronic document shows who signed it and when):
``Ký bởi: <name> — dd/mm/yyyy HH:MM`` in Viet Nam time. The stamp is the legal form of the
document, so it is Vietnamese whatever the interface language.

Validation data (the chain, and revocation data only if already at hand) is embedded when
trust roots are configured; no OCSP responder or CRL server is contacted, so signing never waits
on one. With MOTCUA_SIGNING_TSA_URL set, the signature also gets an RFC 3161 signature timestamp
from that time-stamping authority (PAdES-B-T): the one network call signing makes, bounded by
``TSA_TIMEOUT``; an unreachable TSA refuses the signing rather than issuing a weaker one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathError, ValidationError

from motcua.lib.formatting import nfc
from motcua.signatures.errors import SignatureError
from motcua.signatures.pdfinput import read_pdf, trust_root_certificates
from motcua.signatures.signers import SignerBackend, configured_signer

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP_TEMPLATE = "Ký bởi: %(signer)s — %(when)s"
STAMP_REASON_TEMPLATE = "Lý do: %(reason)s"
# Stamp size and place on the page, in points: bottom right, above the bottom margin; a
# second signature goes above the first so stamps never overlap.
STAMP_WIDTH = 260.0
STAMP_HEIGHT = 40.0
STAMP_MARGIN = 36.0
STAMP_GAP = 6.0
A4 = (595.28, 841.89)
# Seconds one request to the time-stamping authority may take.
TSA_TIMEOUT = 15


def stamp_moment(moment: datetime) -> str:
    """'03/12/2026 14:05': the stamp's date and time, in Viet Nam time."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def stamp_text(signer_name: str, moment: datetime) -> str:
    """The stamp's first line, exactly as it appears on the page."""
    return STAMP_TEMPLATE % {"signer": nfc(signer_name), "when": stamp_moment(moment)}


class StampPlace(StrEnum):
    """Where the visible stamp goes."""

    # Results and certified copies: under the text of the last page.
    LAST_PAGE_BOTTOM_RIGHT = "last_page_bottom_right"
    # A digitised paper: "name, time and signature position in the top-left corner of page
    # 1" (Circular 01/2023/TT-VPCP Art. 8; integrations-vn.md §3).
    FIRST_PAGE_TOP_LEFT = "first_page_top_left"

    @property
    def page(self) -> int:
        """The page index pyHanko takes (-1: the last)."""
        return 0 if self is StampPlace.FIRST_PAGE_TOP_LEFT else -1


def _media_box(
    writer: IncrementalPdfFileWriter, page: int = -1
) -> tuple[float, float, float, float]:
    """A page's MediaBox, following inheritance up the page tree (A4 if absent)."""
    # pyHanko leaves this method unannotated; it returns (page reference, resources).
    node = writer.find_page_for_modification(page)[0].get_object()  # type: ignore[no-untyped-call]
    while node is not None:
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return x1, y1, x2, y2
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return (0.0, 0.0, *A4)


def _stamp_box(
    writer: IncrementalPdfFileWriter,
    index: int,
    place: StampPlace = StampPlace.LAST_PAGE_BOTTOM_RIGHT,
) -> tuple[int, int, int, int]:
    """The ``index``-th stamp's box at ``place``: stacked upwards from the bottom right, or
    downwards from the top left, so stamps never overlap."""
    x1, y1, x2, y2 = _media_box(writer, place.page)
    step = index * (STAMP_HEIGHT + STAMP_GAP)
    if place is StampPlace.FIRST_PAGE_TOP_LEFT:
        left = x1 + STAMP_MARGIN
        top = y2 - STAMP_MARGIN - step
        return (round(left), round(top - STAMP_HEIGHT), round(left + STAMP_WIDTH), round(top))
    right = x2 - STAMP_MARGIN
    bottom = y1 + STAMP_MARGIN + step
    return (
        round(right - STAMP_WIDTH),
        round(bottom),
        round(right),
        round(bottom + STAMP_HEIGHT),
    )


# pyHanko writes a subset font's /W widths in the font's own units, which PDF reads as
# thousandths of an em: a font of 2.048 units per em (Liberation, DejaVu) is drawn twice as
# wide as pyHanko measured it, letters spread and the stamp cut off. So the stamp's font is
# rescaled to 1.000 units per em once (fontTools) and the copy is used.
PDF_GLYPH_UNITS = 1000


def stamp_font(path: Path) -> Path:
    """``path`` itself if its units per em are PDF's 1.000, else a rescaled copy of it,
    made once and kept in the system's temporary folder under the font's content hash."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    data = path.read_bytes()
    font = TTFont(BytesIO(data))
    if font["head"].unitsPerEm == PDF_GLYPH_UNITS:
        return path
    digest = hashlib.sha256(data).hexdigest()[:16]
    scaled = Path(tempfile.gettempdir()) / f"motcua-stamp-{digest}-{PDF_GLYPH_UNITS}.ttf"
    if not scaled.is_file():
        scale_upem(font, PDF_GLYPH_UNITS)
        handle, temporary = tempfile.mkstemp(dir=scaled.parent, suffix=".ttf")
        with os.fdopen(handle, "wb") as out:
            font.save(out)
        os.replace(temporary, scaled)  # atomic: a parallel signer reads a whole font
    return scaled


def _escape(text: str) -> str:
    # The stamp template is %-interpolated by pyHanko: a literal % in a name must survive.
    return text.replace("%", "%%")


def sign_pdf(
    *,
    source: bytes,
    signer: SignerBackend,
    reason: str | None = None,
    trust_roots: Sequence[str | Path] | None = None,
    font: str | Path | None = None,
    tsa_url: str | None = None,
    place: StampPlace = StampPlace.LAST_PAGE_BOTTOM_RIGHT,
) -> bytes:
    """``source`` signed by ``signer``: a PAdES signature with a visible Vietnamese stamp
    at ``place``.

    ``trust_roots`` (default MOTCUA_SIGNING_TRUST_ROOTS): when given, the signer's chain is
    validated against them before signing and embedded; a signer that does not chain to them
    is refused, so the project never issues a signature its own verification rejects.
    ``tsa_url`` (default MOTCUA_SIGNING_TSA_URL; ``""`` for none): the RFC 3161 authority that
    timestamps the signature.
    Raises ``SignatureError`` (``field`` ``"source"``, ``"signer"``, ``"trust_roots"`` or
    ``"tsa"``).
    """
    read_pdf(source, field="source")  # refuse what is not a whole PDF before touching a key
    roots = trust_root_certificates(
        settings.MOTCUA_SIGNING_TRUST_ROOTS if trust_roots is None else trust_roots
    )
    font_path = Path(font or settings.MOTCUA_SIGNING_STAMP_FONT)
    if not font_path.is_file():
        raise SignatureError(
            _("stamp font %(path)s not found (MOTCUA_SIGNING_STAMP_FONT)") % {"path": font_path}
        )
    tsa = settings.MOTCUA_SIGNING_TSA_URL if tsa_url is None else tsa_url
    if tsa and not tsa.startswith(("https://", "http://")):
        raise SignatureError(
            _("the time-stamping authority's address %(url)s must start with https:// or http://")
            % {"url": tsa},
            field="tsa",
        )
    timestamper = HTTPTimeStamper(tsa, timeout=TSA_TIMEOUT) if tsa else None
    writer = IncrementalPdfFileWriter(BytesIO(source), strict=False)
    existing = len(list(fields.enumerate_sig_fields(writer)))
    field_name = f"Signature{existing + 1}"
    with signer.open() as key:
        certificate = key.signing_cert
        if certificate is None:
            raise SignatureError(
                _("signer %(name)s: no certificate found") % {"name": signer.name},
                field="signer",
            )
        subject = certificate.subject.native
        display_name = nfc(str(subject.get("common_name") or certificate.subject.human_friendly))
        moment = datetime.now(tz=VIETNAM)
        lines = [STAMP_TEMPLATE]
        params = {"signer": _escape(display_name), "when": stamp_moment(moment)}
        if reason:
            lines.append(STAMP_REASON_TEMPLATE)
            params["reason"] = _escape(nfc(reason))
        style = TextStampStyle(
            stamp_text="\n".join(lines),
            text_box_style=TextBoxStyle(
                font=GlyphAccumulatorFactory(str(stamp_font(font_path)), font_size=9),
                font_size=9,
            ),
            border_width=1,
        )
        context = (
            # soft-fail: dev and many agency certificates name no OCSP/CRL; allow_fetching
            # off: no network call may hold up a signature.
            ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
            if roots
            else None
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=nfc(reason) if reason else None,
            name=display_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=context is not None,
            validation_context=context,
        )
        pdf_signer = signers.PdfSigner(
            metadata,
            signer=key,
            timestamper=timestamper,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(
                field_name, on_page=place.page, box=_stamp_box(writer, existing, place)
            ),
        )
        output = BytesIO()
        try:
            pdf_signer.sign_pdf(writer, output=output, appearance_text_params=params)
        except TimestampRequestError as error:
            raise SignatureError(
                _("the time-stamping authority %(url)s did not answer with a timestamp (%(error)s)")
                % {"url": tsa, "error": error.__cause__ or error},
                field="tsa",
            ) from None
        except (PathError, ValidationError) as error:
            # pyHanko wraps the signer's own chain problems in SigningError (below); a bare
            # path error before signing is the TSA's certificate, validated with a test stamp.
            if timestamper is None:
                raise
            raise SignatureError(
                _(
                    "the time-stamping authority %(url)s: its certificate does not chain to "
                    "MOTCUA_SIGNING_TRUST_ROOTS (%(error)s)"
                )
                % {"url": tsa, "error": error},
                field="tsa",
            ) from None
        except SigningError as error:
            raise SignatureError(
                _(
                    "signer %(name)s: its certificate does not chain to "
                    "MOTCUA_SIGNING_TRUST_ROOTS (%(error)s)"
                )
                % {"name": signer.name, "error": error},
                field="signer",
            ) from None
    return output.getvalue()


RESULT_REASON = "Kết quả giải quyết thủ tục hành chính"


def result_signed(upload: IO[bytes] | None) -> IO[bytes] | None:
    """An electronic result as the competent official issues it: a PDF signed by the signer
    MOTCUA_RESULT_SIGNER names (issue 14 item 3), with a visible stamp; other files, or no
    signer configured, pass unchanged. A refused signing raises ``SignatureError`` with
    ``field`` ``"result"`` and the result is not issued."""
    name = settings.MOTCUA_RESULT_SIGNER
    if upload is None or not name:
        return upload
    upload.seek(0)
    data = upload.read(settings.MOTCUA_SIGNING_MAX_BYTES + 1)
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        return upload
    try:
        signed = sign_pdf(source=data, signer=configured_signer(name), reason=RESULT_REASON)
    except SignatureError as error:
        raise SignatureError(error.message, field="result") from None
    return BytesIO(signed)


def write_atomically(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, then rename.

    A reader never sees half a file, and a failure leaves nothing behind. An existing ``path``
    is refused unless ``force`` (``SignatureError`` with field ``"target"``).
    """
    if path.exists() and not force:
        raise SignatureError(
            _("%(path)s exists (use --force to replace it)") % {"path": path}, field="target"
        )
    directory = path.parent
    if not directory.is_dir():
        raise SignatureError(
            _("directory %(path)s does not exist") % {"path": directory}, field="target"
        )
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Evidence files attached to status updates: recognised by their content, never their name.

A file is accepted when its bytes are a PDF (header ``%PDF-`` and an ``%%EOF`` trailer near
the end), a JPEG (SOI marker ``FF D8 FF`` and an EOI marker ``FF D9`` after it) or a PNG
(signature, then the IHDR chunk), and when it is no larger than
``MOTCUA_DIRECTIVES["EVIDENCE_MAX_BYTES"]``.
A file renamed to .pdf is refused; a real PDF named .txt is accepted and stored as .pdf.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.directives.errors import InvalidInput
from motcua.lib.formatting import format_number
from motcua.lib.uploads import sniff

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Evidence:
    """What was recognised in an uploaded file."""

    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(
        getattr(settings, "MOTCUA_DIRECTIVES", {}).get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
    )


def evidence_check(upload: IO[bytes], *, name: str, field: str = "evidence") -> Evidence:
    """Read ``upload`` and say what it is; raise :class:`InvalidInput` naming ``field`` when
    it is empty, too large or not a PDF, JPEG or PNG."""
    limit = max_bytes()
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if not data:
        raise InvalidInput(_("%(name)s is empty") % {"name": name}, field=field)
    if len(data) > limit:
        raise InvalidInput(
            _("%(name)s is larger than the %(limit)s bytes allowed")
            % {"name": name, "limit": format_number(limit)},
            field=field,
        )
    content_type = sniff(data)
    if content_type is None:
        raise InvalidInput(
            _("%(name)s is not a PDF, JPEG or PNG file (its content was checked, not its name)")
            % {"name": name},
            field=field,
        )
    return Evidence(content_type, len(data), hashlib.sha256(data).hexdigest())

"""Characters no stored text may hold: NUL and lone UTF-16 surrogates.

PostgreSQL refuses a NUL in text and in ``jsonb`` with an error, while SQLite stores it: the
same input must be refused the same way on both, before the database sees it. A lone
surrogate (``"\\ud800"`` in JSON, or a command-line byte that is not UTF-8) is not Unicode
text at all and fails when encoded for the database. Forms already refuse NUL with Django's
``ProhibitNullCharactersValidator``; the command line and the history import use this.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """Why ``text`` cannot be stored (a Vietnamese message without the field), or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("contains a NUL character (U+0000), which text may not hold")
    return _("contains a lone surrogate (U+%(code)s), which is not valid Unicode text") % {
        "code": f"{ord(found.group()):04X}"
    }

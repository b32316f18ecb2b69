"""The compiled Vietnamese catalogues match their sources, are complete and are NFC.

The .mo files are committed (a fresh machine may lack GNU gettext); this catches a .po edited
without running `motcua compilemessages`.
"""

import gettext
import unicodedata
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
# Python and template catalogues, and the admin scripts' one of the project (djangojs).
PO_FILES = sorted(ROOT.glob("motcua/**/locale/vi/LC_MESSAGES/django*.po"))


def test_there_are_vietnamese_catalogues():
    assert PO_FILES


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_ships_a_complete_compiled_catalogue(po_path):
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    with po_path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        assert msgstr, f"{po_path.name}: {msgid!r} has no Vietnamese translation"
        assert unicodedata.is_normalized("NFC", msgstr), f"{msgid!r} is not NFC"
        # A merge that kept an old and a new copy of a wrapped msgstr joins them: the
        # translation then says itself twice (it did in catalog, dossiers and backoffice).
        half = len(msgstr) // 2
        assert not (len(msgstr) % 2 == 0 and msgstr[:half] == msgstr[half:]), (
            f"{po_path.name}: the translation of {msgid!r} repeats itself"
        )
        if isinstance(message.id, str):
            found = (
                compiled.pgettext(message.context, msgid)
                if message.context
                else compiled.gettext(msgid)
            )
            assert found == msgstr, f"{msgid!r}: .mo is stale, run compilemessages"

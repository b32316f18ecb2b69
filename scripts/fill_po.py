#!/usr/bin/env python3
"""Fill msgstr entries of a .po file from a JSON dict {msgid: msgstr} (a translator's helper).

python3 scripts/fill_po.py motcua/accounts/locale/vi/LC_MESSAGES/django.po translations.json
"""

import json
import sys
import unicodedata

from babel.messages.pofile import read_po, write_po


def main() -> None:
    po_path, json_path = sys.argv[1], sys.argv[2]
    with open(json_path, encoding="utf-8") as handle:
        translations = json.load(handle)
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str) and message.id in translations:
            message.string = unicodedata.normalize("NFC", translations[message.id])
            message.flags.discard("fuzzy")
        elif isinstance(message.id, tuple) and message.id[0] in translations:
            # Vietnamese has one plural form: the singular's key gives it.
            message.string = (unicodedata.normalize("NFC", translations[message.id[0]]),)
            message.flags.discard("fuzzy")
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=100)


if __name__ == "__main__":
    main()

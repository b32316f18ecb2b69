"""argparse's own messages (a command's usage and its refusals) in the interface language.

Every ``motcua`` command parses its arguments with argparse, whose messages go through the
standard library's ``gettext`` with no catalogue: ``motcua demo nothing`` answered "invalid
choice: 'nothing' (choose from 'load', …)" in English while the command itself speaks
Vietnamese. argparse looks its ``_`` and ``ngettext`` up in its module at each message, so
pointing them at Django's sends its msgids to the project's catalogues (overrides/locale).
"""

from __future__ import annotations

import argparse

from django.utils.translation import gettext, ngettext


def translate_argparse() -> None:
    """argparse's messages through Django's translations, in the active language."""
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]

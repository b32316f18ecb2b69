"""The public address of a dossier: the portal's tracking page with its code.

One definition for the QR code of form 01 (``documents.printouts``) and the applicant's
e-mails (``dossiers.notifications``). Built from ``MOTCUA_BASE_URL`` (``lib.site``), never
from a request.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.lib.site import site_url


def tracking_url(dossier: Dossier) -> str:
    """Where the applicant follows the dossier: the portal's tracking page with the code at
    the site's public address (the QR code of form 01)."""
    return site_url(f"{reverse('portal:track')}?{urlencode({'code': dossier.code})}")

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocstoreConfig(AppConfig):
    """Documents kept per person (ID number) and reused in the person's next dossiers."""

    name = "motcua.docstore"
    verbose_name = _("Document store")

"""Reads of declaration forms and of the answers filed with dossiers."""

from __future__ import annotations

from motcua.catalog.models import DeclarationForm, ProcedureVersion
from motcua.dossiers.models import Dossier, DossierDeclaration


def declaration_for(version: ProcedureVersion) -> DeclarationForm | None:
    """The declaration form a procedure version offers: its newest form, or else the newest
    form of the procedure's latest earlier version (a form stays until a version brings its
    own, so a new fee schedule does not drop the form). None when the procedure has none."""
    return (
        DeclarationForm.objects.filter(
            version__procedure_id=version.procedure_id, version__version__lte=version.version
        )
        .select_related("version")
        .order_by("-version__version", "-number")
        .first()
    )


def declaration_of(dossier: Dossier) -> DossierDeclaration | None:
    """The declaration filed with the dossier, with its form, or None."""
    return (
        DossierDeclaration.objects.filter(dossier=dossier).select_related("form", "actor").first()
    )

"""Who may see a person's stored documents: scoped like dossiers (house style R4).

A stored document is personal data of its owner, so it is never listed on its own account:

- in a dossier's context (the reuse panel), a user sees the documents of the dossier's
  applicant when the user may see that dossier (``dossiers.access``);
- in a free search by ID number, a user sees only the documents whose source dossier the
  user may see (an administrator sees them all);
- a download is allowed on either ground: the source dossier, or the dossier whose panel
  linked to it (same person).

"Missing" and "not yours" raise the same :class:`DocumentNotFound`. Reusing is a desk's act:
it needs the clerk's or the officer's role for the dossier's unit (or an administrator).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.access import restrict, user_unit_ids
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.docstore.errors import DocumentNotFound
from motcua.docstore.models import StoredDocument
from motcua.dossiers.access import STAFF_ROLES, dossier_list_for_user
from motcua.dossiers.models import Dossier

REUSE_ROLES = (Role.CLERK, Role.OFFICER, Role.ADMIN)


def _not_found(document_id: object) -> DocumentNotFound:
    return DocumentNotFound(
        _("Document: there is no stored document %(id)s that you may see.") % {"id": document_id},
        field="document",
    )


def document_list_for_user(user: User) -> QuerySet[StoredDocument]:
    """The stored documents whose source dossier the user may see (all for an
    administrator; none for an inactive user). Documents with no source dossier are only an
    administrator's to list."""
    documents = StoredDocument.objects.all()
    if not user.is_active:
        return documents.none()
    if user_unit_ids(user, STAFF_ROLES) is None:
        return documents
    return documents.filter(source_dossier__in=dossier_list_for_user(user).values("pk"))


def documents_for_dossier(user: User, dossier: Dossier) -> QuerySet[StoredDocument]:
    """The documents of the dossier's applicant, for a user who may see ``dossier`` (the
    caller loaded it through ``dossiers.access``); none when the applicant has no ID
    number."""
    if not dossier.applicant_id_number or not user.is_active:
        return StoredDocument.objects.none()
    if not dossier_list_for_user(user).filter(pk=dossier.pk).exists():
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(id_number=dossier.applicant_id_number)


def document_get_for_user(
    *, user: User, document_id: int, dossier: Dossier | None = None
) -> StoredDocument:
    """The document if the user may see it: through its source dossier, or through
    ``dossier`` (a dossier of the same person the user may see); else ``DocumentNotFound``."""
    found = document_list_for_user(user).filter(pk=document_id).first()
    if found is None and dossier is not None:
        found = documents_for_dossier(user, dossier).filter(pk=document_id).first()
    if found is None:
        raise _not_found(document_id)
    return found


def user_may_reuse_in(user: User, dossier_id: int) -> bool:
    """Whether the user may attach a stored document to the dossier: a clerk's or an
    officer's role covering its receiving or handling unit, or an administrator."""
    visible = restrict(Dossier.objects.all(), user, REUSE_ROLES, "receiving_unit", "handling_unit")
    return visible.filter(pk=dossier_id).exists()

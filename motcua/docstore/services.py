"""Writes of the document store: add a person's document, reuse it in a dossier, log a view.

Every write is one transaction and refuses bad input with a :class:`DocstoreError` naming the
field, having changed nothing. Files follow ``lib.uploads``: written under a pending name,
moved into place when the row commits, read back only when their SHA-256 matches.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.core.identity import InvalidValue, check_personal_id
from motcua.docstore.access import user_may_reuse_in
from motcua.docstore.choices import ViewReason
from motcua.docstore.errors import AlreadyReused, DocumentNotFound, InvalidInput, ReuseRefused
from motcua.docstore.models import DocumentReuse, DocumentView, StoredDocument
from motcua.docstore.selectors import documents_of_person, name_key, reusable_for_dossier
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile
from motcua.dossiers.services import (
    component_digitised_set,
    components_reusable_mark,
    dossier_file_attach,
    upload_limit,
)
from motcua.lib import uploads
from motcua.lib.formatting import format_date, format_number, nfc
from motcua.lib.validators import personal_id_message

NAME_MAX = 500
ISSUER_MAX = 300
NUMBER_MAX = 100


def _checked_id_number(id_number: str) -> str:
    text = "".join(str(id_number).split())
    try:
        check_personal_id(text)
    except InvalidValue:
        raise InvalidInput(personal_id_message(text), field="id_number") from None
    return text


def _checked_text(value: str, field: str, label: str, limit: int, *, required: bool) -> str:
    text = " ".join(nfc(str(value)).split())
    if required and not text:
        raise InvalidInput(_("%(field)s: enter a value.") % {"field": label}, field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s: at most %(limit)s characters (%(count)s were given).")
            % {"field": label, "limit": format_number(limit), "count": format_number(len(text))},
            field=field,
        )
    return text


def _checked_file(data: bytes, content_type: str) -> str:
    if not data:
        raise InvalidInput(_("File: the file is empty."), field="data")
    limit = upload_limit()
    if len(data) > limit:
        raise InvalidInput(
            _("File: larger than the %(limit)s bytes allowed.") % {"limit": format_number(limit)},
            field="data",
        )
    found = uploads.sniff(data)
    if found is None:
        raise InvalidInput(
            _("File: not a PDF, JPEG or PNG file (its content was checked)."), field="data"
        )
    if content_type and content_type != found:
        raise InvalidInput(
            _("Content type: %(given)s was given but the file is %(found)s.")
            % {"given": content_type[:50], "found": found},
            field="content_type",
        )
    return found


def _today() -> date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def _name_of(actor: User | None) -> str:
    if actor is None:
        return ""
    return actor.full_name or actor.username


def document_store_add(
    *,
    id_number: str,
    name: str,
    data: bytes,
    content_type: str,
    source_dossier_id: int | None,
    source_component_id: int | None,
    issuer: str = "",
    number: str = "",
    issued_on: date | None = None,
    valid_until: date | None = None,
    actor: User | None = None,
    at: datetime | None = None,
) -> StoredDocument:
    """Keep a digitised paper in the person's store, or return the one already kept.

    Idempotent: the same bytes for the same person are one document (the first one's details
    stay; a concurrent second add gets the first's row). Refused, nothing stored: an ID
    number that is not 12 digits, an empty or over-long name, a file that is empty, too
    large or not a PDF/JPEG/PNG (or not ``content_type``), a validity that ends before the
    issue date, a source component that is not part of the source dossier.
    """
    id_number = _checked_id_number(id_number)
    name = _checked_text(name, "name", _("Name"), NAME_MAX, required=True)
    issuer = _checked_text(issuer, "issuer", _("Issued by"), ISSUER_MAX, required=False)
    number = _checked_text(number, "number", _("Number"), NUMBER_MAX, required=False)
    if issued_on is not None and valid_until is not None and valid_until < issued_on:
        raise InvalidInput(
            _("Valid until: %(until)s is before the issue date %(issued)s.")
            % {"until": format_date(valid_until), "issued": format_date(issued_on)},
            field="valid_until",
        )
    found_type = _checked_file(data, content_type)
    if source_dossier_id is not None and not Dossier.objects.filter(pk=source_dossier_id).exists():
        raise InvalidInput(_("Source dossier: no such dossier."), field="source_dossier")
    if source_component_id is not None:
        component = DossierComponent.objects.filter(pk=source_component_id).first()
        if component is None or (
            source_dossier_id is not None and component.dossier_id != source_dossier_id
        ):
            raise InvalidInput(
                _("Source component: not a component of the source dossier."),
                field="source_component",
            )
        source_dossier_id = component.dossier_id
    sha256 = hashlib.sha256(data).hexdigest()
    existing = StoredDocument.objects.filter(id_number=id_number, sha256=sha256).first()
    if existing is not None:
        return existing
    document = StoredDocument(
        id_number=id_number,
        name=name,
        name_key=name_key(name),
        issuer=issuer,
        number=number,
        issued_on=issued_on,
        valid_until=valid_until,
        source_dossier_id=source_dossier_id,
        source_component_id=source_component_id,
        content_type=found_type,
        size=len(data),
        sha256=sha256,
        added_at=at or timezone.now(),
        added_by=actor,
    )
    try:
        with transaction.atomic():
            # Pending until the row commits: a rollback never leaves a file behind.
            uploads.save_on_commit(
                document.file, f"{uuid.uuid4().hex}{uploads.EXTENSIONS[found_type]}", data
            )
            document.save()
    except IntegrityError:
        # Someone added the same bytes for the same person at the same moment: theirs is it.
        # (The pending file of the rolled-back savepoint is removed by lib.uploads.)
        return StoredDocument.objects.get(id_number=id_number, sha256=sha256)
    return document


def _already(document: StoredDocument, component: DossierComponent) -> AlreadyReused:
    return AlreadyReused(
        _("Document: “%(name)s” was already reused for the component “%(component)s”.")
        % {"name": document.name, "component": component.name},
        field="document",
    )


def _reusable(
    document_id: int, dossier: Dossier, component_id: int
) -> tuple[StoredDocument, DossierComponent]:
    """The component of ``dossier`` and the applicant's stored document, once the document
    may be reused there (same person, still valid, not yet reused for it)."""
    component = DossierComponent.objects.filter(pk=component_id, dossier_id=dossier.pk).first()
    if component is None:
        raise InvalidInput(
            _("Component: not a component of dossier %(code)s.") % {"code": dossier.code},
            field="component",
        )
    document = StoredDocument.objects.filter(pk=document_id).first()
    if document is None or not dossier.applicant_id_number:
        raise DocumentNotFound(
            _("Document: there is no stored document %(id)s of this applicant.")
            % {"id": document_id},
            field="document",
        )
    if document.id_number != dossier.applicant_id_number:
        # Same answer as a missing document: another person's papers are not even named.
        raise ReuseRefused(
            _("Document: there is no stored document %(id)s of this applicant.")
            % {"id": document_id},
            field="document",
        )
    if document.valid_until is not None and document.valid_until < _today():
        raise ReuseRefused(
            _("Document: “%(name)s” expired on %(date)s and cannot be reused.")
            % {"name": document.name, "date": format_date(document.valid_until)},
            field="document",
        )
    if DocumentReuse.objects.filter(document=document, component=component).exists():
        raise _already(document, component)
    return document, component


def _reuse(
    document: StoredDocument,
    dossier: Dossier,
    component: DossierComponent,
    *,
    actor: User | None,
    actor_name: str,
) -> DocumentReuse:
    try:
        body = uploads.open_checked(document.file, document.sha256)
    except uploads.StoredFileUnreadable as error:
        raise ReuseRefused(
            _("Document: its stored file cannot be read (%(reason)s).") % {"reason": error.message},
            field="document",
        ) from None
    now = timezone.now()
    with body, transaction.atomic():
        reuse = DocumentReuse(
            document=document,
            dossier=dossier,
            component=component,
            actor=actor,
            actor_name=actor_name,
            at=now,
        )
        try:
            # First: a second clerk's insert waits here for the first's commit, then fails.
            with transaction.atomic():
                reuse.save()
        except IntegrityError:
            raise _already(document, component) from None
        extension = uploads.EXTENSIONS.get(document.content_type, "")
        try:
            attached = dossier_file_attach(
                dossier_id=dossier.pk,
                upload=body,
                name=f"{document.name}{extension}",
                kind=DossierFile.Kind.COMPONENT,
                component_id=component.pk,
                actor=actor,
                at=now,
            )
        except DossierError as error:
            raise ReuseRefused(error.message, field="document") from None
        reuse.dossier_file = attached
        reuse.save(update_fields=["dossier_file"])
        component_digitised_set(component_id=component.pk, digitised=True, reused=True)
    return reuse


def document_reuse(
    *, document_id: int, dossier_id: int, component_id: int, actor: User
) -> DocumentReuse:
    """Reuse a person's stored document for a component of another dossier of the same
    person: its bytes become the component's scan (a dossier file), the reuse is recorded,
    and the component counts as digitised.

    Refused with nothing changed: a dossier the actor may not act on, a component of another
    dossier, another person's document, an expired one, one whose stored bytes are not
    those recorded, and a second reuse of the same document for the same component (also
    when two clerks reuse it at once: the unique reuse row decides, exactly one wins).
    """
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not user_may_reuse_in(actor, dossier_id):
        raise DocumentNotFound(
            _("Dossier: no such dossier in your units, or you may not add files to it."),
            field="dossier",
        )
    document, component = _reusable(document_id, dossier, component_id)
    return _reuse(document, dossier, component, actor=actor, actor_name=_name_of(actor))


def document_reuse_by_applicant(
    *, document_id: int, dossier_id: int, component_id: int, id_number: str, name: str
) -> DocumentReuse:
    """The applicant reuses one of their own stored documents for a component of their
    dossier (the portal's submission form, signed in with the national identity).

    ``id_number`` and ``name`` are the signed-in citizen's verified claims, passed by the
    caller from the session, never from a form. Refused as :func:`document_reuse` is, and
    also when the dossier's applicant is not that verified person.
    """
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if (
        dossier is None
        or not dossier.applicant_verified
        or dossier.applicant_id_number != id_number
    ):
        raise DocumentNotFound(
            _("Dossier: not a dossier of the signed-in applicant."), field="dossier"
        )
    document, component = _reusable(document_id, dossier, component_id)
    return _reuse(document, dossier, component, actor=None, actor_name=name[:200])


def dossier_reuse_eligibility_record(*, dossier_id: int) -> int:
    """Mark the components of a dossier just come in for which the applicant's store holds a
    valid paper of the same name: the dossier is then eligible for 766 indicator 4.3 whether
    or not the clerk reuses it. One query on the store (none without an ID number). Returns
    how many components were marked."""
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or not dossier.applicant_id_number:
        return 0
    rows = reusable_for_dossier(dossier, documents_of_person(dossier.applicant_id_number), _today())
    found = [row.component.pk for row in rows if row.matches]
    return components_reusable_mark(dossier_id=dossier.pk, component_ids=found) if found else 0


def document_view_log(
    *,
    document_ids: Iterable[int],
    viewer: User | None,
    reason: ViewReason | str,
    dossier_id: int | None = None,
    at: datetime | None = None,
    viewer_name: str = "",
) -> int:
    """Record that ``viewer`` was shown each of the documents (their details in a list, or a
    file sent); how many rows were written. One insert for the lot. A citizen has no user
    account: ``viewer`` is None and ``viewer_name`` their verified name."""
    moment = at or timezone.now()
    why = ViewReason(reason)
    rows = [
        DocumentView(
            document_id=document_id,
            viewer=viewer,
            viewer_name=(viewer_name or _name_of(viewer))[:200],
            at=moment,
            reason=why,
            dossier_id=dossier_id,
        )
        for document_id in dict.fromkeys(document_ids)
    ]
    DocumentView.objects.bulk_create(rows)
    return len(rows)

"""Reads of the document store. Access is the caller's (``docstore.access``): the selectors
that take a query set of documents read only within it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.docstore.models import DocumentReuse, StoredDocument
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile
from motcua.lib import uploads
from motcua.lib.formatting import nfc
from motcua.lib.paging import Ordering

# Newest first; the id breaks ties (keyset pages, lib.paging).
DOCUMENT_ORDERING = Ordering.of("-added_at", "-id")
# Bounds of the reuse panel: a dossier has a handful of components (form 01's table), and a
# few candidates per component are enough to choose from; the paged list shows the rest.
MAX_COMPONENTS = 100
MAX_MATCHES = 5


def name_key(name: str) -> str:
    """What a document's name and a component's name are matched by: NFC, case-folded,
    inner spaces collapsed ("Giấy khai sinh" matches "GIẤY  KHAI SINH")."""
    return " ".join(nfc(name).casefold().split())


@dataclass
class ComponentRow:
    """A component of a dossier in the reuse panel: whether it has a scan, the person's
    valid documents of the same name, and which of them were already reused for it."""

    component: DossierComponent
    has_file: bool
    matches: list[StoredDocument] = field(default_factory=list)
    reused: set[int] = field(default_factory=set)


def documents_of_person(id_number: str) -> QuerySet[StoredDocument]:
    """Every stored document of the person with ``id_number`` (no access applied)."""
    return StoredDocument.objects.filter(id_number=id_number)


def valid_on(documents: QuerySet[StoredDocument], day: date) -> QuerySet[StoredDocument]:
    """The documents still valid on ``day`` (no end of validity, or not passed)."""
    return documents.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def matches_by_name(
    documents: QuerySet[StoredDocument], names: Iterable[str], day: date
) -> dict[str, list[StoredDocument]]:
    """The documents of ``documents`` valid on ``day`` whose name matches one of ``names``
    (:func:`name_key`), by key, newest first, at most :data:`MAX_MATCHES` each. One query."""
    keys = {name_key(name) for name in names} - {""}
    by_key: dict[str, list[StoredDocument]] = {}
    if not keys:
        return by_key
    candidates = (
        valid_on(documents, day)
        .filter(name_key__in=keys)
        .order_by("-added_at", "-id")[: MAX_MATCHES * len(keys)]
    )
    for document in candidates:
        found = by_key.setdefault(document.name_key, [])
        if len(found) < MAX_MATCHES:
            found.append(document)
    return by_key


def reusable_for_dossier(
    dossier: Dossier, documents: QuerySet[StoredDocument], day: date
) -> list[ComponentRow]:
    """The dossier's components, each with the documents of ``documents`` (the applicant's,
    as the user may see them) valid on ``day`` whose name matches the component's (NFC,
    case-insensitive), newest first, at most :data:`MAX_MATCHES` each. Three queries."""
    has_file = Exists(
        DossierFile.objects.filter(component=OuterRef("pk"), kind=DossierFile.Kind.COMPONENT)
    )
    components = list(
        DossierComponent.objects.filter(dossier=dossier)
        .annotate(has_file=has_file)
        .order_by("id")[:MAX_COMPONENTS]
    )
    rows = [ComponentRow(c, bool(getattr(c, "has_file", False))) for c in components]
    if not rows:
        return rows
    by_key = matches_by_name(documents, [c.name for c in components], day)
    reused = DocumentReuse.objects.filter(component__in=components).values_list(
        "component_id", "document_id"
    )
    reused_by_component: dict[int, set[int]] = {}
    for component_id, document_id in reused:
        reused_by_component.setdefault(component_id, set()).add(document_id)
    for row in rows:
        row.matches = by_key.get(name_key(row.component.name), [])
        row.reused = reused_by_component.get(row.component.pk, set())
    return rows


def document_bytes(document: StoredDocument) -> bytes:
    """The document's bytes once they match its recorded SHA-256, else
    ``lib.uploads.StoredFileUnreadable``."""
    with uploads.open_checked(document.file, document.sha256) as body:
        return body.read()

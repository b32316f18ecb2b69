"""The document store's staff pages: a dossier's reuse panel, the search by ID number, and
a stored document's download.

Sign-in required; a dossier is loaded through ``dossiers.access`` and documents through
``docstore.access``, so what the user may not see answers 404 like what does not exist.
Every document shown (its details in a list, or its file) is logged (``DocumentView``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.core.clock import LOCAL_TZ
from motcua.docstore.access import (
    document_get_for_user,
    document_list_for_user,
    documents_for_dossier,
)
from motcua.docstore.choices import ViewReason
from motcua.docstore.errors import AlreadyReused, DocstoreError, DocumentNotFound
from motcua.docstore.forms import ReuseForm, SearchForm
from motcua.docstore.models import StoredDocument
from motcua.docstore.selectors import DOCUMENT_ORDERING, reusable_for_dossier
from motcua.docstore.services import document_reuse, document_view_log
from motcua.dossiers.access import dossier_get_for_user
from motcua.dossiers.errors import DossierError, DossierNotFound
from motcua.dossiers.models import Dossier
from motcua.lib import uploads
from motcua.lib.formatting import format_date, format_moment, format_number
from motcua.lib.http import ProblemPage, page_view
from motcua.lib.paging import Page, keyset_page, read_cursor

PAGE_SIZE = 25
PROBLEM_PAGE = ProblemPage(
    back="docstore:search",
    back_label=gettext_lazy("Back to the document search"),
    not_found_title=gettext_lazy("Not found"),
)
docstore_view = page_view(PROBLEM_PAGE, not_found=(DossierNotFound, DocumentNotFound))


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _today() -> date:
    return timezone.now().astimezone(LOCAL_TZ).date()


def _row(document: StoredDocument, dossier: Dossier | None = None) -> dict[str, Any]:
    """A document as the pages show it: dates the Vietnamese way, its download link (in the
    dossier's context when there is one)."""
    url = reverse("docstore:download", args=[document.pk])
    if dossier is not None:
        url += "?" + urlencode({"ho-so": dossier.code})
    return {
        "id": document.pk,
        "name": document.name,
        "issuer": document.issuer,
        "number": document.number,
        "issued_on": format_date(document.issued_on) if document.issued_on else "",
        "valid_until": format_date(document.valid_until) if document.valid_until else "",
        "expired": document.valid_until is not None and document.valid_until < _today(),
        "added_at": format_moment(document.added_at),
        "size": format_number(document.size),
        "url": url,
    }


def _panel_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The reuse panel of ``dossier``: its components with their matching documents, and the
    applicant's documents a page at a time. Every document shown is logged."""
    user = _user(request)
    documents = documents_for_dossier(user, dossier)
    cursor = read_cursor(request.GET.get("cursor"), DOCUMENT_ORDERING)
    rows = reusable_for_dossier(dossier, documents, _today())
    page: Page[StoredDocument] = keyset_page(documents, DOCUMENT_ORDERING, cursor, PAGE_SIZE)
    shown = [d.pk for row in rows for d in row.matches] + [d.pk for d in page.rows]
    document_view_log(
        document_ids=shown, viewer=user, reason=ViewReason.REUSE_PANEL, dossier_id=dossier.pk
    )
    components = [
        {
            "id": row.component.pk,
            "name": row.component.name,
            "has_file": row.has_file,
            "digitised": row.component.digitised,
            "matches": [_row(d, dossier) | {"reused": d.pk in row.reused} for d in row.matches],
        }
        for row in rows
    ]
    return {
        "dossier": dossier,
        "components": components,
        "documents": [_row(d, dossier) for d in page.rows],
        "page": page,
        "links": page.links({}),
        "errors": {},
    }


@docstore_view
@require_GET
def panel(request: HttpRequest, code: str) -> HttpResponse:
    """The reuse panel of a dossier the user may see."""
    dossier = dossier_get_for_user(user=_user(request), code=code)
    return render(request, "docstore/panel.html", _panel_context(request, dossier))


@docstore_view
@require_POST
def reuse(request: HttpRequest, code: str) -> HttpResponse:
    """The "Dùng lại" button: the document becomes the component's scan. A refusal is shown
    on the panel naming the field, with nothing changed."""
    dossier = dossier_get_for_user(user=_user(request), code=code)
    form = ReuseForm(request.POST)
    errors: dict[str, str] = {}
    status = 400
    if not form.is_valid():
        errors = {name: str(found[0]) for name, found in form.errors.items()}
    else:
        try:
            document_reuse(
                document_id=form.cleaned_data["document"],
                dossier_id=dossier.pk,
                component_id=form.cleaned_data["component"],
                actor=_user(request),
            )
        except (DocstoreError, DossierError) as error:
            errors = {error.field or "document": error.message}
            status = 409 if isinstance(error, AlreadyReused) else 400
    if errors:
        context = _panel_context(request, dossier) | {"errors": errors}
        return render(request, "docstore/panel.html", context, status=status)
    messages.success(request, _("The stored document was attached to the component."))
    return redirect("docstore:panel", code=dossier.code)


@docstore_view
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The documents of a person (``?so=<ID number>``) whose source dossier the user may
    see, newest first, a page at a time. Nothing is read until a number is given."""
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False, "documents": [], "links": {}}
    if not form.is_valid():
        return render(request, "docstore/search.html", context, status=400)
    id_number = form.cleaned_data["so"]
    if id_number:
        user = _user(request)
        documents = document_list_for_user(user).filter(id_number=id_number)
        page: Page[StoredDocument] = keyset_page(
            documents, DOCUMENT_ORDERING, form.cleaned_data["cursor"], PAGE_SIZE
        )
        document_view_log(
            document_ids=[d.pk for d in page.rows], viewer=user, reason=ViewReason.SEARCH
        )
        context |= {
            "searched": True,
            "documents": [_row(d) for d in page.rows],
            "page": page,
            "links": page.links({"so": id_number}),
        }
    return render(request, "docstore/search.html", context)


@docstore_view
@require_GET
def download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    """A stored document's file, for a user who may see it (through its source dossier, or
    the dossier of the same person given as ``?ho-so=``); logged before it is sent."""
    user = _user(request)
    code = str(request.GET.get("ho-so", "")).strip()
    dossier = dossier_get_for_user(user=user, code=code) if code else None
    document = document_get_for_user(user=user, document_id=document_id, dossier=dossier)
    document_view_log(
        document_ids=[document.pk],
        viewer=user,
        reason=ViewReason.DOWNLOAD,
        dossier_id=dossier.pk if dossier is not None else None,
    )
    extension = uploads.EXTENSIONS.get(document.content_type, "")
    return uploads.checked_file_response(
        request,
        document.file,
        document.sha256,
        content_type=document.content_type,
        filename=f"{document.name}{extension}",
        as_attachment=True,
    )

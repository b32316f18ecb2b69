"""The citizen's account pages: sign in with the national identity (to the provider and back),
sign out, and "my dossiers" (docs/citizens.md).

A refused sign-in answers a page saying why, in Vietnamese, with no one signed in.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from motcua.citizens import services
from motcua.citizens.choices import Refusal
from motcua.citizens.errors import SignInRefused
from motcua.citizens.selectors import IDENTITY, citizen_dossiers, signed_in_citizen
from motcua.docstore.choices import ViewReason
from motcua.docstore.models import StoredDocument
from motcua.docstore.selectors import DOCUMENT_ORDERING, documents_of_person
from motcua.docstore.services import document_view_log
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.lib.formatting import format_date
from motcua.lib.http import BadParameter
from motcua.lib.paging import Ordering, Page, keyset_page, read_cursor
from motcua.lib.uploads import EXTENSIONS, checked_file_response

log = logging.getLogger(__name__)

PAGE_SIZE = 25
# Newest first; the code (unique) breaks ties.
MY_ORDER = Ordering.of("-submitted_at", "-code")


def _absolute(request: HttpRequest, name: str) -> str:
    # The address registered with the provider: MOTCUA_BASE_URL when set (behind a proxy the
    # request's own host may not be the public one).
    path = reverse(name)
    base = getattr(settings, "MOTCUA_BASE_URL", "")
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def _refused(request: HttpRequest, error: SignInRefused) -> HttpResponse:
    # Not configured: the page does not exist on this site; unreachable: try again later.
    status = {Refusal.NOT_CONFIGURED: 404, Refusal.UNREACHABLE: 503}.get(error.reason, 400)
    return render(
        request,
        "citizens/problem.html",
        {"title": _("Sign-in refused"), "message": error.message},
        status=status,
    )


def _safe_next(request: HttpRequest, value: str) -> str:
    value = value[:500]
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@never_cache
@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider (a new state, nonce and PKCE verifier)."""
    try:
        url = services.sign_in_begin(
            session=request.session,
            redirect_uri=_absolute(request, "citizens:callback"),
            next_url=_safe_next(request, request.GET.get("next", "")),
        )
    except SignInRefused as error:
        return _refused(request, error)
    return redirect(url)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: the code exchanged, the ID token verified."""
    try:
        _account, next_url = services.sign_in_complete(
            session=request.session,
            redirect_uri=_absolute(request, "citizens:callback"),
            params={key: request.GET.get(key, "") for key in ("state", "code", "error")},
        )
    except SignInRefused as error:
        log.warning("citizens: sign-in refused (%s)", error.reason)
        # Whoever was signed in in this browser is not any more: the answer is not trusted.
        request.session.pop(IDENTITY, None)
        return _refused(request, error)
    return redirect(next_url or "citizens:my_dossiers")


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out here, then at the provider when it has an end-session address."""
    url = services.sign_out(
        session=request.session, post_logout_redirect_uri=_absolute(request, "portal:catalog")
    )
    return redirect(url or "portal:catalog")


@never_cache
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's dossiers (their verified personal ID number), newest first."""
    identity = signed_in_citizen(request.session)
    if identity is None:
        return redirect(reverse("citizens:sign_in") + "?next=" + reverse("citizens:my_dossiers"))
    context: dict[str, object] = {"identity": identity}
    try:
        position = read_cursor(request.GET.get("cursor"), MY_ORDER)
    except BadParameter as error:
        context["problem"] = error.message
        return render(request, "citizens/my_dossiers.html", context, status=400)
    page: Page[Dossier] = keyset_page(citizen_dossiers(identity), MY_ORDER, position, PAGE_SIZE)
    context["page"] = page
    context["links"] = page.links({})
    context["rows"] = [
        {
            "dossier": dossier,
            "submitted": format_date(timezone.localtime(dossier.submitted_at).date()),
            "status": Status(dossier.status).label,
        }
        for dossier in page.rows
    ]
    context["birth_date"] = format_date(identity.birth_date) if identity.birth_date else ""
    return render(request, "citizens/my_dossiers.html", context)


@never_cache
def my_papers(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's document store: the papers digitised from their dossiers,
    reusable in the next one (issue 14). Every listing is logged as a view of each paper."""
    identity = signed_in_citizen(request.session)
    if identity is None:
        return redirect(reverse("citizens:sign_in") + "?next=" + reverse("citizens:my_papers"))
    context: dict[str, object] = {"identity": identity}
    try:
        position = read_cursor(request.GET.get("cursor"), DOCUMENT_ORDERING)
    except BadParameter as error:
        context["problem"] = error.message
        return render(request, "citizens/my_papers.html", context, status=400)
    page: Page[StoredDocument] = keyset_page(
        documents_of_person(identity.id_number), DOCUMENT_ORDERING, position, PAGE_SIZE
    )
    today = timezone.localdate()
    context["page"] = page
    context["links"] = page.links({})
    context["rows"] = [
        {
            "document": document,
            "issued": format_date(document.issued_on) if document.issued_on else "",
            "valid_until": format_date(document.valid_until) if document.valid_until else "",
            "expired": document.valid_until is not None and document.valid_until < today,
            "added": format_date(timezone.localtime(document.added_at).date()),
        }
        for document in page.rows
    ]
    if page.rows:
        document_view_log(
            document_ids=[document.pk for document in page.rows],
            viewer=None,
            viewer_name=identity.name,
            reason=ViewReason.OWNER,
        )
    return render(request, "citizens/my_papers.html", context)


@require_GET
@never_cache
def my_paper_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    """One of the signed-in citizen's stored papers, logged; another person's is not found."""
    identity = signed_in_citizen(request.session)
    if identity is None:
        return redirect(reverse("citizens:sign_in") + "?next=" + reverse("citizens:my_papers"))
    document = documents_of_person(identity.id_number).filter(pk=document_id).first()
    if document is None:
        context = {
            "status": 404,
            "title": _("Not found"),
            "message": _("You have no stored paper with this number."),
        }
        return render(request, "errors/error.html", context, status=404)
    document_view_log(
        document_ids=[document.pk],
        viewer=None,
        viewer_name=identity.name,
        reason=ViewReason.DOWNLOAD,
    )
    return checked_file_response(
        request,
        document.file,
        document.sha256,
        content_type=document.content_type,
        filename=f"{document.name}{EXTENSIONS.get(document.content_type, '')}",
        as_attachment=True,
    )

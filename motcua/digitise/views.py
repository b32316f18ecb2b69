"""The clerk's digitisation page: progress, checks, reasons, the signed PDF/A, and the form
to confirm what OCR suggested.

Sign-in required; the dossier is loaded through ``dossiers.access`` only, so a dossier
outside the user's units answers 404 exactly like a missing one (house style R4). Writes go
through ``digitise.services``; a refusal is shown next to the field it names, with nothing
changed.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import User
from motcua.digitise import selectors
from motcua.digitise.errors import DigitisationNotFound, DigitiseError
from motcua.digitise.forms import ConfirmForm
from motcua.digitise.models import Digitisation
from motcua.digitise.services import digitisation_confirm, digitisation_request
from motcua.dossiers.access import dossier_get_for_user
from motcua.dossiers.errors import DossierNotFound
from motcua.dossiers.models import Dossier
from motcua.lib import uploads
from motcua.lib.http import attempt, signed_in

# Seconds between refreshes while a file is queued or being digitised.
REFRESH_SECONDS = 5


def _not_found(request: HttpRequest, error: Exception) -> HttpResponseBase:
    raise Http404(_("No such dossier.")) from None


# A dossier (or file) the user may not see is a 404, like a missing one.
staff_view = signed_in((DossierNotFound, DigitisationNotFound), _not_found)


def _dossier(request: HttpRequest, code: str) -> Dossier:
    return dossier_get_for_user(user=cast(User, request.user), code=code)


def _digitisation(dossier: Dossier, digitisation_id: int) -> Digitisation:
    found = (
        Digitisation.objects.filter(pk=digitisation_id, file__dossier=dossier)
        .select_related("file")
        .first()
    )
    if found is None:
        raise DigitisationNotFound(_("no such digitisation"), field="digitisation")
    return found


def _render(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: tuple[int, ConfirmForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = selectors.dossier_file_rows(dossier)
    entries: list[dict[str, Any]] = []
    for row in rows:
        form = None
        if row.digitisation is not None:
            if bound is not None and bound[0] == row.digitisation.pk:
                form = bound[1]
            else:
                form = ConfirmForm(initial=row.initial(), prefix=f"d{row.digitisation.pk}")
        entries.append({"row": row, "form": form})
    context = {
        "dossier": dossier,
        "entries": entries,
        "refresh": REFRESH_SECONDS if any(row.busy for row in rows) else None,
        "has_error": bound is not None,
    }
    return render(request, "digitise/dossier.html", context, status=status)


@require_GET
@staff_view
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier's component scans and their digitisation."""
    return _render(request, _dossier(request, code))


@require_POST
@staff_view
def file_request(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    """Queue a scan (again, after a rejection or failure)."""
    dossier = _dossier(request, code)
    stored = dossier.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404(_("No such file."))
    try:
        digitisation_request(
            file_id=stored.pk,
            again=request.POST.get("again") == "1",
            actor=cast(User, request.user),
        )
    except DigitiseError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Queued for digitisation: %(name)s") % {"name": stored.original_name}
        )
    return redirect("digitise:dossier", code=dossier.code)


@require_POST
@staff_view
def confirm(request: HttpRequest, code: str, digitisation_id: int) -> HttpResponseBase:
    """The clerk confirms or corrects the suggested values."""
    dossier = _dossier(request, code)
    digitisation = _digitisation(dossier, digitisation_id)
    form = ConfirmForm(request.POST, prefix=f"d{digitisation.pk}")
    done = None
    if form.is_valid():
        done = attempt(
            form,
            lambda: digitisation_confirm(
                digitisation_id=digitisation.pk,
                values=form.cleaned_data,
                actor=cast(User, request.user),
            ),
            refusals=DigitiseError,
        )
    if done is None:
        return _render(request, dossier, bound=(digitisation.pk, form), status=400)
    messages.success(request, _("Values confirmed."))
    return redirect("digitise:dossier", code=dossier.code)


@require_GET
@staff_view
def output_file(request: HttpRequest, code: str, digitisation_id: int) -> HttpResponseBase:
    """The signed PDF/A, served only when its bytes are the ones recorded."""
    dossier = _dossier(request, code)
    digitisation = _digitisation(dossier, digitisation_id)
    if not digitisation.output_sha256:
        raise Http404(_("No such file."))
    return uploads.checked_file_response(
        request,
        digitisation.output,
        digitisation.output_sha256,
        content_type="application/pdf",
        filename=f"so-hoa-{digitisation.file_id}.pdf",
    )

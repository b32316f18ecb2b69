"""The register's staff pages and the public check of a certified copy.

Staff pages (sign-in required, the unit's clerks and leaders, ``access``): the register of a
unit, the certification form, an entry with its download and revocation. The public page
(``/xac-minh/<token>/``, no sign-in) shows the entry without personal data beyond what the copy
shows, and checks an uploaded file or a pasted SHA-256 against the signed copy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts import ratelimit
from motcua.accounts.models import User
from motcua.certification.access import (
    certification_default_unit,
    certification_units,
    copy_get_for_user,
    user_may_certify,
)
from motcua.certification.choices import DocumentType, Outcome
from motcua.certification.errors import CopyNotFound
from motcua.certification.forms import CertifyForm, CheckForm, RegisterFilters, RevokeForm
from motcua.certification.models import CertifiedCopy
from motcua.certification.selectors import (
    REGISTER_ORDER,
    Check,
    copy_by_token,
    mask_id_number,
    register_page,
    verification_check,
    verification_hash_check,
)
from motcua.certification.services import copy_certify, copy_revoke
from motcua.core.errors import DomainError
from motcua.dossiers.access import dossier_get_for_user
from motcua.dossiers.errors import DossierNotFound
from motcua.lib import clientip, uploads
from motcua.lib.http import NotVisible, ProblemPage, attempt, page_view, parameters
from motcua.lib.paging import read_cursor

PAGE = ProblemPage(
    back="certification:register",
    back_label=gettext_lazy("Back to the register of certified copies"),
    not_found_title=gettext_lazy("Certified copy not found"),
)
# The service's field names that the form calls differently.
ALIASES = {"dossier": "dossier_code"}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _max_bytes() -> int:
    return int(settings.MOTCUA_CERTIFICATION_MAX_BYTES)


def _read_upload(form: Any, name: str) -> bytes | None:
    """The uploaded file's bytes, or None with an error on ``name`` when it is too large
    (read no further than the limit)."""
    upload = form.cleaned_data.get(name)
    if upload is None:
        return None
    limit = _max_bytes()
    if upload.size is not None and upload.size > limit:
        form.add_error(
            name,
            _("The file is larger than the %(limit)s MB allowed.")
            % {"limit": f"{limit / 1024 / 1024:.0f}"},
        )
        return None
    upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        form.add_error(name, _("The file is larger than the %(limit)s MB allowed.") % {
            "limit": f"{limit / 1024 / 1024:.0f}"
        })  # fmt: skip
        return None
    return data


@page_view(PAGE)
def register(request: HttpRequest) -> HttpResponse:
    """A unit's register, newest entry first, filtered by type and year, a page at a time."""
    user = _user(request)
    filters = parameters(RegisterFilters(request.GET))
    units = certification_units(user)
    unit = None
    if filters.get("unit"):
        unit = next((u for u in units if u.pk == filters["unit"]), None)
        if unit is None:
            raise NotVisible(_("unit: no such unit in your scope"), field="unit")
    else:
        unit = certification_default_unit(user)
    if unit is None:
        raise PermissionDenied
    cursor = read_cursor(request.GET.get("cursor"), REGISTER_ORDER)
    kind = DocumentType(filters["type"]) if filters.get("type") else None
    page = register_page(unit_id=unit.pk, cursor=cursor, document_type=kind, year=filters["year"])
    query = {k: str(v) for k, v in request.GET.items() if k != "cursor"}
    context = {
        "unit": unit,
        "units": units,
        "types": DocumentType.choices,
        "values": {"type": filters.get("type") or "", "year": filters.get("year") or ""},
        "page": page,
        "links": page.links(query),
    }
    return render(request, "certification/register.html", context)


@page_view(PAGE)
@require_http_methods(["GET", "POST"])
def certify(request: HttpRequest) -> HttpResponseBase:
    """The form to certify a copy: the original's scan and details."""
    user = _user(request)
    units = [(u.pk, u.name) for u in certification_units(user)]
    if not units:
        raise PermissionDenied
    # From a dossier's page: its code filled in (?ho-so=CODE).
    initial = {"dossier_code": str(request.GET.get("ho-so", ""))[:40]}
    form = CertifyForm(request.POST or None, request.FILES or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = _read_upload(form, "scan")
            dossier_id = None
            code = form.cleaned_data["dossier_code"].strip()
            if code and data is not None:
                try:
                    dossier_id = dossier_get_for_user(user=user, code=code).pk
                except DossierNotFound:
                    form.add_error("dossier_code", _("No dossier %(code)s in your units.") % {
                        "code": code
                    })  # fmt: skip
                    data = None
            if data is not None:
                entry = attempt(
                    form,
                    lambda: copy_certify(
                        unit_id=form.cleaned_data["unit"],
                        document_type=form.cleaned_data["document_type"],
                        source=data,
                        requester_name=form.cleaned_data["requester_name"],
                        requester_id_number=form.cleaned_data["requester_id_number"],
                        original_name=form.cleaned_data["original_name"],
                        original_number=form.cleaned_data["original_number"],
                        original_issuer=form.cleaned_data["original_issuer"],
                        original_issued_on=form.cleaned_data["original_issued_on"],
                        actor=user,
                        dossier_id=dossier_id,
                    ),
                    refusals=DomainError,
                    aliases=ALIASES,
                )
                if entry is not None:
                    messages.success(
                        request,
                        _("Copy certified: number %(number)s.") % {"number": entry.number_text},
                    )
                    return redirect("certification:copy", copy_id=entry.pk)
    return render(request, "certification/certify.html", {"form": form}, status=status)


def _entry_context(entry: CertifiedCopy, form: RevokeForm) -> dict[str, Any]:
    return {"entry": entry, "form": form}


@page_view(PAGE, not_found=(CopyNotFound,))
def copy_detail(request: HttpRequest, copy_id: int) -> HttpResponse:
    """One entry of the register, with its download and the revocation form."""
    entry = copy_get_for_user(user=_user(request), copy_id=copy_id)
    return render(request, "certification/copy.html", _entry_context(entry, RevokeForm()))


@page_view(PAGE, not_found=(CopyNotFound,))
def copy_download(request: HttpRequest, copy_id: int) -> HttpResponseBase:
    """The signed copy, once its bytes are the ones recorded."""
    entry = copy_get_for_user(user=_user(request), copy_id=copy_id)
    name = f"ban-sao-{entry.number_text}".replace("/", "-") + ".pdf"
    return uploads.checked_file_response(
        request, entry.file, entry.sha256, content_type="application/pdf", filename=name
    )


@page_view(PAGE, not_found=(CopyNotFound,))
@require_POST
def copy_revoke_view(request: HttpRequest, copy_id: int) -> HttpResponseBase:
    """Revoke the copy, with a reason."""
    user = _user(request)
    entry = copy_get_for_user(user=user, copy_id=copy_id)
    if not user_may_certify(user, entry.unit_id):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if form.is_valid():
        done = attempt(
            form,
            lambda: copy_revoke(copy_id=entry.pk, actor=user, reason=form.cleaned_data["reason"]),
            refusals=DomainError,
        )
        if done is not None:
            messages.success(request, _("The copy %(number)s was revoked.") % {
                "number": entry.number_text
            })  # fmt: skip
            return redirect("certification:copy", copy_id=entry.pk)
    entry.refresh_from_db()
    return render(request, "certification/copy.html", _entry_context(entry, form), status=400)


# -- public ----------------------------------------------------------------------------------

OUTCOME_TEXT = {
    Outcome.MATCH: gettext_lazy("The file matches the signed copy."),
    Outcome.MISMATCH: gettext_lazy("The file does not match the signed copy."),
    Outcome.SIGNATURE_PROBLEM: gettext_lazy(
        "The file is the registered copy, but its signature is not intact or not trusted."
    ),
}


def _verify_rate() -> ratelimit.Rate:
    return ratelimit.Rate(
        "certification-verify-ip",
        int(settings.MOTCUA_CERTIFICATION_VERIFY_MAX_PER_IP),
        timedelta(minutes=int(settings.MOTCUA_CERTIFICATION_VERIFY_WINDOW_MINUTES)),
    )


@require_http_methods(["GET", "POST"])
def verify_copy(request: HttpRequest, token: str) -> HttpResponse:
    """The public check of a certified copy (from the QR code on it)."""
    entry = copy_by_token(token)
    if entry is None:
        raise Http404
    form = CheckForm(request.POST or None, request.FILES or None)
    check: Check | None = None
    status = 200
    if request.method == "POST":
        status = 400
        try:
            # Every check costs a signature validation: counted before it runs.
            ratelimit.take(_verify_rate(), clientip.client_ip(request))
        except ratelimit.RateLimited as refused:
            form.add_error(
                None,
                _("Too many checks from your address. Please try again in %(minutes)s minutes.")
                % {"minutes": refused.minutes},
            )
            status = 429
        else:
            if form.is_valid():
                data = _read_upload(form, "file")
                if data is not None:
                    check = verification_check(entry, data)
                elif not form.errors:
                    check = attempt(
                        form,
                        lambda: verification_hash_check(entry, form.cleaned_data["sha256"]),
                        refusals=DomainError,
                    )
                if check is not None:
                    status = 200
    context = {
        "entry": entry,
        "masked_id": mask_id_number(entry.requester_id_number),
        "form": form,
        "check": check,
        "outcome_text": OUTCOME_TEXT[check.outcome] if check else "",
    }
    response = render(request, "certification/verify.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    return response

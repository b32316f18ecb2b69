"""The citizen portal's pages, no sign-in: the catalogue, a page per
procedure, online submission, tracking, the result and the one-time rating link.

Views parse input, call portal.services / selectors, and render. Bad input answers 400 with
a message on the page naming the field; nothing is changed (docs/portal.md).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.catalog.choices import LimitUnit, OnlineLevel, ProcedureLevel
from motcua.catalog.models import ComponentRequirement, DeclarationForm, Field, ProcedureVersion
from motcua.catalog.selectors import procedure_in_force, procedure_version_list
from motcua.citizens.selectors import Identity, citizen_owns, signed_in_citizen
from motcua.docstore.choices import ViewReason
from motcua.docstore.models import StoredDocument
from motcua.docstore.selectors import documents_of_person, matches_by_name, name_key
from motcua.docstore.services import document_view_log
from motcua.dossiers.choices import Status
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant
from motcua.eforms.forms import DeclarationAnswersForm
from motcua.eforms.selectors import declaration_for
from motcua.lib import clientip, validators
from motcua.lib.formatting import format_date, format_datetime, format_money, format_number
from motcua.lib.http import BadParameter
from motcua.lib.paging import Ordering, Page, keyset_page, read_cursor
from motcua.lib.uploads import checked_file_response
from motcua.onlinepay.selectors import gateways_configured
from motcua.payments import vietqr
from motcua.payments.selectors import amount_owed
from motcua.portal import selectors, services
from motcua.portal.errors import (
    PortalError,
    RatingLinkInvalid,
    RatingLinkUsed,
    SubmissionLimited,
    SupplementFileRefused,
    SupplementNotAwaited,
    SupplementStale,
    TrackingLimited,
)
from motcua.portal.forms import RatingForm, SubmissionForm, TrackForm

PAGE_SIZE = 25
# Keyset pages of the catalogue (motcua.lib.paging): by procedure code, the version's id last.
CATALOG_ORDER = Ordering.of("procedure__code", "id")
# Session keys: codes the visitor proved (tracking), and the pages ending a submission.
TRACKED = "portal_tracked"
SUBMITTED = "portal_submitted"
TRACKED_MAX = 20

# Where a service's error field shows on the submission form.
SUBMISSION_FIELDS = {
    "desk": "desk",
    "applicant_name": "applicant_name",
    "applicant_id_number": "applicant_id_number",
    "applicant_phone": "applicant_phone",
    "applicant_email": "applicant_email",
    "channels": "channels",
}


def _problem(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "portal/problem.html", {"title": title, "message": message}, status=status
    )


def _limit_text(amount: int, unit: str) -> str:
    return f"{format_number(amount)} {LimitUnit(unit).label}"


def _procedure_facts(version: ProcedureVersion) -> dict[str, Any]:
    """What a citizen reads about a procedure, formatted the Vietnamese way."""
    fees = [(fee.label, format_money(fee.amount)) for fee in version.fees.all()]
    return {
        "version": version,
        "level_label": ProcedureLevel(version.level).label,
        "online_label": OnlineLevel(version.online_level).label,
        "time_limit": _limit_text(version.time_limit, version.time_limit_unit),
        "online_time_limit": _limit_text(version.online_time_limit, version.time_limit_unit)
        if version.online_time_limit
        else "",
        "fees": fees,
        "components": list(version.components.all()),
        "legal_basis": _lines(version.legal_basis),
        "steps": _lines(version.steps),
        "conditions": _lines(version.conditions),
        "templates": list(version.template_files.all()),
        "declaration": declaration_for(version),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def file_field_name(component_id: int) -> str:
    """The name of a component's file input, built here and read back by :func:`submit`:
    a template's ``file_{{ id }}`` printed 1038 as "1.038", so no template
    formats it."""
    return f"file_{component_id}"


@never_cache
def catalog(request: HttpRequest) -> HttpResponse:
    """The procedures in force today: search without diacritics, filter by level and field."""
    today = timezone.localdate()
    q = request.GET.get("q", "").strip()[:200]
    level = request.GET.get("level", "").strip()
    field_code = request.GET.get("field", "").strip()
    fields = list(Field.objects.order_by("name"))
    problem = ""
    if level and level not in ProcedureLevel.values:
        problem = _("Level: '%(value)s' is not one of the levels listed.") % {"value": level}
    elif field_code and field_code not in {f.code for f in fields}:
        problem = _("Field: '%(value)s' is not one of the fields listed.") % {"value": field_code}
    context: dict[str, Any] = {
        "q": q,
        "level": level,
        "field_code": field_code,
        "levels": ProcedureLevel.choices,
        "fields": fields,
        "problem": problem,
        "today": today,
    }
    if problem:
        return render(request, "portal/catalog.html", context, status=400)
    qs = procedure_version_list(on=today, level=level or None, search=q)
    if field_code:
        qs = qs.filter(field__code=field_code)
    try:
        position = read_cursor(request.GET.get("cursor"), CATALOG_ORDER)
    except BadParameter as error:
        context["problem"] = error.message
        return render(request, "portal/catalog.html", context, status=400)
    page: Page[ProcedureVersion] = keyset_page(qs, CATALOG_ORDER, position, PAGE_SIZE)
    context["page"] = page
    context["links"] = page.links({"q": q, "level": level, "field": field_code})
    context["rows"] = [
        {
            "version": version,
            "level_label": ProcedureLevel(version.level).label,
            "online_label": OnlineLevel(version.online_level).label,
        }
        for version in page.rows
    ]
    # The catalogue is bounded by law (the procedures announced), not by the dossiers: its
    # count is one cheap query, kept for the citizen.
    context["count"] = format_number(qs.count())
    return render(request, "portal/catalog.html", context)


def _version_or_404(request: HttpRequest, code: str) -> ProcedureVersion | HttpResponse:
    version = procedure_in_force(code.strip()[:40], timezone.localdate())
    if version is None:
        return _problem(
            request,
            404,
            _("Procedure not found"),
            _("No procedure with the code %(code)s is in force today.") % {"code": code[:40]},
        )
    return version


@never_cache
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """One procedure: components, fees, time limit, online level, where to submit."""
    version = _version_or_404(request, code)
    if isinstance(version, HttpResponse):
        return version
    desks = list(selectors.receiving_desks(version, timezone.localdate()))
    context = _procedure_facts(version) | {"desks": desks}
    return render(request, "portal/procedure.html", context)


def reuse_field_name(component_id: int) -> str:
    """The name of a component's "reuse my stored paper" choice (see :func:`file_field_name`)."""
    return f"reuse_{component_id}"


def _stored_papers(
    identity: Identity | None, components: list[ComponentRequirement]
) -> dict[int, list[StoredDocument]]:
    """The signed-in citizen's valid stored papers that match each component by name."""
    if identity is None or not components:
        return {}
    by_key = matches_by_name(
        documents_of_person(identity.id_number), [c.name for c in components], timezone.localdate()
    )
    found = {c.pk: by_key.get(name_key(c.name), []) for c in components}
    return {pk: papers for pk, papers in found.items() if papers}


def _paper_label(paper: StoredDocument) -> str:
    parts = [paper.name]
    if paper.number:
        parts.append(_("no. %(number)s") % {"number": paper.number})
    if paper.issuer:
        parts.append(paper.issuer)
    parts.append(
        _("stored on %(date)s") % {"date": format_date(timezone.localtime(paper.added_at).date())}
    )
    return ", ".join(parts)


def _declaration_form(
    template: DeclarationForm, identity: Identity | None, data: Any = None
) -> DeclarationAnswersForm:
    """The declaration form; the declarant's own fields start from the verified identity (the
    demo forms' and the national portal's names for them), which the citizen may change.
    Pre-filled and otherwise untouched, it counts as not filled (``has_input``)."""
    initial = (
        {"requester_name": identity.name, "requester_id": identity.id_number}
        if identity is not None
        else {}
    )
    return DeclarationAnswersForm(template, data=data, initial=initial)


def _submission_page(
    request: HttpRequest,
    version: ProcedureVersion,
    form: SubmissionForm,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    file_errors: dict[int, str] | None = None,
    limited: bool = False,
    identity: Identity | None = None,
    eform: DeclarationAnswersForm | None = None,
) -> HttpResponse:
    facts = _procedure_facts(version)
    if eform is None and facts["declaration"] is not None:
        eform = _declaration_form(facts["declaration"], identity)
    papers = _stored_papers(identity, facts["components"])
    if papers and identity is not None:
        # Showing a person their own papers is a view of them too (issue 14: every view logged).
        document_view_log(
            document_ids=[paper.pk for found in papers.values() for paper in found],
            viewer=None,
            viewer_name=identity.name,
            reason=ViewReason.OWNER,
        )
    chosen = request.POST if request.method == "POST" else {}
    context = facts | {
        "uploads": [
            (
                c,
                file_field_name(c.pk),
                reuse_field_name(c.pk),
                [(str(p.pk), _paper_label(p)) for p in papers.get(c.pk, [])],
                chosen.get(reuse_field_name(c.pk), ""),
            )
            for c in facts["components"]
        ],
        "has_papers": bool(papers),
        "eform": eform,
        "form": form,
        "problems": problems or [],
        "file_errors": file_errors or {},
        # Refused by a rate limit: nothing to correct, only to wait.
        "limited": limited,
        "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
    }
    return render(request, "portal/submit.html", context, status=status)


@never_cache
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """Online submission of a procedure offered online (full or partial)."""
    version = _version_or_404(request, code)
    if isinstance(version, HttpResponse):
        return version
    today = timezone.localdate()
    desks = selectors.receiving_desks(version, today)
    if not version.offered_online:
        return _problem(
            request,
            400,
            _("Not offered online"),
            _("This procedure is not offered online: submit it at the one-stop desk."),
        )
    if not desks.exists():
        return _problem(
            request,
            400,
            _("Not offered online"),
            _("No desk accepts this procedure online today: submit it at the one-stop desk."),
        )
    if request.method != "POST":
        key = secrets.token_urlsafe(24)
        # No session for a visitor who only looks at the form (page views created
        # session rows). A second click is stopped by static/js/submission.js, and a repeated
        # POST with this key creates nothing more (online_submission_create).
        identity = signed_in_citizen(request.session)
        form = SubmissionForm(desks=desks, initial={"submission_key": key}, identity=identity)
        if desks.count() == 1:
            form.initial["desk"] = desks.first()
        return _submission_page(request, version, form, identity=identity)

    # A signed-in citizen's name, ID number, birth date and address are the verified ones
    # from the session, whatever the browser posts for them.
    identity = signed_in_citizen(request.session)
    form = SubmissionForm(request.POST, desks=desks, identity=identity)
    template = declaration_for(version)
    eform = _declaration_form(template, identity, request.POST) if template else None

    def page(
        status: int = 200, problems: list[str] | None = None, *, limited: bool = False
    ) -> HttpResponse:
        """The page again with this request's form, declaration and identity."""
        return _submission_page(
            request,
            version,
            form,
            status=status,
            problems=problems,
            limited=limited,
            identity=identity,
            eform=eform,
        )

    if eform is not None and eform.wants_more_rows:
        # "Add rows" in the declaration: the page again with more rows; nothing submitted.
        return page()
    # Left empty, the declaration is not filed (the scanned paper form may be attached).
    filled = eform is not None and eform.has_input
    # Both checked, so that every mistake shows at once.
    form_ok = form.is_valid()
    eform_ok = not filled or (eform is not None and eform.is_valid())
    if not form_ok or not eform_ok:
        return page(400, [] if eform_ok else [_("Correct the declaration form.")])
    declaration = (
        services.Declaration(template.pk, eform.answers())
        if filled and template is not None and eform is not None
        else None
    )
    components = {c.pk: c for c in version.components.all()}
    papers = _stored_papers(identity, list(components.values()))
    files = []
    reused: list[tuple[ComponentRequirement, int]] = []
    choice_problems: list[str] = []
    for component_id, requirement in components.items():
        upload = request.FILES.get(file_field_name(component_id))
        choice = request.POST.get(reuse_field_name(component_id), "").strip()
        if choice:
            offered = {paper.pk for paper in papers.get(component_id, [])}
            if not choice.isdigit() or int(choice) not in offered:
                choice_problems.append(
                    _("Component “%(name)s”: choose one of your stored papers listed.")
                    % {"name": requirement.name}
                )
            elif upload is not None:
                choice_problems.append(
                    _("Component “%(name)s”: attach a file or reuse a stored paper, not both.")
                    % {"name": requirement.name}
                )
            else:
                reused.append((requirement, int(choice)))
        elif upload is not None:
            files.append((requirement, upload, upload.name or "file"))
    if choice_problems:
        return page(400, choice_problems)
    data = form.cleaned_data
    if identity is not None:
        applicant = Applicant(
            name=identity.name,
            id_number=identity.id_number,
            birth_date=identity.birth_date,
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=identity.address,
        )
    else:
        applicant = Applicant(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"].strip(),
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=data["applicant_address"],
        )
    try:
        # Limits per address and per phone (docs/limits.md), before anything is written.
        submitted = services.online_submission_limited(
            client_ip=_client_ip(request),
            procedure=version,
            receiving_agency=data["desk"],
            applicant=applicant,
            files=files,
            submission_key=data["submission_key"],
            verified=identity is not None,
            reused=reused,
            channels=data["channels"],
            declaration=declaration,
        )
    except SubmissionLimited as error:
        response = page(429, [error.message], limited=True)
        response["Retry-After"] = str(error.retry_after)
        return response
    except (PortalError, DossierError) as error:
        target = SUBMISSION_FIELDS.get(error.field or "")
        if target:
            form.add_error(target, error.message)
            return page(400)
        return page(400, [error.message])
    key = data["submission_key"]
    if not submitted.duplicate:
        shown = request.session.get(SUBMITTED, {})
        shown[key] = {
            "code": submitted.dossier.code,
            "secret": services.secret_format(submitted.secret or ""),
            "warnings": [validators.warning_text(w) for w in submitted.warnings],
        }
        request.session[SUBMITTED] = shown
    return redirect("portal:submitted", key=key)


@never_cache
def submitted(request: HttpRequest, key: str) -> HttpResponse:
    """The end of a submission: the dossier code and the tracking secret, shown once."""
    shown = request.session.get(SUBMITTED, {})
    entry = shown.get(key)
    if entry is None:
        return _problem(request, 404, _("Page not found"), _("This page is no longer available."))
    secret = entry.pop("secret", "")
    request.session[SUBMITTED] = shown
    dossier = Dossier.objects.select_related("procedure_version", "receiving_agency").get(
        code=entry["code"]
    )
    return render(
        request,
        "portal/submitted.html",
        {"dossier": dossier, "secret": secret, "warnings": entry.get("warnings", [])},
    )


def _client_ip(request: HttpRequest) -> str:
    # One rule for every limit: X-Forwarded-For only from MOTCUA_TRUSTED_PROXIES.
    return clientip.client_ip(request)


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Tracking by dossier code plus the tracking secret or the phone number."""
    if request.method != "POST":
        form = TrackForm(initial={"code": request.GET.get("code", "")[:40]})
        return render(request, "portal/track.html", {"form": form})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        dossier = services.dossier_track(
            code=data["code"],
            secret=data["secret"],
            phone=data["phone"],
            client_ip=_client_ip(request),
        )
    except TrackingLimited as error:
        response = render(
            request, "portal/track.html", {"form": form, "problem": error.message}, status=429
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    except PortalError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return render(request, "portal/track.html", {"form": form}, status=400)
        return render(
            request, "portal/track.html", {"form": form, "problem": error.message}, status=400
        )
    tracked = [c for c in request.session.get(TRACKED, []) if c != dossier.code]
    request.session[TRACKED] = [*tracked[-(TRACKED_MAX - 1) :], dossier.code]
    return redirect("portal:dossier", code=dossier.code)


def _tracked_dossier(request: HttpRequest, code: str) -> Dossier | None:
    """The dossier, if this visitor proved it is theirs in this session: tracked with its
    secret or phone, or the signed-in citizen's own (:func:`_owner_grant`)."""
    tracked = code in request.session.get(TRACKED, [])
    identity = None if tracked else signed_in_citizen(request.session)
    if not tracked and identity is None:
        return None
    found = (
        Dossier.objects.select_related("procedure_version", "receiving_agency")
        .filter(code=code)
        .first()
    )
    if found is None or tracked:
        return found
    return found if _owner_grant(request, found, identity) else None


def _owner_grant(request: HttpRequest, found: Dossier, identity: Any) -> bool:
    """Whether the signed-in citizen is the dossier's applicant (their verified personal ID
    number): then it is tracked in this session as if the secret had been given."""
    if not citizen_owns(identity, found):
        return False
    tracked = [c for c in request.session.get(TRACKED, []) if c != found.code]
    request.session[TRACKED] = [*tracked[-(TRACKED_MAX - 1) :], found.code]
    return True


def _fees_owed(found: Dossier) -> dict[str, Any]:
    """What the tracked dossier still owes and, when VietQR is configured, the bank-transfer
    QR code of it (docs/payments.md "VietQR"); nothing when nothing is owed."""
    owed = amount_owed(found.pk)
    if owed == 0:
        return {}
    fees: dict[str, Any] = {
        "owed": format_money(owed),
        "vietqr": None,
        "gateways": [(p.value, p.label) for p in gateways_configured()],
    }
    # Checked at start (settings._check_vietqr): a bad value never reaches a page.
    beneficiary = vietqr.beneficiary_from(
        settings.MOTCUA_VIETQR_BANK_BIN,
        settings.MOTCUA_VIETQR_ACCOUNT,
        settings.MOTCUA_VIETQR_ACCOUNT_NAME,
    )
    if beneficiary is None:
        return fees
    try:
        purpose = vietqr.dossier_purpose(found.code)
    except vietqr.VietQRError:
        # An imported code too long for the transfer content: without it the bank statement
        # could not be matched to the dossier, so no QR (the desk takes the payment).
        return fees
    payload = vietqr.build_for(beneficiary, amount=owed, purpose=purpose)
    # Scaled by the page (viewBox only, omitsize); error level M as the printed forms' codes.
    svg = segno.make_qr(payload, error="m").svg_inline(scale=1, border=4, omitsize=True)
    fees["vietqr"] = {
        # segno's own markup from an ASCII payload: nothing a visitor typed.
        "svg": mark_safe(svg),
        "account": beneficiary.account,
        "account_name": beneficiary.name,
        "bank_bin": beneficiary.bank_bin,
        "purpose": purpose,
        "payload": payload,
    }
    return fees


def _dossier_page(
    request: HttpRequest, found: Dossier, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The tracking page of ``found``; ``extra`` carries a refused form and its message."""
    due = found.reappointed_due_at or found.effective_due_at or found.due_at
    timeline = [
        {
            "at": format_datetime(timezone.localtime(entry.at)),
            "action": entry.action,
            "status": entry.status,
            "reason": entry.reason,
        }
        for entry in selectors.dossier_timeline(found)
    ]
    asked = selectors.supplement_asked(found)
    supplement: dict[str, Any] | None = None
    file_errors: dict[int, str] = extra.pop("supplement_file_errors", {})
    if asked is not None:
        supplement = {
            "note": asked.note,
            "since": format_datetime(timezone.localtime(asked.started_at)),
            "version": found.version,
            # (component, its file input's name, the message naming that file when refused)
            "uploads": [
                (c, file_field_name(c.pk), file_errors.get(c.pk, ""))
                for c in selectors.supplement_components(found)
            ],
            "problem": extra.pop("supplement_problem", ""),
            "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
        }
    rating: dict[str, Any] | None = None
    if selectors.rating_open(found):
        rating = {
            "form": extra.pop("rating_form", None) or RatingForm(),
            "problem": extra.pop("rating_problem", ""),
        }
    context = {
        "dossier": found,
        "status_label": Status(found.status).label,
        "received": format_datetime(timezone.localtime(found.received_at))
        if found.received_at
        else "",
        "submitted": format_datetime(timezone.localtime(found.submitted_at)),
        "due": format_datetime(timezone.localtime(due)) if due else "",
        "timeline": timeline,
        "results": list(selectors.result_files(found)),
        "fees": _fees_owed(found),
        "supplement": supplement,
        "rating": rating,
    }
    return render(request, "portal/dossier.html", context | extra, status=status)


@never_cache
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    """A tracked dossier: status, received and due moments, timeline, result to download,
    the supplement form while one is awaited and the rating form once the result is out."""
    found = _tracked_dossier(request, code)
    if found is None:
        response = redirect("portal:track")
        # Encoded: a code from the address may hold anything, CR/LF included.
        response["Location"] += "?" + urlencode({"code": services.code_normalise(code)})
        return response
    return _dossier_page(request, found)


def _not_tracked(request: HttpRequest) -> HttpResponse:
    return _problem(
        request,
        403,
        _("Dossier not tracked"),
        _("Look the dossier up with its code and tracking secret (or sign in) first."),
    )


@never_cache
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The supplement the officer asked for, sent from the tracking page (POST only)."""
    if request.method != "POST":
        return redirect("portal:dossier", code=services.code_normalise(code))
    found = _tracked_dossier(request, code)
    if found is None:
        return _not_tracked(request)
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        return _dossier_page(
            request,
            found,
            status=400,
            supplement_problem=_("The form has expired: open the page again."),
        )
    files = []
    for component in selectors.supplement_components(found):
        upload = request.FILES.get(file_field_name(component.pk))
        if upload is not None:
            files.append((component.pk, upload, upload.name or "file"))
    try:
        services.supplement_submit(dossier_id=found.pk, files=files, expected_version=expected)
    except (SupplementNotAwaited, SupplementStale) as error:
        found.refresh_from_db()
        return _dossier_page(request, found, status=409, problem=error.message)
    except SupplementFileRefused as error:
        errors = {error.component_id: error.message} if error.component_id is not None else {}
        problem = "" if errors else error.message
        return _dossier_page(
            request,
            found,
            status=400,
            supplement_file_errors=errors,
            supplement_problem=problem,
        )
    except PortalError as error:
        return _dossier_page(request, found, status=400, supplement_problem=error.message)
    messages.success(request, _("Your supplement was sent: the dossier is being processed again."))
    return redirect("portal:dossier", code=found.code)


@never_cache
def track_rate(request: HttpRequest, code: str) -> HttpResponse:
    """The one-time rating sent from the tracking page (POST only), once the result is out."""
    if request.method != "POST":
        return redirect("portal:dossier", code=services.code_normalise(code))
    found = _tracked_dossier(request, code)
    if found is None:
        return _not_tracked(request)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _dossier_page(request, found, status=400, rating_form=form)
    try:
        services.tracked_rating_submit(
            dossier_id=found.pk,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except RatingLinkUsed as error:
        return _dossier_page(request, found, status=409, problem=error.message)
    except PortalError as error:
        if error.field in form.fields and selectors.rating_open(found):
            form.add_error(error.field, error.message)
            return _dossier_page(request, found, status=400, rating_form=form)
        # No rating form on the page (no result yet): the message alone.
        return _dossier_page(request, found, status=400, problem=error.message)
    messages.success(request, _("Thank you: your rating was recorded."))
    return redirect("portal:dossier", code=found.code)


@never_cache
def result(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    """Download of an electronic result, for the visitor who tracked the dossier."""
    found = _tracked_dossier(request, code)
    item = selectors.result_files(found).filter(pk=file_id).first() if found else None
    if item is None:
        return _problem(
            request, 404, _("Result not available"), _("This result cannot be downloaded.")
        )
    # Served only when its bytes are those recorded at upload (lib.uploads.open_checked).
    return checked_file_response(
        request,
        item.file,
        item.sha256,
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )


def template_file(request: HttpRequest, code: str, template_id: int) -> HttpResponseBase:
    """A downloadable template (mẫu đơn, tờ khai) of the procedure's version in force."""
    version = _version_or_404(request, code)
    if isinstance(version, HttpResponse):
        return version
    item = version.template_files.filter(pk=template_id).first()
    if item is None or not item.file:
        return _problem(
            request, 404, _("Template not available"), _("This template cannot be downloaded.")
        )
    try:
        body = item.file.open("rb")
    except OSError:
        return _problem(
            request, 404, _("Template not available"), _("This template cannot be downloaded.")
        )
    name = (item.file.name or "mau").rsplit("/", 1)[-1]
    return FileResponse(body, as_attachment=True, filename=name)


@never_cache
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time satisfaction rating link."""
    try:
        link = services.rating_link_get(token)
    except RatingLinkInvalid as error:
        return _problem(request, 404, _("Rating link not valid"), error.message)
    context: dict[str, Any] = {"dossier": link.dossier, "used": link.used_at is not None}
    if link.used_at is not None:
        return render(request, "portal/rate.html", context)
    if request.method != "POST":
        return render(request, "portal/rate.html", context | {"form": RatingForm()})
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/rate.html", context | {"form": form}, status=400)
    try:
        services.rating_submit(
            token=token, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
    except RatingLinkUsed as error:
        return render(
            request, "portal/rate.html", context | {"used": True, "problem": error.message}
        )
    except PortalError as error:
        return render(
            request,
            "portal/rate.html",
            context | {"form": form, "problem": error.message},
            status=400,
        )
    return render(request, "portal/rate.html", context | {"thanks": True})

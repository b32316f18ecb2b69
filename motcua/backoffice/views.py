"""The staff pages: the one-stop counter and the processing desk.

Every page: sign-in required; a dossier is loaded through ``dossiers.access`` only, so a
dossier outside the user's units answers 404 exactly like a missing one (house style R4).
Every write goes through ``dossiers.services`` with the version the page showed: a second
submit of the same form, or a form left open while someone else acted, is refused with
"changed by someone else" and nothing changes. Refusals (``InvalidInput``, ``NotPermitted``,
``TransitionRefused``, ``StaleVersion``) are shown on the page next to the field they name.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.backoffice import fees, selectors
from motcua.backoffice.forms import ActionForm, CounterForm, DossierFilterForm, ReceiveForm
from motcua.catalog.selectors import procedure_in_force
from motcua.core import workflow
from motcua.digitise.services import digitisation_request
from motcua.docstore.services import dossier_reuse_eligibility_record
from motcua.documents import printouts
from motcua.documents.selectors import (
    DOSSIER_FORMS,
    REFUSAL_ACTIONS,
    SUPPLEMENT_ACTIONS,
    PrintedForm,
    form_applies,
    last_reason,
    printable_forms,
)
from motcua.dossiers.access import dossier_get_for_user, dossier_scoped_list_for_user
from motcua.dossiers.actions import dossier_decide_with_result, dossier_receive_with_scans
from motcua.dossiers.choices import (
    Action,
    ResultForm,
    ReturnMethod,
    Status,
)
from motcua.dossiers.errors import DossierError, DossierNotFound, InvalidInput, StaleVersion
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import (
    dossier_declaration_record,
    dossier_file_attach,
)
from motcua.eforms.display import answer_lines
from motcua.eforms.forms import DeclarationAnswersForm
from motcua.eforms.pdf import declaration_pdf
from motcua.eforms.selectors import declaration_for, declaration_of
from motcua.lib import uploads, validators
from motcua.lib.formatting import format_date
from motcua.lib.http import BadParameter, attempt, signed_in
from motcua.lib.paging import Page, ScopedList, keyset_page, read_cursor
from motcua.lib.parsing import parse_date
from motcua.notify.errors import InvalidInput as NotifyInvalidInput
from motcua.notify.forms import CHANNEL_CHOICES, mobile_or_empty
from motcua.notify.selectors import applicant_choice
from motcua.notify.services import notification_preference_set
from motcua.payments.choices import PaymentMethod
from motcua.payments.selectors import receipt_event
from motcua.signatures.errors import SignatureError
from motcua.signatures.services import result_signed
from motcua.units.models import Agency

# What each action's form asks for, besides the version (the service reads what it needs).
ACTION_FIELDS: dict[workflow.Action, tuple[str, ...]] = {
    workflow.Action.RECEIVE: (),
    workflow.Action.REQUEST_COMPLETION: ("reason",),
    workflow.Action.RESUBMIT: (),
    workflow.Action.REFUSE: ("reason",),
    workflow.Action.TRANSFER: ("to_agency", "assignee", "step"),
    workflow.Action.HAND_OVER: ("to_agency", "assignee", "step"),
    workflow.Action.REQUEST_SUPPLEMENT: ("reason",),
    workflow.Action.SUPPLEMENT: (),
    workflow.Action.REQUEST_PAYMENT: ("amount", "reason"),
    workflow.Action.CONFIRM_PAYMENT: ("amount", "payment_method", "payment_reference"),
    workflow.Action.APPROVE: ("result_form", "result_file"),
    workflow.Action.DENY: ("reason", "result_file"),
    workflow.Action.RETURN_RESULT: ("return_method",),
    workflow.Action.WITHDRAW: ("reason",),
    workflow.Action.STOP: ("reason",),
    workflow.Action.APOLOGISE: ("new_due_at", "signed_by", "reason"),
    workflow.Action.PAY: ("amount", "payment_method", "payment_reference"),
}
# Service error fields shown under another name on the page.
FIELD_ALIASES = {"file": "result_file", "payment": "amount"}
# The standard form an action issues and that the page offers to print right after (§2).
PRINT_AFTER = {
    workflow.Action.RECEIVE: "01",
    workflow.Action.REQUEST_COMPLETION: "02",
    workflow.Action.REQUEST_SUPPLEMENT: "02",
    workflow.Action.REFUSE: "03",
    workflow.Action.APOLOGISE: "04",
    workflow.Action.PAY: fees.PRINT_RECEIPT,
    workflow.Action.CONFIRM_PAYMENT: fees.PRINT_RECEIPT,
}
PDF_FORMS = ("01", "02", "03", "04", "05")
# Rows a page of the search, the queue and the online list shows.
PAGE_SIZE = 25


def _no_such_dossier(request: HttpRequest, error: Exception) -> HttpResponseBase:
    if isinstance(error, BadParameter):
        title = _("The request cannot be answered")
        return _problem(request, str(title), error.message, 400)
    raise Http404(_("No such dossier.")) from None


# Sign-in required; a dossier the user may not see is a 404, like a missing one; a bad
# parameter (a cursor that is not one of the list's) a 400 naming it.
staff_view = signed_in((DossierNotFound, BadParameter), _no_such_dossier)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _dossier(request: HttpRequest, code: str) -> Dossier:
    return dossier_get_for_user(user=_user(request), code=code)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request, "backoffice/problem.html", {"title": title, "message": message}, status=status
    )


# -- the counter --------------------------------------------------------------------------


def _not_a_desk(request: HttpRequest) -> HttpResponse:
    # The counter's pages are a one-stop clerk's: a role, not a unit, is missing (403).
    return _problem(
        request,
        _("Not a one-stop desk"),
        _("You do not work at a one-stop desk: only its clerks receive dossiers."),
        403,
    )


@staff_view
def counter(request: HttpRequest) -> HttpResponse:
    """Find a procedure by typing (no diacritics needed) at one of the user's desks."""
    agencies = selectors.counter_agencies(_user(request))
    if not agencies:
        return _not_a_desk(request)
    agency = _chosen_agency(request.GET.get("agency", ""), agencies)
    search = request.GET.get("q", "").strip()[:200]
    found = (
        list(selectors.counter_procedures(agency, search, timezone.localdate())[:50])
        if search
        else []
    )
    context = {
        "agencies": agencies,
        "agency": agency,
        "search": search,
        "found": found,
        "waiting": selectors.online_waiting(_user(request)).count(),
    }
    return render(request, "backoffice/counter.html", context)


def _chosen_agency(code: str, agencies: list[Agency]) -> Agency:
    for agency in agencies:
        if agency.code == code:
            return agency
    return agencies[0]


@staff_view
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Receive a dossier at the counter: applicant, components ticked and counted, scans."""
    user = _user(request)
    agencies = selectors.counter_agencies(user)
    if not agencies:
        return _not_a_desk(request)
    data = request.POST if request.method == "POST" else request.GET
    agency = _chosen_agency(str(data.get("agency", "")), agencies)
    procedure = procedure_in_force(procedure_code, timezone.localdate())
    if procedure is None:
        raise Http404(_("No such procedure in force today."))
    requirements = list(procedure.components.all())
    errors: dict[str, str] = {}
    # The declaration form, if the procedure has one: the clerk may fill it for a walk-in.
    declaration = declaration_for(procedure)
    eform = (
        DeclarationAnswersForm(declaration, data=request.POST if request.method == "POST" else None)
        if declaration is not None
        else None
    )
    if request.method == "POST":
        token = str(request.POST.get("token", ""))
        done = request.session.get("backoffice_received", {})
        if token and token in done:
            # The same form submitted twice (double click): one dossier, shown again.
            messages.info(request, _("This dossier was already received."))
            return redirect("backoffice:dossier", code=done[token])
        if eform is not None and eform.wants_more_rows:
            # More rows in the declaration form: the page again, nothing received.
            return render(
                request,
                "backoffice/receive.html",
                _receive_context(request, procedure, agencies, agency, requirements, {}, eform),
            )
        dossier, form = _receive_post(request, procedure, agency, requirements, eform)
        errors = form.errors_by_field()
        if eform is not None and eform.is_bound and eform.errors:
            errors.setdefault("general", _("Correct the declaration form."))
        if dossier is not None:
            if token:
                request.session["backoffice_received"] = {**done, token: dossier.code}
            # Straight to the dossier with form 01 offered for printing (§2.1).
            target = reverse("backoffice:dossier", kwargs={"code": dossier.code})
            return redirect(f"{target}?in=01")
    context = _receive_context(request, procedure, agencies, agency, requirements, errors, eform)
    return render(request, "backoffice/receive.html", context, status=400 if errors else 200)


def _receive_context(
    request: HttpRequest,
    procedure: Any,
    agencies: list[Agency],
    agency: Agency,
    requirements: list[Any],
    errors: dict[str, str],
    eform: DeclarationAnswersForm | None,
) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "agencies": agencies,
        "agency": agency,
        "requirements": requirements,
        "values": request.POST if request.method == "POST" else {},
        "errors": errors,
        "limits": ReceiveForm.limits(),
        "token": request.POST.get("token") if request.method == "POST" else uuid.uuid4().hex,
        "fees": list(procedure.fees.all()),
        "eform": eform,
        "channel_choices": CHANNEL_CHOICES,
        # Ticked at first; as posted when the page comes back with a refusal.
        "channels_chosen": (
            request.POST.getlist("channels")
            if request.method == "POST"
            else [value for value, _label in CHANNEL_CHOICES]
        ),
    }


def _receive_post(
    request: HttpRequest,
    procedure: Any,
    agency: Agency,
    requirements: list[Any],
    eform: DeclarationAnswersForm | None = None,
) -> tuple[Dossier | None, CounterForm]:
    """The counter's POST read by :class:`CounterForm` and received with its scans; or None
    and the form with its refusals (the write path's next to the field it names). A filled
    declaration form is checked first and stored in the reception's transaction."""
    form = CounterForm(request.POST, request.FILES, requirements=requirements)
    filled = eform is not None and eform.has_input
    eform_valid = eform.is_valid() if filled and eform is not None else True
    if not form.is_valid() or not eform_valid:
        return None, form
    data = form.cleaned_data
    with transaction.atomic():
        if data["channels"]:
            # Before the reception, whose receipt message then already follows the choice.
            try:
                notification_preference_set(
                    phone=mobile_or_empty(data["applicant_phone"]),
                    email=data["applicant_email"],
                    channels=data["channels"],
                )
            except NotifyInvalidInput as error:
                form.add_error("channels", error.message)
                return None, form
        created = attempt(
            form,
            lambda: dossier_receive_with_scans(
                procedure=procedure,
                receiving_agency=agency,
                applicant=form.applicant(),
                components=form.components,
                scans=form.scans,
                sets_count=data["sets_count"] or 1,
                summary=data["summary"],
                actor=_user(request),
            ),
            refusals=DossierError,
            aliases=form.unshown_fields(),
        )
        if created is not None and filled and eform is not None:
            dossier_id = created.dossier.pk
            recorded = attempt(
                eform,
                lambda: dossier_declaration_record(
                    dossier_id=dossier_id,
                    form_id=eform.declaration_form.pk,
                    answers=eform.answers(),
                    actor=_user(request),
                ),
                refusals=DossierError,
                fallback=None,
            )
            if recorded is None:  # no dossier without the declaration the clerk filled
                transaction.set_rollback(True)
                created = None
    if created is None:
        return None, form
    dossier = created.dossier
    # The worker makes each scan a signed PDF/A; the component counts as digitised then.
    for scan_id in dossier.files.filter(kind=DossierFile.Kind.COMPONENT).values_list(
        "pk", flat=True
    ):
        digitisation_request(file_id=scan_id, actor=_user(request))
    dossier_reuse_eligibility_record(dossier_id=dossier.pk)
    messages.success(
        request,
        _("Dossier %(code)s received. Print the receipt (form 01) for the applicant.")
        % {"code": dossier.code},
    )
    for warning in created.warnings:
        messages.warning(request, validators.warning_text(warning))
    return dossier, form


@staff_view
def online_list(request: HttpRequest) -> HttpResponse:
    """Online submissions waiting at the desk: accept, send back, or refuse."""
    # Keyset pages (motcua.lib.paging), oldest first, 25 a page; a bad cursor answers 400.
    user = _user(request)
    position = read_cursor(request.GET.get("cursor"), selectors.ONLINE_ORDER)
    page: Page[Dossier] = keyset_page(
        selectors.online_waiting(user), selectors.ONLINE_ORDER, position, PAGE_SIZE
    )
    rows = [(d, selectors.actions_for_user(d, user)) for d in page.rows]
    context = {"rows": rows, "page": page, "links": page.links({})}
    return render(request, "backoffice/online.html", context)


# -- the processing desk ------------------------------------------------------------------


def _listing(
    request: HttpRequest,
    form: DossierFilterForm,
    dossiers: ScopedList[Dossier],
    extra: dict[str, str],
) -> dict[str, Any]:
    """The keyset page of ``dossiers`` the (valid) filter form selects, read by its parts,
    with the rows' urgencies: a fixed number of queries whatever the page and the size of
    the list."""
    user = _user(request)
    windows = selectors.due_windows(user, timezone.now())
    filters = form.filters()
    units = selectors.search_units(user, filters)
    filtered = selectors.dossier_filter(dossiers, filters, windows=windows, units=units)
    page: Page[Dossier] = keyset_page(
        filtered.whole,
        form.ordering(),
        form.cleaned_data["position"],
        PAGE_SIZE,
        parts=filtered.parts,
    )
    shown = list(page.rows)
    urgency = selectors.urgencies(shown, windows)
    rows = [selectors.QueueRow(d, urgency.get(d.pk)) for d in shown]
    return {"rows": rows, "page": page, "links": page.links(form.query(**extra))}


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    """My queue, by effective due moment by default, coloured like the end-of-day list; the
    search page's filters, sorting and paging."""
    everyone = request.GET.get("all") == "1"
    form = DossierFilterForm(request.GET, default_sort="due")
    context: dict[str, Any] = {"form": form, "everyone": everyone, "rows": [], "links": {}}
    if not form.is_valid():
        # Bad parameters: the form's messages next to the fields, nothing listed.
        return render(request, "backoffice/queue.html", context, status=400)
    dossiers = selectors.queue_queryset(_user(request), everyone=everyone)
    context |= _listing(request, form, dossiers, {"all": "1"} if everyone else {})
    return render(request, "backoffice/queue.html", context)


@staff_view
def search(request: HttpRequest) -> HttpResponse:
    """Find a dossier of the user's units by code (whole or part), applicant name (with or
    without diacritics), phone or ID number, with filters, sorting and paging. Nothing is
    read until something is asked: an empty form lists nothing."""
    form = DossierFilterForm(request.GET, default_sort="received")
    context: dict[str, Any] = {"form": form, "searched": False, "rows": [], "links": {}}
    if not form.is_valid():
        return render(request, "backoffice/search.html", context, status=400)
    if form.is_filtered():
        dossiers = dossier_scoped_list_for_user(_user(request))
        context |= _listing(request, form, dossiers, {}) | {"searched": True}
    return render(request, "backoffice/search.html", context)


def _dossier_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    user = _user(request)
    allowed = selectors.actions_for_user(dossier, user)
    today = timezone.localdate()
    events = list(dossier.events.order_by("seq"))
    fee_facts = fees.fee_context(request, dossier)
    owed = fee_facts["fees"].owed
    offered = [
        (action, fees.action_fields(action, ACTION_FIELDS[action], owed)) for action in allowed
    ]
    labels = {
        PrintedForm.RECEIPT: _("Receipt and appointment (form 01)"),
        PrintedForm.SUPPLEMENT: _("Supplement request (form 02)"),
        PrintedForm.REFUSAL: _("Refusal (form 03)"),
        PrintedForm.CONTROL_SHEET: _("Control sheet (form 05)"),
    }
    printable = [(form.value, labels[form]) for form in printable_forms(dossier, events)]
    declaration = declaration_of(dossier)
    actions = [
        (action, Action(action.value).label, fields)
        for action, fields in offered
        if fields is not None
    ]
    # The agencies and officers to hand the dossier to, read only when a form offers them
    # (a province's hundreds of agencies; none for a dossier settled or out of the user's hands).
    asked = {name for _action, _label, fields in actions for name in fields}
    return {
        "dossier": dossier,
        "declaration": declaration,
        "told_by": applicant_choice(phone=dossier.applicant_phone, email=dossier.applicant_email),
        "declaration_lines": (
            answer_lines(declaration.form.schema, declaration.answers) if declaration else []
        ),
        "status_label": Status(dossier.status).label,
        "actions": actions,
        "events": events,
        "components": list(dossier.components.all()),
        "files": list(dossier.files.select_related("component")),
        "extensions": list(dossier.extensions.all()),
        **fee_facts,
        "printable": printable,
        "agencies": selectors.agencies_in_force(today) if "to_agency" in asked else [],
        "officers": selectors.officers(dossier) if "assignee" in asked else [],
        "result_forms": ResultForm.choices,
        "return_methods": ReturnMethod.choices,
        "payment_methods": PaymentMethod.choices,
        "values": {},
        "errors": {},
        "error_action": None,
        "print_form": request.GET.get("in") if request.GET.get("in") in PDF_FORMS else None,
        "is_open": dossier.status not in {s.value for s in workflow.TERMINAL},
    }


@staff_view
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    """A dossier: facts, components and scans, timeline, printable forms, allowed actions."""
    dossier = _dossier(request, code)
    return render(request, "backoffice/dossier.html", _dossier_context(request, dossier))


@staff_view
@require_POST
def dossier_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Take one action on the dossier with the version the page showed, or show why not."""
    dossier = _dossier(request, code)
    try:
        chosen = workflow.Action(action)
    except ValueError:
        raise Http404(_("No such action.")) from None
    if chosen not in ACTION_FIELDS:
        raise Http404(_("No such action."))
    version_text = str(request.POST.get("version", "")).strip()
    upload = request.FILES.get("result_file") if "result_file" in ACTION_FIELDS[chosen] else None
    try:
        if not version_text.isdigit():
            raise StaleVersion(
                _("the form has no valid version: reload the dossier and try again"),
                field="version",
            )
        read = ActionForm(request.POST, fields=ACTION_FIELDS[chosen])
        if not read.is_valid():
            # Every field at fault at once, not one per try.
            return _refused_fields(request, dossier, chosen, read.field_errors(), 400)
        details, reason = read.details()
        try:
            result = result_signed(upload)
        except SignatureError as error:
            raise InvalidInput(error.message, field="result_file") from None
        # A result file refused after the approval undoes the approval (one transaction).
        changed = dossier_decide_with_result(
            dossier_id=dossier.pk,
            action=chosen,
            actor=_user(request),
            expected_version=int(version_text),
            reason=reason,
            details=details,
            result=result,
            result_name=upload.name if upload is not None else None,
        )
    except DossierError as error:
        return _refused(request, dossier, chosen, error)
    messages.success(
        request,
        _("%(action)s: done. The dossier is now “%(status)s”.")
        % {"action": Action(chosen.value).label, "status": Status(changed.status).label},
    )
    target = reverse("backoffice:dossier", kwargs={"code": changed.code})
    form = PRINT_AFTER.get(chosen)
    if request.POST.get("next") == "online" and chosen is not workflow.Action.RECEIVE:
        return redirect("backoffice:online")
    return redirect(f"{target}?in={form}" if form else target)


def _refused(
    request: HttpRequest, dossier: Dossier, chosen: workflow.Action, error: DossierError
) -> HttpResponse:
    """The dossier page again, the refusal next to the field it names; nothing changed."""
    status = 409 if isinstance(error, StaleVersion) else 400
    return _refused_fields(request, dossier, chosen, {error.field or "": error.message}, status)


def _refused_fields(
    request: HttpRequest,
    dossier: Dossier,
    chosen: workflow.Action,
    refusals: dict[str, str],
    status: int,
) -> HttpResponse:
    """The dossier page again, each refusal next to the field it names; nothing changed."""
    context = _dossier_context(request, dossier)
    on_page = {action: fields for action, _label, fields in context["actions"]}
    errors: dict[str, str] = {}
    for name, message in refusals.items():
        field = FIELD_ALIASES.get(name, name)
        # An action the page no longer offers (a pay form when nothing is owed): say it on top.
        errors.setdefault(field if field in on_page.get(chosen, ()) else "general", message)
    context.update({"errors": errors, "error_action": chosen, "values": request.POST})
    return render(request, "backoffice/dossier.html", context, status=status)


@staff_view
@require_POST
def dossier_attach(request: HttpRequest, code: str) -> HttpResponse:
    """Attach the scan of a component (PDF, JPEG or PNG, checked by content)."""
    dossier = _dossier(request, code)
    upload = request.FILES.get("scan")
    component_text = str(request.POST.get("component", "")).strip()
    try:
        if upload is None:
            raise InvalidInput(_("choose a file to attach"), field="scan")
        if not component_text.isdigit():
            raise InvalidInput(_("choose the component the scan is of"), field="component")
        with transaction.atomic():
            scan = dossier_file_attach(
                dossier_id=dossier.pk,
                upload=upload,
                name=upload.name or "scan",
                kind=DossierFile.Kind.COMPONENT,
                component_id=int(component_text),
                actor=_user(request),
            )
            digitisation_request(file_id=scan.pk, actor=_user(request))
    except DossierError as error:
        context = _dossier_context(request, dossier)
        field = "scan" if error.field == "file" else (error.field or "scan")
        context["attach_errors"] = {field: error.message}
        return render(request, "backoffice/dossier.html", context, status=400)
    messages.success(request, _("Scan attached."))
    return redirect("backoffice:dossier", code=dossier.code)


@staff_view
def dossier_file(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    """One of the dossier's files, for those who may see the dossier."""
    dossier = _dossier(request, code)
    stored = dossier.files.filter(pk=file_id).first()
    if stored is None:
        raise Http404(_("No such file."))
    # Served only when its bytes are those recorded at upload (lib.uploads.open_checked).
    return uploads.checked_file_response(
        request,
        stored.file,
        stored.sha256,
        content_type=stored.content_type,
        filename=stored.original_name,
    )


# -- printed forms ------------------------------------------------------------------------


@staff_view
def dossier_print(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Forms 01–05 of the dossier as PDF (documents.printouts, Decree 30 layout)."""
    dossier = _dossier(request, code)
    name = f"{dossier.code}-{form}.pdf"
    chosen = next((f for f in DOSSIER_FORMS if f.value == form), None)
    if chosen is not None and form_applies(dossier, chosen):
        match chosen:
            case PrintedForm.RECEIPT:
                return _pdf(printouts.receipt_01(dossier), name)
            case PrintedForm.SUPPLEMENT:
                reason = last_reason(dossier, SUPPLEMENT_ACTIONS) or ""
                return _pdf(printouts.supplement_02(dossier, reason=reason), name)
            case PrintedForm.REFUSAL:
                reason = last_reason(dossier, REFUSAL_ACTIONS) or ""
                return _pdf(printouts.refusal_03(dossier, reason=reason), name)
            case PrintedForm.CONTROL_SHEET:
                return _pdf(printouts.control_sheet_05(dossier), name)
    if form == PrintedForm.APOLOGY:
        extensions = dossier.extensions.order_by("-created_at", "-id")
        wanted = request.GET.get("extension", "")
        extension = (
            extensions.filter(pk=int(wanted)).first() if wanted.isdigit() else extensions.first()
        )
        if extension is not None:
            return _pdf(printouts.apology_04(extension), f"{dossier.code}-04-{extension.pk}.pdf")
    raise Http404(_("This form does not exist for this dossier."))


@staff_view
def declaration_print(request: HttpRequest, code: str) -> HttpResponse:
    """The declaration form filed with the dossier, printed (eforms.pdf)."""
    dossier = _dossier(request, code)
    declaration = declaration_of(dossier)
    if declaration is None:
        raise Http404(_("This dossier has no declaration form."))
    return _pdf(declaration_pdf(declaration), f"{dossier.code}-to-khai.pdf")


@staff_view
def fee_receipt(request: HttpRequest, code: str, event_id: int) -> HttpResponse:
    """The printed receipt of one payment of the dossier."""
    dossier = _dossier(request, code)
    event = receipt_event(dossier.pk, event_id)
    if event is None:
        raise Http404(_("No such payment."))
    receipt = event.receipt
    number = f"{receipt.book.label}-{receipt.number:07d}" if receipt else f"{event.pk}"
    response = _pdf(printouts.fee_receipt(event), f"{dossier.code}-bien-lai-{number}.pdf")
    if request.GET.get("tai-ve") == "1":  # the download link; the other opens it to print
        response["Content-Disposition"] = response["Content-Disposition"].replace(
            "inline", "attachment", 1
        )
    return response


@staff_view
def tracking_log(request: HttpRequest) -> HttpResponse:
    """The tracking log (form 06) of an agency for a period, as PDF; the form asks for both."""
    agencies = list(selectors.log_agencies(_user(request)))
    params = request.GET
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not any(params.get(name) for name in ("agency", "from", "to")):
        context = {
            "agencies": agencies,
            "errors": errors,
            "values": {"from": format_date(today.replace(day=1)), "to": format_date(today)},
        }
        return render(request, "backoffice/tracking_log.html", context)
    code = params.get("agency", "").strip()
    agency = next((a for a in agencies if a.code == code), None)
    if agency is None:
        errors["agency"] = _("choose one of your agencies")
    bounds: dict[str, date] = {}
    for name in ("from", "to"):
        text = params.get(name, "").strip()
        try:
            bounds[name] = parse_date(text)
        except ValueError:
            errors[name] = _("%(value)s is not a date (dd/mm/yyyy)") % {"value": text or "''"}
    if not errors and bounds["to"] < bounds["from"]:
        errors["to"] = _("the period ends before it starts")
    if errors or agency is None:
        context = {"agencies": agencies, "errors": errors, "values": params}
        return render(request, "backoffice/tracking_log.html", context, status=400)
    data = printouts.tracking_log_06(agency=agency, start=bounds["from"], end=bounds["to"])
    return _pdf(
        data, f"so-theo-doi-{agency.code}-{bounds['from']:%Y%m%d}-{bounds['to']:%Y%m%d}.pdf"
    )

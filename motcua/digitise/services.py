"""Writes of the digitise app: request, run (the worker's part) and the clerk's confirmation.

A file is queued once (``digitisation_request``, idempotent) and its task enqueued when the
transaction commits. The worker claims the row with a compare-and-set (queued -> running), so
two workers never run the same digitisation; progress is written as it goes, outside any
transaction, for the clerk's page. Everything slow happens in the worker: the clerk never
waits for OCR, and a failure leaves the component undigitised with the reason on the page.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.accounts.models import User
from motcua.core.identity import InvalidValue, check_personal_id
from motcua.digitise import checks, pipeline
from motcua.digitise.choices import REQUEUEABLE, Reason, Status, Step, SuggestionKind
from motcua.digitise.errors import Conflict, DigitisationNotFound, InvalidInput
from motcua.digitise.models import TEXT_LIMIT, Digitisation, Suggestion
from motcua.digitise.suggest import (
    dossier_code_valid,
    name_valid,
    parse_day,
    suggestions,
)
from motcua.docstore.services import document_store_add
from motcua.dossiers.models import DossierComponent, DossierFile
from motcua.dossiers.services import component_digitised_set
from motcua.lib import uploads
from motcua.lib.formatting import format_date, format_number, nfc
from motcua.lib.validators import personal_id_message
from motcua.signatures.errors import SignatureError
from motcua.signatures.services import StampPlace, sign_pdf
from motcua.signatures.signers import SignerBackend, configured_signer

logger = logging.getLogger(__name__)

# A running digitisation not finished after this long was left by a worker that died: the
# clerk may queue it again.
STALE_RUN = timedelta(minutes=30)
# What the stamp says beside the digitiser's name and time (Circular 01/2023 Art. 8).
SIGN_REASON = "Số hoá từ bản giấy"
# The clerk's confirmed values: at most this long each.
CONFIRMED_MAX = {
    SuggestionKind.ID_NUMBER: 12,
    SuggestionKind.NAME: 300,
    SuggestionKind.DATE: 10,
    SuggestionKind.DOCUMENT_NUMBER: 60,
    SuggestionKind.DOSSIER_CODE: 40,
}


def _enqueue(digitisation_id: int) -> None:
    # Imported here: tasks imports this module.
    from motcua.digitise.tasks import digitise_file

    digitise_file.enqueue(digitisation_id)


def digitisation_request(
    *, file_id: int, again: bool = False, actor: User | None = None, at: datetime | None = None
) -> Digitisation:
    """Queue the digitisation of a component scan (one per file), and enqueue its task once
    the transaction commits. Idempotent: a file already queued, running or done keeps its
    digitisation. ``again`` queues a rejected or failed one (or a run left by a dead worker)
    once more; of two concurrent requests, one queues and the other finds it queued."""
    moment = at or timezone.now()
    with transaction.atomic():
        stored = DossierFile.objects.filter(pk=file_id).first()
        if stored is None:
            raise DigitisationNotFound(_("no such file"), field="file")
        if stored.kind != DossierFile.Kind.COMPONENT:
            raise InvalidInput(_("only the scan of a component is digitised"), field="file")
        digitisation, created = Digitisation.objects.get_or_create(
            file=stored, defaults={"requested_at": moment, "requested_by": actor}
        )
        if not created and again:
            # Locked: of two clerks pressing the button, one queues, the other is told.
            digitisation = Digitisation.objects.select_for_update().get(pk=digitisation.pk)
            stale = (
                digitisation.status == Status.RUNNING
                and digitisation.claimed_at is not None
                and digitisation.claimed_at < moment - STALE_RUN
            )
            if digitisation.status not in REQUEUEABLE and not stale:
                raise Conflict(
                    _(
                        "this file is %(status)s: only a rejected or failed digitisation is "
                        "queued again"
                    )
                    % {"status": digitisation.get_status_display().lower()},
                    field="file",
                )
            Digitisation.objects.filter(pk=digitisation.pk).update(
                status=Status.QUEUED,
                step=Step.WAITING,
                progress=0,
                reason_code="",
                reason="",
                requested_at=moment,
                requested_by=actor,
                claimed_at=None,
                finished_at=None,
            )
            digitisation.refresh_from_db()
            created = True
        if created:
            if stored.component_id is not None:
                _component_refresh(stored.component_id)
            transaction.on_commit(lambda: _enqueue(digitisation.pk))
    return digitisation


def digitisation_pending_request(*, actor: User | None = None) -> list[Digitisation]:
    """Queue every component scan that has no digitisation yet (``motcua digitise
    pending``). Returns the digitisations queued."""
    missing = DossierFile.objects.filter(
        kind=DossierFile.Kind.COMPONENT, digitisation__isnull=True
    ).values_list("pk", flat=True)
    return [digitisation_request(file_id=file_id, actor=actor) for file_id in missing.iterator()]


def _progress(digitisation_id: int, step: Step, percent: int) -> None:
    Digitisation.objects.filter(pk=digitisation_id, status=Status.RUNNING).update(
        step=step, progress=percent
    )


class _Stop(Exception):
    def __init__(self, status: Status, code: Reason, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _rules(measured: checks.Measured) -> None:
    """Circular 01/2023 (through Circular 01/2019/TT-BNV): colour, at least 200 dpi."""
    minimum = int(settings.MOTCUA_DIGITISE_MIN_DPI)
    if not measured.dpi_recorded:
        raise _Stop(
            Status.REJECTED,
            Reason.LOW_DPI,
            _("The image does not record its resolution; scan it at %(minimum)s dpi or more.")
            % {"minimum": format_number(minimum)},
        )
    if measured.lowest_dpi is not None and measured.lowest_dpi < minimum:
        raise _Stop(
            Status.REJECTED,
            Reason.LOW_DPI,
            _("Scanned at %(dpi)s dpi; the rule requires at least %(minimum)s dpi. Scan it again.")
            % {"dpi": format_number(measured.lowest_dpi), "minimum": format_number(minimum)},
        )
    if settings.MOTCUA_DIGITISE_REQUIRE_COLOUR and not measured.colour:
        raise _Stop(
            Status.REJECTED,
            Reason.NOT_COLOUR,
            _("The scan is not in colour; the rule requires a colour scan. Scan it again."),
        )


def _signer() -> SignerBackend:
    name = settings.MOTCUA_DIGITISE_SIGNER
    if not name:
        raise _Stop(
            Status.FAILED,
            Reason.NO_SIGNER,
            _("No digitiser's signer is configured (MOTCUA_DIGITISE_SIGNER)."),
        )
    try:
        return configured_signer(name)
    except SignatureError as error:
        raise _Stop(
            Status.FAILED,
            Reason.NO_SIGNER,
            _("The digitiser's signer cannot be used (MOTCUA_DIGITISE_SIGNER): %(error)s")
            % {"error": error.message},
        ) from None


def _signature_facts(data: bytes) -> tuple[str, datetime | None]:
    """The last signature's signer (certificate common name) and claimed time."""
    embedded = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    subject = embedded.signer_cert.subject
    name = str(subject.native.get("common_name") or subject.human_friendly)
    return nfc(name), embedded.self_reported_timestamp


def digitisation_run(*, digitisation_id: int) -> Digitisation:
    """Digitise one queued file: check it, make it PDF/A with a Vietnamese text layer, find
    suggestions, sign it with the digitiser's signature, store it. Called by the worker's
    task; a digitisation that is not queued (another worker claimed it, or it is finished)
    is returned unchanged. Never raises for a bad file: it ends rejected or failed, with the
    reason in Vietnamese."""
    now = timezone.now()
    claimed = Digitisation.objects.filter(pk=digitisation_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        step=Step.CHECKING,
        progress=5,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    digitisation = Digitisation.objects.select_related("file").filter(pk=digitisation_id).first()
    if digitisation is None:
        raise DigitisationNotFound(_("no such digitisation"), field="digitisation")
    if not claimed:
        return digitisation
    # The reason is what the clerk reads: Vietnamese, whatever the worker's own language.
    with translation.override("vi"):
        try:
            _work(digitisation)
        except _Stop as stop:
            _finish_unsuccessful(digitisation, stop.status, stop.code, stop.message)
        except Exception as error:  # noqa: BLE001 - recorded for the clerk, then logged
            logger.exception("digitisation %s failed", digitisation_id)
            _finish_unsuccessful(
                digitisation,
                Status.FAILED,
                Reason.OCR_FAILED,
                _("Unexpected error: %(error)s") % {"error": f"{type(error).__name__}: {error}"},
            )
    digitisation.refresh_from_db()
    return digitisation


def _work(digitisation: Digitisation) -> None:
    stored = digitisation.file
    try:
        with uploads.open_checked(stored.file, stored.sha256) as source:
            data = source.read()
    except uploads.StoredFileUnreadable as error:
        raise _Stop(Status.FAILED, Reason.UNREADABLE, error.message) from None
    try:
        if stored.content_type == "application/pdf":
            measured = checks.measure_pdf(data, max_pages=settings.MOTCUA_DIGITISE_MAX_PAGES)
        else:
            measured = checks.measure_image(data, max_pixels=settings.MOTCUA_DIGITISE_MAX_PIXELS)
    except checks.Refused as refused:
        raise _Stop(Status.REJECTED, refused.code, refused.message) from None
    Digitisation.objects.filter(pk=digitisation.pk).update(
        pages=measured.pages, lowest_dpi=measured.lowest_dpi, colour=measured.colour
    )
    _rules(measured)
    signer = _signer()  # before the OCR: a missing signer should not cost a minute of OCR

    if stored.content_type != "application/pdf":
        _progress(digitisation.pk, Step.CONVERTING, 15)
        data = pipeline.image_to_pdf(data)
    _progress(digitisation.pk, Step.RECOGNISING, 25)
    try:
        pdfa = pipeline.make_pdfa(data)
    except pipeline.OcrFailed as error:
        raise _Stop(
            Status.FAILED,
            Reason.OCR_FAILED,
            _("Text recognition failed: %(error)s") % {"error": error.detail},
        ) from None
    text, truncated = pipeline.text_layer(pdfa, TEXT_LIMIT)
    found = suggestions(text)
    part = pipeline.pdfa_part(pdfa)

    _progress(digitisation.pk, Step.SIGNING, 85)
    try:
        signed = sign_pdf(
            source=pdfa, signer=signer, reason=SIGN_REASON, place=StampPlace.FIRST_PAGE_TOP_LEFT
        )
    except SignatureError as error:
        raise _Stop(
            Status.FAILED,
            Reason.SIGNING_FAILED,
            _("Signing failed: %(error)s") % {"error": error.message},
        ) from None
    signed_by, signed_at = _signature_facts(signed)

    with transaction.atomic():
        row = Digitisation.objects.select_for_update().get(pk=digitisation.pk)
        if row.status != Status.RUNNING:  # queued again meanwhile: that run will write
            return
        uploads.save_on_commit(row.output, f"{uuid.uuid4().hex}.pdf", signed)
        row.output_sha256 = hashlib.sha256(signed).hexdigest()
        row.output_size = len(signed)
        row.text = text
        row.text_truncated = truncated
        row.text_found = pipeline.has_text(text)
        row.pdfa = part
        row.signed_by = signed_by[:300]
        row.signed_at = signed_at or timezone.now()
        row.status = Status.DONE
        row.step = Step.FINISHED
        row.progress = 100
        row.reason_code = ""
        row.reason = (
            "" if row.text_found else _("No text was found: check that this is the right paper.")
        )
        row.finished_at = timezone.now()
        row.confirmed_at = None
        row.confirmed_by = None
        row.confirmed_values = {}
        row.save()
        row.suggestions.all().delete()
        Suggestion.objects.bulk_create(
            Suggestion(digitisation=row, kind=item.kind, value=item.value, valid=item.valid)
            for item in found
        )
        if stored.component_id is not None:
            _component_refresh(stored.component_id)


def _finish_unsuccessful(
    digitisation: Digitisation, status: Status, code: Reason, message: str
) -> None:
    with transaction.atomic():
        updated = Digitisation.objects.filter(pk=digitisation.pk, status=Status.RUNNING).update(
            status=status,
            step=Step.FINISHED,
            progress=100,
            reason_code=code,
            reason=message,
            finished_at=timezone.now(),
        )
        if updated and digitisation.file.component_id is not None:
            _component_refresh(digitisation.file.component_id)


def component_counts(component_id: int) -> bool:
    """Whether every scan of the component has a done, confirmed digitisation (and it has
    at least one scan)."""
    files = DossierFile.objects.filter(component_id=component_id, kind=DossierFile.Kind.COMPONENT)
    total = files.count()
    counted = Digitisation.objects.filter(
        file__in=files, status=Status.DONE, confirmed_at__isnull=False
    ).count()
    return total > 0 and counted == total


def _component_refresh(component_id: int) -> None:
    # The figure is computed from these records, never from a clerk's tick (issue 14).
    component_digitised_set(component_id=component_id, digitised=component_counts(component_id))


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    """The clerk's values, each checked by its pattern; ``InvalidInput`` names the first bad
    one. Blank values are left out."""
    unknown = sorted(set(values) - set(SuggestionKind.values))
    if unknown:
        raise InvalidInput(
            _("unknown field %(name)s") % {"name": unknown[0][:40]}, field=unknown[0][:40]
        )
    cleaned: dict[str, str] = {}
    for kind in SuggestionKind:
        raw = values.get(kind.value)
        if raw is None:
            continue
        value = nfc(str(raw)).strip()
        if not value:
            continue
        label = str(kind.label)
        limit = CONFIRMED_MAX[kind]
        if len(value) > limit:
            raise InvalidInput(
                _("%(field)s: at most %(limit)s characters") % {"field": label, "limit": limit},
                field=kind.value,
            )
        if kind == SuggestionKind.ID_NUMBER:
            try:
                check_personal_id(value)
            except InvalidValue:
                raise InvalidInput(personal_id_message(value), field=kind.value) from None
        elif kind == SuggestionKind.DOSSIER_CODE and not dossier_code_valid(value):
            raise InvalidInput(
                _("%(field)s: not a dossier code (e.g. 000.00.58.H06-240102-0001)")
                % {"field": label},
                field=kind.value,
            )
        elif kind == SuggestionKind.DATE:
            day = parse_day(value)
            if day is None:
                raise InvalidInput(
                    _("%(field)s: not a date (dd/mm/yyyy)") % {"field": label}, field=kind.value
                )
            value = format_date(day)
        elif kind == SuggestionKind.NAME and not name_valid(value):
            raise InvalidInput(
                _("%(field)s: two to seven words of letters") % {"field": label},
                field=kind.value,
            )
        cleaned[kind.value] = value
    return cleaned


def digitisation_confirm(
    *,
    digitisation_id: int,
    values: Mapping[str, str],
    actor: User,
    at: datetime | None = None,
) -> Digitisation:
    """The clerk confirms (or corrects) the values OCR suggested. Each value is checked by
    its pattern (ID number by ``core.identity``, dossier code by its shape) and nothing is
    written if one is wrong. Confirmed once: a second confirmation (a concurrent one too) is
    refused with who confirmed it. Then the component is counted if all its scans are, and
    the signed file goes to the applicant's document store when the dossier has an ID number."""
    cleaned = _clean(values)
    moment = at or timezone.now()
    with transaction.atomic():
        row = (
            Digitisation.objects.select_for_update(of=("self",))
            .select_related("file__dossier", "file__component")
            .filter(pk=digitisation_id)
            .first()
        )
        if row is None:
            raise DigitisationNotFound(_("no such digitisation"), field="digitisation")
        if row.status != Status.DONE:
            raise Conflict(
                _("only a finished digitisation can be confirmed (this one is %(status)s)")
                % {"status": row.get_status_display().lower()},
                field="digitisation",
            )
        if row.confirmed_at is not None:
            who = str(row.confirmed_by) if row.confirmed_by else "?"
            raise Conflict(
                _("already confirmed by %(who)s at %(when)s")
                % {
                    "who": who,
                    "when": timezone.localtime(row.confirmed_at).strftime("%d/%m/%Y %H:%M"),
                },
                field="digitisation",
            )
        row.confirmed_values = cleaned
        row.confirmed_by = actor
        row.confirmed_at = moment
        row.save(update_fields=["confirmed_values", "confirmed_by", "confirmed_at"])
        stored = row.file
        if stored.component_id is not None:
            _component_refresh(stored.component_id)
        dossier = stored.dossier
        if dossier.applicant_id_number:
            with uploads.open_checked(row.output, row.output_sha256) as output:
                data = output.read()
            component: DossierComponent | None = stored.component
            document_store_add(
                id_number=dossier.applicant_id_number,
                name=component.name if component else stored.original_name,
                data=data,
                content_type="application/pdf",
                source_dossier_id=dossier.pk,
                source_component_id=stored.component_id,
                number=cleaned.get(SuggestionKind.DOCUMENT_NUMBER, ""),
                actor=actor,
                at=moment,
            )
    return row

"""Writes of the citizen portal: an online submission with its files, the tracking check
(which records failed attempts), the supplement a citizen sends from the tracking page, and
the rating a one-time link or the tracking page carries (docs/portal.md).

Secrets and tokens are random, shown once, and stored only as SHA-256 hashes: they carry
60 bits (secret) or 192 bits (token) of entropy and guessing is rate-limited, so a slow
password hash would add nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts import ratelimit
from motcua.catalog.models import ComponentRequirement, ProcedureVersion
from motcua.core.identity import InvalidValue, normalise_phone
from motcua.digitise.services import digitisation_request
from motcua.docstore.errors import DocstoreError
from motcua.docstore.services import document_reuse_by_applicant, dossier_reuse_eligibility_record
from motcua.dossiers.choices import Action, Channel, Status
from motcua.dossiers.errors import DossierError, InvalidInput, StaleVersion
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import (
    Applicant,
    Component,
    Details,
    dossier_create,
    dossier_declaration_record,
    dossier_file_attach,
    dossier_transition,
)
from motcua.eforms.selectors import declaration_for
from motcua.feedback.choices import RatingLevel
from motcua.feedback.models import RatingLink
from motcua.feedback.selectors import rating_link_by_token
from motcua.lib import uploads
from motcua.notify.errors import InvalidInput as NotifyInvalidInput
from motcua.notify.forms import mobile_or_empty
from motcua.notify.services import notification_preference_set
from motcua.portal.errors import (
    PortalError,
    RatingLinkInvalid,
    RatingLinkUsed,
    SubmissionLimited,
    SupplementFileRefused,
    SupplementNotAwaited,
    SupplementStale,
    TrackingLimited,
    TrackingRefused,
)
from motcua.portal.models import DossierAccess, TrackingAttempt
from motcua.portal.selectors import receiving_desks
from motcua.units.models import Agency

# No 0/O, 1/I: the secret is read off a screen and typed back.
SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SECRET_LENGTH = 12
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")

DEFAULTS: dict[str, int] = {
    # Failed tracking attempts allowed in the window per client address (any code), and per
    # dossier code *from one address*: guesses from one place never lock the owner out
    # elsewhere. 0 turns a limit off.
    "TRACK_MAX_PER_IP": 20,
    "TRACK_MAX_PER_CODE": 5,
    "TRACK_WINDOW_MINUTES": 15,
    # How long the record of failed attempts (who asked for which code) is kept.
    "TRACK_RECORD_DAYS": 30,
    # Accepted online submissions per client address and per applicant phone (docs/limits.md).
    "SUBMIT_MAX_PER_IP": 5,
    "SUBMIT_IP_WINDOW_MINUTES": 10,
    "SUBMIT_MAX_PER_PHONE": 3,
    "SUBMIT_PHONE_WINDOW_MINUTES": 60,
}


def portal_setting(name: str) -> int:
    """``settings.MOTCUA_PORTAL[name]``, or its default."""
    configured: dict[str, Any] = getattr(settings, "MOTCUA_PORTAL", {})
    return int(configured.get(name, DEFAULTS[name]))


def address_exempt(client_ip: str) -> bool:
    """Whether ``client_ip`` is in ``MOTCUA_PORTAL["EXEMPT_NETWORKS"]`` (the desks' own
    networks, where staff help citizens submit online one after another): per-address limits
    do not apply there; the per-phone and per-code limits still do."""
    configured: dict[str, Any] = getattr(settings, "MOTCUA_PORTAL", {})
    networks = configured.get("EXEMPT_NETWORKS") or []
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def _rate(scope: str, limit: str, minutes: str) -> ratelimit.Rate:
    return ratelimit.Rate(scope, portal_setting(limit), timedelta(minutes=portal_setting(minutes)))


def _phone_key(phone: str) -> str:
    # +84 912 345 678 and 0912.345.678 are one phone.
    digits = re.sub(r"\D", "", phone)
    return "0" + digits[2:] if phone.strip().startswith("+84") else digits


def submission_uses_take(
    *, client_ip: str | None, phone: str, at: datetime | None = None
) -> list[ratelimit.Taken]:
    """Take one accepted-submission use for the client address and one for the applicant's
    phone, or raise :class:`SubmissionLimited` with nothing taken or created. Give them back
    (``ratelimit.give_back``) when the submission is then refused or was a double click.
    ``client_ip`` None (an integrated front end through the API: one address for all its
    citizens, limited per client by the API) takes the phone's use only."""
    uses = [
        (
            _rate("portal-submit-phone", "SUBMIT_MAX_PER_PHONE", "SUBMIT_PHONE_WINDOW_MINUTES"),
            _phone_key(phone),
        )
    ]
    if client_ip is not None and not address_exempt(client_ip):
        rate = _rate("portal-submit-ip", "SUBMIT_MAX_PER_IP", "SUBMIT_IP_WINDOW_MINUTES")
        uses.insert(0, (rate, client_ip))
    try:
        return ratelimit.take_all(uses, now=at)
    except ratelimit.RateLimited as refused:
        if refused.scope == "portal-submit-phone":
            message = _(
                "Too many dossiers have been submitted with this phone number. Please try "
                "again in %(minutes)s minutes, or submit at the one-stop desk."
            )
        else:
            message = _(
                "Too many dossiers have been submitted from this address. Please try again "
                "in %(minutes)s minutes, or submit at the one-stop desk."
            )
        raise SubmissionLimited(
            message % {"minutes": refused.minutes}, retry_after=refused.retry_after
        ) from None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def secret_normalise(text: str) -> str:
    """Upper case without spaces or dashes: "k7qm-4xpa 92ab" is "K7QM4XPA92AB"."""
    return re.sub(r"[\s-]", "", text).upper()


def secret_format(secret: str) -> str:
    """Groups of four for reading: "K7QM-4XPA-92AB"."""
    return "-".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass
class Submitted:
    """An online submission: the dossier, the secret (None when the form had already been
    submitted: a double click) and the soft warnings about the applicant's data."""

    dossier: Dossier
    secret: str | None
    warnings: list[str] = field(default_factory=list)

    @property
    def duplicate(self) -> bool:
        return self.secret is None


@dataclass(frozen=True)
class Declaration:
    """The declaration form's answers a submission files with its dossier."""

    form_id: int
    answers: dict[str, Any]


def _existing(submission_key: str) -> Dossier | None:
    access = DossierAccess.objects.select_related("dossier").filter(submission_key=submission_key)
    found = access.first()
    return found.dossier if found else None


def online_submission_create(
    *,
    procedure: ProcedureVersion,
    receiving_agency: Agency,
    applicant: Applicant,
    files: Sequence[tuple[ComponentRequirement, IO[bytes], str]],
    submission_key: str,
    at: datetime | None = None,
    verified: bool = False,
    reused: Sequence[tuple[ComponentRequirement, int]] = (),
    channels: Sequence[str] = (),
    declaration: Declaration | None = None,
) -> Submitted:
    """Submit a dossier online with the scans of its components, or refuse with nothing
    created: any bad value or file (content and size checked by ``dossier_file_attach``)
    rolls the whole submission back.

    ``files`` are (required component, file, original name). ``submission_key`` is the
    form's one-time key: a second submission of the same form returns the first dossier.
    ``verified``: the applicant is the signed-in citizen whose identity the national
    identity provider verified (the caller passes it from the session, never from a form);
    the dossier is flagged ``applicant_verified``.
    ``reused`` are (required component, stored document id): a verified applicant's own
    papers from the document store, reused instead of a scan (``docstore``, issue 14); each
    is recorded as a reuse and counts as digitised at once. ``channels``: how the applicant
    chose to be notified (recorded first, so the receipt's message already follows it);
    empty, no choice is recorded. ``declaration``: the declaration form's answers, filed with
    the dossier in the same transaction (``dossiers.services.dossier_declaration_record``
    checks them again; a refusal names the answer's path and nothing is created).
    """
    if not SUBMISSION_KEY.fullmatch(submission_key or ""):
        raise PortalError(_("The form has expired: open it again."), field="submission_key")
    existing = _existing(submission_key)
    if existing is not None:
        return Submitted(existing, None)
    # The desk must be one that accepts the procedure online today: a rule of the submission,
    # not of the portal's form, so the API's submissions keep it too (issue 12).
    day = timezone.localdate(at) if at is not None else timezone.localdate()
    if not receiving_desks(procedure, day).filter(pk=receiving_agency.pk).exists():
        raise PortalError(_("Choose one of the desks listed."), field="desk")
    if not files and not reused and declaration is None:
        if declaration_for(procedure) is None:
            raise PortalError(_("Attach at least one component file."), field="files")
        raise PortalError(
            _("Fill the declaration form or attach at least one component file."), field="files"
        )
    if reused and not verified:
        raise PortalError(
            _("Stored papers can be reused only after signing in with the national identity."),
            field="files",
        )
    entries: list[tuple[ComponentRequirement, tuple[IO[bytes], str] | int]] = [
        (requirement, (upload, name)) for requirement, upload, name in files
    ] + [(requirement, document_id) for requirement, document_id in reused]
    seen: set[int] = set()
    for requirement, _source in entries:
        if requirement.version_id != procedure.pk:
            raise PortalError(_("A file belongs to another procedure."), field="files")
        if requirement.pk in seen:
            raise PortalError(
                _("Component “%(name)s”: attach a file or reuse a stored paper, not both.")
                % {"name": requirement.name},
                field="files",
            )
        seen.add(requirement.pk)
    # The dossier's components in the catalogue's order, whatever their source.
    entries.sort(key=lambda entry: (entry[0].position, entry[0].pk))
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    stored: list[DossierFile] = []
    try:
        with transaction.atomic():
            if channels:
                try:
                    notification_preference_set(
                        phone=mobile_or_empty(applicant.phone),
                        email=applicant.email,
                        channels=list(channels),
                    )
                except NotifyInvalidInput as error:
                    raise PortalError(error.message, field="channels") from None
            created = dossier_create(
                procedure=procedure,
                receiving_agency=receiving_agency,
                channel=Channel.ONLINE,
                applicant=applicant,
                components=[
                    Component(
                        name=requirement.name,
                        originals=requirement.originals,
                        certified_copies=requirement.certified_copies,
                        photocopies=requirement.photocopies,
                        # Counted once the worker has digitised the file (digitise app).
                        digitised=False,
                    )
                    for requirement, _source in entries
                ],
                at=at,
            )
            dossier = created.dossier
            if verified:
                Dossier.objects.filter(pk=dossier.pk).update(applicant_verified=True)
                dossier.applicant_verified = True
            components = list(dossier.components.order_by("id"))
            for (requirement, source), component in zip(entries, components, strict=True):
                if isinstance(source, int):
                    _stored_paper_reuse(dossier, requirement, component.pk, source, applicant)
                    continue
                upload, name = source
                stored.append(
                    dossier_file_attach(
                        dossier_id=dossier.pk,
                        upload=upload,
                        name=name,
                        kind=DossierFile.Kind.COMPONENT,
                        component_id=component.pk,
                        at=at,
                    )
                )
            if declaration is not None:
                dossier_declaration_record(
                    dossier_id=dossier.pk,
                    form_id=declaration.form_id,
                    answers=declaration.answers,
                    at=at,
                )
            DossierAccess.objects.create(
                dossier=dossier,
                secret_hash=_sha256(secret),
                submission_key=submission_key,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # Two submissions of one form at the same moment: the other one won.
        _discard(stored)
        existing = _existing(submission_key)
        if existing is None:
            raise
        return Submitted(existing, None)
    except BaseException:
        _discard(stored)
        raise
    # The worker makes each scan a signed PDF/A; the component counts as digitised then.
    for scan in stored:
        digitisation_request(file_id=scan.pk)
    dossier_reuse_eligibility_record(dossier_id=dossier.pk)
    return Submitted(dossier, secret, created.warnings)


def _stored_paper_reuse(
    dossier: Dossier,
    requirement: ComponentRequirement,
    component_id: int,
    document_id: int,
    applicant: Applicant,
) -> None:
    try:
        document_reuse_by_applicant(
            document_id=document_id,
            dossier_id=dossier.pk,
            component_id=component_id,
            id_number=applicant.id_number,
            name=applicant.name,
        )
    except DocstoreError as error:
        raise PortalError(
            _("Component “%(name)s”: %(reason)s")
            % {"name": requirement.name, "reason": error.message},
            field="files",
        ) from None


def online_submission_limited(
    *,
    client_ip: str | None,
    procedure: ProcedureVersion,
    receiving_agency: Agency,
    applicant: Applicant,
    files: Sequence[tuple[ComponentRequirement, IO[bytes], str]],
    submission_key: str,
    verified: bool = False,
    reused: Sequence[tuple[ComponentRequirement, int]] = (),
    channels: Sequence[str] = (),
    declaration: Declaration | None = None,
) -> Submitted:
    """:func:`online_submission_create` under the limits per address and per phone
    (docs/limits.md), for the portal's form and the API's submissions alike.

    The uses are taken before anything is written (:func:`submission_uses_take`, which raises
    ``SubmissionLimited``) and given back when the submission is refused (``PortalError``,
    ``DossierError``, or any failure) or is a second submission of the same form: only
    accepted dossiers count against the citizen.
    """
    uses = submission_uses_take(client_ip=client_ip, phone=applicant.phone)
    try:
        submitted = online_submission_create(
            procedure=procedure,
            receiving_agency=receiving_agency,
            applicant=applicant,
            files=files,
            submission_key=submission_key,
            verified=verified,
            reused=reused,
            channels=channels,
            declaration=declaration,
        )
    except BaseException:
        ratelimit.give_back(uses)
        raise
    if submitted.duplicate:
        ratelimit.give_back(uses)  # a double click is one submission
    return submitted


def _discard(stored: Sequence[DossierFile]) -> None:
    """Remove the stored bytes (pending or in place) of files whose rows were rolled back."""
    for item in stored:
        uploads.discard(item.file)


# -- tracking ------------------------------------------------------------------------------


def code_normalise(code: str) -> str:
    return code.strip().upper()[:40]


def dossier_track(
    *, code: str, secret: str = "", phone: str = "", client_ip: str, at: datetime | None = None
) -> Dossier:
    """The dossier with ``code`` if ``secret`` (or else ``phone``) proves it is the caller's.

    An unknown code and a wrong secret or phone raise the same :class:`TrackingRefused` and
    are both recorded; past the limits of ``MOTCUA_PORTAL`` (per code *and* address, and per
    address) nothing is checked at all (:class:`TrackingLimited`), so a right guess then
    reveals nothing either, while the owner at another address is never blocked.
    """
    now = at or timezone.now()
    code = code_normalise(code)
    if not code:
        raise PortalError(_("Enter the dossier code."), field="code")
    secret = secret_normalise(secret)
    phone = phone.strip()
    if not secret and not phone:
        raise PortalError(
            _("Enter the tracking secret or the phone number given with the dossier."),
            field="secret",
        )
    if phone and not secret:
        try:
            phone = normalise_phone(phone)
        except InvalidValue:
            raise PortalError(_("This is not a Vietnamese phone number."), field="phone") from None
    uses = [
        (
            _rate("portal-track-code", "TRACK_MAX_PER_CODE", "TRACK_WINDOW_MINUTES"),
            f"{code} {client_ip}",
        )
    ]
    if not address_exempt(client_ip):
        rate = _rate("portal-track-ip", "TRACK_MAX_PER_IP", "TRACK_WINDOW_MINUTES")
        uses.append((rate, client_ip))
    # The attempt is counted before it is checked, so parallel guesses cannot all be checked;
    # a right one gives its uses back (only failures count).
    try:
        taken = ratelimit.take_all(uses, now=now)
    except ratelimit.RateLimited as refused:
        raise TrackingLimited(
            _("Too many unsuccessful attempts. Please try again in %(minutes)s minutes.")
            % {"minutes": refused.minutes},
            retry_after=refused.retry_after,
        ) from None
    dossier = Dossier.objects.select_related("portal_access").filter(code=code).first()
    if dossier is not None and _proves(dossier, secret=secret, phone=phone):
        ratelimit.give_back(taken, now=now)
        return dossier
    # The record of failed attempts (who asked for which code), pruned by the cleanup job.
    TrackingAttempt.objects.create(client_ip=client_ip, code=code, at=now)
    raise TrackingRefused(
        _(
            "No dossier matches this code and secret or phone number. "
            "Check what you typed against your receipt."
        )
    )


def tracking_attempts_delete(*, now: datetime) -> int:
    """Delete the record of failed tracking attempts older than ``TRACK_RECORD_DAYS``
    (the worker's daily housekeeping); returns how many."""
    before = now - timedelta(days=portal_setting("TRACK_RECORD_DAYS"))
    deleted, _by_model = TrackingAttempt.objects.filter(at__lt=before).delete()
    return deleted


def _proves(dossier: Dossier, *, secret: str, phone: str) -> bool:
    if secret:
        access = getattr(dossier, "portal_access", None)
        return access is not None and hmac.compare_digest(_sha256(secret), access.secret_hash)
    return bool(dossier.applicant_phone) and hmac.compare_digest(phone, dossier.applicant_phone)


# -- rating ------------------------------------------------------------------------------------


def rating_link_get(token: str) -> RatingLink:
    """The link with ``token``, or :class:`RatingLinkInvalid`. The links are created by
    ``feedback.services.rating_link_create`` (the applicant's result e-mail)."""
    link = rating_link_by_token(token)
    if link is None:
        raise RatingLinkInvalid(_("This rating link is not valid."))
    return link


def rating_submit(
    *, token: str, rating: str, comment: str = "", at: datetime | None = None
) -> Dossier:
    """Rate the link's dossier as its applicant and use the link up; or refuse with nothing
    changed (unknown or used link, no rating chosen, dossier not resolved yet)."""
    level = _rating_level(rating)
    with transaction.atomic():
        link = rating_link_get(token)
        # Lock the link: two clicks on "send" give one rating.
        link = RatingLink.objects.select_for_update().get(pk=link.pk)
        if link.used_at is not None:
            raise RatingLinkUsed(_("This rating link has already been used. Thank you."))
        dossier = _dossier_rate(link.dossier_id, level, comment, at)
        link.used_at = at or timezone.now()
        link.save(update_fields=["used_at"])
    return dossier


def tracked_rating_submit(
    *, dossier_id: int, rating: str, comment: str = "", at: datetime | None = None
) -> Dossier:
    """Rate a dossier from its tracking page, as the applicant who tracked it (the caller
    checks that), with no link needed; or refuse with nothing changed (no rating chosen, not
    resolved yet, already rated: :class:`RatingLinkUsed`). The dossier's unused rating links
    are used up with it, so the e-mail's link then says it was already rated."""
    level = _rating_level(rating)
    with transaction.atomic():
        dossier = _dossier_rate(dossier_id, level, comment, at)
        RatingLink.objects.filter(dossier_id=dossier_id, used_at__isnull=True).update(
            used_at=at or timezone.now()
        )
    return dossier


def _rating_level(rating: str) -> RatingLevel:
    try:
        return RatingLevel(rating)
    except ValueError:
        raise PortalError(_("Choose one of the ratings."), field="rating") from None


def _dossier_rate(
    dossier_id: int, level: RatingLevel, comment: str, at: datetime | None
) -> Dossier:
    """The applicant's RATE transition, inside the caller's transaction. The dossier row is
    locked first: of two ratings sent at once, one is recorded and the other is told."""
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None:
        raise PortalError(_("The dossier can be rated once its result is ready."), field="rating")
    if dossier.events.filter(action=Action.RATE).exists():
        raise RatingLinkUsed(_("This dossier has already been rated. Thank you."))
    try:
        return dossier_transition(
            dossier_id=dossier_id,
            action=Action.RATE,
            actor=None,
            as_applicant=True,
            reason=comment[:1000],
            details=Details(rating=level),
            at=at,
        )
    except InvalidInput as error:
        raise PortalError(error.message, field="rating") from None
    except DossierError:
        raise PortalError(
            _("The dossier can be rated once its result is ready."), field="rating"
        ) from None


# -- supplement --------------------------------------------------------------------------------


def supplement_submit(
    *,
    dossier_id: int,
    files: Sequence[tuple[int, IO[bytes], str]],
    expected_version: int,
    at: datetime | None = None,
) -> Dossier:
    """Send the supplement an officer asked for (``request_supplement``) from the tracking
    page: attach the files, then take the applicant's SUPPLEMENT action, which closes the
    pause so the statutory clock resumes at that moment (§1.4 step 6); or refuse with nothing
    stored or changed.

    ``files`` are (dossier component id, file, original name), content and size checked by
    ``dossier_file_attach``. ``expected_version`` is the dossier version the page showed: when
    the officer acted since, :class:`SupplementStale`. Each file's digitisation is queued
    once everything is committed (as for a submission). The caller checks that the visitor
    tracked the dossier; the officer sees the SUPPLEMENT event in their queue.
    """
    if not files:
        raise SupplementFileRefused(
            _("Attach at least one file for a missing component."), component_id=None
        )
    stored: list[DossierFile] = []
    try:
        with transaction.atomic():
            # Locked before anything is stored: the citizen's supplement and the officer's
            # action at the same moment are one after the other, and the later one is told.
            dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
            if dossier is None or dossier.status != Status.AWAITING_SUPPLEMENT:
                raise SupplementNotAwaited(
                    _("This dossier is not awaiting a supplement: nothing was sent.")
                )
            if dossier.version != expected_version:
                raise StaleVersion(dossier.code)
            components = set(dossier.components.values_list("pk", flat=True))
            for component_id, upload, name in files:
                if component_id not in components:
                    raise SupplementFileRefused(
                        _("A file belongs to another dossier."), component_id=None
                    )
                try:
                    stored.append(
                        dossier_file_attach(
                            dossier_id=dossier.pk,
                            upload=upload,
                            name=name,
                            kind=DossierFile.Kind.COMPONENT,
                            component_id=component_id,
                            at=at,
                        )
                    )
                except InvalidInput as error:
                    raise SupplementFileRefused(error.message, component_id=component_id) from None
            dossier = dossier_transition(
                dossier_id=dossier.pk,
                action=Action.SUPPLEMENT,
                actor=None,
                as_applicant=True,
                expected_version=expected_version,
                at=at,
            )
    except StaleVersion:
        _discard(stored)
        raise SupplementStale(
            _(
                "The dossier was handled meanwhile: nothing was sent. Look at its status "
                "below and send the supplement again if it is still asked for."
            ),
            field="version",
        ) from None
    except DossierError as error:
        _discard(stored)
        raise PortalError(error.message) from None
    except BaseException:
        _discard(stored)
        raise
    # The worker makes each scan a signed PDF/A, as for the files of a submission.
    for scan in stored:
        digitisation_request(file_id=scan.pk)
    return dossier

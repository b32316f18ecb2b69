"""Signing a unit's period report, and restating it afterwards (R3, R6).

``report_sign`` fixes the figures of a closed period as a leader signs them; they are stored
and never recomputed, so later corrections of dossiers or amendments of the calendar leave
them as they were. ``report_restate`` is the only way the figures of a signed report move: it
recomputes them, and when any differs it records before, after, the difference and the reason.
Each is one transaction that changes nothing when a check fails.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core import metrics
from motcua.core.errors import DomainError
from motcua.core.periods import parse_named_period
from motcua.lib.formatting import format_date, format_datetime, nfc
from motcua.reports.access import user_can_sign_report
from motcua.reports.models import Restatement, SignedReport
from motcua.reports.selectors import report_for
from motcua.reports.signatures import (
    figure_changes,
    report_snapshot,
    signed_report_verify,
    snapshot_hash,
)
from motcua.units.models import AdministrativeUnit


class SignoffError(DomainError):
    """Base: a signature or restatement was refused. Nothing was changed."""


class NotPermitted(SignoffError):
    """The actor is neither a leader of the unit nor an administrator."""


class InvalidInput(SignoffError):
    """A value is missing or malformed (a blank reason, a named period that does not fit)."""


class PeriodNotOver(SignoffError):
    """The period ends today or later: its figures are not final yet."""


class AlreadySigned(SignoffError):
    """The unit's report for this period is signed already: restate it instead."""

    def __init__(self, message: str, *, existing: SignedReport) -> None:
        super().__init__(message, field="period")
        self.existing = existing


class NothingToRestate(SignoffError):
    """The figures computed now are the ones the report already stands at."""


class SignatureBroken(SignoffError):
    """The stored figures were altered outside the application; restating would hide it."""


def _person(user: User) -> str:
    return user.full_name or user.username


def _when(moment: Any) -> str:
    return format_datetime(timezone.localtime(moment))


def _check_actor(actor: User | None, unit: AdministrativeUnit) -> User:
    if actor is None or not actor.is_active:
        raise NotPermitted(_("a signed-in staff member is required"), field="actor")
    if not user_can_sign_report(actor, unit):
        raise NotPermitted(
            _(
                "%(user)s is not a leader of %(unit)s (%(code)s): only a leader of the unit "
                "or an administrator signs and restates its reports"
            )
            % {"user": actor.username, "unit": unit.name, "code": unit.code},
            field="actor",
        )
    return actor


def _check_period_name(name: str, period: metrics.Period) -> str:
    """The Decree 09/2019 name of the period (§4.2), checked against its dates; may be ''."""
    name = name.strip()
    if not name:
        return ""
    cutoff = int(getattr(settings, "MOTCUA_REPORTS", {}).get("CUTOFF_DAY", 15))
    try:
        named = parse_named_period(name, cutoff_day=cutoff)
    except ValueError as error:
        raise InvalidInput(str(error), field="period_name") from None
    if (named.start, named.end) != (period.start, period.end):
        raise InvalidInput(
            _("%(name)s runs from %(start)s to %(end)s, not from %(from)s to %(to)s")
            % {
                "name": name,
                "start": format_date(named.start),
                "end": format_date(named.end),
                "from": format_date(period.start),
                "to": format_date(period.end),
            },
            field="period_name",
        )
    return name


def _already_signed(existing: SignedReport) -> AlreadySigned:
    return AlreadySigned(
        _(
            "the report of %(unit)s (%(code)s) for %(start)s–%(end)s was already signed by "
            "%(by)s at %(at)s; to change its figures, record a restatement with the reason"
        )
        % {
            "unit": existing.unit.name,
            "code": existing.unit.code,
            "start": format_date(existing.period_start),
            "end": format_date(existing.period_end),
            "by": existing.signed_by_name,
            "at": _when(existing.signed_at),
        },
        existing=existing,
    )


def report_sign(
    *,
    unit: AdministrativeUnit,
    period: metrics.Period,
    actor: User | None,
    note: str = "",
    period_name: str = "",
) -> SignedReport:
    """Sign the unit's report for a closed period: store its figures as they are now.

    Only a leader of the unit (or of a unit above it, or of what became it) or an
    administrator signs. The period must be over (it ended before today, local time), since
    the figures of a running period still move. A unit's period is signed once: a second
    signature, also a concurrent one, gets :class:`AlreadySigned` naming the first.
    ``period_name`` ("quarter:2024-2") records the Decree 09/2019 period the dates stand for.
    """
    actor = _check_actor(actor, unit)
    today = timezone.localdate()
    if period.end >= today:
        raise PeriodNotOver(
            _(
                "the period ends on %(end)s and is not over yet (today is %(today)s): its "
                "figures are not final; it can be signed from %(first)s"
            )
            % {
                "end": format_date(period.end),
                "today": format_date(today),
                "first": format_date(period.end + timedelta(days=1)),
            },
            field="period",
        )
    period_name = _check_period_name(period_name, period)
    with transaction.atomic():
        # Signers of one unit queue on its row (no-key: dossiers referring to the unit are
        # not held up); the second then reads the first's signature, committed meanwhile.
        # SQLite has no row locks: its IMMEDIATE transactions already queue every writer.
        AdministrativeUnit.objects.select_for_update(no_key=True).values_list("pk").get(pk=unit.pk)
        existing = (
            SignedReport.objects.filter(unit=unit, period_start=period.start, period_end=period.end)
            .select_related("unit")
            .first()
        )
        if existing is not None:
            raise _already_signed(existing)
        snapshot = report_snapshot(report_for(unit, period))
        signed = SignedReport(
            unit=unit,
            period_start=period.start,
            period_end=period.end,
            period_name=period_name,
            figures=snapshot,
            figures_hash=snapshot_hash(snapshot),
            signed_by=actor,
            signed_by_name=_person(actor),
            signed_at=timezone.now(),
            note=nfc(note.strip()),
        )
        signed.full_clean(validate_constraints=False)
        try:
            # The unique constraint is the last word if two signers slipped past the lock.
            with transaction.atomic():
                signed.save()
        except IntegrityError:
            existing = SignedReport.objects.select_related("unit").filter(
                unit=unit, period_start=period.start, period_end=period.end
            )
            if not existing.exists():
                raise
            raise _already_signed(existing.get()) from None
    return signed


def report_restate(*, signed: SignedReport, actor: User | None, reason: str) -> Restatement:
    """Recompute the signed report's figures now and record what changed and why.

    The signed figures stay stored as signed; the restatement holds the figures before (the
    signed ones or the previous restatement's), after, the figures that differ and the
    reason, which is required. When nothing differs, :class:`NothingToRestate` is raised
    and nothing is written; a report whose stored figures fail their hash is not restated
    (:class:`SignatureBroken`). Same permission as signing.
    """
    actor = _check_actor(actor, signed.unit)
    reason = nfc(reason.strip())
    if not reason:
        raise InvalidInput(
            _("a reason is required: say what was corrected and why"), field="reason"
        )
    with transaction.atomic():
        # Concurrent restatements of one report queue here; each compares with the last.
        locked = SignedReport.objects.select_for_update().select_related("unit").get(pk=signed.pk)
        problems = signed_report_verify(locked)
        if problems:
            raise SignatureBroken(
                _("%(problems)s; no restatement until an administrator has looked into it")
                % {"problems": "; ".join(problems)}
            )
        latest = locked.restatements.order_by("-number").first()
        before = latest.figures if latest is not None else locked.figures
        period = metrics.Period(locked.period_start, locked.period_end)
        after = report_snapshot(report_for(locked.unit, period))
        changes = figure_changes(before, after)
        if not changes:
            if latest is None:
                message = _(
                    "the figures of %(report)s are the same as when it was signed (%(at)s): "
                    "there is nothing to restate"
                ) % {"report": str(locked), "at": _when(locked.signed_at)}
            else:
                message = _(
                    "the figures of %(report)s are the same as at its restatement "
                    "no. %(number)s (%(at)s): there is nothing to restate"
                ) % {
                    "report": str(locked),
                    "number": latest.number,
                    "at": _when(latest.restated_at),
                }
            raise NothingToRestate(message)
        restatement = Restatement(
            signed_report=locked,
            number=(latest.number + 1) if latest is not None else 1,
            previous_figures=before,
            figures=after,
            figures_hash=snapshot_hash(after),
            changes=changes,
            reason=reason,
            restated_by=actor,
            restated_by_name=_person(actor),
            restated_at=timezone.now(),
        )
        restatement.full_clean(validate_constraints=False)
        restatement.save()
    return restatement

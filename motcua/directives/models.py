"""Steering-committee meetings, the directives they conclude with, and how they are followed.

A meeting of a committee (the city's Administrative Reform Steering Committee of unit 058)
ends with conclusions; each becomes a :class:`Directive` assigned to an agency or a unit, with
a responsible head and a deadline on the statutory clock (seed README: "carry out tasks on
time"). The assignee reports progress in :class:`DirectiveUpdate` rows, which are never
changed or deleted; :class:`DirectiveReminder` records that a reminder went out on a day.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.directives.choices import DirectiveStatus

# The extension a stored evidence file gets, from the type its content was recognised as.
EVIDENCE_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class Meeting(models.Model):
    """A meeting of a committee of an administrative unit: who chaired, who attended, the
    agenda and the minutes. Its conclusions are the meeting's directives."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    body = models.CharField(_("committee"), max_length=300)
    title = models.CharField(_("subject"), max_length=500)
    held_on = models.DateField(_("date"))
    chair = models.CharField(_("chaired by"), max_length=300)
    participants = models.TextField(_("participants"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["unit", "held_on"])]

    def __str__(self) -> str:
        return f"{self.body} · {self.held_on:%d/%m/%Y}"


class Directive(models.Model):
    """One conclusion of a meeting, assigned to a unit (its People's Committee) or to one of
    its agencies, with a responsible head and a deadline: a moment on the assignee's statutory
    clock, the close of office of a working day.

    ``version`` grows with every change, so a second writer who read an older one is told
    that someone else changed the directive in the meantime.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="directives"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("conclusion"))
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("assigned unit"),
        on_delete=models.PROTECT,
        related_name="directives",
    )
    agency = models.ForeignKey(
        "units.Agency",
        verbose_name=_("assigned agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directives",
    )
    head_name = models.CharField(_("responsible head"), max_length=200)
    head_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible head's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directives_headed",
    )
    # How the deadline was given: a number of working days after the meeting, or a date.
    working_days = models.PositiveSmallIntegerField(_("working days"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=DirectiveStatus.choices, default=DirectiveStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("assigned at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["meeting__held_on", "meeting_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="directive_number_unique"),
            # Only a finished directive has a completion moment, and it always has one.
            models.CheckConstraint(
                condition=Q(status=DirectiveStatus.DONE, completed_at__isnull=False)
                | (~Q(status=DirectiveStatus.DONE) & Q(completed_at__isnull=True)),
                name="directive_completed_at_iff_done",
            ),
        ]
        # The overdue list and the reminders read active directives by deadline.
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.number}"

    @property
    def assignee(self) -> Any:
        """The agency when one was named, else the unit."""
        return self.agency if self.agency_id is not None else self.unit


def evidence_path(instance: DirectiveUpdate, filename: str) -> str:
    """A fresh name in the default storage: never the uploader's (kept in ``evidence_name``)."""
    extension = EVIDENCE_EXTENSIONS.get(instance.evidence_type, "bin")
    return f"directives/evidence/{uuid.uuid4().hex}.{extension}"


class DirectiveUpdate(models.Model):
    """A status update of a directive: a progress note or its completion, with an optional
    evidence file (a PDF, JPEG or PNG, recognised by its content). Append-only: the timeline
    of a directive is its updates, so a row is never changed or deleted."""

    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.PROTECT, related_name="updates"
    )
    at = models.DateTimeField(_("at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A copy, so the timeline still names the author if the account is removed.
    author_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    from_status = models.CharField(
        _("status before"), max_length=20, choices=DirectiveStatus.choices
    )
    to_status = models.CharField(_("status after"), max_length=20, choices=DirectiveStatus.choices)
    note = models.TextField(_("note"))
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    evidence_type = models.CharField(_("evidence type"), max_length=50, blank=True)
    evidence_size = models.PositiveIntegerField(_("evidence size"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("directive update")
        verbose_name_plural = _("directive updates")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.directive} · {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError(_("A directive's updates are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("A directive's updates are never deleted."))


class DirectiveReminder(models.Model):
    """A reminder e-mailed about a directive on a local day. Unique per (directive, day): the
    row is written before the e-mail goes, so two workers cannot both send it."""

    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="reminders"
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("directive reminder")
        verbose_name_plural = _("directive reminders")
        ordering = ["day", "directive_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "day"], name="directive_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.directive} · {self.day:%d/%m/%Y}"

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import search_key
from motcua.core import workflow
from motcua.dossiers import choices
from motcua.units.fields import optional_agency, optional_unit

if TYPE_CHECKING:
    from motcua.units.models import AdministrativeUnit


# A dossier whose clock is stopped, or that was ever asked for a supplement: only such a
# dossier is overdue by ``selectors.overdue_q``'s stopped or supplement parts (the limit is
# never below 0), whatever its due moment. Indexed for the pending ones (migration 0027).
MAY_STOP = Q(paused_since__isnull=False) | Q(supplement_requests__gt=0)
# Its complement: a running clock never asked for a supplement, overdue exactly when its due
# moment has passed.
NEVER_STOPPED = Q(paused_since__isnull=True, supplement_requests=0)
# The condition of the partial indexes of the pending dossiers (sorted: a migration's form).
PENDING_ONLY = Q(status__in=sorted(status.value for status in workflow.PENDING))


class Dossier(models.Model):
    """An application for one administrative procedure, from submission to returned result.

    Three places are kept apart (§1.1): the agency that received it, the agency competent to
    settle it, and the applicant's address unit. ``due_at`` is the statutory due moment printed
    on the receipt (form 01) and never changes; ``effective_due_at`` is it moved forward by the
    working time spent waiting for supplements or obligations, the moment that decides
    timeliness (§1.7). ``version`` grows with every change, so a stale form is refused.
    Facts imported from another system (``imported``) are kept as they were recorded.
    """

    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_agency = models.ForeignKey(
        "units.Agency",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    competent_agency = optional_agency(_("competent agency"), related_name="competent_dossiers")
    # Where the dossier is now: the competent agency or a coordinating one (§1.9).
    current_agency = optional_agency(_("current agency"), related_name="held_dossiers")
    # The units of the receiving agency and of the agency holding the dossier now, kept on the
    # row: reports select dossiers by unit, and every transition checks the actor's scope.
    receiving_unit = optional_unit(_("receiving unit"), related_name="received_dossiers")
    handling_unit = optional_unit(_("handling unit"), related_name="handled_dossiers")
    applicant_unit = optional_unit(_("applicant's address unit"), related_name="applicant_dossiers")
    applicant_kind = models.CharField(
        _("applicant kind"), max_length=20, choices=choices.ApplicantKind.choices
    )
    applicant_name = models.CharField(_("applicant name"), max_length=300)
    applicant_id_number = models.CharField(_("personal ID number"), max_length=12, blank=True)
    applicant_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    # The applicant's identity was verified by the national identity provider (a signed-in
    # citizen's claims, motcua.citizens): set by the server only, never from a form field.
    applicant_verified = models.BooleanField(_("identity verified (VNeID)"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=choices.Channel.choices)
    sets_count = models.PositiveSmallIntegerField(_("number of sets"), default=1)
    summary = models.CharField(_("matter requested"), max_length=500, blank=True)

    status = models.CharField(_("status"), max_length=30, choices=choices.Status.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    effective_due_at = models.DateTimeField(_("due at, pauses included"), null=True, blank=True)
    reappointed_due_at = models.DateTimeField(_("re-appointed at"), null=True, blank=True)
    paused_since = models.DateTimeField(_("clock stopped since"), null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(_("supplement requests"), default=0)

    current_step = models.CharField(_("current step"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )

    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=choices.Outcome.choices, blank=True
    )
    denial_reason = models.TextField(_("reason for denial"), blank=True)
    timeliness = models.CharField(
        _("timeliness"), max_length=10, choices=choices.Timeliness.choices, blank=True
    )
    result_form = models.CharField(
        _("result form"), max_length=10, choices=choices.ResultForm.choices, blank=True
    )
    result_digitised = models.BooleanField(_("result digitised"), default=False)
    electronic_certification = models.BooleanField(
        _("copy certified electronically"), default=False
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_method = models.CharField(
        _("returned how"), max_length=10, choices=choices.ReturnMethod.choices, blank=True
    )
    ended_at = models.DateTimeField(_("refused, withdrawn or stopped at"), null=True, blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    # Tip of the dossier's own event chain, kept on the locked row so appending an event
    # needs no read of the events table (verified by `motcua audit verify`).
    last_event_seq = models.PositiveIntegerField(_("last event number"), default=0)
    last_event_hash = models.CharField(_("last event hash"), max_length=64, default="0" * 64)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    imported = models.BooleanField(_("imported history"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # What the back-office search reads: code, applicant name, phone and ID
    # number, lower case without diacritics, so "nguyen van an" finds "Nguyễn Văn An" by one
    # indexed column instead of folding every row's name at each search. Set by the two
    # write paths (``dossiers.services.dossier_create``, ``dossiers.history`` import) with
    # :func:`dossier_search_text`; the applicant's data never changes afterwards. Indexed on
    # PostgreSQL by a trigram index for substring search (migration 0006), not a B-tree.
    search_text = models.CharField(
        _("search text"), max_length=400, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["receiving_agency", "received_at"]),
            models.Index(fields=["status", "effective_due_at"]),
            models.Index(fields=["resolved_at"]),
            # A signed-in citizen's "my dossiers", newest first (citizens.views.MY_ORDER).
            models.Index(
                fields=["applicant_id_number", "-submitted_at", "-code"],
                name="dossier_applicant_submitted",
            ),
            # Keyset pages (motcua.lib.paging, migration 0010): a drill-down by receipt, the
            # end-of-day lists by due moment, the online list by submission.
            models.Index(
                fields=["receiving_unit", "received_at", "id"], name="dossier_unit_received"
            ),
            # The same order across units: a drill-down of many units (a province's 222) reads
            # its page and stops, where the index per unit read the whole period and sorted it
            # (1,66 M entries, 309 ms at 10 M dossiers; migration 0022).
            # With what tells a resolution late from the others (dossiers 0032).
            models.Index(
                fields=["received_at", "id"],
                include=["receiving_unit", "resolved_at", "timeliness"],
                name="dossier_received_order",
            ),
            # The dossiers withdrawn or stopped, few among the receipts (dossiers 0032).
            models.Index(
                fields=["received_at", "id"],
                include=["ended_at", "receiving_unit"],
                condition=Q(ended_at__isnull=False),
                name="dossier_ended_received",
            ),
            models.Index(
                fields=["receiving_unit", "status", "effective_due_at", "code"],
                name="dossier_unit_pending_due",
            ),
            # Its twin for the other half of a user's scope (dossiers.access): issue 17.
            models.Index(
                fields=["handling_unit", "status", "effective_due_at", "code"],
                name="dossier_handling_pending_due",
            ),
            # A unit's pending dossiers in due order (the queue of everyone, an end-of-day list
            # of one unit): ``status IN`` the four pending states breaks the order of the two
            # above, and the planner read the province's pending dossiers in due order for
            # the unit's 26 (17.600 skipped per part at 10 M dossiers, 2,4 ms; dossiers 0038).
            models.Index(
                fields=["receiving_unit", "effective_due_at", "code"],
                include=["id"],
                condition=PENDING_ONLY,
                name="dossier_unit_pending_order",
            ),
            models.Index(
                fields=["handling_unit", "effective_due_at", "code"],
                include=["id"],
                condition=PENDING_ONLY,
                name="dossier_handling_pending_order",
            ),
            models.Index(
                fields=["status", "submitted_at", "code"], name="dossier_status_submitted"
            ),
            # The dossiers not finished, in a drill-down's order: the stock at the end of a
            # period not over yet, a page at a time (reports.drill.open_at, issue 17). With
            # what tells the overdue from the others and the list's columns (dossiers 0035):
            # the oldest open dossiers are those overdue for years, and the within-time list
            # fetched each (22.860 at 10 M dossiers, 21 ms) to drop it; now from the index.
            models.Index(
                fields=["received_at", "id"],
                condition=Q(resolved_at__isnull=True, ended_at__isnull=True),
                include=[
                    "code",
                    "receiving_unit",
                    "effective_due_at",
                    "paused_since",
                    "supplement_requests",
                ],
                name="dossier_open_received",
            ),
            # With the index on resolved_at: has anything finished since a moment?
            models.Index(
                fields=["ended_at"], condition=Q(ended_at__isnull=False), name="dossier_ended"
            ),
            # The dossiers certified electronically, in a drill-down's order: a unit that
            # certifies few or none read the whole period's receipts to find them (1,9 s for
            # a province's year at 10 M dossiers; migration 0026).
            models.Index(
                fields=["received_at", "id"],
                condition=Q(electronic_certification=True),
                name="dossier_e_certified_received",
            ),
            # The back-office search's order (``backoffice.selectors.SORTS["received"]``): a
            # word common to many dossiers (a province's "nguyen") reads its first page in
            # order instead of every match (migration 0025).
            models.Index(
                Coalesce("received_at", "submitted_at").desc(),
                F("code").desc(),
                name="dossier_search_order",
            ),
            # The same for the search by due moment (``SORTS["due"]``), every state: a
            # province's "nguyen" by due moment sorted its 50.000 matches at 1 M dossiers
            # (175 ms; 1,3 s at 10 M), and reads its first page in order in 1 ms (0028).
            models.Index(fields=["effective_due_at", "code"], name="dossier_search_due"),
            # The pending dossiers in the end-of-day lists' order, with what their counts test:
            # a province's lists counted and begun from the index alone (migration 0024); and
            # the queue's part handled by the user's units (0036).
            models.Index(
                fields=["effective_due_at", "code"],
                include=[
                    "id",
                    "receiving_unit",
                    "handling_unit",
                    "assignee",
                    "status",
                    "paused_since",
                    "supplement_requests",
                ],
                condition=PENDING_ONLY,
                name="dossier_pending_due_cover",
            ),
            # The pending dossiers stopped or ever asked for a supplement (``MAY_STOP``): the
            # end-of-day counts read them apart from the range of due moments (migration 0027).
            models.Index(
                fields=["effective_due_at"],
                condition=PENDING_ONLY & MAY_STOP,
                name="dossier_pending_may_stop",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(due_at__isnull=False),
                name="dossier_received_has_due",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True)
                | (Q(resolved_at__isnull=False) & Q(returned_at__gte=models.F("resolved_at"))),
                name="dossier_returned_after_resolved",
            ),
            # Resolved only once received, but possibly before the official receipt moment
            # (§1.5: received at the counter at 18:10 and settled at once): event times are
            # when things happened (ARCHITECTURE invariant 9).
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True)
                | (Q(received_at__isnull=False) & Q(resolved_at__gte=models.F("submitted_at"))),
                name="dossier_resolved_after_submitted",
            ),
        ]

    def __str__(self) -> str:
        return self.code


def dossier_search_text(dossier: Dossier) -> str:
    """The folded text the back-office search matches words against (:attr:`search_text`)."""
    parts = (
        dossier.code,
        dossier.applicant_name,
        _phone_key(dossier.applicant_phone),
        dossier.applicant_id_number,
    )
    return search_key(" ".join(part for part in parts if part))[:400]


def _phone_key(phone: str) -> str:
    """A phone as the search matches it: digits only, ``0…`` for ``+84…`` (an imported
    record keeps the phone as it was typed, "0912 345 678" or "+84 912…")."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
        digits = "0" + digits[2:]
    return digits


class DossierComponent(models.Model):
    """A document received with the dossier (form 01 table), and whether it was digitised."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="components"
    )
    name = models.CharField(_("name"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    certified_copies = models.PositiveSmallIntegerField(_("certified copies"), default=0)
    photocopies = models.PositiveSmallIntegerField(_("photocopies"), default=0)
    digitised = models.BooleanField(_("digitised"), default=False)
    # The applicant's electronic store (docstore) held a matching paper when the dossier came
    # in (766 indicator 4.3's "eligible"), and the component was filled from it rather than
    # scanned again (4.3's numerator, the national sync's DuocTaiSuDung).
    reusable = models.BooleanField(_("in the applicant's store"), default=False)
    reused = models.BooleanField(_("reused from the applicant's store"), default=False)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Pause(models.Model):
    """A stretch during which the statutory clock stood still (supplement, obligation)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=choices.PauseReason.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="pause_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} {self.reason}"


class Extension(models.Model):
    """An apology and re-appointment (form 04): the old and new dates, why, who signed (§1.7)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="extensions"
    )
    old_due_at = models.DateTimeField(_("old date"))
    new_due_at = models.DateTimeField(_("new date"))
    reason = models.TextField(_("reason for the delay"))
    signed_by = models.CharField(_("signed by"), max_length=200)
    created_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("apology and re-appointment")
        verbose_name_plural = _("apologies and re-appointments")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_at__gt=models.F("old_due_at")), name="extension_moves_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_at:%d/%m/%Y}"


class DossierCodeCounter(models.Model):
    """The last sequence number an agency issued on a day (§3: per agency, per day, no gaps).

    Incremented under a row lock in the same transaction as the dossier it numbers, so a
    rolled-back receipt gives its number back.
    """

    agency = models.ForeignKey("units.Agency", verbose_name=_("agency"), on_delete=models.CASCADE)
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("dossier code counter")
        verbose_name_plural = _("dossier code counters")
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="code_counter_agency_day")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%d/%m/%Y}: {self.last}"


class EventQuerySet(models.QuerySet["DossierEvent"]):
    """Events are append-only: bulk updates and deletes are refused (§ invariant 2)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("dossier events are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("dossier events are append-only")


class CurrentTransactionId(models.Func):
    """The inserting transaction's id, the change feed's order (``dossiers.feed``).

    PostgreSQL: ``pg_current_xact_id()`` (64 bits, epoch included, so it never wraps) as a
    bigint, evaluated by the database in the INSERT itself, as a column default, so every
    insert path fills it (the write path's hand-written SQL, the history import's
    ``bulk_create``) without a statement more. SQLite: NULL; its writers are serialised
    (``BEGIN IMMEDIATE``, settings), so there the id order is already the commit order.
    """

    output_field = models.BigIntegerField()
    template = "NULL"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="pg_current_xact_id()::text::bigint", **extra
        )


class DossierEvent(models.Model):
    """One immutable step of a dossier's history, hash-chained to its dossier's previous event.

    ``hash`` covers the event's content and the previous event's hash, so editing, deleting,
    inserting or reordering any event breaks a chain that ``motcua audit verify`` walks (with
    the tip on the dossier row and the signed checkpoints of ``motcua.audit``). Events written
    before the global chain was retired also hold their place in it (``chain_seq``,
    ``chain_prev_hash``), still verified; new events leave both empty (docs/dossiers.md).
    """

    # No index of its own: the unique (dossier, seq) index starts with the column and serves
    # every read by dossier, in order, and the PROTECT check (dossiers 0040).
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    seq = models.PositiveIntegerField(_("number in the dossier"))
    # Legacy: the place in the retired global chain; None for events written since.
    chain_seq = models.PositiveBigIntegerField(
        _("number in the global chain"), unique=True, null=True, blank=True
    )
    at = models.DateTimeField(_("at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_events",
    )
    actor_name = models.CharField(_("actor name"), max_length=200)
    action = models.CharField(_("action"), max_length=30, choices=choices.Action.choices)
    from_status = models.CharField(
        _("from"), max_length=30, choices=choices.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=30, choices=choices.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64)
    chain_prev_hash = models.CharField(
        _("previous hash in the global chain"), max_length=64, blank=True, default=""
    )
    hash = models.CharField(_("hash"), max_length=64)  # unique: Meta.constraints
    # The writing transaction's id (PostgreSQL; NULL on SQLite and for events written before
    # the feed existed): the change feed reads in (xact, id) order up to the oldest
    # transaction still running, so it never misses a late commit (dossiers.feed).
    xact = models.BigIntegerField(
        _("transaction"), null=True, blank=True, editable=False, db_default=CurrentTransactionId()
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="event_dossier_seq_unique"),
            # A constraint, not ``unique=True``: on PostgreSQL the field's form adds a second,
            # ``varchar_pattern_ops`` index for ``LIKE 'abc%'``, as large as this one (2,7 GB at
            # 30 M events), written at a random place by every event, read by nothing.
            models.UniqueConstraint(fields=["hash"], name="event_hash_unique"),
        ]
        indexes = [
            # Partial: the events written before the column existed (NULL) are read by id,
            # and a 30 M-row table gets an index of only the rows written since.
            models.Index(
                fields=["xact", "id"], name="event_feed_order", condition=Q(xact__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("dossier events are append-only")


class ChainHead(models.Model):
    """Where the retired global event chain ended (one row, no longer written).

    Every write once locked this row to append to one global chain, which queued all the
    writers of a deployment behind each other. New events chain per dossier only; this row
    stays, frozen, so ``motcua audit verify`` still proves the legacy segment whole (no event
    appended after its end, none cut from it).
    """

    last_seq = models.PositiveBigIntegerField(_("last event number"), default=0)
    last_hash = models.CharField(_("last event hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


def _ledger_unit() -> models.ForeignKey[AdministrativeUnit, AdministrativeUnit]:
    """The receiving unit of a ledger row (DayFigure, FieldDayFigure): no index of its own,
    as the table's index (unit, …) leads with it."""
    return models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


def _ledger_field() -> models.ForeignKey[Any, Any]:
    """The field of procedures of a per-field ledger row: no index of its own, as the unique
    or lookup key (unit, field, …) holds it."""
    return models.ForeignKey(
        "catalog.Field",
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


class DayFigure(models.Model):
    """The running ledger behind every report: per receiving unit, day and figure, how many
    dossiers entered a flow figure that day (received, resolved, rated…) or by how much a stock
    figure changed (pending, overdue), as ``core.metrics.contributions`` defines them.

    Kept by the same transaction as every change of a dossier, so figures are current; a
    report sums days and units, never dossiers (ARCHITECTURE invariant 4). ``motcua report
    verify`` recomputes it from the dossiers; ``motcua report rebuild`` rewrites it.

    Append-only deltas: each change inserts its own rows and several rows may share a key
    (unit, figure, day), so writers of one unit and day never wait on a shared row; readers
    sum them. The index serves those sums.
    """

    unit = _ledger_unit()
    day = models.DateField(_("day"))
    # a core.metrics.Bucket value in FLOWS or STOCKS
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("day figure")
        verbose_name_plural = _("day figures")
        indexes = [
            models.Index(fields=["unit", "figure", "day"], name="day_figure_key_idx"),
            # The partial months at a period's edges: a few days of every unit of a province.
            # On the key index that is one descent per unit and figure (thousands), so the
            # planner read the whole table instead, a cost growing with the years of history.
            # The row's columns are included so that those days are read from the index alone
            # (migration 0023: no heap page per row).
            models.Index(
                fields=["day"], include=["unit", "figure", "n"], name="day_figure_day_cover"
            ),
            # One figure of those days for every unit (a province's drill-down counts this
            # month's late resolutions): on the index above, every figure's rows of the days
            # were read to keep one's (5.295 for 124 at 10 M dossiers, 1,1 → 0,6 ms a page).
            models.Index(
                fields=["figure", "day"], include=["unit", "n"], name="day_figure_figure_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%d/%m/%Y} {self.figure}: {self.n}"


class FieldDayFigure(models.Model):
    """:class:`DayFigure` split by field of procedures, for the per-field rows of form II.06a.

    A separate table so that a unit's whole report sums one row per figure and day, however
    many fields there are.
    """

    unit = _ledger_unit()
    field = _ledger_field()
    day = models.DateField(_("day"))
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("day figure by field")
        verbose_name_plural = _("day figures by field")
        indexes = [
            models.Index(
                fields=["unit", "field", "figure", "day"], name="field_day_figure_key_idx"
            ),
            models.Index(  # as DayFigure's
                fields=["day"],
                include=["unit", "field", "figure", "n"],
                name="field_day_figure_day_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.field_id} {self.day:%d/%m/%Y} {self.figure}: {self.n}"


class DossierFile(models.Model):
    """A file of a dossier: the scan of a component (counter or online submission) or the
    electronic result. Recognised by its content (PDF, JPEG, PNG: ``lib.uploads``); stored
    in the default storage (the local disk or S3-compatible object storage) with a generated
    name, never the uploader's; read back only through ``lib.uploads.open_checked`` (its
    ``sha256``)."""

    class Kind(models.TextChoices):
        COMPONENT = "component", _("Component scan")
        RESULT = "result", _("Result")

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="files"
    )
    component = models.ForeignKey(
        DossierComponent,
        verbose_name=_("component"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dossier file")
        verbose_name_plural = _("dossier files")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.original_name}"


class StockCheckpoint(models.Model):
    """A stock figure (``core.metrics.STOCKS``: pending, overdue) of one receiving unit summed
    over every :class:`DayFigure` delta up to the last day of a closed year.

    A report reads its stocks from the latest checkpoint before its period plus the deltas
    after it, so its cost depends on the period, not on how many years came before (issue 17
    item 4). Kept equal to the deltas by ``dossiers.ledger_checkpoints``: taken once a year
    closes, adjusted by every write into a day it covers, checked by ``motcua report verify``
    and rewritten by ``motcua report rebuild``. A zero sum has no row.
    """

    unit = _ledger_unit()
    day = models.DateField(_("day"))  # 31/12 of the year (a LedgerCheckpointYear's day)
    figure = models.CharField(_("figure"), max_length=24)  # a core.metrics.STOCKS value
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("stock checkpoint")
        verbose_name_plural = _("stock checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["unit", "figure", "day"], name="stock_checkpoint_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%d/%m/%Y} {self.figure}: {self.n}"


class FieldStockCheckpoint(models.Model):
    """:class:`StockCheckpoint` split by field of procedures, over :class:`FieldDayFigure`."""

    unit = _ledger_unit()
    field = _ledger_field()
    day = models.DateField(_("day"))
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("stock checkpoint by field")
        verbose_name_plural = _("stock checkpoints by field")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "field", "figure", "day"], name="field_stock_checkpoint_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.field_id} {self.day:%d/%m/%Y} {self.figure}: {self.n}"


class LedgerCheckpointYear(models.Model):
    """A closed year whose stock checkpoints exist for every unit (and field).

    Its row is written in the same transaction as its checkpoints, so a reader that sees the
    year sees all of them; a unit without a row for that year had nothing pending then.
    """

    day = models.DateField(_("day"), unique=True)  # 31/12 of the year
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("ledger checkpoint year")
        verbose_name_plural = _("ledger checkpoint years")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class PendingTally(models.Model):
    """How many pending dossiers with a running clock (``NEVER_STOPPED``) each receiving unit
    and officer has, by the local day of their due moment: what the end-of-day page counts
    per unit and officer (``reports.eod``), without reading a province's years of overdue
    dossiers one by one (issue 17).

    Written by database triggers on the dossiers table (migration 0031), not by the services:
    every write counts, a bulk update, a loader or SQL typed by hand as much as a transition.
    A change of one of the key's columns inserts -1 for the old key and +1 for the new one:
    append-only deltas, so writers never wait on a shared row; readers sum them. The worker
    folds the days up to yesterday into one row per unit and officer
    (``dossiers.tally.tally_compact``); ``motcua report verify`` compares the sums with the
    dossiers, ``motcua report rebuild`` rewrites them.
    """

    # No foreign-key constraint: the triggers write these rows, and a check per delta would
    # read the units and users tables on every transition. The keys are the dossier's own.
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("receiving unit"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    due_day = models.DateField(_("due day"))
    n = models.BigIntegerField(_("count"))

    class Meta:
        verbose_name = _("pending tally")
        verbose_name_plural = _("pending tallies")
        indexes = [
            models.Index(
                fields=["unit", "due_day"], include=["assignee", "n"], name="pending_tally_key"
            ),
            # The fold reads the days up to yesterday of every unit.
            models.Index(fields=["due_day"], name="pending_tally_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.assignee_id} {self.due_day:%d/%m/%Y}: {self.n}"


class LedgerMark(models.Model):
    """A high-water mark of the ledger's compaction: the last row id of one ledger table
    already folded (``dossiers.ledger_checkpoints.ledger_compact``), so each run reads only
    the rows written since the one before."""

    name = models.CharField(_("name"), max_length=64, unique=True)  # the ledger table's name
    last_id = models.BigIntegerField(_("last row"), default=0)

    class Meta:
        verbose_name = _("ledger mark")
        verbose_name_plural = _("ledger marks")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class MonthFigure(models.Model):
    """Every :class:`DayFigure` of one receiving unit, figure and closed half-month (days 1–14,
    or 15 to the month's end: ``ledger_checkpoints.span_start``), summed: a report reads one
    row per span for the whole spans of its period (and of the stock days between its
    checkpoint and its first day), and day rows only for the partial spans at its edges
    (issue 17 item 4). Named for the calendar months it first held (dossiers 0029).

    Kept equal to the days by ``dossiers.ledger_checkpoints``: taken for a span once it closed
    (a :class:`LedgerMonth` row records it), adjusted by every write into a day it covers,
    checked by ``motcua report verify`` and rewritten by ``motcua report rebuild``. A zero sum
    has no row.
    """

    unit = _ledger_unit()
    month = models.DateField(_("month"))  # its span's first day (a LedgerMonth's month)
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("month figure")
        verbose_name_plural = _("month figures")
        constraints = [
            models.UniqueConstraint(fields=["unit", "figure", "month"], name="month_figure_key")
        ]
        indexes = [
            # The whole spans of a period, for every unit of a province (as DayFigure's day).
            models.Index(
                fields=["month"], include=["unit", "figure", "n"], name="month_figure_month_cover"
            ),
            # The same for a few figures: the stocks before a period (two of 21 figures over
            # up to 22 spans), the trend's flows (dossiers 0030: the overdue JSON's stock, 14
            # -> 2 ms at 10 M dossiers).
            models.Index(
                fields=["figure", "month"], include=["unit", "n"], name="month_figure_figure_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%d/%m/%Y} {self.figure}: {self.n}"


class FieldMonthFigure(models.Model):
    """:class:`MonthFigure` split by field of procedures, over :class:`FieldDayFigure`."""

    unit = _ledger_unit()
    field = _ledger_field()
    month = models.DateField(_("month"))
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("month figure by field")
        verbose_name_plural = _("month figures by field")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "field", "figure", "month"], name="field_month_figure_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["month"],
                include=["unit", "field", "figure", "n"],
                name="field_month_figure_month_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.field_id} {self.month:%d/%m/%Y} {self.figure}: {self.n}"


class BlockFigure(models.Model):
    """Every :class:`MonthFigure` of one receiving unit and figure over a calendar month,
    quarter or year (a block: ``ledger_checkpoints.Tier``), summed: a report reads one row per
    block for the whole blocks of its period, and span rows only at their edges. A calendar
    half-year is 2 rows per unit and figure, not 12; 2021–2026, 6, not 144 (issue 17 item 4).

    ``block`` names its days as a number a person can read: year × 100 + month (202603, March
    2026), year × 100 + 20 + quarter (202622, the second quarter), year × 100 (202600, the
    year). Kept equal to the spans as :class:`MonthFigure` is to the days: taken with them
    (:attr:`LedgerMonth.blocks`), adjusted by every write into a day they cover, checked by
    ``motcua report verify`` and rewritten by ``motcua report rebuild``. A zero sum has no row.
    """

    unit = _ledger_unit()
    block = models.PositiveIntegerField(_("block"))
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("block figure")
        verbose_name_plural = _("block figures")
        constraints = [
            models.UniqueConstraint(fields=["unit", "figure", "block"], name="block_figure_key")
        ]
        indexes = [
            # The whole blocks of a period, for every unit of a province (as MonthFigure's).
            models.Index(
                fields=["block"], include=["unit", "figure", "n"], name="block_figure_block_cover"
            ),
            # The same for a few figures: the stocks before a period (2 of 21 figures; by block
            # alone, a province's stock read 4.592 rows to keep 399, docs/performance.md).
            models.Index(
                fields=["figure", "block"], include=["unit", "n"], name="block_figure_figure_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.block} {self.figure}: {self.n}"


class FieldBlockFigure(models.Model):
    """:class:`BlockFigure` split by field of procedures, over :class:`FieldMonthFigure`."""

    unit = _ledger_unit()
    field = _ledger_field()
    block = models.PositiveIntegerField(_("block"))
    figure = models.CharField(_("figure"), max_length=24)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("block figure by field")
        verbose_name_plural = _("block figures by field")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "field", "figure", "block"], name="field_block_figure_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["block"],
                include=["unit", "field", "figure", "n"],
                name="field_block_figure_block_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.field_id} {self.block} {self.figure}: {self.n}"


class LedgerMonth(models.Model):
    """A closed half-month (``month`` to ``last_day``: days 1–14, or 15 to the month's end)
    whose rollups (:class:`MonthFigure`, :class:`FieldMonthFigure`) exist for every unit (and
    field).

    Written in the same transaction as its rollups, so a reader that sees the span sees all
    of them. The spans taken are contiguous (each run takes the spans after the last one): a
    reader uses the rollups of the whole spans of its range between the first and the last
    span taken, and day rows for everything else.
    """

    month = models.DateField(_("month"), unique=True)  # its span's first day
    last_day = models.DateField(_("last day"), unique=True)
    taken_at = models.DateTimeField(_("taken at"))
    # Whether the blocks (BlockFigure) that end in this span were taken: they are taken after
    # the spans, also for spans a release before dossiers 0037 took (its processes may still
    # run after the migration: docs/deployment.md, "Upgrades"), so a reader uses the blocks up
    # to the last span marked, never beyond. A default in the database, for that older code.
    blocks = models.BooleanField(_("blocks taken"), default=False, db_default=False)

    class Meta:
        verbose_name = _("ledger month")
        verbose_name_plural = _("ledger months")
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class FeedCursor(models.Model):
    """How far one consumer of the change feed has read (``dossiers.feed``): the webhooks'
    fan-out, the national portal sync.

    ``feed.feed_claim`` locks the row for the consumer's transaction, so of the worker
    processes running, one at a time reads and advances a given consumer; the position is
    saved in the same transaction as what the consumer wrote from the events it read.
    """

    name = models.CharField(_("consumer"), max_length=100, unique=True)
    # The last event read, in the feed's order: (transaction id, event id); 0 for the
    # transaction id while reading the events written before the feed existed.
    position_xact = models.BigIntegerField(_("position: transaction"), default=0)
    position_id = models.BigIntegerField(_("position: event"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.position_xact}/{self.position_id}"


class DossierDeclaration(models.Model):
    """The declaration form (tờ khai) answers filed with a dossier (docs/eforms.md).

    One per dossier, written once: ``form`` is the schema version they were checked against,
    and ``form_code``/``form_version`` repeat it so the history export stays readable without
    the catalogue. ``answers`` are the clean answers of ``core.eforms.answers_check``.
    """

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="declaration"
    )
    form = models.ForeignKey(
        "catalog.DeclarationForm",
        verbose_name=_("declaration form"),
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    form_code = models.CharField(_("form code"), max_length=40)
    form_version = models.PositiveIntegerField(_("form version"))
    answers = models.JSONField(_("answers"))
    filled_by = models.CharField(_("filled by"), max_length=20, choices=choices.Channel.choices)
    at = models.DateTimeField(_("filled at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dossier declaration")
        verbose_name_plural = _("dossier declarations")

    def __str__(self) -> str:
        return f"{self.dossier} {self.form_code} v{self.form_version}"

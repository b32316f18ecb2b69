"""Reads of dossiers that several interfaces share: the CLI queue, the figures' inputs."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Exists, F, Func, Lookup, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import StrIndex
from django.utils import timezone

from motcua.accounts.access import user_grants
from motcua.accounts.models import User
from motcua.catalog.models import search_key
from motcua.catalog.selectors import procedure_history
from motcua.clock.selectors import calendar_for
from motcua.core import timeliness, workflow
from motcua.core.clock import LOCAL_TZ, RECORDING_SKEW, WorkingCalendar
from motcua.core.metrics import DossierFacts
from motcua.core.timeliness import Pause
from motcua.dossiers import storage
from motcua.dossiers.choices import PauseReason
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.models import Pause as PauseRow
from motcua.feedback.choices import SATISFIED_OR_BETTER
from motcua.lib.lookups import AnyOf
from motcua.payments.choices import ONLINE_METHODS, PaymentEventKind, PaymentMethod
from motcua.payments.models import Payment, PaymentEvent
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_in_q


def supplement_limit() -> int | None:
    """The 766 indicator 2.1 rule in force [S]: more supplement requests than this make a
    dossier late (``MOTCUA_DOSSIERS["MAX_SUPPLEMENT_REQUESTS_ON_TIME"]``; None or "none": no
    such rule). The one place every output reads it from."""
    value = settings.MOTCUA_DOSSIERS.get(
        "MAX_SUPPLEMENT_REQUESTS_ON_TIME", timeliness.MAX_SUPPLEMENT_REQUESTS_ON_TIME
    )
    if value is None or str(value).strip().lower() == "none":
        return None
    if str(value).strip() == "":
        return timeliness.MAX_SUPPLEMENT_REQUESTS_ON_TIME
    try:
        limit = int(str(value))
    except ValueError:
        limit = -1
    if limit < 0:
        raise ImproperlyConfigured(
            "MOTCUA_MAX_SUPPLEMENT_REQUESTS_ON_TIME must be a whole number >= 0 or 'none', "
            f"not {value!r}"
        )
    return limit


def paid_online_methods() -> frozenset[str]:
    """The payment methods a dossier counts as paid online by (766 indicator 3.6, §5.3; the
    definition is NOT CONFIRMED, §6): ``MOTCUA_DOSSIERS["PAID_ONLINE_METHODS"]``, by default
    the national portal and a local gateway (``payments.choices.ONLINE_METHODS``). A province
    that counts VietQR transfers adds ``bank_transfer``, then rebuilds the ledger (``motcua
    report rebuild``: figures already kept were counted by the old rule). The one place every
    output reads it from: the figures, the drill-downs and the national portal's sync."""
    value: Any = settings.MOTCUA_DOSSIERS.get("PAID_ONLINE_METHODS") or sorted(ONLINE_METHODS)
    # Read on every write (the compiled statement's key): parsed once per value.
    return _methods(value if isinstance(value, str) else ",".join(map(str, value)))


@functools.cache
def _methods(value: str) -> frozenset[str]:
    methods = frozenset(name.strip() for name in value.split(",") if name.strip())
    if not methods or methods - set(PaymentMethod.values):
        raise ImproperlyConfigured(
            "MOTCUA_PAID_ONLINE_METHODS must list payment methods among "
            f"{', '.join(PaymentMethod.values)}, not {value!r}"
        )
    return methods


def early_rule() -> timeliness.EarlyRule:
    """How an early resolution is told from an on-time one (§1.7, Appendix A.6):
    ``MOTCUA_DOSSIERS["EARLY_RULE"]``, before_due_day or before_due_session. The one place
    that reads it."""
    return timeliness.EarlyRule(str(settings.MOTCUA_DOSSIERS["EARLY_RULE"]))


def timeliness_of(
    calendar: WorkingCalendar,
    *,
    finished_at: datetime,
    due_at: datetime,
    supplement_requests: int = 0,
    pauses: Iterable[Pause] = (),
) -> timeliness.Timeliness:
    """``core.timeliness.classify`` under the rules in force (:func:`early_rule`,
    :func:`supplement_limit`): what the write path, the history import and the demo scenario
    record for a dossier finished at ``finished_at``."""
    return timeliness.classify(
        calendar,
        finished_at=finished_at,
        due_at=due_at,
        pauses=pauses,
        supplement_requests=supplement_requests,
        rule=early_rule(),
        supplement_limit=supplement_limit(),
    )


def overdue_q(at: datetime) -> Q:
    """Pending dossiers past their time at ``at``: the database form of
    ``core.timeliness.is_overdue`` (through ``core.metrics.overdue_at``, which the reports
    use), for the queue, the end-of-day list and the command line. Tested equal to it
    (``test_overdue.py``).

    A running clock is overdue once its effective due moment has passed. A stopped clock
    (waiting for a supplement or an obligation) moves the due moment with it, so such a
    dossier is overdue only if it already was when the clock stopped. More supplement
    requests than the 766 rule allows count as overdue (:func:`supplement_limit`), whether
    or not a pause was recorded for each (imported counts). Moments compare by wall time: a
    clock stopped in the night after a due moment of 17:00 counts as overdue.
    """
    return Q(status__in=[s.value for s in workflow.PENDING]) & past_due_q(at)


def past_due_q(at: datetime) -> Q:
    """:func:`overdue_q` without its pending states: what a dossier's clock columns, as they
    stand now, say of ``at``. Of a dossier still open at a moment not before its last event
    (``recorded_until``), it is ``is_overdue`` then: the drill-down of a stock at the end of
    a period not over reads its list with it (``reports.drill.exact_stock``)."""
    running = Q(paused_since__isnull=True, effective_due_at__lt=at)
    stopped = Q(paused_since__isnull=False, effective_due_at__lt=F("paused_since"))
    late = running | stopped
    limit = supplement_limit()
    if limit is not None:
        late |= Q(supplement_requests__gt=limit)
    return late


def received_by_q(unit_ids: Collection[int]) -> Q:
    """Received by one of these units (a unit's lineage, ``units.selectors.lineage_ids``);
    any receiving unit when the ids name every unit (``units.selectors.unit_in_q``)."""
    return unit_in_q("receiving_unit", unit_ids)


def recorded_until() -> datetime:
    """The latest moment an event may be recorded at now: ``dossiers.services`` refuses a
    later one, so no clock column changes after it (``RECORDING_SKEW``)."""
    return timezone.now() + RECORDING_SKEW


# -- due today, due on the next working day -------------------------------------------------


class DueSoon(StrEnum):
    TODAY = "today"
    NEXT_WORKING_DAY = "next"


@dataclass(frozen=True)
class DueWindows:
    """The end-of-day list's windows at ``at`` in one unit's calendar: due today is
    [at, tomorrow), due on the next working day is [tomorrow, after_next)."""

    at: datetime
    today: date
    next_working_day: date
    tomorrow: datetime  # midnight after today
    after_next: datetime  # midnight after the next working day

    def window(self, which: DueSoon) -> tuple[datetime, datetime]:
        if which is DueSoon.TODAY:
            return self.at, self.tomorrow
        return self.tomorrow, self.after_next


# A search within at most this many units (a commune's clerk: the commune and the communes
# merged into it) reads the per-unit trigram index, one lookup per unit; a wider scope (a
# province's leader: hundreds of units) reads the province's trigram index once.
UNIT_SEARCH_MAX_UNITS = 8
_TRIGRAM_RUN = re.compile(r"[a-z0-9]+")


class _UnitTrigrams(Func):
    # The expression of the index dossier_unit_search_trgm (migration 0021), written alike so
    # that PostgreSQL matches it: each trigram inside a word of the search text keyed by the
    # receiving and by the handling unit (:func:`unit_trigram_key`), a bigint[].
    function = "motcua_unit_trigrams"
    output_field = TextField()  # no array field outside contrib.postgres; only compared


class _HoldsAll(Lookup):
    # ``lhs @> values``: the array holds every one of ``values`` (PostgreSQL only).
    lookup_name = "holds_all"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        sql, params = self.process_lhs(compiler, connection)
        return f"{sql} @> %s::bigint[]", [*params, list(self.rhs)]


class _DigitGrams(Func):
    # The expression of the index dossier_digit_grams (migration 0034), written alike so that
    # PostgreSQL matches it: the six-digit grams of the search text's runs of seven digits
    # or more (:func:`digit_grams`), a bigint[].
    function = "motcua_digit_grams"
    output_field = TextField()  # as _UnitTrigrams: only compared


# The length of a gram of digits in the index dossier_digit_grams, and the shortest run of
# digits it holds the grams of (a code's six-digit date is not one: migration 0034).
DIGIT_GRAM = 6
_LONG_DIGITS = re.compile(rf"[0-9]{{{DIGIT_GRAM + 1},}}")


def digit_grams(word: str) -> list[int] | None:
    """The grams of digits that find ``word`` on the index dossier_digit_grams, or None when
    ``word`` is not a run of seven digits or more (a phone, an ID number).

    A text holding such a word holds it inside one of its runs of digits, of seven or more,
    so that run's grams include every gram of the word. Grams side by side from the start and
    the last one cover the word: two for a phone, two for an ID number. Each is an integer
    as ``motcua_digit_grams`` makes it (its six digits, so "091234" is 91234)."""
    if not _LONG_DIGITS.fullmatch(word):
        return None
    last = len(word) - DIGIT_GRAM
    return sorted({int(word[at : at + DIGIT_GRAM]) for at in [*range(0, last, DIGIT_GRAM), last]})


def unit_trigram_key(unit: int, trigram: str) -> int:
    """The key of a trigram of a dossier of ``unit`` in the per-unit index, as
    ``motcua_unit_trigrams`` computes it: the unit, then the trigram's three ASCII bytes."""
    first, second, third = (ord(ch) for ch in trigram)
    return (unit << 24) | (first << 16) | (second << 8) | third


def inner_trigrams(word: str) -> list[str]:
    """The trigrams every text holding ``word`` has in pg_trgm's ``show_trgm``: those inside
    each run of letters and digits (pg_trgm's words), without the padded ones at the run's
    edges, which a longer word around it would not have. Sorted; none under three letters."""
    runs = _TRIGRAM_RUN.findall(word)
    return sorted({run[i : i + 3] for run in runs for i in range(len(run) - 2)})


_PHONE_84 = re.compile(r"^\+?84(\d{9,10})$")


def search_words(text: str) -> list[str]:
    """The words of a search as the stored column has them (``Dossier.search_text``): lower
    case without diacritics; a phone typed +84… or with dots matches its stored 0… form."""
    words = []
    for word in search_key(text).split():
        if re.fullmatch(r"[+\d.\-()]+", word) and any(ch.isdigit() for ch in word):
            compact = re.sub(r"[.()]", "", word)
            found = _PHONE_84.match(compact)
            word = "0" + found[1] if found else compact
        words.append(word)
    return words[:10]


# The beginning of a dossier code, ``{agency electronic identifier}-{yyMMdd}-{number}`` (§3),
# folded: the identifier (dotted, 000.01.19.h55), then up to two dash-led runs of digits.
_CODE_START = re.compile(r"([0-9a-z]+(?:\.[0-9a-z]+)+)((?:-\d*){0,2})")


def code_starts(word: str) -> list[str] | None:
    """The beginnings of codes, as stored, that a dossier's search text holds ``word``
    (folded) in; None when ``word`` is not the beginning of a code.

    It is when it starts with the whole electronic identifier of an agency (any case) that
    no other agency's identifier holds: the identifier is the only dotted part of a code (§3)
    and every code starts with its agency's, so the word can stand only at the start of a
    code (a name typed with dots aside). The codes' index then finds them: the search
    text's trigrams of 000.01.19.h55-261204-9012 include "000" and "h55", which every code of
    the province holds, and the province's trigram index read ten million entries for
    them (600 ms at 10 M dossiers, issue 17). One query of the agencies."""
    found = _CODE_START.fullmatch(word)
    if found is None:
        return None
    identifier, rest = found.groups()
    holding = Agency.objects.filter(electronic_code__icontains=identifier)
    agencies = [code for code in holding.values_list("electronic_code", flat=True) if code]
    if not agencies or any(code.lower() != identifier for code in agencies):
        return None
    return [f"{code}{rest}" for code in agencies]


def with_words(
    queryset: QuerySet[Dossier], words: list[str], *, units: Iterable[int] | None = None
) -> QuerySet[Dossier]:
    """``queryset`` kept to the dossiers whose search text (``Dossier.search_text``) holds
    each of ``words`` (already folded: :func:`search_words`) as a substring.

    A word that begins a code (:func:`code_starts`) is found on the codes' index; on
    PostgreSQL, a run of seven digits or more (a phone, an ID number) on the index of grams
    of digits (:func:`digit_grams`, migration 0034), for any scope.

    ``units``: the units the queryset is already kept to through the receiving or the
    handling unit (``dossiers.access``). When they are few, on PostgreSQL, the dossiers are
    found on the per-unit trigram index (migration 0021): the list of (12, "ngu") holds unit
    12's dossiers only, where the province's lists of "ngu" hold millions of names (issue
    17, docs/performance.md). Each word is then matched with ``strpos``, which the
    province's trigram index does not serve, so that PostgreSQL does not read that index
    too. Elsewhere (SQLite, a wide scope, words under three letters) ``LIKE '%word%'``, on the
    province's trigram index on PostgreSQL."""
    anywhere, digits = [], []
    for word in words:
        grams = digit_grams(word) if connection.vendor == "postgresql" else None
        starts = code_starts(word) if grams is None else None
        if grams is not None:
            queryset = queryset.filter(_HoldsAll(_DigitGrams(F("search_text")), grams))
            digits.append(word)
        elif starts is None:
            anywhere.append(word)
        else:
            queryset = queryset.filter(
                functools.reduce(operator.or_, (Q(code__startswith=start) for start in starts))
            )
    queryset = _holding(queryset, digits, "digits")
    words = anywhere
    if not words:
        return queryset
    scope = sorted(set(units)) if units is not None else []
    trigrams = sorted({t for word in words for t in inner_trigrams(word)})
    if (
        connection.vendor != "postgresql"
        or not trigrams
        or not scope
        or len(scope) > UNIT_SEARCH_MAX_UNITS
    ):
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        return queryset
    keys = _UnitTrigrams(F("receiving_unit_id"), F("handling_unit_id"), F("search_text"))
    found = Q()
    for unit in scope:
        found |= Q(_HoldsAll(keys, [unit_trigram_key(unit, trigram) for trigram in trigrams]))
    return _holding(queryset.filter(found), words, "word")


def _holding(queryset: QuerySet[Dossier], words: list[str], name: str) -> QuerySet[Dossier]:
    # ``LIKE '%word%'`` as ``strpos``, which the province's trigram index does not serve, so
    # that PostgreSQL reads only the index the words were looked up on.
    for index, word in enumerate(words):
        at = f"{name}_{index}_at"
        queryset = queryset.alias(**{at: StrIndex("search_text", Value(word))}).filter(
            **{f"{at}__gt": 0}
        )
    return queryset


def procedure_versions(code: str) -> list[int]:
    """The ids of the versions of the procedure ``code``, to filter its dossiers by
    (``procedure_version_id__in``).

    Not through a join on the code: PostgreSQL chooses how to read a list of a procedure's
    dossiers (in the list's order, or from the versions' index and sorted) from its estimate
    of their share, which its statistics give for ids (every version's, dossiers migration
    0033) and not for a code. Through the join it assumed every procedure's average share,
    walked a search's order for one with 850 dossiers of 10 M, and took 1,4 s for a page
    (the API's list 374 ms; issue 17)."""
    return list(procedure_history(code.strip()).values_list("pk", flat=True))


def next_working_day(unit: AdministrativeUnit | None, day: date) -> date:
    """The first working day after ``day`` in the unit's calendar (§7; None: nationwide)."""
    calendar = calendar_for(unit, on=day)
    following = day + timedelta(days=1)
    while not calendar.is_working_day(following):
        following += timedelta(days=1)
    return following


def _midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ)


def due_windows(unit: AdministrativeUnit | None, at: datetime) -> DueWindows:
    """The windows at ``at`` in the calendar of ``unit`` (None: the nationwide one): the one
    definition behind the dashboard's end-of-day list, the digest, the back office's queue
    and the command line's ``queue --due``."""
    today = at.astimezone(LOCAL_TZ).date()
    following = next_working_day(unit, today)
    return DueWindows(at, today, following, _midnight_after(today), _midnight_after(following))


def due_windows_for_user(user: User, at: datetime) -> DueWindows:
    """:func:`due_windows` in the calendar of the user's (first) unit, the nationwide one for
    an administrator without a unit: a province's calendars differ only in local days off."""
    unit_id = next((unit for _role, unit in user_grants(user)), None)
    unit = AdministrativeUnit.objects.filter(pk=unit_id).first() if unit_id else None
    return due_windows(unit, at)


def due_soon_q(windows: DueWindows, which: DueSoon) -> Q:
    """Dossiers due today or on the next working day: pending, clock running, due within the
    window, and not overdue (:func:`overdue_q`).

    Overdue dossiers are left out: they are a list of their own, and the three lists never
    share a dossier (docs/dashboard.md). Dossiers whose clock is stopped (awaiting a supplement
    or an obligation, domain spec §1.4, §1.7) are left out too: the wait moves their due moment
    with it, so they have none to be due at until the clock runs again.
    """
    return _due_within_q(*windows.window(which), windows.at)


def due_soon_either_q(windows: DueWindows) -> Q:
    """The dossiers of both lists of :func:`due_soon_q` (their windows meet at midnight): the
    dashboard counts them in one statement, split by due moment (``reports.eod``)."""
    return _due_within_q(windows.at, windows.after_next, windows.at)


def _due_within_q(start: datetime, end: datetime, at: datetime) -> Q:
    if start < at:
        raise ValueError("a window of the due lists starts at or after its moment")
    due = Q(
        status__in=[s.value for s in workflow.PENDING],
        paused_since__isnull=True,
        effective_due_at__gte=start,
        effective_due_at__lt=end,
    )
    # Not overdue at ``at`` (:func:`overdue_q`): a running clock due at or after ``at`` is
    # not past its time, so of that rule only the supplement limit can hold. Its whole form,
    # evaluated for each of a province's 4.810 dossiers due soon, was 0,6 of the dashboard's
    # 2,4 ms count at 10 M dossiers (the lists are tested equal to the definition:
    # test_dashboard.py, test_overdue.py).
    limit = supplement_limit()
    return due & ~Q(supplement_requests__gt=limit) if limit is not None else due


def dossier_facts(queryset: QuerySet[Dossier] | None = None) -> Iterator[DossierFacts]:
    """What the figure definitions (``core.metrics``) need of each dossier, in bounded queries."""
    for _, facts in dossiers_with_facts(queryset):
        yield facts


@dataclass(frozen=True)
class Counted:
    """Where a dossier counts: its code, receiving unit and agency (whose calendar applies),
    and field of procedures."""

    pk: int
    code: str
    unit_id: int | None
    agency_id: int | None
    field_id: int


# Plain columns first, then the EXISTS annotations: the SQL selects them in that order, and
# :func:`_compiled` names the write path's columns by it.
_COLUMNS = (
    "pk",
    "code",
    "receiving_unit_id",
    "receiving_agency_id",
    "procedure_version__field_id",
    "procedure_version__is_certification",
    "channel",
    "received_at",
    "due_at",
    "effective_due_at",
    "imported",
    "resolved_at",
    "timeliness",
    "ended_at",
    "result_digitised",
    "electronic_certification",
    "rating__at",
    "rating__level",
    "supplement_requests",
    "has_components",
    "has_undigitised",
    "has_reusable",
    "has_reused",
    "has_obligation",
    "has_paid_online",
    "has_pauses",
)


_RELATED = (
    "has_components",
    "has_undigitised",
    "has_reusable",
    "has_reused",
    "has_obligation",
    "has_paid_online",
    "has_pauses",
)


def _succeeded_online() -> dict[str, Any]:
    return {"kind": PaymentEventKind.SUCCEEDED, "method__in": sorted(paid_online_methods())}


def _fact_rows(queryset: QuerySet[Dossier]) -> QuerySet[Dossier, dict[str, Any]]:
    """The dossier rows with what the facts need of the related tables, as EXISTS columns:
    one statement, for the write path's single dossier. Many dossiers are read by
    :func:`_related_flags` instead, whose plain queries PostgreSQL plans well whatever its
    statistics (the EXISTS form could take seconds a chunk on a freshly loaded database).

    Digitised (766 indicator 4.2, §5.3 [S]): every component received has its scan and, once
    resolved, so has the result. Paid online (766 indicator 3.6): an obligation paid by one of
    :func:`paid_online_methods`.
    """
    mine = {"dossier": OuterRef("pk")}
    annotated = queryset.annotate(
        has_components=Exists(DossierComponent.objects.filter(**mine)),
        has_undigitised=Exists(DossierComponent.objects.filter(**mine, digitised=False)),
        has_reusable=Exists(DossierComponent.objects.filter(**mine, reusable=True)),
        has_reused=Exists(DossierComponent.objects.filter(**mine, reused=True)),
        has_obligation=Exists(Payment.objects.filter(**mine)),
        has_paid_online=Exists(
            PaymentEvent.objects.filter(payment__dossier=OuterRef("pk"), **_succeeded_online())
        ),
        has_pauses=Exists(PauseRow.objects.filter(**mine)),
    )
    return cast("QuerySet[Dossier, dict[str, Any]]", annotated.values(*_COLUMNS))


def _facts(
    row: dict[str, Any], pauses: list[PauseRow], limit: int | None
) -> tuple[Counted, DossierFacts]:
    received_at, resolved_at = row["received_at"], row["resolved_at"]
    counted = Counted(
        row["pk"],
        row["code"],
        row["receiving_unit_id"],
        row["receiving_agency_id"],
        row["procedure_version__field_id"],
    )
    return counted, DossierFacts(
        received_at=received_at,
        channel=row["channel"],
        resolved_at=resolved_at,
        timeliness=row["timeliness"],
        ended_at=row["ended_at"] if received_at is not None else None,
        due_at=row["due_at"],
        # A recorded due moment is a fact only where history brought it (ARCHITECTURE
        # invariant 5); motcua's own dossiers derive it from their pauses on the calendar in
        # force, so a calendar amendment moves it (docs/reports.md).
        effective_due_at=row["effective_due_at"] if row["imported"] else None,
        pauses=tuple(Pause(p.started_at, p.ended_at) for p in pauses),
        supplement_starts=tuple(p.started_at for p in pauses if p.reason == PauseReason.SUPPLEMENT),
        supplement_requests=row["supplement_requests"],
        supplement_limit=limit,
        has_obligation=bool(row["has_obligation"]),
        paid_online=bool(row["has_paid_online"]),
        digitised=bool(row["has_components"])
        and not row["has_undigitised"]
        and (resolved_at is None or bool(row["result_digitised"])),
        certification=bool(row["procedure_version__is_certification"]),
        e_certified=bool(row["electronic_certification"]),
        reuse_eligible=bool(row["has_reusable"]),
        reused=bool(row["has_reused"]),
        rated_at=row["rating__at"],
        satisfied=row["rating__level"] in SATISFIED_OR_BETTER,
        key=row["code"],
    )


def _related_flags(rows: list[dict[str, Any]]) -> None:
    """Set the EXISTS columns of :func:`_fact_rows` on plain rows, from four IN queries. The
    ids go as one array parameter (``lib.lookups.AnyOf``): as an IN list, a drill-down's
    page of 1.000 dossiers spent more time having psycopg and Django handle its 1.000
    placeholders per query than PostgreSQL spent answering (docs/performance.md)."""
    by_pk = {row["pk"]: row for row in rows}
    for row in rows:
        row.update(dict.fromkeys(_RELATED, False))
    components = DossierComponent.objects.filter(AnyOf(F("dossier_id"), by_pk))
    flags = components.values_list("dossier_id", "digitised", "reusable", "reused")
    for pk, digitised, reusable, reused in flags:
        by_pk[pk]["has_components"] = True
        if not digitised:
            by_pk[pk]["has_undigitised"] = True
        if reusable:
            by_pk[pk]["has_reusable"] = True
        if reused:
            by_pk[pk]["has_reused"] = True
    for pk in Payment.objects.filter(AnyOf(F("dossier_id"), by_pk)).values_list(
        "dossier_id", flat=True
    ):
        by_pk[pk]["has_obligation"] = True
    paid = PaymentEvent.objects.filter(
        AnyOf(F("payment__dossier_id"), by_pk), **_succeeded_online()
    )
    for pk in paid.values_list("payment__dossier_id", flat=True):
        by_pk[pk]["has_paid_online"] = True
    for pk in PauseRow.objects.filter(AnyOf(F("dossier_id"), by_pk)).values_list(
        "dossier_id", flat=True
    ):
        by_pk[pk]["has_pauses"] = True


def _pauses_of(rows: list[dict[str, Any]]) -> dict[int, list[PauseRow]]:
    ids = [row["pk"] for row in rows if row["has_pauses"]]
    found: dict[int, list[PauseRow]] = {pk: [] for pk in ids}
    if ids:
        for pause in PauseRow.objects.filter(AnyOf(F("dossier_id"), ids)).order_by(
            "started_at", "id"
        ):
            found[pause.dossier_id].append(pause)
    return found


def dossiers_with_facts(
    queryset: QuerySet[Dossier] | None = None, *, chunk: int = 2000
) -> Iterator[tuple[Counted, DossierFacts]]:
    """Each dossier with its :class:`DossierFacts`, in the queryset's order: one query for the
    ids, then six per ``chunk`` (no server-side cursor: PostgreSQL plans those for their
    first rows)."""
    selected = queryset if queryset is not None else Dossier.objects.all()
    ids = list(selected.values_list("pk", flat=True))
    columns = [c for c in _COLUMNS if c not in _RELATED]
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        chunk_rows = Dossier.objects.filter(AnyOf(F("pk"), part)).values(*columns)
        found = {row["pk"]: row for row in chunk_rows}
        rows = [found[pk] for pk in part if pk in found]
        _related_flags(rows)
        yield from _with_pauses(rows)


def _with_pauses(batch: list[dict[str, Any]]) -> Iterator[tuple[Counted, DossierFacts]]:
    pauses = _pauses_of(batch)
    limit = supplement_limit()
    for row in batch:
        yield _facts(row, pauses.get(row["pk"], []), limit)


# The write path's statement, compiled once per database vendor (and rule of paid online,
# which it carries) from the same queryset: compiling it costs ten times what running it
# does (docs/dossiers.md, benchmark).
_COMPILED: dict[tuple[str, frozenset[str]], tuple[str, list[Any], int, list[str]]] = {}
_SENTINEL = -7_060_766


def _compiled() -> tuple[str, list[Any], int, list[str]]:
    key = (connection.vendor, paid_online_methods())
    if key not in _COMPILED:
        query = _fact_rows(Dossier.objects.filter(pk=_SENTINEL)).query
        sql, params = query.sql_with_params()
        # The order values() reads the columns in (django.db.models.query.ValuesIterable).
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        _COMPILED[key] = (sql, list(params), list(params).index(_SENTINEL), names)
    return _COMPILED[key]


def _aware(value: Any) -> Any:
    # SQLite hands back naive UTC datetimes where the ORM would have made them aware.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def dossier_facts_now(dossier_id: int) -> tuple[Counted, DossierFacts] | None:
    """One dossier with its facts, for the write path: one query, two if it ever paused."""
    found = dossier_fact_row_now(dossier_id)
    return None if found is None else facts_of_row(*found)


FactRow = dict[str, Any]  # a dossier's row as :func:`facts_of_row` reads it (``_COLUMNS``)


def dossier_fact_row_now(dossier_id: int) -> tuple[FactRow, list[PauseRow]] | None:
    """The row and pauses :func:`facts_of_row` turns into facts: one query, two if it ever
    paused. The write path keeps them to derive the facts after a change without reading
    the dossier again (:func:`fact_row_of`)."""
    sql, params, index, names = _compiled()
    params = [*params[:index], dossier_id, *params[index + 1 :]]
    with storage.write_cursor() as cursor:  # prepared once per connection on PostgreSQL
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    row = {name: _aware(value) for name, value in zip(names, found, strict=True)}
    return row, _pauses_of([row]).get(row["pk"], [])


def facts_of_row(row: FactRow, pauses: list[PauseRow]) -> tuple[Counted, DossierFacts]:
    """A dossier's facts from its row and pauses (the one mapping, whatever read them)."""
    return _facts(row, pauses, supplement_limit())


def fact_row_of(dossier: Dossier, base: FactRow) -> FactRow:
    """``base`` with the dossier's own columns as they are in memory: the row after a change
    that wrote only the dossier row. ``base`` brings the rest (procedure, rating, the related
    tables' flags): a row read before the change, or those of a new dossier."""
    row = dict(base)
    for name in _COLUMNS:
        if name == "pk":
            row[name] = dossier.pk
        elif "__" not in name and name not in _RELATED:
            row[name] = getattr(dossier, name)
    return row

"""Writes of the national portal sync (integrations-vn.md §1.2, §1.4; docs/national.md).

Three steps, each safe to repeat and to run in several workers at once:

1. **Intake** (:func:`national_intake`): read the dossier change feed (``dossiers.feed``, the
   events table as transactional outbox) under the consumer name ``national`` and raise each
   synchronised dossier's ``NationalRecord.wanted_seq``; the records and the feed position
   commit in one transaction, so an event is never lost nor taken twice.
2. **Send** (:func:`national_send`): for each record with events waiting, claim it (a lease:
   one worker at a time), send its events in ``seq`` order, one call at a time, and raise
   ``acked_seq`` after each acknowledged event. A failure stops that dossier only (its later
   events wait, so no later status overtakes an earlier one) and schedules a retry.
3. **Reconcile** (:func:`national_reconcile`) and **resync** (:func:`national_resync`).

Idempotency (why a resend after a time-out is safe): ``DongBoHoSoMC`` is keyed by the dossier
code; with ``isUpdating=True`` it replaces the portal's record (an upsert), and a create of a
dossier the portal already has answers "already exists" (3/-3, HuanVu201 [C]), after which we
update. Progress rows (``CapNhatTienDoHoSoMC``) have no key on the wire [S]: after an unknown
outcome the next attempt looks the dossier up (``TraCuuHoSo``) and sends the step only if the
portal does not list it (``DanhSachTienDo`` in the look-up reply [S]; when the portal does not
list steps, the step is resent: at least once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.feed import cursor_position, feed_advance, feed_claim, feed_read
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.national.choices import Difference, Outcome, Send
from motcua.national.client import NationalClient, NationalError, Refused
from motcua.national.mapping import MappingTable, mapping_table
from motcua.national.models import NationalRecord, Reconciliation
from motcua.national.selectors import (
    NationalConfig,
    UnitScope,
    dossier_for_sync,
    dossier_payload,
    events_to_send,
    latest_reconciliation,
    national_config,
    payload_hash,
    progress_payload,
    records_due,
)

logger = logging.getLogger(__name__)

CONSUMER = "national"
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class SyncReport:
    """What one run did."""

    disabled: bool = False
    read: int = 0  # feed events read
    out_of_scope: int = 0  # events of dossiers in no synchronised unit
    sent: int = 0  # events acknowledged
    failed: list[str] = field(default_factory=list)  # "code: error"
    busy: bool = False  # another worker held the feed


# -- 1. intake ------------------------------------------------------------------------------


def national_intake(*, config: NationalConfig, limit: int) -> SyncReport:
    """Read up to ``limit`` feed events into the records; the position commits with them."""
    report = SyncReport()
    scope = UnitScope(config.unit_codes)
    with transaction.atomic():
        cursor = feed_claim(CONSUMER)
        if cursor is None:
            report.busy = True
            return report
        page = feed_read(after=cursor_position(cursor), limit=min(limit, 1000))
        wanted: dict[int, tuple[int, Dossier]] = {}
        events_of: dict[int, int] = {}
        for event in page.events:
            report.read += 1
            seq, _dossier = wanted.get(event.dossier_id, (0, event.dossier))
            wanted[event.dossier_id] = (max(seq, event.seq), event.dossier)
            events_of[event.dossier_id] = events_of.get(event.dossier_id, 0) + 1
        existing = {
            r.dossier_id: r
            for r in NationalRecord.objects.select_for_update().filter(dossier_id__in=wanted)
        }
        for dossier_id, (seq, dossier) in wanted.items():
            if dossier_id in existing:
                # A sender may be raising acked_seq right now: touch only wanted_seq/pending.
                NationalRecord.objects.filter(pk=existing[dossier_id].pk).update(
                    wanted_seq=Greatest(F("wanted_seq"), Value(seq)),
                    pending=ExpressionWrapper(
                        Q(acked_seq__lt=seq) | Q(acked_seq__lt=F("wanted_seq")),
                        output_field=BooleanField(),
                    ),
                )
                continue
            unit_code = scope.national_code(dossier.receiving_unit_id)
            if not unit_code:
                report.out_of_scope += events_of[dossier_id]
                continue
            NationalRecord.objects.create(
                dossier_id=dossier_id,
                code=dossier.code,
                unit_code=unit_code,
                wanted_seq=seq,
                pending=True,
            )
        feed_advance(cursor, page.position)
    return report


# -- 2. send --------------------------------------------------------------------------------


def _claim(record_id: int, now: datetime, lease: timedelta) -> bool:
    """Take the record for ``lease`` (one worker at a time); False when another has it."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        NationalRecord.objects.filter(due, pk=record_id).update(next_attempt_at=now + lease)
    )


def _progress_listed(found: dict[str, Any] | None, step: dict[str, Any]) -> bool:
    """Whether the portal's look-up lists this step already [S: DanhSachTienDo]."""
    if not found:
        return False
    steps = found.get("DanhSachTienDo")
    if not isinstance(steps, list):
        return False
    key = (step["ThoiDiemXuLy"], step["TrangThai"])
    return any(
        isinstance(s, dict) and (s.get("ThoiDiemXuLy"), s.get("TrangThai")) == key for s in steps
    )


def _send_event(
    client: NationalClient,
    record: NationalRecord,
    dossier: Dossier,
    event: DossierEvent,
    table: MappingTable,
    *,
    force_dossier: bool = False,
) -> tuple[int | None, str]:
    """Send one event; returns the national status shown and the payload hash (raises)."""
    send = table.send_for(event.action)
    if send == Send.NOTHING and not force_dossier:
        return record.last_status, record.payload_hash
    item = dossier_payload(dossier, event, table)
    step = progress_payload(dossier, event, table) if send == Send.DOSSIER_AND_PROGRESS else None
    found = None
    if record.uncertain:
        # The last attempt may have arrived: ask before sending anything twice.
        found = client.look_up(record.code, unit_code=record.unit_code)
        if found is not None:
            record.created = True
    try:
        client.push_dossier(item, unit_code=record.unit_code, updating=record.created)
    except Refused as error:
        if record.created or error.code not in client.config.exists_codes:
            raise
        client.push_dossier(item, unit_code=record.unit_code, updating=True)
    record.created = True
    if step is not None and not _progress_listed(found, step):
        client.push_progress(step, unit_code=record.unit_code)
    return item["TrangThaiHoSo"], payload_hash(item)


def _acknowledge(
    record: NationalRecord, event: DossierEvent, status: int | None, digest: str, version: str
) -> None:
    now = timezone.now()
    record.acked_seq = event.seq
    record.acked_event_id = event.pk
    record.last_status = status
    record.payload_hash = digest
    record.mapping_version = version
    record.attempts = 0
    record.uncertain = False
    record.last_outcome = Outcome.ACKNOWLEDGED
    record.last_error = ""
    record.acked_at = now
    record.save(
        update_fields=[
            "acked_seq",
            "acked_event_id",
            "last_status",
            "payload_hash",
            "mapping_version",
            "attempts",
            "uncertain",
            "last_outcome",
            "last_error",
            "acked_at",
            "created",
            "updated_at",
        ]
    )
    # wanted_seq may have risen since the record was read (the intake of another worker).
    NationalRecord.objects.filter(pk=record.pk).update(
        pending=ExpressionWrapper(Q(wanted_seq__gt=event.seq), output_field=BooleanField())
    )
    record.refresh_from_db(fields=["wanted_seq", "pending"])


def _fail(record: NationalRecord, error: Exception, config: NationalConfig) -> str:
    now = timezone.now()
    record.attempts += 1
    unknown = not isinstance(error, Refused)
    record.uncertain = record.uncertain or unknown
    record.last_outcome = Outcome.UNKNOWN if unknown else Outcome.REFUSED
    record.last_error = str(error)[:2000]
    backoff = timedelta(seconds=config.retry_seconds * 2 ** min(record.attempts - 1, 10))
    record.next_attempt_at = now + min(backoff, MAX_BACKOFF)
    record.save(
        update_fields=[
            "attempts",
            "uncertain",
            "last_outcome",
            "last_error",
            "next_attempt_at",
            "created",
            "updated_at",
        ]
    )
    logger.warning("national portal: %s not synchronised: %s", record.code, record.last_error)
    return f"{record.code}: {record.last_error}"


def send_record(
    client: NationalClient, record: NationalRecord, table: MappingTable, config: NationalConfig
) -> tuple[int, str | None]:
    """Send the record's waiting events in order; (events acknowledged, error or None)."""
    dossier = dossier_for_sync(record.dossier_id)
    sent = 0
    for event in events_to_send(record):
        try:
            status, digest = _send_event(client, record, dossier, event, table)
        except (NationalError, ValueError) as error:
            return sent, _fail(record, error, config)
        _acknowledge(record, event, status, digest, table.version)
        sent += 1
    NationalRecord.objects.filter(pk=record.pk).update(next_attempt_at=None)
    return sent, None


def national_send(
    *, client: NationalClient, config: NationalConfig, limit: int, now: datetime | None = None
) -> SyncReport:
    """Send the waiting events of up to ``limit`` dossiers (each in its own order)."""
    report = SyncReport()
    table = mapping_table()
    now = now or timezone.now()
    lease = timedelta(seconds=config.timeout * 4 + 60)
    for record_id in records_due(now, limit):
        if not _claim(record_id, now, lease):
            continue
        record = NationalRecord.objects.get(pk=record_id)
        sent, error = send_record(client, record, table, config)
        report.sent += sent
        if error:
            report.failed.append(error)
    return report


def national_sync(
    *, limit: int | None = None, once: bool = True, client: NationalClient | None = None
) -> SyncReport:
    """Intake then send: one pass (``once``), or until the feed and the queue are drained of
    what is due now. A disabled sync does nothing and says so."""
    config = national_config()
    if not config.enabled:
        return SyncReport(disabled=True)
    batch = limit or config.batch_size
    client = client or NationalClient(config)
    total = SyncReport()
    while True:
        intake = national_intake(config=config, limit=batch)
        sent = national_send(client=client, config=config, limit=batch)
        total.read += intake.read
        total.out_of_scope += intake.out_of_scope
        total.busy = total.busy or intake.busy
        total.sent += sent.sent
        total.failed.extend(sent.failed)
        if once or (intake.read < batch and sent.sent == 0):
            return total


# -- 3. reconciliation and resync -----------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One difference, by dossier code."""

    code: str
    kind: Difference
    detail: str


def _scope_dossiers(day: date | None) -> Any:
    dossiers = Dossier.objects.order_by("pk")
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), LOCAL_TZ)
        dossiers = dossiers.filter(
            last_event_at__gte=start, last_event_at__lt=start + timedelta(days=1)
        )
    return dossiers


def national_reconcile(
    *, day: date | None = None, daily: bool = False, client: NationalClient | None = None
) -> Reconciliation | None:
    """Compare motcua's dossiers with what was acknowledged and with what the portal reports
    (TraCuuHoSo, one call per dossier) and keep every difference: missing, stale, extra.
    ``day``: only the dossiers changed that local day (the daily job: yesterday). None when
    the sync is disabled; a daily run that already ran for ``day`` is not repeated."""
    config = national_config()
    if not config.enabled:
        return None
    if daily and Reconciliation.objects.filter(daily=True, day=day).exists():
        return None
    client = client or NationalClient(config)
    table = mapping_table()
    scope = UnitScope(config.unit_codes)
    records = {r.dossier_id: r for r in NationalRecord.objects.all()} if day is None else None
    found: list[Found] = []
    checked = 0
    seen: set[int] = set()
    for dossier in _scope_dossiers(day).iterator(chunk_size=500):
        record = (
            records.get(dossier.pk)
            if records is not None
            else NationalRecord.objects.filter(dossier_id=dossier.pk).first()
        )
        seen.add(dossier.pk)
        unit_code = scope.national_code(dossier.receiving_unit_id)
        if not unit_code:
            if record is not None and record.created:
                found.append(Found(dossier.code, Difference.EXTRA, "not in a synchronised unit"))
            continue
        checked += 1
        local = table.code_for(dossier.status)
        remote = client.look_up(dossier.code, unit_code=unit_code)
        if remote is None:
            why = (
                "never acknowledged"
                if record is None or not record.created
                else "not on the portal"
            )
            found.append(Found(dossier.code, Difference.MISSING, why))
            continue
        shown = remote.get("TrangThaiHoSo")
        if str(shown) != str(local):
            found.append(Found(dossier.code, Difference.STALE, f"portal {shown}, motcua {local}"))
        elif (
            record is None or record.acked_seq < dossier.last_event_seq and _unsent(record, dossier)
        ):
            found.append(Found(dossier.code, Difference.STALE, "events not acknowledged"))
    if records is not None:
        for dossier_id, record in records.items():
            if dossier_id not in seen and record.created:
                found.append(Found(record.code, Difference.EXTRA, "no such dossier in motcua"))
    found.sort(key=lambda f: (f.code, f.kind))
    return Reconciliation.objects.create(
        day=day,
        daily=daily,
        ran_at=timezone.now(),
        checked=checked,
        differences=[{"code": f.code, "kind": str(f.kind), "detail": f.detail} for f in found],
    )


def _unsent(record: NationalRecord, dossier: Dossier) -> bool:
    """Whether an event after the acknowledged one would send anything."""
    table = mapping_table()
    actions = DossierEvent.objects.filter(
        dossier_id=dossier.pk, seq__gt=record.acked_seq
    ).values_list("action", flat=True)
    return any(table.send_for(a) != Send.NOTHING for a in actions)


def national_resync(
    *,
    codes: list[str] | None = None,
    all_differences: bool = False,
    client: NationalClient | None = None,
) -> dict[str, str]:
    """Repair: a missing dossier is sent again from its first event (create, then every step
    in order); a stale one gets its current state and its waiting events. Returns the outcome
    per code. ``all_differences``: every code of the latest reconciliation."""
    config = national_config()
    if not config.enabled:
        return {}
    client = client or NationalClient(config)
    table = mapping_table()
    scope = UnitScope(config.unit_codes)
    kinds: dict[str, str] = {}
    if all_differences:
        run = latest_reconciliation()
        for item in run.differences if run else []:
            kinds[item["code"]] = item["kind"]
    for code in codes or []:
        kinds.setdefault(code, "")
    outcome: dict[str, str] = {}
    for code, kind in sorted(kinds.items()):
        dossier = Dossier.objects.filter(code=code).first()
        if dossier is None:
            outcome[code] = "no such dossier in motcua"
            continue
        unit_code = scope.national_code(dossier.receiving_unit_id)
        if not unit_code:
            # The portal has no delete service in either codebase [S]: left as it is.
            outcome[code] = "not in a synchronised unit; left on the portal"
            continue
        with transaction.atomic():
            record, _ = NationalRecord.objects.select_for_update().get_or_create(
                dossier_id=dossier.pk, defaults={"code": code, "unit_code": unit_code}
            )
            if kind != Difference.STALE:
                # Missing (or asked by code): start again from the first event; the create
                # turns into an update if the portal has it after all.
                remote = client.look_up(code, unit_code=unit_code)
                if remote is None:
                    record.created = False
                    record.acked_seq = 0
            record.unit_code = unit_code
            record.wanted_seq = max(record.wanted_seq, dossier.last_event_seq)
            record.pending = record.wanted_seq > record.acked_seq
            record.uncertain = False
            record.next_attempt_at = None
            record.save()
        sent, error = send_record(client, record, table, config)
        if error is None and not record.pending and kind == Difference.STALE:
            last = DossierEvent.objects.get(dossier_id=dossier.pk, seq=record.acked_seq)
            try:
                status, digest = _send_event(
                    client, record, dossier_for_sync(dossier.pk), last, table, force_dossier=True
                )
                _acknowledge(record, last, status, digest, table.version)
            except NationalError as exc:
                error = _fail(record, exc, config)
        outcome[code] = error or f"sent {sent} event(s)"
    return outcome


def national_tick(*, now: datetime, log: Callable[[str], None] | None = None) -> SyncReport | None:
    """The worker's step: sync once; after RECONCILE_TIME, reconcile yesterday once a day."""
    config = national_config()
    if not config.enabled:
        return None
    report = national_sync(once=True)
    local = now.astimezone(LOCAL_TZ)
    if local.strftime("%H:%M") >= config.reconcile_time:
        yesterday = local.date() - timedelta(days=1)
        try:
            run = national_reconcile(day=yesterday, daily=True)
        except IntegrityError:  # another worker recorded the day's run first
            run = None
        except NationalError as error:
            logger.warning("national reconciliation of %s failed: %s", yesterday, error)
            run = None
        if run is not None and log:
            log(f"national reconciliation {yesterday:%d/%m/%Y}: {len(run.differences)}")
    return report


# -- 4. the national catalogue --------------------------------------------------------------

# DONVITINH of a time limit (LayThuTuc THOIGIAN [C] for the field; the words are [M]).
LIMIT_UNITS = {
    "ngày làm việc": "working_days",
    "ngày": "calendar_days",
    "giờ làm việc": "working_hours",
    "giờ": "working_hours",
}


@dataclass(frozen=True)
class ProcedureChange:
    code: str
    name: str
    changes: list[tuple[str, str, str]]  # (what, motcua's value, the portal's value)


@dataclass
class CatalogDiff:
    """The national catalogue against motcua's newest versions, and the rows to import."""

    added: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[ProcedureChange] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)  # catalog.fileformat.ProcedureRow

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _national_terms(item: dict[str, Any]) -> dict[str, Any]:
    """Name, field, time limits and fees of a LayThuTuc item (OpenCPS syncServiceInfo [C]:
    TENTTHC, LINHVUCTHUCHIEN[MALINHVUC, TENLINHVUC], CACHTHUCTHUCHIEN[KENH 1 direct / 2 online
    / 3 postal, THOIGIAN[THOIGIANGIAIQUYET, DONVITINH, PHILEPHI[SOTIEN, MOTA]]])."""
    from motcua.catalog.fileformat import Fee

    fields = item.get("LINHVUCTHUCHIEN") or [{}]
    terms: dict[str, Any] = {
        "name": str(item.get("TENTTHC") or "").strip(),
        "field_code": str(fields[0].get("MALINHVUC") or "").strip(),
        "field_name": str(fields[0].get("TENLINHVUC") or "").strip(),
        "time_limit": None,
        "time_limit_unit": None,
        "online_time_limit": None,
        "fees": (),
    }
    for way in item.get("CACHTHUCTHUCHIEN") or []:
        times = way.get("THOIGIAN") or []
        if not times:
            continue
        first = times[0]
        days = int(first.get("THOIGIANGIAIQUYET"))
        unit = LIMIT_UNITS.get(str(first.get("DONVITINH") or "").strip().lower())
        if unit is None:
            raise ValueError(f"DONVITINH {first.get('DONVITINH')!r} is not a known unit")
        kenh = int(way.get("KENH"))
        if kenh == 1:
            terms["time_limit"], terms["time_limit_unit"] = days, unit
            terms["fees"] = tuple(
                Fee(
                    str(f.get("MOTA") or f.get("MAPHILEPHI") or "").strip(), int(float(f["SOTIEN"]))
                )
                for f in first.get("PHILEPHI") or []
            )
        elif kenh == 2:
            terms["online_time_limit"] = days
    return terms


def _fees_text(fees: tuple[Any, ...]) -> str:
    from motcua.lib.formatting import format_count

    return "; ".join(f"{f.label} {format_count(f.amount)}" for f in fees) or "-"


def national_catalog_diff(*, valid_from: date, client: NationalClient | None = None) -> CatalogDiff:
    """Fetch the national catalogue (LayDanhSachTTHC, then LayThuTuc per code) and compare it
    with motcua's newest version of each procedure: names, fields, time limits, fees. The
    proposed rows keep what the portal does not say (level, agency, components) from motcua.
    Nothing is written."""
    from motcua.catalog.selectors import procedure_latest_versions
    from motcua.catalog.services import version_row

    config = national_config()
    client = client or NationalClient(config)
    unit = config.default_unit_code
    national = {}
    for code in client.procedure_codes(unit_code=unit):
        item = client.procedure(code, unit_code=unit)
        if item is not None:
            national[code] = item
    diff = CatalogDiff()
    local = {v.procedure.code: v for v in procedure_latest_versions()}
    for code, item in sorted(national.items()):
        try:
            terms = _national_terms(item)
        except (TypeError, ValueError, KeyError) as error:
            raise Refused(f"LayThuTuc {code}: {error}", service="LayThuTuc", code="data") from None
        version = local.get(code)
        if version is None:
            diff.added.append((code, terms["name"]))
            continue
        row = version_row(version)
        changes: list[tuple[str, str, str]] = []
        new = dict(row.__dict__)
        pairs = [
            ("name", row.name, terms["name"]),
            ("field_code", row.field_code, terms["field_code"]),
            ("time_limit", row.time_limit, terms["time_limit"]),
            ("time_limit_unit", row.time_limit_unit, terms["time_limit_unit"]),
            ("online_time_limit", row.online_time_limit, terms["online_time_limit"]),
        ]
        for what, ours, theirs in pairs:
            if theirs not in (None, "") and ours != theirs:
                changes.append((what, str(ours), str(theirs)))
                new[what] = theirs
        if terms["field_code"] and terms["field_code"] != row.field_code:
            new["field_name"] = terms["field_name"] or row.field_name
        if tuple(terms["fees"]) != row.fees:
            changes.append(("fees", _fees_text(row.fees), _fees_text(tuple(terms["fees"]))))
            new["fees"] = tuple(terms["fees"])
        if changes:
            diff.changed.append(ProcedureChange(code, row.name, changes))
            new.update(valid_from=valid_from, valid_to=None)
            diff.rows.append(type(row)(**new))
    today = timezone.localdate()
    for code, version in sorted(local.items()):
        if code not in national and (version.valid_to is None or version.valid_to > today):
            diff.removed.append((code, version.name))
    return diff


def national_catalog_apply(*, diff: CatalogDiff) -> Any:
    """Create the changed procedures' new versions through the catalogue's own import (one
    transaction, all or nothing; catalog.services.catalog_import). Added procedures need a
    level and a competent agency the portal does not give: they are listed, not created;
    removed ones are listed, not ended (the portal's list may be partial)."""
    import tempfile
    from pathlib import Path

    from motcua.catalog.fileformat import write_file
    from motcua.catalog.services import ImportReport, catalog_import

    if not diff.rows:
        return ImportReport()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "national.csv"
        write_file(path, diff.rows)
        return catalog_import(path)

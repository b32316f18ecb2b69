"""COPY millions of dossiers with their hash-chained histories and the figures' ledger.

Used by bench/report (one city, 2019–2024) and bench/pages (a province of 90+ communes,
2021–today). No Python model instance per row: lines are written to ``COPY`` in chunks.

- The column lists come from the models' ``_meta`` at run time: a column the generator does not
  know (added by a later migration) gets its field's default, or NULL, so a schema change does
  not break the load.
- Each event's hash is computed by the app's own ``dossiers.events.event_hash`` on a light
  stand-in of the event, so ``motcua audit verify`` accepts the history whatever the chaining
  rules in force; the global chain (``chain_seq``, ``chain_prev_hash``, ``ChainHead``) is filled
  only while the models still have it.
- The ledger (``DayFigure``, ``FieldDayFigure``) is summed from ``core.metrics.contributions``,
  the function the write path uses, one row per key.
- Indexes that no constraint owns are dropped during the COPY and rebuilt after it.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GENESIS = "0" * 64
CHUNK = 20000

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý", "Nông", "Ma", "Triệu", "Lục", "Bế", "Hà", "Đinh")  # fmt: skip
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Hữu", "Quang", "Thanh", "Xuân")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh",
         "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn",
         "Yến")  # fmt: skip


@dataclass
class Desk:
    """A receiving desk: its unit, agency, code prefix, the procedure versions it receives
    (pk, field pk, is a certification) and the calendar its due moments are counted in."""

    unit_id: int
    agency_id: int
    ecode: str
    versions: list[tuple[int, int, bool]]
    calendar: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Shape:
    """What to generate: ``n`` dossiers received ``first_day``..``last_day`` (working days),
    spread over ``desks_on(day)``; ``now`` decides what is still pending (a resolution later
    than ``now`` is not yet made)."""

    n: int
    first_day: date
    last_day: date
    now: datetime
    desks_on: Callable[[date], Sequence[Desk]]
    seed: int = 20240523
    stuck: float = 0.002  # old dossiers never resolved: overdue in the queue
    recent_pending: float = 0.4  # share of dossiers still open among the last days' ones
    progress: int = 500000  # print a line every this many dossiers
    recorded: datetime | None = None  # when the history was imported (default: ``now``)


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).replace("\\", "\\\\")
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _defaults(model: Any, given: set[str]) -> dict[str, Any]:
    """Each concrete column the generator does not set: the field's default, else NULL."""
    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.column in given:
            continue
        if f.has_default():
            out[f.column] = f.get_default()
        elif f.null:
            out[f.column] = None
        elif getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            out[f.column] = None  # set by the generator (created_at)
        else:
            out[f.column] = ""
    return out


def _columns(model: Any) -> list[str]:
    """The model's table columns, in field order. The stubs type ``Field.column`` as
    ``str | None`` (a field without a column); a concrete field always has one."""
    return [f.column for f in model._meta.concrete_fields]


def plain_indexes(cur: Any, table: str) -> list[tuple[str, str]]:
    """Indexes of ``table`` that no constraint owns (dropped during COPY, rebuilt after)."""
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = %s AND NOT EXISTS
             (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
        [table],
    )
    return list(cur.fetchall())


def unique_constraints(cur: Any, table: str) -> list[tuple[str, str]]:
    """Unique constraints of ``table`` other than its primary key, with their definitions."""
    cur.execute(
        """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = %s AND c.contype = 'u'""",
        [table],
    )
    return list(cur.fetchall())


def generate(raw: Any, shape: Shape) -> dict[str, Any]:
    """COPY ``shape.n`` dossiers with their events, then the ledger built from their facts."""
    from motcua.catalog.models import search_key
    from motcua.core import metrics
    from motcua.dossiers import events as dossier_events
    from motcua.dossiers import models as dm

    rng = random.Random(shape.seed)
    Dossier, DossierEvent = dm.Dossier, dm.DossierEvent
    columns = _columns(Dossier)
    event_columns = [c for c in _columns(DossierEvent) if c != "id"]
    has_global = "chain_seq" in event_columns
    template = _defaults(Dossier, set())
    template |= {
        "competent_agency_id": None, "current_agency_id": None, "applicant_unit_id": None,
        "applicant_birth_date": None, "applicant_kind": "citizen", "sets_count": 1,
        "reappointed_due_at": None, "paused_since": None, "supplement_requests": 0,
        "assignee_id": None, "result_digitised": False, "electronic_certification": False,
        "imported": True, "version": 3,
    }  # fmt: skip
    event_template = _defaults(DossierEvent, set())
    event_template |= {"actor_id": None, "actor_name": "bench", "reason": "", "data": {}}
    days = (shape.last_day - shape.first_day).days + 1
    ledger: Counter[tuple[int, int, str, date]] = Counter()
    counters: Counter[tuple[int, date]] = Counter()
    fates: Counter[str] = Counter()
    chain_seq, chain_prev = 0, GENESIS
    n_events = 0
    recorded = shape.recorded or shape.now
    close = shape.now

    with raw.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Dossier._meta.db_table}")
        next_id = (cur.fetchone() or (0,))[0] + 1
        head_table = getattr(getattr(dm, "ChainHead", None), "_meta", None)
        if has_global and head_table is not None:
            cur.execute(f"SELECT last_seq, last_hash FROM {head_table.db_table} WHERE id = 1")
            row = cur.fetchone()
            if row:
                chain_seq, chain_prev = row
        dropped = []
        # Rows consistent by construction: no foreign-key trigger per row.
        cur.execute("SET session_replication_role = replica")
        for table in (Dossier._meta.db_table, DossierEvent._meta.db_table):
            for index, definition in plain_indexes(cur, table):
                cur.execute(f'DROP INDEX "{index}"')
                dropped.append(definition)
        raw.commit()
        dossier_sql = f"COPY {Dossier._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        event_sql = f"COPY {DossierEvent._meta.db_table} ({', '.join(event_columns)}) FROM STDIN"

        def flush(dossier_lines: list[str], event_lines: list[str]) -> None:
            # One connection runs one COPY at a time: each chunk's dossiers, then its events.
            with cur.copy(dossier_sql) as out:
                out.write("\n".join(dossier_lines) + "\n")
            with cur.copy(event_sql) as out:
                out.write("\n".join(event_lines) + "\n")

        dossier_lines: list[str] = []
        event_lines: list[str] = []
        for i in range(shape.n):
            day = shape.first_day + timedelta(days=rng.randrange(days))
            if day.weekday() >= 5:
                day -= timedelta(days=day.weekday() - 4)
            desks = shape.desks_on(day)
            desk = desks[i % len(desks)]
            version_id, field_id, certification = desk.versions[rng.randrange(len(desk.versions))]
            received = datetime.combine(day, clock_time(7, 30), TZ) + timedelta(
                minutes=rng.randrange(9 * 60)
            )
            if received > shape.now:
                received = shape.now - timedelta(minutes=rng.randrange(1, 120))
            limit = rng.randint(1, 15)
            due = received + timedelta(days=limit)
            roll = rng.random()
            recent = (shape.last_day - day).days < limit + 5
            if roll < 0.003:
                fate = "withdrawn"
            elif roll < 0.003 + shape.stuck or (recent and roll < shape.recent_pending):
                fate = "pending"
            else:
                fate = "resolved"
            channel = "online" if roll < 0.8 else ("direct" if roll < 0.98 else "postal")
            counters[desk.agency_id, day] += 1
            code = f"{desk.ecode}-{day:%y%m%d}-{counters[desk.agency_id, day]:04d}"
            resolved = returned = ended = None
            status, timeliness = "in_processing", ""
            if fate == "resolved":
                resolved = received + timedelta(
                    minutes=rng.randrange(30, int(limit * 24 * 60 * 1.05) + 31)
                )
                if resolved > close:
                    fate, resolved = "pending", None
                else:
                    returned = resolved + timedelta(hours=1)
                    if returned > close:
                        returned = None
                    status = "returned" if returned else "resolved"
                    if resolved > due:
                        timeliness = "late"
                    elif resolved.date() < due.date():
                        timeliness = "early"
                    else:
                        timeliness = "on_time"
            if fate == "withdrawn":
                ended = received + timedelta(hours=rng.randint(1, 48))
                if ended > close:
                    ended = close
                status = "withdrawn"
            fates[fate] += 1
            dossier_id = next_id + i
            steps: list[tuple[str, str, str, datetime | None]] = [
                ("receive", "", "received", received)
            ]
            if fate == "resolved":
                steps.append(("approve", "in_processing", "resolved", resolved))
                if returned:
                    steps.append(("return_result", "resolved", "returned", returned))
            elif fate == "withdrawn":
                steps.append(("withdraw", "received", "withdrawn", ended))
            elif roll < 0.5:
                status = "received"  # still at the desk
            else:
                steps.append(("transfer", "received", "in_processing", received))
            prev = GENESIS
            for seq, (action, src, dst, at) in enumerate(steps, start=1):
                event = dict(event_template)
                event |= {
                    "dossier_id": dossier_id, "seq": seq, "at": at, "recorded_at": recorded,
                    "action": action, "from_status": src, "to_status": dst, "prev_hash": prev,
                }  # fmt: skip
                if has_global:
                    chain_seq += 1
                    event |= {"chain_seq": chain_seq, "chain_prev_hash": chain_prev}
                stand_in = SimpleNamespace(**{k.removesuffix("_id"): v for k, v in event.items()})
                stand_in.__dict__.update(event)
                digest = dossier_events.event_hash(stand_in, code)  # type: ignore[arg-type]
                event["hash"] = digest
                event_lines.append("\t".join(_text(event[c]) for c in event_columns))
                prev = chain_prev = digest
                n_events += 1
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            phone = f"09{rng.randrange(10**8):08d}"
            values = template | {
                "id": dossier_id, "code": code, "procedure_version_id": version_id,
                "receiving_agency_id": desk.agency_id, "receiving_unit_id": desk.unit_id,
                "handling_unit_id": desk.unit_id, "channel": channel, "status": status,
                "applicant_name": name, "applicant_phone": phone,
                "submitted_at": received, "received_at": received, "due_at": due,
                "effective_due_at": due, "resolved_at": resolved,
                "outcome": "approved" if resolved else "", "timeliness": timeliness,
                "result_form": "paper" if resolved else "", "returned_at": returned,
                "return_method": "counter" if returned else "", "ended_at": ended,
                "last_event_seq": len(steps), "last_event_hash": prev,
                "last_event_at": steps[-1][3], "created_at": recorded,
                "search_text": search_key(f"{code} {name} {phone}")[:400],
            }  # fmt: skip
            dossier_lines.append("\t".join(_text(values[c]) for c in columns))
            facts = metrics.DossierFacts(
                received_at=received, channel=channel, resolved_at=resolved,
                timeliness=timeliness, ended_at=ended, due_at=due, effective_due_at=due,
                certification=certification, key=code,
            )  # fmt: skip
            for (bucket, when), k in metrics.contributions(facts, desk.calendar).items():
                ledger[desk.unit_id, field_id, bucket.value, when] += k
            if len(dossier_lines) >= CHUNK:
                flush(dossier_lines, event_lines)
                dossier_lines, event_lines = [], []
                if (i + 1) % shape.progress == 0:
                    print(f"  {i + 1:,} dossiers", flush=True)
        if dossier_lines:
            flush(dossier_lines, event_lines)
        by_unit: Counter[tuple[int, str, date]] = Counter()
        for (unit_id, _field, figure, when), k in ledger.items():
            by_unit[unit_id, figure, when] += k
        with cur.copy(
            f"COPY {dm.FieldDayFigure._meta.db_table} (unit_id, field_id, figure, day, n) "
            "FROM STDIN"
        ) as out:
            for key, k in ledger.items():
                if k:
                    out.write_row((*key, k))
        with cur.copy(
            f"COPY {dm.DayFigure._meta.db_table} (unit_id, figure, day, n) FROM STDIN"
        ) as out:
            for unit_key, k in by_unit.items():
                if k:
                    out.write_row((*unit_key, k))
        if has_global and head_table is not None:
            cur.execute(
                f"INSERT INTO {head_table.db_table} (id, last_seq, last_hash) VALUES (1, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, "
                "last_hash = excluded.last_hash",
                [chain_seq, chain_prev],
            )
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{Dossier._meta.db_table}', 'id'), "
            f"(SELECT MAX(id) FROM {Dossier._meta.db_table}))"
        )
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{DossierEvent._meta.db_table}', 'id'), "
            f"(SELECT MAX(id) FROM {DossierEvent._meta.db_table}))"
        )
        raw.commit()
        print("  rebuilding indexes", flush=True)
        for definition in dropped:
            cur.execute(definition)
        raw.commit()
    return {"fates": dict(fates), "events": n_events, "ledger_rows": len(ledger)}


def _clone_hash(column: str, k: int, top: int) -> str:
    """SQL: a well-formed, unique stand-in for a hash in clone ``k`` of ``top`` dossiers (links
    stay linked). ``top`` tells derivations apart: a database itself derived already holds
    its source's clones, whose stand-ins a second derivation must not make again."""
    return (
        f"CASE WHEN {column} = '{GENESIS}' THEN {column} ELSE "
        f"encode(sha256(convert_to({column} || ':{top}:{k}', 'UTF8')), 'hex') END"
    )


def multiply(raw: Any, factor: int) -> dict[str, Any]:
    """Make the loaded dossiers ``factor`` times as many, in SQL: clone ``k`` of a dossier has the
    same desk, procedure, moments and fate, and a code numbered ``k`` thousand further on the
    same day (``…-260105-0007`` → ``…-260105-3007``; ``k`` × 10.000 → ``…-260105-30007`` when
    the numbers already pass 999). The ledger is multiplied alike, so it
    stays exact (``motcua report verify`` agrees). The clones' hashes are well-formed and
    linked (each event's ``prev_hash`` is its predecessor's ``hash``) but not recomputed from
    their content: ``motcua audit verify`` accepts the generated part only. What the pages
    read (rows, indexes, sizes) is the same as for generated dossiers; the time Python needs
    per dossier is not paid again (a 10 M load on a busy two-core machine: hours → minutes)."""
    from motcua.dossiers import models as dm

    dossier_t, event_t = dm.Dossier._meta.db_table, dm.DossierEvent._meta.db_table
    columns = _columns(dm.Dossier)
    event_columns = [c for c in _columns(dm.DossierEvent) if c != "id"]
    began = time.perf_counter()
    with raw.cursor() as cur:
        cur.execute(f"SELECT max(id), count(*) FROM {dossier_t}")
        top, count = cur.fetchone()
        if count != top:
            raise SystemExit("multiply needs dossier ids 1..n")
        cur.execute(f"SELECT COALESCE(max(chain_seq), 0) FROM {event_t}" if "chain_seq" in
                    event_columns else "SELECT 0")  # fmt: skip
        chain_top = cur.fetchone()[0]
        # Rows consistent by construction: no foreign-key trigger per row (its queue of 30 M
        # deferred checks is most of the time otherwise).
        cur.execute("SET session_replication_role = replica")
        dropped = []
        for table in (dossier_t, event_t):
            for index, definition in plain_indexes(cur, table):
                cur.execute(f'DROP INDEX "{index}"')
                dropped.append(definition)
            # Unique keys too: a clone's codes and hashes arrive in random order, and one sorted
            # build after is far cheaper than millions of random inserts into a large B-tree.
            for constraint, definition in unique_constraints(cur, table):
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                dropped.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
        # A clone's number is the original's moved ``span`` further per clone: past the
        # largest number of the day, so that a database itself derived (whose numbers already
        # reach 9.009) is multiplied again without a clash; wider than four digits if needed.
        cur.execute(f"SELECT max(right(code, 4)::int) FROM {dossier_t}")
        span = 1000 * (cur.fetchone()[0] // 1000 + 1)
        width = max(4, len(str(span * factor - 1)))
        raw.commit()
        for k in range(1, factor):
            number = f"lpad((right(code, 4)::int + {k * span})::text, {width}, '0')"
            new_code = f"left(code, length(code) - 4) || {number}"
            expr = {
                "id": f"id + {k * top}",
                "code": new_code,
                "search_text": f"replace(search_text, lower(code), lower({new_code}))",
                "last_event_hash": _clone_hash("last_event_hash", k, top),
            }
            select = ", ".join(expr.get(c, c) for c in columns)
            cur.execute(
                f"INSERT INTO {dossier_t} ({', '.join(columns)}) "
                f"SELECT {select} FROM {dossier_t} WHERE id <= {top}"
            )
            expr = {
                "dossier_id": f"dossier_id + {k * top}",
                "chain_seq": f"chain_seq + {k * chain_top}",
                "hash": _clone_hash("hash", k, top),
                "prev_hash": _clone_hash("prev_hash", k, top),
                "chain_prev_hash": _clone_hash("chain_prev_hash", k, top),
            }
            select = ", ".join(expr.get(c, c) for c in event_columns)
            cur.execute(
                f"INSERT INTO {event_t} ({', '.join(event_columns)}) "
                f"SELECT {select} FROM {event_t} WHERE dossier_id <= {top}"
            )
            raw.commit()
            print(f"  clone {k} of {factor - 1} ({time.perf_counter() - began:.0f} s)", flush=True)
        # Every table of the ledger: the deltas, and the yearly checkpoints and monthly rollups
        # of the code that has them (a copy of a database with them kept the smaller sums: the
        # derived 1 M database of 03/12/2026 had a tenth of its stocks in its checkpoints).
        ledger = ("DayFigure", "FieldDayFigure", "StockCheckpoint", "FieldStockCheckpoint",
                  "MonthFigure", "FieldMonthFigure", "BlockFigure", "FieldBlockFigure")  # fmt: skip
        for model in (getattr(dm, name) for name in ledger if hasattr(dm, name)):
            cur.execute(f"UPDATE {model._meta.db_table} SET n = n * {factor}")
        for table in (dossier_t, event_t):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        if "chain_seq" in event_columns and hasattr(dm, "ChainHead"):
            cur.execute(
                f"UPDATE {dm.ChainHead._meta.db_table} SET (last_seq, last_hash) = "
                f"(SELECT chain_seq, hash FROM {event_t} ORDER BY chain_seq DESC LIMIT 1)"
            )
        raw.commit()
        print(f"  rebuilding indexes ({time.perf_counter() - began:.0f} s)", flush=True)
        for definition in dropped:
            cur.execute(definition)
        raw.commit()
        print(f"  indexes rebuilt ({time.perf_counter() - began:.0f} s)", flush=True)
    return {"factor": factor, "from": top}

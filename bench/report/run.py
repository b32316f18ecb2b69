"""Benchmark (not a test): the city's six-month report at 1 million and 10 million dossiers.

    .venv/bin/python bench/report/run.py [--sizes 1000000,10000000] [--runs 21] [--fresh]

A PostgreSQL cluster kept in var/bench/report-pg (started and stopped here, as the test
harness does, conftest.py) holds one database per size. A database is loaded once with COPY
and reused by later runs (``--fresh`` reloads it):

- the Bắc Kạn world (units, agencies, the demo catalogue), migrated as the app migrates;
- N dossiers received 02/01/2019–14/06/2024 by the city's one-stop desk and its eight wards'
  (the 766 mix: 80% online), each with its hash-chained history (receipt, resolution, return:
  ``motcua audit verify`` accepts it), a few withdrawn and a few still pending;
- the figures' ledger, from the same ``core.metrics.contributions`` the write path uses.

Then, in the same process, for the half-year report of Decree 09/2019 (15/12/2023–14/06/2024)
of Thành phố Bắc Kạn and everything below it:

- **ledger**: ``reports.selectors.report_for``, what every output and the dashboard call;
- **GROUP BY**: one straightforward aggregate over the dossier table computing the form's
  columns (received online/direct, carried over, resolved early/on time/late, withdrawn,
  pending within time/overdue) for the same units; its numbers must equal the ledger's.

Targets (issue 4): median at 10M ≤ 2 × median at 1M; ledger ≥ 100 × faster than GROUP BY;
ledger < 50 ms. Results go to var/bench/report-results.json and are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from conftest import _as_postgres, _free_port, postgres_bindir  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = ROOT / "var" / "bench"
FIRST_DAY, LAST_DAY = date(2019, 1, 2), date(2024, 6, 14)
GENESIS = "0" * 64


# -- the cluster ---------------------------------------------------------------------------


def start_cluster() -> tuple[str, str, str]:
    """Start (creating on first use) the bench cluster; returns (url, bindir, data dir)."""
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL 15+ server binaries not found")
    home = BASE / "report-pg"
    data = home / "data"
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(BASE, "postgres", "postgres")
        shutil.chown(home, "postgres", "postgres")
    if not data.exists():
        _as_postgres(
            [f"{bindir}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
             "UTF8", "--locale=C.UTF-8"]
        )  # fmt: skip
    # A run killed before its end leaves the server up: stop it, then start on a new port.
    status = subprocess.run(
        ["runuser", "-u", "postgres", "--", f"{bindir}/pg_ctl", "-D", str(data), "status"]
        if os.geteuid() == 0
        else [f"{bindir}/pg_ctl", "-D", str(data), "status"],
        capture_output=True,
    )
    if status.returncode == 0:
        stop_cluster(bindir, str(data))
    port = _free_port()
    opts = (
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB "
        "-c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB "
        "-c checkpoint_timeout=30min -c jit=off"
    )
    _as_postgres(
        [f"{bindir}/pg_ctl", "-D", str(data), "-o", opts, "-l", str(home / "log"), "-w", "start"]
    )
    return f"postgresql://postgres@127.0.0.1:{port}/", bindir, str(data)


def stop_cluster(bindir: str, data: str) -> None:
    _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])


# -- one size, in its own process (one Django database per process) -----------------------


def worker(url: str, n: int, runs: int, fresh: bool) -> dict:
    import psycopg

    name = f"motcua_bench_{n}"
    with psycopg.connect(url + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        loaded = False
        if exists and not fresh:
            with psycopg.connect(url + name) as conn:
                row = conn.execute("SELECT to_regclass('bench_loaded') IS NOT NULL").fetchone()
                if row[0]:
                    loaded = conn.execute("SELECT n FROM bench_loaded").fetchone()[0] == n
        if not loaded:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url + name
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("MOTCUA_DATA_DIR", str(BASE / "data"))
    import django

    django.setup()
    result: dict = {"dossiers": n}
    if not loaded:
        started = time.perf_counter()
        result["load"] = load(n)
        result["load_seconds"] = round(time.perf_counter() - started, 1)
    result |= measure(runs)
    return result


def load(n: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from motcua.catalog.services import load_demo_catalog
    from motcua.units.services import load_bac_kan

    call_command("migrate", verbosity=0)
    load_bac_kan()
    load_demo_catalog()
    raw = connection.cursor().connection  # the psycopg connection under Django's
    counts = generate(raw, n)
    with raw.cursor() as cur:
        cur.execute("CREATE TABLE bench_loaded (n bigint)")
        cur.execute("INSERT INTO bench_loaded VALUES (%s)", [n])
    raw.commit()
    with raw.cursor() as cur:
        raw.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return counts


def _plain_indexes(cur, table: str) -> list[tuple[str, str]]:
    """Indexes of ``table`` that no constraint owns (dropped during COPY, rebuilt after)."""
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = %s AND NOT EXISTS
             (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
        [table],
    )
    return list(cur.fetchall())


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def _json_moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def generate(raw, n: int) -> dict:
    """COPY ``n`` dossiers with their events, then the ledger built from their facts."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.clock.selectors import calendar_for
    from motcua.core import chain, metrics
    from motcua.dossiers.models import Dossier, DossierEvent
    from motcua.units.models import Agency
    from motcua.units.selectors import unit_at, unit_lineage

    rng = random.Random(20240523)
    city = unit_at("058", LAST_DAY)
    desks = []
    for unit in unit_lineage(city).filter(level__in=["district", "commune"]).order_by("code"):
        agency = Agency.objects.filter(unit=unit, kind="one_stop").first()
        if agency is None:
            continue
        level = "district" if unit.pk == city.pk else "commune"
        versions = list(ProcedureVersion.objects.filter(level=level).values_list("pk", "field_id"))
        desks.append((unit.pk, agency.pk, agency.electronic_code or agency.code, versions))
    calendar = calendar_for(city)
    columns = [f.column for f in Dossier._meta.concrete_fields]
    event_columns = [f.column for f in DossierEvent._meta.concrete_fields if f.column != "id"]
    template = {c: "" for c in columns}
    template |= {
        "competent_agency_id": None, "current_agency_id": None, "applicant_unit_id": None,
        "applicant_birth_date": None, "applicant_kind": "citizen", "sets_count": 1,
        "reappointed_due_at": None, "paused_since": None, "supplement_requests": 0,
        "assignee_id": None, "result_digitised": False, "electronic_certification": False,
        "imported": True, "applicant_name": "Công dân thử tải", "version": 3,
    }  # fmt: skip
    days = (LAST_DAY - FIRST_DAY).days + 1
    ledger: Counter = Counter()
    counters: Counter = Counter()
    fates: Counter = Counter()
    chain_seq, chain_prev = 0, GENESIS
    recorded = datetime(2024, 6, 20, 0, 0, tzinfo=UTC)

    with raw.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM dossiers_dossier")
        next_id = cur.fetchone()[0] + 1
        cur.execute("SELECT last_seq, last_hash FROM dossiers_chainhead WHERE id = 1")
        row = cur.fetchone()
        if row:
            chain_seq, chain_prev = row
        dropped = []
        for table in ("dossiers_dossier", "dossiers_dossierevent"):
            for index, definition in _plain_indexes(cur, table):
                cur.execute(f'DROP INDEX "{index}"')
                dropped.append(definition)
        raw.commit()
        dossier_sql = f"COPY dossiers_dossier ({', '.join(columns)}) FROM STDIN"
        event_sql = f"COPY dossiers_dossierevent ({', '.join(event_columns)}) FROM STDIN"

        def flush(dossier_lines: list[str], event_lines: list[str]) -> None:
            # One connection runs one COPY at a time: each chunk's dossiers, then its events.
            with cur.copy(dossier_sql) as out:
                out.write("\n".join(dossier_lines) + "\n")
            with cur.copy(event_sql) as out:
                out.write("\n".join(event_lines) + "\n")

        dossier_lines: list[str] = []
        event_lines: list[str] = []
        for i in range(n):
            unit_id, agency_id, ecode, versions = desks[i % len(desks)]
            version_id, field_id = versions[rng.randrange(len(versions))]
            day = FIRST_DAY + timedelta(days=rng.randrange(days))
            if day.weekday() >= 5:
                day -= timedelta(days=day.weekday() - 4)
            received = datetime.combine(day, clock_time(7, 30), TZ) + timedelta(
                minutes=rng.randrange(9 * 60)
            )
            limit = rng.randint(1, 15)
            due = received + timedelta(days=limit)
            roll = rng.random()
            recent = (LAST_DAY - day).days < limit + 5
            if roll < 0.003:
                fate = "withdrawn"
            elif roll < 0.005 or (recent and roll < 0.4):
                fate = "pending"
            else:
                fate = "resolved"
            channel = "online" if roll < 0.8 else ("direct" if roll < 0.98 else "postal")
            counters[agency_id, day] += 1
            code = f"{ecode}-{day:%y%m%d}-{counters[agency_id, day]:04d}"
            resolved = returned = ended = None
            status, timeliness = "in_processing", ""
            if fate == "resolved":
                resolved = received + timedelta(
                    minutes=rng.randrange(30, int(limit * 24 * 60 * 1.05) + 31)
                )
                if resolved > datetime.combine(LAST_DAY, clock_time(17), TZ):
                    fate, resolved = "pending", None
                else:
                    returned = resolved + timedelta(hours=1)
                    status = "returned"
                    if resolved > due:
                        timeliness = "late"
                    elif resolved.date() < due.date():
                        timeliness = "early"
                    else:
                        timeliness = "on_time"
            if fate == "withdrawn":
                ended = received + timedelta(hours=rng.randint(1, 48))
                status = "withdrawn"
            fates[fate] += 1
            dossier_id = next_id + i
            steps = [("receive", "", "received", received)]
            if fate == "resolved":
                steps += [
                    ("approve", "in_processing", "resolved", resolved),
                    ("return_result", "resolved", "returned", returned),
                ]
            elif fate == "withdrawn":
                steps.append(("withdraw", "received", "withdrawn", ended))
            else:
                steps.append(("transfer", "received", "in_processing", received))
            prev = GENESIS
            for seq, (action, src, dst, at) in enumerate(steps, start=1):
                chain_seq += 1
                content = {
                    "dossier": code, "seq": seq, "chain_seq": chain_seq,
                    "at": _json_moment(at), "recorded_at": _json_moment(recorded),
                    "actor": "bench", "action": action, "from": src, "to": dst,
                    "reason": "", "data": {},
                }  # fmt: skip
                digest = chain.event_hash(content, prev, chain_prev)
                event_lines.append(
                    "\t".join(
                        _text(v)
                        for v in (
                            dossier_id,
                            seq,
                            chain_seq,
                            at,
                            recorded,
                            None,
                            "bench",
                            action,
                            src,
                            dst,
                            "",
                            "{}",
                            prev,
                            chain_prev,
                            digest,
                        )
                    )  # fmt: skip
                )
                prev = chain_prev = digest
            values = template | {
                "id": dossier_id, "code": code, "procedure_version_id": version_id,
                "receiving_agency_id": agency_id, "receiving_unit_id": unit_id,
                "handling_unit_id": unit_id, "channel": channel, "status": status,
                "submitted_at": received, "received_at": received, "due_at": due,
                "effective_due_at": due, "resolved_at": resolved,
                "outcome": "approved" if resolved else "", "timeliness": timeliness,
                "result_form": "paper" if resolved else "", "returned_at": returned,
                "return_method": "counter" if returned else "", "ended_at": ended,
                "last_event_seq": len(steps), "last_event_hash": prev,
                "last_event_at": steps[-1][3], "created_at": recorded,
            }  # fmt: skip
            dossier_lines.append("\t".join(_text(values[c]) for c in columns))
            facts = metrics.DossierFacts(
                received_at=received, channel=channel, resolved_at=resolved,
                timeliness=timeliness, ended_at=ended, due_at=due,
            )  # fmt: skip
            for (bucket, when), k in metrics.contributions(facts, calendar).items():
                ledger[unit_id, field_id, bucket.value, when] += k
            if len(dossier_lines) >= 20000:
                flush(dossier_lines, event_lines)
                dossier_lines, event_lines = [], []
                if (i + 1) % 500000 == 0:
                    print(f"  {i + 1:,} dossiers", flush=True)
        if dossier_lines:
            flush(dossier_lines, event_lines)
        by_unit: Counter = Counter()
        for (unit_id, _field, figure, when), k in ledger.items():
            by_unit[unit_id, figure, when] += k
        with cur.copy(
            "COPY dossiers_fielddayfigure (unit_id, field_id, figure, day, n) FROM STDIN"
        ) as out:
            for key, k in ledger.items():
                if k:
                    out.write_row((*key, k))
        with cur.copy("COPY dossiers_dayfigure (unit_id, figure, day, n) FROM STDIN") as out:
            for key, k in by_unit.items():
                if k:
                    out.write_row((*key, k))
        cur.execute(
            "INSERT INTO dossiers_chainhead (id, last_seq, last_hash) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, "
            "last_hash = excluded.last_hash",
            [chain_seq, chain_prev],
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), "
            "(SELECT MAX(id) FROM dossiers_dossier))"
        )
        raw.commit()
        print("  rebuilding indexes", flush=True)
        for definition in dropped:
            cur.execute(definition)
        raw.commit()
    return {"fates": dict(fates), "events": chain_seq, "ledger_rows": len(ledger)}


def _median_ms(fn, runs: int) -> tuple[float, object]:
    fn()  # warm: plans cached, pages in memory, as a report served a second time
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), value


GROUP_BY = """
SELECT receiving_unit_id,
  count(*) FILTER (WHERE received_at >= %(lo)s),
  count(*) FILTER (WHERE received_at >= %(lo)s AND channel = 'online'),
  count(*) FILTER (WHERE received_at >= %(lo)s AND channel <> 'online'),
  count(*) FILTER (WHERE received_at < %(lo)s AND COALESCE(resolved_at, ended_at) IS NULL
                   OR received_at < %(lo)s AND COALESCE(resolved_at, ended_at) >= %(lo)s),
  count(*) FILTER (WHERE resolved_at >= %(lo)s AND resolved_at < %(hi)s),
  count(*) FILTER (WHERE resolved_at >= %(lo)s AND resolved_at < %(hi)s AND timeliness = 'early'),
  count(*) FILTER (WHERE resolved_at >= %(lo)s AND resolved_at < %(hi)s
                   AND timeliness = 'on_time'),
  count(*) FILTER (WHERE resolved_at >= %(lo)s AND resolved_at < %(hi)s AND timeliness = 'late'),
  count(*) FILTER (WHERE ended_at >= %(lo)s AND ended_at < %(hi)s),
  count(*) FILTER (WHERE COALESCE(resolved_at, ended_at) IS NULL
                   OR COALESCE(resolved_at, ended_at) >= %(hi)s),
  count(*) FILTER (WHERE (COALESCE(resolved_at, ended_at) IS NULL
                   OR COALESCE(resolved_at, ended_at) >= %(hi)s)
                   AND (due_at < %(end)s OR supplement_requests > 1))
FROM dossiers_dossier
WHERE receiving_unit_id = ANY(%(units)s) AND received_at < %(hi)s
GROUP BY receiving_unit_id
"""
COLUMNS = (
    "received", "received_online", "received_direct", "carried_over", "resolved",
    "resolved_early", "resolved_on_time", "resolved_late", "ended", "pending", "pending_overdue",
)  # fmt: skip


def measure(runs: int) -> dict:
    from django.db import connection

    from motcua.core.periods import named_period
    from motcua.reports.selectors import report_for
    from motcua.units.selectors import unit_at, unit_lineage

    period = named_period("half", 2024)
    city = unit_at("058", period.end)
    units = list(unit_lineage(city).values_list("id", flat=True))
    params = {"lo": period.lo, "hi": period.hi, "end": period.hi - timedelta(seconds=1),
              "units": units}  # fmt: skip

    def group_by() -> dict[str, int]:
        with connection.cursor() as cur:
            cur.execute(GROUP_BY, params)
            totals = Counter()
            for row in cur.fetchall():
                for name, value in zip(COLUMNS, row[1:], strict=True):
                    totals[name] += value
        return dict(totals)

    fast_ms, report = _median_ms(lambda: report_for(city, period), runs)
    slow_ms, baseline = _median_ms(group_by, max(3, runs // 7))
    ledger = {name: report.totals[name] for name in COLUMNS}
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM dossiers_dossier")
        stored = cur.fetchone()[0]
    return {
        "stored_dossiers": stored,
        "period": f"{period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}",
        "ledger_ms": round(fast_ms, 2),
        "group_by_ms": round(slow_ms, 1),
        "speedup": round(slow_ms / fast_ms, 1),
        "agree": ledger == baseline,
        "figures": ledger,
        "group_by_figures": baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--fresh", action="store_true", help="reload every database")
    parser.add_argument("--worker", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url, n = args.worker
        print("RESULT " + json.dumps(worker(url, int(n), args.runs, args.fresh)), flush=True)
        return
    url, bindir, data = start_cluster()
    results = []
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            print(f"{n:,} dossiers", flush=True)
            cmd = [sys.executable, __file__, "--runs", str(args.runs), "--worker", url, str(n)]
            if args.fresh:
                cmd.append("--fresh")
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            for line in out.stdout.splitlines():
                if line.startswith("RESULT "):
                    results.append(json.loads(line[7:]))
                else:
                    print(line)
            if out.returncode != 0:
                print(out.stderr[-4000:])
                raise SystemExit(f"the {n:,} run failed")
            r = results[-1]
            print(
                f"  report from the ledger {r['ledger_ms']} ms, GROUP BY {r['group_by_ms']} ms "
                f"({r['speedup']}x), figures agree: {r['agree']}",
                flush=True,
            )
    finally:
        stop_cluster(bindir, data)
    summary = {"runs": results}
    if len(results) >= 2:
        first, last = results[0], results[-1]
        summary["growth"] = round(last["ledger_ms"] / first["ledger_ms"], 2)
        summary["targets"] = {
            "median at the largest <= 2 x the smallest": summary["growth"] <= 2,
            ">= 100 x faster than GROUP BY": last["speedup"] >= 100,
            "< 50 ms": last["ledger_ms"] < 50,
            "figures agree": all(r["agree"] for r in results),
        }
        print(f"growth {first['dossiers']:,} -> {last['dossiers']:,}: {summary['growth']}x")
        for target, met in summary["targets"].items():
            print(f"  {'met' if met else 'MISSED'}: {target}")
    BASE.mkdir(parents=True, exist_ok=True)
    (BASE / "report-results.json").write_text(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()

"""Benchmark (not a test): the city's six-month report at 1 million and 10 million dossiers.

    .venv/bin/python bench/report/run.py [--sizes 1000000,10000000] [--runs 21] [--fresh]

A PostgreSQL cluster kept in var/bench/report-pg (started and stopped here, as the test
harness does, conftest.py) holds one database per size. A database is loaded once with COPY
and reused by later runs (``--fresh`` reloads it):

- the Bắc Kạn world (units, agencies, the demo catalogue), migrated as the app migrates;
- N dossiers received 02/01/2019–14/06/2024 by the city's one-stop desk and its eight wards'
  (the 766 mix: 80% online), each with its hash-chained history (receipt, resolution, return:
  ``motcua audit verify`` accepts it), a few withdrawn and a few still pending (the generator
  is shared with bench/pages: bench/common/dossiers.py);
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
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common.cluster import BASE, start_cluster, stop_cluster  # noqa: E402
from bench.common.dossiers import TZ, Desk, Shape  # noqa: E402
from bench.common.dossiers import generate as generate_dossiers  # noqa: E402

FIRST_DAY, LAST_DAY = date(2019, 1, 2), date(2024, 6, 14)
T = TypeVar("T")


# -- one size, in its own process (one Django database per process) -----------------------


def worker(url: str, n: int, runs: int, fresh: bool) -> dict[str, Any]:
    import psycopg

    name = f"motcua_bench_{n}"
    with psycopg.connect(url + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        loaded = False
        if exists and not fresh:
            with psycopg.connect(url + name) as conn:
                row = conn.execute("SELECT to_regclass('bench_loaded') IS NOT NULL").fetchone()
                if row and row[0]:
                    loaded = conn.execute("SELECT n FROM bench_loaded").fetchall() == [(n,)]
        if not loaded:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url + name
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("MOTCUA_DATA_DIR", str(BASE / "data"))
    import django

    django.setup()
    result: dict[str, Any] = {"dossiers": n}
    if not loaded:
        started = time.perf_counter()
        result["load"] = load(n)
        result["load_seconds"] = round(time.perf_counter() - started, 1)
    result |= measure(runs)
    return result


def load(n: int) -> dict[str, Any]:
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


def generate(raw: Any, n: int) -> dict[str, Any]:
    """COPY ``n`` dossiers of the city's desks (bench/common/dossiers.py), then the ledger."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.clock.selectors import calendar_for
    from motcua.units.models import Agency
    from motcua.units.selectors import unit_at, unit_lineage

    city = unit_at("058", LAST_DAY)
    calendar = calendar_for(city)
    desks = []
    for unit in unit_lineage(city).filter(level__in=["district", "commune"]).order_by("code"):
        agency = Agency.objects.filter(unit=unit, kind="one_stop").first()
        if agency is None:
            continue
        level = "district" if unit.pk == city.pk else "commune"
        versions = list(
            ProcedureVersion.objects.filter(level=level).values_list(
                "pk", "field_id", "is_certification"
            )
        )
        desks.append(
            Desk(unit.pk, agency.pk, agency.electronic_code or agency.code, versions, calendar)
        )
    shape = Shape(
        n=n,
        first_day=FIRST_DAY,
        last_day=LAST_DAY,
        now=datetime.combine(LAST_DAY, clock_time(17), TZ),
        desks_on=lambda day: desks,
        recorded=datetime(2024, 6, 20, 0, 0, tzinfo=UTC),
    )
    return generate_dossiers(raw, shape)


def _median_ms(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    value = fn()  # warm: plans cached, pages in memory, as a report served a second time
    times: list[float] = []
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


def measure(runs: int) -> dict[str, Any]:
    from django.db import connection

    from motcua.core.metrics import Bucket
    from motcua.core.periods import named_period
    from motcua.reports.selectors import report_for
    from motcua.units.selectors import unit_at, unit_lineage

    period = named_period("half", 2024)
    city = unit_at("058", period.end)
    units = list(unit_lineage(city).values_list("id", flat=True))
    params: dict[str, Any] = {"lo": period.lo, "hi": period.hi,
                              "end": period.hi - timedelta(seconds=1), "units": units}  # fmt: skip

    def group_by() -> dict[str, int]:
        with connection.cursor() as cur:
            cur.execute(GROUP_BY, params)
            totals: Counter[str] = Counter()
            for row in cur.fetchall():
                for name, value in zip(COLUMNS, row[1:], strict=True):
                    totals[name] += value
        return dict(totals)

    fast_ms, report = _median_ms(lambda: report_for(city, period), runs)
    slow_ms, baseline = _median_ms(group_by, max(3, runs // 7))
    ledger = {name: report.totals[Bucket(name)] for name in COLUMNS}
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
    url, bindir, data, _ = start_cluster("report")
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
    summary: dict[str, Any] = {"runs": results}
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

"""Benchmark (not a test): whole dossier lifecycles through the services versus raw INSERTs.

    .venv/bin/python bench/lifecycle/run.py [--n 300] [--profile]

Starts a throw-away PostgreSQL server the way the test harness does (conftest.py), migrates a
fresh database, creates a minimal world (a city, its one-stop desk, a department, one
procedure, a clerk and an officer), then times, for N dossiers each:

- **services**: receipt at the counter (form 01, the clock's due moment, a gapless code) +
  transfer + approve + return of the result, through ``dossier_create`` and
  ``dossier_transition`` (row lock, version and role checks, hash-chained events, and the
  figures' ledger kept in the same transactions);
- **raw**: the dossier rows written with psycopg in the same four transactions per dossier
  (the code counter upsert, the dossier insert and its three updates, four events with their
  SHA-256 hashes chained per dossier), no checks, no ORM, no ledger. No chain head: since
  issue 17 the services take no global row either.

The days are past ones, as the services require (two days back and then a week at a time,
:func:`moments`). When they fall in a closed half-month (the ledger's rollups are by days 1–14
and 15–end), a write also reads that span's rollup (two statements more); the round trips
printed are counted on the first day's afternoon, as a clerk's day in the current one sends
them.

Prints both rates, the ratio (target, issue 17 and docs/dossiers.md: services *with the
ledger* ≥ 0,3 × raw inserts) and, with ``--profile``, the SQL queries each step issues.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from conftest import _as_postgres, _free_port, postgres_bindir  # noqa: E402

if TYPE_CHECKING:  # models are imported once Django is set up, inside the functions
    import psycopg

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.models import Dossier
    from motcua.units.models import Agency

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _start() -> datetime:
    """07:30 on the last weekday at least two days back: every step of a lifecycle (its return
    is a day and an hour after the receipt) lies in the past, since the services record only
    what has happened (``dossiers.services._moment``). The fresh database has no half-month
    rollup or yearly checkpoint yet, so a day of a closed one costs what today's does."""
    day = date.today() - timedelta(days=2)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, 7, 30, tzinfo=TZ)


START = _start()


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away cluster (as conftest.pg_cluster): yields the server URL."""
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL 15+ server binaries not found")
    base = tempfile.mkdtemp(prefix="motcua-bench-pg-")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, port = os.path.join(base, "data"), _free_port()
    _as_postgres(
        [f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
         "--locale=C.UTF-8"]
    )  # fmt: skip
    opts = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", f"{base}/log", "-w", "start"])
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/"
    finally:
        _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def world() -> tuple[Agency, Agency, ProcedureVersion, dict[str, User]]:
    from motcua.dossiers.tests.world import build_world

    built = build_world()
    users = {"clerk": built.clerk, "officer": built.officer}
    return built.city_desk, built.justice, built.procedure, users


# Receipts of a day, 15 seconds apart (07:30 to 10:50): a day's codes have four digits.
PER_DAY = 800


def moments(i: int) -> tuple[datetime, datetime, datetime, datetime]:
    """Receipt, transfer, approval and return of dossier ``i`` (working hours); the days go
    back a week at a time from :data:`START`."""
    day = START - timedelta(days=7 * (i // PER_DAY))
    receipt = day + timedelta(seconds=15 * (i % PER_DAY))
    return (
        receipt,
        receipt + timedelta(hours=4),
        receipt + timedelta(days=1),
        receipt + timedelta(days=1, hours=1),
    )


def lifecycle(
    i: int,
    desk: Agency,
    version: ProcedureVersion,
    users: dict[str, User],
    *,
    later: timedelta = timedelta(0),
    queries: dict[str, Any] | None = None,
) -> None:
    from contextlib import nullcontext

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.choices import Channel, ReturnMethod
    from motcua.dossiers.services import (
        Applicant,
        Details,
        dossier_create,
        dossier_transition,
    )

    receipt, transfer, approve, returned = (m + later for m in moments(i))
    steps: list[tuple[str, Callable[[], Dossier]]] = [
        (
            "receive",
            lambda: (
                dossier_create(
                    procedure=version,
                    receiving_agency=desk,
                    channel=Channel.DIRECT,
                    applicant=Applicant(name=f"Nguyễn Văn {i}", phone="0912345678"),
                    actor=users["clerk"],
                    at=receipt,
                ).dossier
            ),
        ),
    ]
    dossier = None
    if queries is not None:
        connection.queries_log.clear()

    def capture() -> AbstractContextManager[Any]:
        # Only the query-count run records queries: a debug cursor would slow the timed runs.
        return CaptureQueriesContext(connection) if queries is not None else nullcontext([])

    for name, step in steps:
        with capture() as captured:
            dossier = step()
        if queries is not None:
            queries[name] = len(captured)
            queries["sql:" + name] = [q["sql"][:160] for q in captured.captured_queries]
    assert dossier is not None  # the receipt step above
    for name, actor, at, details in (  # noqa: B007
        ("transfer", "clerk", transfer, None),
        ("approve", "officer", approve, None),
        ("return_result", "clerk", returned, Details(return_method=ReturnMethod.COUNTER)),
    ):
        with capture() as captured:
            dossier_transition(
                dossier_id=dossier.pk,
                action=name,
                actor=users[actor],
                expected_version=dossier.version,
                details=details,
                at=at,
            )
            dossier.version += 1
        if queries is not None:
            queries[name] = len(captured)
            queries["sql:" + name] = [q["sql"][:160] for q in captured.captured_queries]


def raw_run(
    url: str, n: int, desk_id: int, justice_id: int, version_id: int, users: dict[str, User]
) -> None:
    """The same rows with psycopg: four short transactions per dossier, no checks."""
    import psycopg

    from motcua.core import chain

    clerk, officer = users["clerk"], users["officer"]
    with psycopg.connect(url) as conn:
        for i in range(n):
            receipt, transfer, approve, returned = (m + timedelta(days=2000) for m in moments(i))
            due = receipt + timedelta(days=7)
            tip = chain.GENESIS

            def event(
                cur: psycopg.Cursor[Any],
                dossier_id: int,
                seq: int,
                at: datetime,
                actor: User,
                name: str,
                action: str,
                src: str,
                dst: str,
                data: dict[str, Any],
            ) -> None:
                nonlocal tip
                content = {"dossier": dossier_id, "seq": seq, "action": action, "data": data}
                digest = chain.event_hash(content, tip, "")
                cur.execute(
                    "INSERT INTO dossiers_dossierevent (dossier_id, seq, at, "
                    "recorded_at, actor_id, actor_name, action, from_status, to_status, reason, "
                    "data, prev_hash, chain_prev_hash, hash) "
                    "VALUES (%s,%s,%s,now(),%s,%s,%s,%s,%s,'',%s,%s,'',%s)",
                    (dossier_id, seq, at, actor.pk, name, action, src, dst,
                     json.dumps(data), tip, digest),
                )  # fmt: skip
                tip = digest

            with conn.cursor() as cur:  # receipt
                [(last,)] = cur.execute(
                    "INSERT INTO dossiers_dossiercodecounter (agency_id, day, last) "
                    "VALUES (%s, %s, 1) ON CONFLICT (agency_id, day) "
                    "DO UPDATE SET last = dossiers_dossiercodecounter.last + 1 RETURNING last",
                    (desk_id, receipt.date()),
                ).fetchall()
                code = f"000.00.58.H06-{receipt:%y%m%d}-{last:04d}"
                [(dossier_id,)] = cur.execute(
                    "INSERT INTO dossiers_dossier (code, procedure_version_id, receiving_agency_id,"
                    " applicant_kind, applicant_name, applicant_id_number, applicant_phone,"
                    " applicant_email, applicant_address, channel, sets_count, summary, status,"
                    " submitted_at, received_at, due_at, effective_due_at, supplement_requests,"
                    " current_step, outcome, denial_reason, timeliness, result_form,"
                    " result_digitised, electronic_certification, return_method, version,"
                    " last_event_seq, last_event_hash, last_event_at,"
                    " imported, created_at, search_text, applicant_verified) VALUES (%s,%s,%s,"
                    "'person',%s,'','0912345678','','','direct',1,'Chứng thực','received',%s,%s,"
                    "%s,%s,0,'','','','','',false,false,'',1,1,%s,%s,false,now(),%s,false)"
                    " RETURNING id",
                    (
                        code,
                        version_id,
                        desk_id,
                        f"Nguyễn Văn {i}",
                        receipt,
                        receipt,
                        due,
                        due,
                        tip,
                        receipt,
                        f"{code} nguyen van {i} 0912345678",  # the search's folded text
                    ),  # fmt: skip
                ).fetchall()
                event(cur, dossier_id, 1, receipt, clerk, "Clerk", "receive", "", "received",
                      {"changes": {"status": "received"}})  # fmt: skip
            conn.commit()
            with conn.cursor() as cur:  # transfer
                cur.execute(
                    "UPDATE dossiers_dossier SET status='in_processing', competent_agency_id=%s,"
                    " current_agency_id=%s, current_step='Xử lý', version=2, last_event_seq=2,"
                    " last_event_hash=%s, last_event_at=%s WHERE id=%s",
                    (justice_id, justice_id, tip, transfer, dossier_id),
                )
                event(cur, dossier_id, 2, transfer, clerk, "Clerk", "transfer", "received",
                      "in_processing", {"changes": {"status": "in_processing"}})  # fmt: skip
            conn.commit()
            with conn.cursor() as cur:  # approve
                cur.execute(
                    "UPDATE dossiers_dossier SET status='resolved', resolved_at=%s,"
                    " outcome='approved', timeliness='early', result_form='paper', version=3,"
                    " last_event_seq=3, last_event_hash=%s, last_event_at=%s WHERE id=%s",
                    (approve, tip, approve, dossier_id),
                )
                event(cur, dossier_id, 3, approve, officer, "Officer", "approve",
                      "in_processing", "resolved", {"changes": {"status": "resolved"}})  # fmt: skip
            conn.commit()
            with conn.cursor() as cur:  # return
                cur.execute(
                    "UPDATE dossiers_dossier SET status='returned', returned_at=%s,"
                    " return_method='counter', version=4, last_event_seq=4,"
                    " last_event_hash=%s, last_event_at=%s WHERE id=%s",
                    (returned, tip, returned, dossier_id),
                )
                event(cur, dossier_id, 4, returned, clerk, "Clerk", "return_result", "resolved",
                      "returned", {"changes": {"status": "returned"}})  # fmt: skip
            conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="dossiers per run")
    parser.add_argument("--profile", action="store_true", help="print queries per step")
    parser.add_argument("--cprofile", action="store_true", help="cProfile the services run")
    options = parser.parse_args()
    if not 1 <= options.n <= 4 * PER_DAY:
        parser.error(f"--n: from 1 to {4 * PER_DAY} (four days of receipts)")
    with postgres() as server:
        import psycopg

        with psycopg.connect(server + "postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE motcua_bench")
        url = server + "motcua_bench"
        os.environ["DATABASE_URL"] = url
        os.environ["MOTCUA_ENV"] = "test"  # fast password hashing for the two users
        os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
        import django

        django.setup()
        from django.conf import settings

        settings.DEBUG = False  # DEBUG logs every query: not what production pays
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        desk, justice, version, users = world()
        # Warm-up (caches, first-use imports), in the afternoon of the run's first day: a day
        # of this half-month, as the run's (a closed one's write also reads its rollup).
        for i in range(10):
            lifecycle(i, desk, version, users, later=timedelta(hours=6))

        profiler = None
        if options.cprofile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        for i in range(options.n):
            lifecycle(i, desk, version, users)
        services = time.perf_counter() - started
        if profiler is not None:
            import pstats

            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(os.environ.get("FILTER", ""), 40)
            if os.environ.get("CALLEES"):
                stats.print_callees(os.environ["CALLEES"])
        connection.close()

        started = time.perf_counter()
        raw_run(url, options.n, desk.pk, justice.pk, version.pk, users)
        raw = time.perf_counter() - started

        queries: dict[str, Any] = {}
        lifecycle(0, desk, version, users, later=timedelta(hours=7), queries=queries)

    n = options.n
    print(f"dossiers: {n}, each receive + transfer + approve + return (4 transactions)")
    print(f"services: {services:.2f} s, {n / services:.1f} lifecycles/s")
    print(f"raw:      {raw:.2f} s, {n / raw:.1f} lifecycles/s")
    print(
        f"ratio services (with the ledger) / raw inserts: {raw / services:.2f}"
        " (target >= 0,3, issue 17 and docs/dossiers.md)"
    )
    steps = ("receive", "transfer", "approve", "return_result")
    print("queries per step: " + ", ".join(f"{s} {queries[s]}" for s in steps))
    if options.profile:
        for step in steps:
            print(f"-- {step}")
            for sql in queries["sql:" + step]:
                print("   " + sql)


if __name__ == "__main__":
    main()

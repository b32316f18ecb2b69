"""Benchmark (not a test): writers on different dossiers must not wait for each other.

    .venv/bin/python bench/concurrency/run.py [--per-writer 120] [--writers 1,2,4,8]
        [--sample-ms 2] [--receipts]
    .venv/bin/python bench/concurrency/run.py --writers 1,4,1,4,1,4   # medians of 3 rounds

Starts a throw-away PostgreSQL server (as bench/lifecycle), migrates a fresh database and
builds the test world: one city, its one-stop desk, one department, one procedure. All
dossiers are received at the same desk of the same unit (the realistic worst case: every
writer then adds to the same ledger keys, unit × figure × day), then for each writer count
W in 1, 2, 4, 8, W processes each take their own dossiers through transfer + approve +
return of the result (three transactions per dossier, all on the same days), started
together, through ``dossier_transition``.

Measured:

- **transitions per second**, all writers together (wall time from the common start to the
  last writer's end);
- **lock wait per transaction**: a sampler in the parent process reads ``pg_stat_activity``
  every ``--sample-ms`` milliseconds and, when a backend waits on a heavyweight lock
  (``wait_event_type = 'Lock'``), ``pg_locks`` (``NOT granted``) for the lock's type,
  relation and the statement waiting (``pg_locks`` is not polled otherwise: reading it takes
  the lock manager's partitions and would slow the writers it measures). Samples × the
  real interval (the query's own time included) ÷ transactions estimates the wait per
  transaction. A row lock shows as a ``transactionid`` or ``tuple`` wait; the statement
  says which table. Other waits (LWLock, IO) are counted by event.

Target (issue 17): 4 writers ≥ 1,6 × one writer, and no lock wait on any row shared by all
dossiers (the global chain head was one; the ledger's unit-day rows were others).

Receipts are not in the target: a receipt takes the next number of its agency's day
(§3 of ../shared/domain/vietnam-one-stop.md: codes are gapless per agency and day), so
receipts at one agency on one day necessarily queue on that counter row until commit.
``--receipts`` measures them too, to show that wait where it belongs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def first_day(today: date) -> datetime:
    """08:00 on the last weekday at least three days back: a dossier's return comes two days
    and three hours after its receipt, and the services record only what has happened
    (``dossiers.services._moment``). Early in a half-month that day is in the last one,
    whose writes also read its ledger rollup (two statements more each, docs/performance.md)."""
    day = today - timedelta(days=3)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MOTCUA_ENV"] = "test"
    os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def receive(count: int, start: datetime, offset: int) -> list[int]:
    """``count`` dossiers received at the city desk through the services; their ids."""
    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.choices import Channel
    from motcua.dossiers.services import Applicant, dossier_create
    from motcua.units.models import Agency

    desk = Agency.objects.get(code="BPMC-058")
    version = ProcedureVersion.objects.get(procedure__code="1.000001")
    clerk = User.objects.get(username="clerk")
    ids = []
    for i in range(count):
        created = dossier_create(
            procedure=version,
            receiving_agency=desk,
            channel=Channel.DIRECT,
            applicant=Applicant(name=f"Nguyễn Văn {offset + i}", phone="0912345678"),
            actor=clerk,
            at=start + timedelta(seconds=i % 3600),  # one day, whoever receives
        )
        ids.append(created.dossier.pk)
    return ids


def transitions(ids: list[int], start: datetime) -> int:
    """Transfer, approve and return each dossier (three transactions each); how many."""
    from motcua.accounts.models import User
    from motcua.dossiers.choices import ReturnMethod
    from motcua.dossiers.services import Details, dossier_transition

    clerk = User.objects.get(username="clerk")
    officer = User.objects.get(username="officer")
    steps = (
        ("transfer", clerk, timedelta(days=1, hours=1), None),
        ("approve", officer, timedelta(days=2, hours=2), None),
        (
            "return_result",
            clerk,
            timedelta(days=2, hours=3),
            Details(return_method=ReturnMethod.COUNTER),
        ),
    )
    done = 0
    for pk in ids:
        for action, actor, after, details in steps:
            dossier_transition(
                dossier_id=pk, action=action, actor=actor, details=details, at=start + after
            )
            done += 1
    return done


def worker(
    url: str,
    job: str,
    ids: list[int],
    start: datetime,
    offset: int,
    barrier: Barrier,
    results: Queue[tuple[int, float, float]],
) -> None:
    """One writer process: wait for the others, then write; report (done, seconds)."""
    setup_django(url)
    from django.db import connection

    connection.ensure_connection()
    if job == "receipts":  # warm the caches on another day, then wait for the start
        receive(2, start - timedelta(days=35), offset)
    else:
        transitions(ids[:1], start)  # first-use costs (compiled SQL, caches) out of the timing
    barrier.wait()
    began = time.perf_counter()
    done = (
        len(receive(len(ids), start, offset)) if job == "receipts" else transitions(ids[1:], start)
    )
    results.put((done, began, time.perf_counter()))
    connection.close()


class Sampler(threading.Thread):
    """Reads what the writers' backends wait on every ``interval`` seconds until stopped.

    ``pg_stat_activity`` only (cheap: reading ``pg_locks`` takes every lock-manager partition
    and would itself slow the writers); when a backend waits on a heavyweight lock
    (``wait_event_type = 'Lock'``: a row, a relation, a transaction), ``pg_locks`` is read
    once to name it. Other waits (LWLock, IO) are counted by event, to show where time goes.
    """

    ACTIVITY = (
        "SELECT pid, wait_event_type, wait_event FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'"
        " AND wait_event_type IS NOT NULL AND wait_event_type NOT IN ('Client', 'Activity')"
    )
    LOCKS = (
        "SELECT l.locktype, coalesce(l.relation::regclass::text, ''), l.mode,"
        " left(regexp_replace(a.query, '\\s+', ' ', 'g'), 70)"
        " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE NOT l.granted AND a.datname = current_database()"
    )

    def __init__(self, url: str, interval: float) -> None:
        super().__init__(daemon=True)
        self.url, self.interval = url, interval
        self.samples = 0
        self.every = interval
        self.waits: Counter[tuple[str, str, str, str]] = Counter()  # heavyweight locks
        self.others: Counter[str] = Counter()  # LWLock, IO… by event
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            began = time.perf_counter()
            while not self.stop.is_set():
                waiting = conn.execute(self.ACTIVITY).fetchall()
                if any(kind == "Lock" for _, kind, _ in waiting):
                    for row in conn.execute(self.LOCKS).fetchall():
                        self.waits[row] += 1
                for _, kind, event in waiting:
                    if kind != "Lock":
                        self.others[f"{kind}:{event}"] += 1
                self.samples += 1
                time.sleep(self.interval)
            # The real interval: the query takes time too.
            self.every = (time.perf_counter() - began) / max(self.samples, 1)


def run_round(
    url: str, job: str, ids_per_writer: list[list[int]], start: datetime, interval: float
) -> tuple[int, float, Sampler]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(ids_per_writer) + 1)
    results: Queue[tuple[int, float, float]] = context.Queue()
    processes = [
        context.Process(
            target=worker,
            args=(url, job, ids, start, 10_000 * (n + 1), barrier, results),
        )
        for n, ids in enumerate(ids_per_writer)
    ]
    for process in processes:
        process.start()
    sampler = Sampler(url, interval)
    sampler.start()
    barrier.wait()
    finished = [results.get() for _ in processes]
    sampler.stop.set()
    sampler.join()
    for process in processes:
        process.join()
    done = sum(f[0] for f in finished)
    wall = max(f[2] for f in finished) - min(f[1] for f in finished)
    return done, wall, sampler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-writer", type=int, default=120, help="dossiers per writer")
    parser.add_argument("--writers", default="1,2,4,8")
    parser.add_argument("--sample-ms", type=float, default=2.0)
    parser.add_argument("--receipts", action="store_true", help="also time receipts")
    options = parser.parse_args()
    counts = [int(n) for n in options.writers.split(",")]
    from bench.lifecycle.run import postgres  # its throw-away cluster

    with postgres() as server:
        import psycopg

        with psycopg.connect(server + "postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE motcua_bench")
        url = server + "motcua_bench"
        setup_django(url)
        from django.core.management import call_command
        from django.db import connection, transaction

        call_command("migrate", verbosity=0)
        from motcua.dossiers.tests.world import build_world

        with transaction.atomic():
            build_world()
        start = first_day(date.today())
        per = options.per_writer + 1  # one warm-up dossier per writer
        print(f"receiving {sum(counts) * per} dossiers at one desk (setup)…", flush=True)
        ids = receive(sum(counts) * per, start, 0)
        connection.close()
        rows = []
        for writers in counts:
            mine, ids = ids[: writers * per], ids[writers * per :]
            chunks = [mine[n * per : (n + 1) * per] for n in range(writers)]
            done, wall, sampler = run_round(
                url, "transitions", chunks, start, options.sample_ms / 1000
            )
            rows.append((writers, done, wall, sampler))
        receipt_rows = []
        if options.receipts:
            for writers in counts:
                day = start - timedelta(days=7 * (writers + 1))
                chunks = [[0] * options.per_writer for _ in range(writers)]
                done, wall, sampler = run_round(
                    url, "receipts", chunks, day, options.sample_ms / 1000
                )
                receipt_rows.append((writers, done, wall, sampler))

    def report(title: str, table: list[tuple[int, int, float, Sampler]]) -> None:
        print(title)
        base = table[0][1] / table[0][2]
        for writers, done, wall, sampler in table:
            rate = done / wall
            waited = sum(sampler.waits.values()) * sampler.every * 1000
            print(
                f"  {writers} writer(s): {done} transactions in {wall:.2f} s = {rate:.1f}/s"
                f" ({rate / base:.2f}x one writer); lock wait ≈ {waited / done:.2f} ms per"
                f" transaction ({sum(sampler.waits.values())} waiting backends in"
                f" {sampler.samples} samples)"
            )
            for (kind, relation, mode, query), n in sampler.waits.most_common(4):
                print(f"      {n:5d} × {kind} {relation or '-'} {mode}: {query}")
            if sampler.others:
                other = ", ".join(f"{e} {n}" for e, n in sampler.others.most_common(4))
                print(f"      other waits seen (samples): {other}")

    report(
        "transitions (transfer, approve, return) on different dossiers, same unit, agency, days:",
        rows,
    )
    # A writer count given several times (--writers 1,4,1,4,1,4) gives medians: on a shared
    # machine one round can fall on a quiet or a busy moment.
    by: dict[int, list[float]] = {}
    for writers, done, wall, _ in rows:
        by.setdefault(writers, []).append(done / wall)
    if 1 in by and 4 in by:
        one, four = statistics.median(by[1]), statistics.median(by[4])
        print(
            f"target: 4 writers >= 1.6 x one writer: {four / one:.2f}x"
            f" (medians of {len(by[4])} and {len(by[1])} rounds: {four:.1f}/s, {one:.1f}/s)"
        )
    if receipt_rows:
        report(
            "receipts at one agency on one day (serialised on its code counter, §3):", receipt_rows
        )


if __name__ == "__main__":
    main()

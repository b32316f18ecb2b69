"""Benchmark (not a test): every page a leader, a clerk and a citizen open, at 10 k, 1 M and 10 M
dossiers of a province of 90+ communes (issue 17, "bench/pages").

    .venv/bin/python bench/pages/run.py [--sizes 10000,1000000,10000000] [--runs 30]
        [--rounds 5] [--clients 1,8] [--pages dashboard,queue,...] [--fresh] [--load-only]

A PostgreSQL cluster kept in var/bench/pages-pg (bench/common/cluster.py) holds one database
per size, loaded once with COPY (bench/common/dossiers.py) and reused by later runs (``--fresh``
reloads; a later run migrates a kept database first, so it carries the code's schema):

- the world the app ships (Bắc Kạn's units until 30/06/2025, Thái Nguyên province with its
  communes from 01/07/2025, the demo catalogue and its 2025 versions), plus 89 communes of the
  province made up for the benchmark (valid throughout): 93 receiving desks after 01/07/2025,
  98 before;
- N dossiers received 04/01/2021 → today (03/12/2026 when written), spread evenly over the
  desks open on each day, each with its hash-chained history; the last days' dossiers mostly
  pending, 0,2% of the older ones never resolved (overdue), a few withdrawn;
- the figures' ledger from ``core.metrics.contributions``, as the write path keeps it;
- the users the pages need: a leader of the province, a leader of one commune, a clerk of that
  commune's desk (password ``bench-password``).

Then the app is served as production serves it (``motcua serve``: gunicorn, 2 processes of
gthread workers, 127.0.0.1, a free port) against each database, all sizes at once, and each
page is fetched ``--runs`` times by 1 and by 8 concurrent clients (each signed in with its own
session), one size after the other, ``--rounds`` times over: the sizes compared share the
machine's state of the same minutes. Median and p95 per page and concurrency over every round's
requests, with each round's median in the results file. The SQL query count and the HTML size
of each page come from Django's test client in-process against the same database (a production
server has no debug header). Targets: each page at the largest size within 1,5× of its time at
the smallest, and under 10× the login page's time at the same concurrency. Results:
var/bench/pages-results.json, and a table on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common.cluster import BASE, start_cluster, stop_cluster  # noqa: E402
from bench.common.dossiers import TZ, Desk, Shape, generate, multiply  # noqa: E402
from bench.common.gunicorn import start_served  # noqa: E402

PROVINCE = "19"
TWO_LEVEL_DAY = date(2025, 7, 1)
FIRST_DAY = date(2021, 1, 4)
BENCH_COMMUNES = 89  # with the three the app ships: 92 communes and wards, as Thái Nguyên has
PASSWORD = "bench-password"  # noqa: S105
TAKEN_ECODES = {"00", "40", "43", "49"}


def bench_commune_codes() -> list[str]:
    return [f"0{5500 + k}" for k in range(1, BENCH_COMMUNES + 1)]


# -- the world ------------------------------------------------------------------------------


def _bench_world_files(folder: Path) -> list[Path]:
    """Units and agencies files of the made-up communes, in the app's import format."""
    units = folder / "units.csv"
    agencies = folder / "agencies.csv"
    numbers = [f"{k:02d}" for k in range(1, 100) if f"{k:02d}" not in TAKEN_ECODES]
    with units.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["code", "name", "kind", "parent_code", "valid_from", "valid_to", "legal_ref"])
        for k, code in enumerate(bench_commune_codes(), start=1):
            w.writerow([code, f"Xã Thử Tải {k:02d}", "commune", PROVINCE, "", "", "bench/pages"])
    with agencies.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["code", "name", "kind", "unit_code", "electronic_code", "valid_from",
                    "valid_to", "note"])  # fmt: skip
        for k, code in enumerate(bench_commune_codes(), start=1):
            w.writerow([f"UBND-{code}", f"Ủy ban nhân dân xã Thử Tải {k:02d}",
                        "peoples_committee", code, "", "", "", "bench/pages"])  # fmt: skip
            w.writerow([f"TTPVHCC-{code}", f"Trung tâm Phục vụ hành chính công xã Thử Tải {k:02d}",
                        "service_centre", code, f"000.{numbers[k - 1]}.19.H55", "", "",
                        "bench/pages"])  # fmt: skip
    return [units, agencies]


def load_world() -> None:
    from motcua.catalog.services import load_demo_catalog, load_two_level_catalog
    from motcua.units.services import UnitDataError, load_bac_kan, load_units

    load_bac_kan()
    load_demo_catalog()
    load_two_level_catalog()
    with tempfile.TemporaryDirectory() as folder:
        try:
            load_units(_bench_world_files(Path(folder)))
        except UnitDataError as refused:  # every bad row, one a line; nothing was written
            raise SystemExit(f"bench world refused:\n{refused}") from refused


def create_users() -> dict[str, str]:
    from motcua.accounts.choices import Role
    from motcua.accounts.services import role_grant, user_create_or_update
    from motcua.units.models import Agency
    from motcua.units.selectors import unit_at

    today = date.today()
    commune = bench_commune_codes()[0]
    people = {
        "bench.lanhdao.tinh": (Role.LEADER, PROVINCE, None),
        "bench.lanhdao.xa": (Role.LEADER, commune, None),
        "bench.motcua.xa": (Role.CLERK, commune, f"TTPVHCC-{commune}"),
    }
    for username, (role, unit_code, agency_code) in people.items():
        user = user_create_or_update(
            username=username, full_name=f"Người thử tải {username}", password=PASSWORD
        )
        agency = Agency.objects.get(code=agency_code) if agency_code else None
        role_grant(user=user, role=role, unit=unit_at(unit_code, today), agency=agency)
    return {"commune": commune}


def desks_by_era() -> tuple[list[Desk], list[Desk]]:
    """The receiving desks before 01/07/2025 and from that day, with the procedure versions of
    their level in force then."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.clock.selectors import calendar_for
    from motcua.units.models import Agency

    def versions(level: str, on: date) -> list[tuple[int, int, bool]]:
        qs = ProcedureVersion.objects.filter(level=level, valid_from__lte=on).exclude(
            valid_to__lte=on
        )
        found = list(qs.values_list("pk", "field_id", "is_certification"))
        if not found:
            raise SystemExit(f"no procedure version of level {level} on {on}")
        return found

    level_of = {"province": "province", "city": "district", "district": "district"}
    eras: list[list[Desk]] = []
    for on, kinds in (
        (date(2024, 6, 1), ("one_stop", "service_centre")),
        (date(2026, 1, 5), ("service_centre",)),
    ):
        desks: list[Desk] = []
        agencies = (
            Agency.objects.filter(kind__in=kinds, valid_from__isnull=True)
            | Agency.objects.filter(kind__in=kinds, valid_from__lte=on)
        ).select_related("unit")
        for agency in agencies.order_by("code"):
            if agency.valid_to and agency.valid_to < on:
                continue
            unit = agency.unit
            if unit.valid_to and unit.valid_to < on or unit.valid_from and unit.valid_from > on:
                continue
            level = level_of.get(unit.kind, "commune")
            desks.append(
                Desk(
                    unit.pk,
                    agency.pk,
                    agency.electronic_code or agency.code,
                    versions(level, on),
                    calendar_for(unit),
                )  # fmt: skip
            )
        eras.append(desks)
    return eras[0], eras[1]


def load(n: int, now: datetime) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    load_world()
    before, after = desks_by_era()
    print(f"  desks: {len(before)} before 01/07/2025, {len(after)} after", flush=True)
    raw = connection.cursor().connection  # the psycopg connection under Django's
    shape = Shape(
        n=n, first_day=FIRST_DAY, last_day=now.date(), now=now,
        desks_on=lambda day: before if day < TWO_LEVEL_DAY else after, seed=20261203,
    )  # fmt: skip
    counts = generate(raw, shape)
    counts["desks"] = [len(before), len(after)]
    with raw.cursor() as cur:
        cur.execute("CREATE TABLE bench_loaded (n bigint, at timestamptz)")
        cur.execute("INSERT INTO bench_loaded VALUES (%s, %s)", [n, now])
    raw.commit()
    with raw.cursor() as cur:
        raw.autocommit = True
        cur.execute("VACUUM ANALYZE")
        raw.autocommit = False
    return counts


# -- one size, in its own process (one Django database per process) -----------------------


def _setup_django(url: str, name: str) -> None:
    os.environ["DATABASE_URL"] = url + name
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("MOTCUA_DATA_DIR", str(BASE / "pages-data"))
    os.environ.setdefault("MOTCUA_DEBUG", "false")
    os.environ.setdefault("MOTCUA_PORTAL_TRACK_MAX_PER_IP", "0")
    os.environ.setdefault("MOTCUA_PORTAL_TRACK_MAX_PER_CODE", "0")
    import django

    django.setup()


def db_name(n: int) -> str:
    return f"motcua_pages_{n}"


def prepare(url: str, n: int, fresh: bool, derive_from: int = 0) -> dict[str, Any]:
    """Create, load or migrate the database of ``n`` dossiers; create the users; return what
    the pages need (the sample dossier, the commune) and the load's counts."""
    import psycopg

    name = db_name(n)
    with psycopg.connect(url + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        loaded = False
        if exists and not fresh:
            with psycopg.connect(url + name) as conn:
                row = conn.execute("SELECT to_regclass('bench_loaded') IS NOT NULL").fetchone()
                if row and row[0]:
                    got = conn.execute("SELECT n FROM bench_loaded").fetchone()
                    loaded = got is not None and got[0] == n
        derived = not loaded and derive_from > 0
        if not loaded:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            # A copy of the smaller database, multiplied below (bench/common/dossiers.multiply).
            # FILE_COPY: a copy of the files, not of every block through the WAL (PostgreSQL 15+).
            template = f' TEMPLATE "{db_name(derive_from)}" STRATEGY FILE_COPY' if derived else ""
            started = time.perf_counter()
            admin.execute(f'CREATE DATABASE "{name}"{template}')
            copied = time.perf_counter() - started
    _setup_django(url, name)
    from django.core.management import call_command
    from django.db import connection

    result: dict[str, Any] = {"dossiers": n}
    if loaded:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        result["migrate_seconds"] = round(time.perf_counter() - started, 1)
    elif derived:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        raw = connection.cursor().connection
        result["load"] = multiply(raw, n // derive_from)
        with raw.cursor() as cur:
            cur.execute("UPDATE bench_loaded SET n = %s", [n])
        raw.commit()
        raw.autocommit = True
        with raw.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        raw.autocommit = False
        result["load_seconds"] = round(time.perf_counter() - started + copied, 1)
    else:
        now = datetime.now(TZ).replace(second=0, microsecond=0)
        started = time.perf_counter()
        result["load"] = load(n, now)
        result["load_seconds"] = round(time.perf_counter() - started, 1)
    result |= create_users()
    result["checkpoints"] = take_checkpoints()
    # Loaded with the triggers off (replica role): the pending tally is counted once here;
    # a database kept from an earlier run had it filled by its migration.
    result["tally"] = keep_tally(rebuild=not loaded)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM dossiers_dossierevent")
        result["events"] = cur.fetchone()[0]
        cur.execute("SELECT pg_database_size(current_database())")
        result["db_bytes"] = cur.fetchone()[0]
    result["sample"] = sample(result["commune"])
    return result


def take_checkpoints() -> dict[str, Any] | None:
    """The ledger's yearly stock checkpoints and monthly rollups, as the worker's daily step
    takes them in a deployment (``dossiers.ledger_checkpoints``, when the code has them):
    without them a report sums its stocks from 2021 and its flows day by day."""
    try:
        from motcua.dossiers import ledger_checkpoints
    except ImportError:
        return None
    from django.db import connection

    started = time.perf_counter()
    if hasattr(ledger_checkpoints, "months_take"):
        ledger_checkpoints.months_take()
    years = ledger_checkpoints.checkpoints_take()
    # Freshly written rows are read from the table until a vacuum marks their pages visible
    # (an index-only scan of the rollups fetched 23.000 rows from the heap): autovacuum does
    # it within a minute in a deployment (dossiers 0039), before the benchmark's first
    # request here. The blocks and checkpoints too: the blocks' table left out, the 1 M
    # half-year's sums read 928 of its pages (3,98 ms on the server against 2,38).
    rollups = {
        f"dossiers_{prefix}{kind}"
        for prefix in ("", "field")
        for kind in ("monthfigure", "blockfigure", "stockcheckpoint")
    }
    tables = sorted(rollups & set(connection.introspection.table_names()))
    if tables:
        with connection.cursor() as cur:
            cur.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    return {"years": years, "seconds": round(time.perf_counter() - started, 1)}


def keep_tally(*, rebuild: bool) -> dict[str, Any] | None:
    """The end-of-day page's pending tally (``dossiers.tally``, when the code has it): counted
    from the dossiers if asked, then folded as the worker's daily step folds it."""
    try:
        from motcua.dossiers import tally
    except ImportError:
        return None
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    rows = tally.tally_rebuild() if rebuild else None
    folded = tally.tally_compact(timezone.now())
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) dossiers_pendingtally")
        cur.execute("SELECT count(*) FROM dossiers_pendingtally")
        kept = cur.fetchone()[0]
    return {"rebuilt": rows, "folded": folded, "rows": kept,
            "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def sample(commune: str) -> dict[str, str]:
    """A dossier of the commune's desk (a pending one, as a clerk opens from the queue) and its
    applicant's phone, for the dossier and tracking pages."""
    from motcua.dossiers.models import Dossier

    mine = Dossier.objects.filter(receiving_agency__code=f"TTPVHCC-{commune}")
    dossier = (
        mine.filter(resolved_at__isnull=True, ended_at__isnull=True)
        .order_by("-received_at")
        .first()
        or mine.order_by("-received_at").first()
    )
    assert dossier is not None
    return {"code": dossier.code, "phone": dossier.applicant_phone}


def pages(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every page measured: who opens it, how (GET or the tracking POST) and where."""
    code, phone = ctx["sample"]["code"], ctx["sample"]["phone"]
    year = date.today().year
    leader, leader_x, clerk = "bench.lanhdao.tinh", "bench.lanhdao.xa", "bench.motcua.xa"
    q = urllib.parse.urlencode
    return {
        "login": {"user": None, "url": "/dang-nhap/"},
        "dashboard_province": {"user": leader, "url": "/bao-cao/"},
        "dashboard_commune": {"user": leader_x, "url": "/bao-cao/"},
        "dashboard_half": {"user": leader, "url": "/bao-cao/?" + q({"period": f"half:{year}"})},
        "queue": {"user": clerk, "url": "/mot-cua/hang-doi/"},
        "queue_all": {"user": clerk, "url": "/mot-cua/hang-doi/?all=1"},
        "search": {"user": clerk, "url": "/mot-cua/tim-kiem/?" + q({"q": "nguyen van an"})},
        # A word four dossiers in ten share, in a whole province (dossiers migration 0025).
        "search_common": {"user": leader, "url": "/mot-cua/tim-kiem/?" + q({"q": "nguyen"})},
        # A province's leader looking a dossier up by the code on its receipt, or by the
        # applicant's phone: the province's trigram index (a clerk's few units read their own).
        "search_code": {"user": leader, "url": "/mot-cua/tim-kiem/?" + q({"q": code})},
        "search_phone": {"user": leader, "url": "/mot-cua/tim-kiem/?" + q({"q": phone})},
        "dossier": {"user": clerk, "url": f"/mot-cua/ho-so/{code}/"},
        # The committee's end-of-day check (seed README): every pending dossier of the
        # province counted by unit and officer, and the first of each list.
        "end_of_day": {"user": leader, "url": "/bao-cao/cuoi-ngay/"},
        "drill": {"user": leader, "url": "/bao-cao/ho-so/?" + q({"figure": "pending_overdue"})},
        # A past period's stock: no column narrows it beyond "not finished before its end"
        # (docs/dashboard.md, the drill-down's reads): the list to watch at 10 M.
        "drill_past": {
            "user": leader,
            "url": "/bao-cao/ho-so/?" + q({"figure": "pending", "period": f"half:{year - 1}"}),
        },
        # A past year's resolutions: most were received in it, a few before (reports.drill's
        # resolution_parts); read as one list it took 19 s at 10 M.
        "drill_resolved": {
            "user": leader,
            "url": "/bao-cao/ho-so/?" + q({"figure": "resolved", "period": f"year:{year - 1}"}),
        },
        # A list of a figure that few of its candidates hold, read in the order of receipt:
        # this month's late resolutions (the committee's "trễ hạn"; most of the month's
        # receipts are still pending, and the stock at its start mostly resolves in time).
        "drill_late": {"user": leader, "url": "/bao-cao/ho-so/?" + q({"figure": "resolved_late"})},
        # The same list with a page about as full at 10 k as at 10 M (last year's: 49 and 60
        # KB; this month's holds a few rows at 10 k, 4,6 KB), as ``api_drill_full`` below.
        "drill_late_full": {
            "user": leader,
            "url": "/bao-cao/ho-so/?"
            + q({"figure": "resolved_late", "period": f"year:{year - 1}"}),
        },
        "catalogue": {"user": None, "url": "/dich-vu-cong/"},
        "tracking": {
            "user": None,
            "url": "/dich-vu-cong/tra-cuu/",
            "post": {"code": code, "phone": phone},
        },  # fmt: skip
        "api_figures": {"user": leader, "url": "/bao-cao/api/figures?" + q({"unit": PROVINCE})},
        "api_drill": {
            "user": leader,
            "url": "/bao-cao/api/drill?" + q({"figure": "pending_overdue"}),
        },  # fmt: skip
        # The same list with a page as full at 10 k as at 10 M (the year's receipts: 1.000
        # codes at every size); ``api_drill``'s page holds a few dozen overdue codes at 10 k
        # and 1.000 at 1 M, so its ratio also measures a fuller page (docs/performance.md).
        "api_drill_full": {
            "user": leader,
            "url": "/bao-cao/api/drill?" + q({"figure": "received", "period": f"year:{year}"}),
        },
    }


PLANS_PER_PAGE = 3


def _plans(statements: list[str], budget: int) -> list[dict[str, Any]]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of a page's slowest statements (reads only): the plans
    kept in docs/performance.md, to justify (or question) each index."""
    from django.db import DatabaseError, connection

    out = []
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        try:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cur.fetchall())
        except DatabaseError as error:
            plan = f"(not planned: {error})"
        out.append({"sql": sql, "plan": plan})
    return out


class BudgetExceeded(Exception):
    pass


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    """Interrupt Python work that runs longer than ``seconds`` (SQL is cut by the server's
    statement_timeout, set to the same budget)."""

    def ring(signum: int, frame: Any) -> None:
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def count_queries(ctx: dict[str, Any], chosen: list[str], budget: int) -> dict[str, dict[str, Any]]:
    """SQL statements and response size of each page, from Django's test client in-process
    against the same database (the second request: caches warm, as the server sees them)."""
    from django.contrib.auth import get_user_model
    from django.db import OperationalError, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out: dict[str, dict[str, Any]] = {}
    clients: dict[str | None, Client] = {}
    with connection.cursor() as cur:
        cur.execute(f"SET statement_timeout = '{budget}s'")
    for name, page in pages(ctx).items():
        if name not in chosen:
            continue
        user = page["user"]
        if user not in clients:
            clients[user] = Client()
            if user:
                clients[user].force_login(get_user_model().objects.get(username=user))
        client = clients[user]

        def fetch(client: Client = client, page: dict[str, Any] = page) -> Any:
            if "post" in page:
                return client.post(page["url"], page["post"], follow=True)
            return client.get(page["url"])

        # The second request is counted (caches warm, as the server sees them), unless the
        # first one already took a quarter of the budget: then the first one is.
        # A cold request sends the statements that fill the process's caches too (calendars,
        # catalogue counts: 8 more on the dashboard), so a cold count is marked "*" in the
        # table: 27 → 35 at 10 M on d6abce9 was that, not the data (issue 17).
        started = time.perf_counter()
        warm = False
        try:
            with CaptureQueriesContext(connection) as captured, _alarm(budget):
                response = fetch()
            if time.perf_counter() - started < budget / 4:
                with CaptureQueriesContext(connection) as captured, _alarm(budget):
                    response = fetch()
                warm = True
        except (BudgetExceeded, OperationalError) as error:
            connection.close()
            out[name] = {"status": None, "over_budget": f"> {budget} s ({type(error).__name__})"}
            print(f"  counting {name}: over the budget of {budget} s", flush=True)
            continue
        ranked = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        slowest = ranked[0] if ranked else {"sql": "", "time": "0"}
        out[name] = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "warm": warm,
            "bytes": len(response.content),
            "slowest_sql_ms": round(float(slowest["time"]) * 1000, 1),
            "slowest_sql": slowest["sql"][:600],
            "plans": _plans([q["sql"] for q in ranked[:PLANS_PER_PAGE]], budget),
        }
    return out


def worker(
    url: str, n: int, fresh: bool, chosen: list[str], load_only: bool, budget: int, derive: int
) -> dict[str, Any]:
    ctx = prepare(url, n, fresh, derive)
    if not load_only:
        ctx["counts"] = count_queries(ctx, chosen, budget)
    return ctx


# -- serving and clients ------------------------------------------------------------------


def serve(url: str, n: int, code: str, budget: int) -> tuple[subprocess.Popen[bytes], str]:
    """The app as production serves it (``motcua serve``: gunicorn, 2 processes of gthread
    workers, the app preloaded) on 127.0.0.1 and a free port, against the database of ``n``.
    Until 05/12/2026 this was gunicorn's sync workers, which production does not run: the
    same page took half as much CPU again there (the dossier page 28,4 ms against 18,0,
    docs/performance.md)."""
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": url + db_name(n), "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "MOTCUA_DATA_DIR": str(BASE / "pages-data"), "MOTCUA_DEBUG": "false",
        "MOTCUA_PORTAL_TRACK_MAX_PER_IP": "0", "MOTCUA_PORTAL_TRACK_MAX_PER_CODE": "0",
    }  # fmt: skip
    return start_served(
        env,
        log=BASE / "pages-gunicorn.log",
        ready_path="/dang-nhap/",
        timeout=budget,
        cwd=code or ROOT,
    )


class Session:
    """One browser: its cookies, kept by hand (no cookie jar rules to second-guess)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(
        self, path: str, data: dict[str, str] | None = None, follow: bool = True
    ) -> tuple[int, bytes]:
        """GET ``path``, or POST ``data`` to it and follow the redirect (as a browser)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = self.base + path
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=budget_seconds()) as r:
                status, content, got = r.status, r.read(), r.headers
        except urllib.error.HTTPError as error:
            status, content, got = error.code, error.read(), error.headers
        except OSError:  # the server cut the request (gunicorn's timeout: over the budget)
            return 599, b""
        for header in got.get_all("Set-Cookie") or []:
            key, _, rest = header.partition("=")
            self.cookies[key.strip()] = rest.split(";")[0]
        if data is not None and status in (302, 303) and follow:
            return self.request(urllib.parse.urlsplit(got["Location"]).path)
        return status, content

    def log_in(self, username: str) -> None:
        self.request("/dang-nhap/")
        status, _ = self.request(
            "/dang-nhap/", {"username": username, "password": PASSWORD, "next": "/"}, follow=False
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"could not sign in as {username} ({status})")


def budget_seconds() -> int:
    return int(os.environ.get("BENCH_PAGES_BUDGET", "60")) * 2


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(base: str, ctx: dict[str, Any], chosen: list[str], runs: int,
            concurrency: list[int], budget: int) -> dict[str, Any]:  # fmt: skip
    """Median and p95 of each page, fetched ``runs`` times by each of ``c`` clients at once."""
    all_pages = pages(ctx)
    users = {all_pages[name]["user"] for name in chosen}
    width = max(2, *concurrency)
    sessions: dict[str | None, list[Session]] = {}
    for user in users:
        sessions[user] = []
        for _ in range(width):
            s = Session(base)
            if user:
                s.log_in(user)
            else:
                s.request("/dang-nhap/")  # the CSRF cookie the tracking form posts with
            sessions[user].append(s)
    out: dict[str, Any] = {}
    for name in chosen:
        page = all_pages[name]
        out[name] = {}
        for c in concurrency:
            times: list[float] = []
            statuses: set[int] = set()
            lock = threading.Lock()

            def client(
                s: Session,
                page: dict[str, Any] = page,
                times: list[float] = times,
                statuses: set[int] = statuses,
                lock: threading.Lock = lock,
                c: int = c,
            ) -> None:
                for _ in range(max(2, -(-runs // c))):
                    started = time.perf_counter()
                    status, _ = s.request(page["url"], page.get("post"))
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        times.append(elapsed)
                        statuses.add(status)

            # warm: each worker's caches and the plans, as for a page served a second time
            started = time.perf_counter()
            status, _ = sessions[page["user"]][0].request(page["url"], page.get("post"))
            if time.perf_counter() - started > budget / 2 or status >= 500:
                out[name][str(c)] = {"over_budget": f"> {budget / 2:.0f} s or failed ({status})"}
                print(f"    {name:<20} c={c}: over the budget ({status})", flush=True)
                continue
            sessions[page["user"]][1].request(page["url"], page.get("post"))
            threads = [threading.Thread(target=client, args=(s,))
                       for s in sessions[page["user"]][:c]]  # fmt: skip
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
            out[name][str(c)] = {
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95(times), 1),
                "per_second": round(len(times) / wall, 1),
                "statuses": sorted(statuses),
                "times_ms": [round(t, 2) for t in times],
            }
            got = out[name][str(c)]
            print(f"    {name:<20} c={c}: median {got['median_ms']} ms, "
                  f"p95 {got['p95_ms']} ms {sorted(statuses)}", flush=True)  # fmt: skip
    return out


def pooled(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's measures over several rounds: median and p95 of every request of every
    round, and each round's median (how much the machine moved between rounds). A page over
    the budget in any round is over the budget."""
    out: dict[str, Any] = {}
    for name in rounds[0]:
        out[name] = {}
        for c in rounds[0][name]:
            got = [r[name][c] for r in rounds]
            over = [m for m in got if "median_ms" not in m]
            if over:
                out[name][c] = over[0]
                continue
            times = [t for m in got for t in m["times_ms"]]
            out[name][c] = {
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95(times), 1),
                "round_medians_ms": [m["median_ms"] for m in got],
                "statuses": sorted({s for m in got for s in m["statuses"]}),
                "times_ms": times,
            }
    return out


# -- the run --------------------------------------------------------------------------------


def _fmt(ms: float) -> str:
    """Vietnamese number format: 1.234,5."""
    return f"{ms:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def write_plans(ctx: dict[str, Any], path: Path) -> None:
    """Each page's slowest statements and their plans, as text (docs/performance.md)."""
    lines = [f"# {ctx['dossiers']:,} dossiers, {ctx['events']:,} events"]
    for name, count in ctx.get("counts", {}).items():
        for item in count.get("plans", []):
            lines += [f"\n## {name}\n", item["sql"], "", item["plan"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def table(results: list[dict[str, Any]], chosen: list[str], concurrency: list[int]) -> str:
    sizes = [r["dossiers"] for r in results]
    head = ["page", "c"] + [f"{n:,} med/p95 ms".replace(",", ".") for n in sizes]
    head += ["queries", "HTML KB"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name in chosen:
        for c in concurrency:
            cells = [name, str(c)]
            for r in results:
                m = r.get("times", {}).get(name, {}).get(str(c))
                if m and "median_ms" in m:
                    cells.append(f"{_fmt(m['median_ms'])} / {_fmt(m['p95_ms'])}")
                else:
                    cells.append("over budget" if m else "–")
            counts = []
            for r in results:
                counted = r.get("counts", {}).get(name, {})
                cold = "*" if counted.get("warm") is False else ""  # see count_queries
                counts.append(f"{counted.get('queries', '–')}{cold}")
            size = [_fmt(r.get("counts", {}).get(name, {}).get("bytes", 0) / 1024) for r in results]
            cells += [" → ".join(counts), " → ".join(size)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(results: list[dict[str, Any]], chosen: list[str],
            concurrency: list[int]) -> dict[str, Any]:  # fmt: skip
    """Each page at the largest size within 1,5× its time at the smallest; under 10× login."""
    first, last = results[0], results[-1]
    out: dict[str, Any] = {}
    for name in chosen:
        for c in map(str, concurrency):
            small = first["times"].get(name, {}).get(c)
            big = last["times"].get(name, {}).get(c)
            login = last["times"].get("login", {}).get(c)
            if not small or "median_ms" not in small:
                continue
            if not big or "median_ms" not in big:
                out[f"{name} c={c}"] = {"growth": None, "growth_met": False,
                                        "vs_login": None, "vs_login_met": False}  # fmt: skip
                continue
            growth = big["median_ms"] / small["median_ms"]
            vs_login = (
                big["median_ms"] / login["median_ms"] if login and "median_ms" in login else None
            )
            out[f"{name} c={c}"] = {
                "growth": round(growth, 2), "growth_met": growth <= 1.5,
                "vs_login": round(vs_login, 1) if vs_login else None,
                "vs_login_met": vs_login is not None and vs_login < 10,
            }  # fmt: skip
    return out


def measure_rounds(
    results: list[dict[str, Any]], url: str, chosen: list[str], args: argparse.Namespace,
    concurrency: list[int],
) -> None:  # fmt: skip
    """Every size served at once (a gunicorn each), measured in turn, ``--rounds`` times: the
    sizes compared share the machine's state of the same minutes (the cores are shared, and a
    run of one size after the other measured 10 k and 10 M in different weather)."""
    servers = []
    try:
        for ctx in results:
            servers.append(serve(url, ctx["dossiers"], args.code, args.budget))
        rounds: list[list[dict[str, Any]]] = [[] for _ in results]
        for number in range(1, args.rounds + 1):
            for index, (ctx, (_, base)) in enumerate(zip(results, servers, strict=True)):
                print(f"round {number}/{args.rounds}, {ctx['dossiers']:,} dossiers", flush=True)
                got = measure(base, ctx, chosen, args.runs, concurrency, args.budget)
                rounds[index].append(got)
        for ctx, measured in zip(results, rounds, strict=True):
            ctx["times"] = pooled(measured)
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="10000,1000000,10000000")
    parser.add_argument(
        "--runs", type=int, default=30,
        help="requests per page and concurrency and round, shared by the clients (at least 2 each)",
    )  # fmt: skip
    parser.add_argument("--clients", default="1,8", help="concurrent clients")
    parser.add_argument(
        "--rounds", type=int, default=5,
        help="times every size is measured, in turn (the medians pool every round's requests)",
    )  # fmt: skip
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument("--fresh", action="store_true", help="reload every database")
    parser.add_argument("--load-only", action="store_true", help="load or migrate, no measuring")
    parser.add_argument("--out", default=str(BASE / "pages-results.json"))
    parser.add_argument(
        "--code", default="", help="run the app from this copy of the code (e.g. a git archive)"
    )
    parser.add_argument(
        "--budget", type=int, default=60,
        help="seconds a page may take; slower pages are cut (gunicorn's timeout) and reported",
    )  # fmt: skip
    parser.add_argument(
        "--derive-from", type=int, default=0, metavar="M",
        help="build a missing database of N dossiers from the loaded one of M (N/M clones in SQL)",
    )  # fmt: skip
    parser.add_argument("--keep-server", action="store_true", help="leave PostgreSQL up")
    parser.add_argument("--worker", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    everything = list(pages({"commune": "", "sample": {"code": "", "phone": ""}}))
    chosen = [p for p in args.pages.split(",") if p] or everything
    if "login" not in chosen:
        chosen.insert(0, "login")
    concurrency = [int(c) for c in args.clients.split(",")]
    os.environ["BENCH_PAGES_BUDGET"] = str(args.budget)
    if args.code:
        os.environ["PYTHONPATH"] = args.code
        sys.path.insert(0, args.code)
    if args.worker:
        url, n = args.worker
        import motcua

        print(f"  code: {Path(motcua.__file__).parent}", flush=True)
        result = worker(
            url, int(n), args.fresh, chosen, args.load_only, args.budget, args.derive_from
        )
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return
    url, bindir, data, started = start_cluster(
        "pages", "-c max_connections=200 -c client_connection_check_interval=5000", reuse=True
    )
    results: list[dict[str, Any]] = []
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            print(f"{n:,} dossiers", flush=True)
            cmd = [sys.executable, __file__, "--pages", ",".join(chosen), "--worker", url, str(n)]
            cmd += ["--fresh"] if args.fresh else []
            cmd += ["--load-only"] if args.load_only else []
            cmd += ["--budget", str(args.budget)]
            if args.derive_from and n > args.derive_from:
                cmd += ["--derive-from", str(args.derive_from)]
            cmd += ["--code", args.code] if args.code else []
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            ctx = None
            for line in out.stdout.splitlines():
                if line.startswith("RESULT "):
                    ctx = json.loads(line[7:])
                else:
                    print(line, flush=True)
            if out.returncode != 0 or ctx is None:
                print(out.stderr[-4000:])
                raise SystemExit(f"the {n:,} run failed")
            took = ctx.get("load_seconds") or ctx.get("migrate_seconds")
            print(f"  loaded/migrated: {took} s, {ctx['events']:,} events, "
                  f"{ctx['db_bytes'] / 2**30:.1f} GiB", flush=True)  # fmt: skip
            results.append(ctx)
            write_plans(ctx, Path(args.out).with_suffix(f".plans-{n}.txt"))
        if not args.load_only:
            measure_rounds(results, url, chosen, args, concurrency)
    finally:
        if started and not args.keep_server:
            stop_cluster(bindir, data)
    summary: dict[str, Any] = {
        "when": datetime.now(TZ).isoformat(timespec="seconds"),
        "code": args.code or str(ROOT),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True, cwd=ROOT).stdout.strip(),  # fmt: skip
        "runs": args.runs, "clients": concurrency, "results": results,
    }  # fmt: skip
    if not args.load_only:
        print(table(results, chosen, concurrency))
        if len(results) >= 2:
            summary["targets"] = targets(results, chosen, concurrency)
            for key, t in summary["targets"].items():
                growth = "met" if t["growth_met"] else "MISSED"
                login = "met" if t["vs_login_met"] else "MISSED"
                print(f"  {key}: x{t['growth']} {growth}; {t['vs_login']} x login {login}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()

"""Benchmark (not a test): dossier list pages per second through the API at 1 M dossiers,
against the same rows read with one raw SQL query per page, as a ratio in one run (issue 12,
"Done when"; target >= 0,25).

    .venv/bin/python bench/api/run.py [--size 1000000] [--pages 200] [--runs 3] [--limit 50]

The database is bench/pages's (var/bench/pages-pg, bench/common/cluster.py): the province of
92 communes with N dossiers, loaded by ``bench/pages/run.py --load-only`` (run it first if the
database is missing). This run migrates it (new migrations only add tables or nullable
columns), creates a machine client of the province (``dossiers:read``, clerk, the whole
province: every dossier is in scope, as for bench/pages's province leader), serves the app with
gunicorn (2 workers, 127.0.0.1, a free port, as a deployment does) and then, one client at a
time:

- **API**: ``GET /api/v1/dossiers?limit=50``, then each ``next`` cursor, ``--pages`` pages;
  the bearer token, scope, rate limit and call log of every call included;
- **raw SQL**: the same pages (the same columns, joins, unit scope and keyset order) read by
  psycopg with one hand-written statement each, in this process; and, as a second baseline,
  the statement without the joins (the dossier's own columns, codes as ids).

Each is walked ``--runs`` times; the best run of each gives pages per second, and the ratio
API / raw. The machine's load average is printed with the result (a shared machine: compare
runs made under the same load). Results: var/bench/api-results.json and stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common.cluster import BASE, start_cluster, stop_cluster  # noqa: E402
from bench.common.gunicorn import start_gunicorn  # noqa: E402

PROVINCE = "19"
CLIENT_ID = "bench-api"
SECRET = "bench-api-secret-not-for-production"  # noqa: S105


def db_name(n: int) -> str:
    return f"motcua_pages_{n}"  # bench/pages's databases


# -- the setup, in a child process with Django ------------------------------------------------


def setup() -> dict[str, Any]:
    """Migrate, create the client (once), and return the raw page statement and its scope."""
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    from django.db import connection

    from motcua.accounts.access import user_unit_ids
    from motcua.accounts.choices import Role
    from motcua.api.models import ApiClient
    from motcua.api.services import RATE_MAX, client_create
    from motcua.dossiers.models import Dossier

    client = ApiClient.objects.filter(client_id=CLIENT_ID).first()
    if client is None:
        client, _ = client_create(
            name="bench/api",
            scopes=["dossiers:read"],
            unit_codes=[PROVINCE],
            roles=["clerk"],
            rate_per_minute=RATE_MAX,
            client_id=CLIENT_ID,
            secret=SECRET,
        )
    scope = user_unit_ids(client.user, (Role.CLERK, Role.OFFICER, Role.LEADER))
    assert scope is not None
    q = connection.ops.quote_name
    tables = {
        "d": Dossier._meta.db_table,
        "v": Dossier._meta.get_field("procedure_version").related_model._meta.db_table,
        "a": Dossier._meta.get_field("receiving_agency").related_model._meta.db_table,
        "u": Dossier._meta.get_field("receiving_unit").related_model._meta.db_table,
    }
    procedure = "catalog_procedure"
    sql = (
        "SELECT d.id, d.code, d.version, d.status, d.channel, p.code, v.version, v.name,"
        " ra.code, ca.code, cu.code, ru.code, hu.code, d.applicant_kind, d.applicant_name,"
        " d.submitted_at, d.received_at, d.due_at, d.effective_due_at, d.reappointed_due_at,"
        " d.resolved_at, d.outcome, d.timeliness, d.returned_at, d.ended_at, d.last_event_at,"
        " d.last_event_seq"
        f" FROM {q(tables['d'])} d"
        f" JOIN {q(tables['v'])} v ON v.id = d.procedure_version_id"
        f" JOIN {q(procedure)} p ON p.id = v.procedure_id"
        f" JOIN {q(tables['a'])} ra ON ra.id = d.receiving_agency_id"
        f" LEFT JOIN {q(tables['a'])} ca ON ca.id = d.competent_agency_id"
        f" LEFT JOIN {q(tables['a'])} cu ON cu.id = d.current_agency_id"
        f" LEFT JOIN {q(tables['u'])} ru ON ru.id = d.receiving_unit_id"
        f" LEFT JOIN {q(tables['u'])} hu ON hu.id = d.handling_unit_id"
        " WHERE (d.receiving_unit_id = ANY(%(scope)s) OR d.handling_unit_id = ANY(%(scope)s))"
        " AND d.id > %(after)s ORDER BY d.id LIMIT %(limit)s"
    )
    # The same page without the joins: the dossier's columns and its foreign keys as ids
    # (what the API's page statement reads; it then reads the codes by three small queries).
    own = (
        "SELECT d.id, d.code, d.version, d.status, d.channel, d.procedure_version_id,"
        " d.receiving_agency_id, d.competent_agency_id, d.current_agency_id,"
        " d.receiving_unit_id, d.handling_unit_id, d.applicant_kind, d.applicant_name,"
        " d.submitted_at, d.received_at, d.due_at, d.effective_due_at, d.reappointed_due_at,"
        " d.resolved_at, d.outcome, d.timeliness, d.returned_at, d.ended_at, d.last_event_at,"
        " d.last_event_seq"
        f" FROM {q(tables['d'])} d"
        " WHERE (d.receiving_unit_id = ANY(%(scope)s) OR d.handling_unit_id = ANY(%(scope)s))"
        " AND d.id > %(after)s ORDER BY d.id LIMIT %(limit)s"
    )
    # The same rows as ``sql`` in one statement written to plan quickly: the page first (the
    # dossier table alone), then each code by key in a scalar subquery, so the planner never
    # weighs eight tables' join orders (what costs ``sql`` its ~100 ms of planning).
    v, a, u = q(tables["v"]), q(tables["a"]), q(tables["u"])
    fast = (
        f"WITH page AS MATERIALIZED ({own})"
        " SELECT d.id, d.code, d.version, d.status, d.channel,"
        f" (SELECT p.code FROM {v} v JOIN {q(procedure)} p ON p.id = v.procedure_id"
        "   WHERE v.id = d.procedure_version_id),"
        f" (SELECT v.version FROM {v} v WHERE v.id = d.procedure_version_id),"
        f" (SELECT v.name FROM {v} v WHERE v.id = d.procedure_version_id),"
        f" (SELECT a.code FROM {a} a WHERE a.id = d.receiving_agency_id),"
        f" (SELECT a.code FROM {a} a WHERE a.id = d.competent_agency_id),"
        f" (SELECT a.code FROM {a} a WHERE a.id = d.current_agency_id),"
        f" (SELECT u.code FROM {u} u WHERE u.id = d.receiving_unit_id),"
        f" (SELECT u.code FROM {u} u WHERE u.id = d.handling_unit_id),"
        " d.applicant_kind, d.applicant_name, d.submitted_at, d.received_at, d.due_at,"
        " d.effective_due_at, d.reappointed_due_at, d.resolved_at, d.outcome, d.timeliness,"
        " d.returned_at, d.ended_at, d.last_event_at, d.last_event_seq"
        " FROM page d ORDER BY d.id"
    )
    return {
        "sql": sql,
        "sql_own": own,
        "sql_fast": fast,
        "scope": sorted(scope),
        "dossiers": Dossier.objects.count(),
        "migrate_seconds": round(migrated, 1),
    }


# -- serving, the two walks -------------------------------------------------------------------


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    return start_gunicorn(
        env, log=BASE / "api-gunicorn.log", ready_path="/api/v1/openapi.json", cwd=ROOT
    )


def token(base: str) -> str:
    data = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    ).encode()
    with urllib.request.urlopen(base + "/api/v1/oauth/token", data=data, timeout=30) as r:  # noqa: S310
        return str(json.loads(r.read())["access_token"])


def walk_api(base: str, bearer: str, pages: int, limit: int) -> tuple[float, list[str]]:
    """Seconds for ``pages`` pages through the API, and the codes read."""
    codes: list[str] = []
    cursor = ""
    started = time.perf_counter()
    for _ in range(pages):
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        request = urllib.request.Request(
            f"{base}/api/v1/dossiers?{urllib.parse.urlencode(query)}",
            headers={"Authorization": f"Bearer {bearer}"},
        )
        with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
            body = json.loads(r.read())
        codes += [item["code"] for item in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    return time.perf_counter() - started, codes


def walk_raw(
    url: str, setup_result: dict[str, Any], pages: int, limit: int, key: str = "sql"
) -> tuple[float, list[str]]:
    """Seconds for the same pages read by one raw statement each (psycopg), and the codes."""
    import psycopg

    codes: list[str] = []
    with psycopg.connect(url) as conn:
        after = 0
        started = time.perf_counter()
        for _ in range(pages):
            rows = conn.execute(
                setup_result[key],
                {"scope": setup_result["scope"], "after": after, "limit": limit},
            ).fetchall()
            if not rows:
                break
            codes += [row[1] for row in rows]
            after = rows[-1][0]
        took = time.perf_counter() - started
    return took, codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--setup-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_child:
        json.dump(setup(), sys.stdout)
        return
    url, bindir, data, started = start_cluster("pages", reuse=True)
    proc = None
    try:
        env = dict(os.environ)
        env |= {
            "DATABASE_URL": url + db_name(args.size), "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "MOTCUA_DATA_DIR": str(BASE / "api-data"), "MOTCUA_DEBUG": "false",
        }  # fmt: skip
        child = subprocess.run(
            [sys.executable, __file__, "--setup-child"], env=env, cwd=ROOT,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            raise SystemExit(child.stderr[-3000:])
        prepared = json.loads(child.stdout)
        proc, base = serve(env)
        bearer = token(base)
        walk_api(base, bearer, 5, args.limit)  # warm both workers and the plans
        walk_raw(url + db_name(args.size), prepared, 5, args.limit)
        load_before = os.getloadavg()
        api_runs, raw_runs, own_runs, fast_runs = [], [], [], []
        for _ in range(args.runs):
            api_s, api_codes = walk_api(base, bearer, args.pages, args.limit)
            raw_s, raw_codes = walk_raw(url + db_name(args.size), prepared, args.pages, args.limit)
            if api_codes != raw_codes:
                raise SystemExit("the API and the raw statement read different rows")
            own_s, own_codes = walk_raw(
                url + db_name(args.size), prepared, args.pages, args.limit, "sql_own"
            )
            if own_codes != raw_codes:
                raise SystemExit("the two raw statements read different rows")
            fast_s, fast_codes = walk_raw(
                url + db_name(args.size), prepared, args.pages, args.limit, "sql_fast"
            )
            if fast_codes != raw_codes:
                raise SystemExit("the quickly planned statement read different rows")
            api_runs.append(api_s)
            raw_runs.append(raw_s)
            own_runs.append(own_s)
            fast_runs.append(fast_s)
        load_after = os.getloadavg()
        pages = len(api_codes) / args.limit
        api_pps = pages / min(api_runs)
        raw_pps = pages / min(raw_runs)
        result = {
            "size": args.size,
            "dossiers": prepared["dossiers"],
            "pages": pages,
            "limit": args.limit,
            "runs": args.runs,
            "api_pages_per_second": round(api_pps, 1),
            "raw_pages_per_second": round(raw_pps, 1),
            "ratio": round(api_pps / raw_pps, 3),
            # Against the same rows by a statement that plans quickly (page, then codes by key).
            "raw_fast_pages_per_second": round(pages / min(fast_runs), 1),
            "ratio_fast": round(api_pps / (pages / min(fast_runs)), 3),
            # Against the statement without joins (ids for codes): the cheapest raw read.
            "raw_own_columns_pages_per_second": round(pages / min(own_runs), 1),
            "ratio_own_columns": round(api_pps / (pages / min(own_runs)), 3),
            "api_ms_per_page": round(1000 / api_pps, 2),
            "raw_ms_per_page": round(1000 / raw_pps, 2),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "migrate_seconds": prepared["migrate_seconds"],
            "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        }
        (BASE / "api-results.json").write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if started:
            stop_cluster(bindir, data)


if __name__ == "__main__":
    main()

"""Benchmark (not a test): do dossier events need partitioning by month? (issue 17, item 5)

    .venv/bin/python bench/partition/run.py [--events 10000000,100000000] [--samples 200]
        [--schema-from motcua_pages_10000] [--keep]

The events table only, in a database of its own on the bench/pages cluster (var/bench/pages-pg,
started if it is not up): its definition is taken from a migrated bench/pages database
(``pg_dump --schema-only -t dossiers_dossierevent``, without the foreign keys: there are no
dossier rows here), so it has the indexes the code has at the time of the run. It is filled in
SQL with ``generate_series`` (no Python per row): three events a dossier (receipt, resolution,
return), moments spread over 04/01/2021–03/12/2026 in dossier order, hashes of 64 hex digits,
the legacy global-chain columns empty (new events no longer carry them), the writing
transaction's id set (as on every new event). Indexes are dropped
while filling and built after; the table grows from one size to the next.

At each size, the event table's hot queries, timed (median and p95 of ``--samples`` runs on
random dossiers) and with one ``EXPLAIN (ANALYZE, BUFFERS)`` plan kept:

- **timeline**: a dossier's events by dossier id, in order (the dossier page, the portal);
- **insert**: one event appended to a dossier, committed (every transition);
- **export chunk**: the events of 500 consecutive dossiers (``export_history`` prefetches
  them per chunk of 500 dossiers, oldest first);
- **verify chunk**: the next 2.000 events in (dossier, number) order from a random point
  (``audit verify`` walks each dossier's chain in chunks of that order);
Timed as ``SELECT count(*), max(hash) FROM (query)``: the server's work, not the client's
conversion of the rows.

- **month scan**: the events of one month by time, which no page runs today (there is no index
  on ``at``): what partitioning by month would serve.

Plus the table's and indexes' sizes and the time of a ``VACUUM`` of the whole table, the
maintenance cost that grows with the table. Results: var/bench/partition-results.json and
var/bench/partition-plans.txt. The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common.cluster import BASE, running_url, start_cluster  # noqa: E402
from bench.common.dossiers import plain_indexes, unique_constraints  # noqa: E402

NAME = "motcua_events_bench"
TABLE = "dossiers_dossierevent"
GENESIS = "0" * 64
FIRST, LAST = "2021-01-04 07:30+07", "2026-12-03 10:00+07"


def _hash(expr: str) -> str:
    return f"md5(({expr})::text) || md5(({expr})::text || 'h')"


def fill(cur: Any, lo: int, hi: int) -> None:
    """Events ``lo``..``hi`` (1-based), three a dossier, in time order over ``hi`` events."""
    cur.execute(
        "SELECT column_name, is_nullable = 'YES' FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [TABLE],
    )
    nullable = dict(cur.fetchall())
    columns = list(nullable)
    dossier, seq = "((g - 1) / 3 + 1)", "((g - 1) % 3 + 1)"
    at = (
        f"(timestamptz '{FIRST}' + (timestamptz '{LAST}' - timestamptz '{FIRST}') "
        f"* (g::float8 / {hi}) + (({seq} - 1) * interval '2 days'))"
    )
    expr = {
        "id": "g",
        "dossier_id": dossier,
        "seq": seq,
        # The legacy global chain: NULL where the schema lets new events leave it out.
        "chain_seq": "NULL" if nullable.get("chain_seq") else "g",
        "at": at,
        "recorded_at": at,
        "actor_id": "NULL",
        "actor_name": "'bench'",
        "action": f"(ARRAY['receive','approve','return_result'])[{seq}]",
        "from_status": f"(ARRAY['','in_processing','resolved'])[{seq}]",
        "to_status": f"(ARRAY['received','resolved','returned'])[{seq}]",
        "reason": "''",
        "data": "'{}'::jsonb",
        "prev_hash": f"CASE WHEN {seq} = 1 THEN '{GENESIS}' ELSE {_hash('g - 1')} END",
        # New events leave the legacy chain's link empty (its column is NOT NULL, default '').
        "chain_prev_hash": "NULL" if nullable.get("chain_prev_hash") else "''",
        "hash": _hash("g"),
        # The writing transaction's id (dossiers 0013): every new event has one, so the change
        # feed's partial index takes an entry per event. Rising, as transaction ids do.
        "xact": "g",
    }
    unknown = [c for c in columns if c not in expr]
    if unknown:
        raise SystemExit(f"columns this script does not know: {unknown}")
    cur.execute(
        f"INSERT INTO {TABLE} ({', '.join(columns)}) SELECT "
        f"{', '.join(expr[c] for c in columns)} FROM generate_series({lo}, {hi}) g"
    )


def timed(cur: Any, sql: str, params_list: list[Any], commit: Any = None) -> dict[str, float]:
    times = []
    for params in params_list:
        started = time.perf_counter()
        cur.execute(sql, params)
        if cur.description:
            cur.fetchall()
        if commit:
            commit()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 3),
    }


def plan(cur: Any, sql: str, params: Any) -> str:
    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join(r[0] for r in cur.fetchall())


def measure(
    conn: Any, n: int, samples: int, rng: random.Random
) -> tuple[dict[str, Any], dict[str, str]]:
    dossiers = n // 3
    out: dict[str, Any] = {"events": n}
    plans: dict[str, str] = {}
    with conn.cursor() as cur:
        queries: dict[str, tuple[str, list[Any]]] = {
            "timeline": (
                f"SELECT * FROM {TABLE} WHERE dossier_id = %s ORDER BY seq",
                [[rng.randrange(1, dossiers)] for _ in range(samples)],
            ),
            "export_chunk": (
                f"SELECT * FROM {TABLE} WHERE dossier_id = ANY(%s) ORDER BY dossier_id, seq",
                [
                    [list(range(start, start + 500))]
                    for start in (rng.randrange(1, dossiers - 500) for _ in range(samples // 4))
                ],
            ),
            "verify_chunk": (
                f"SELECT * FROM {TABLE} WHERE (dossier_id, seq) > (%s, %s) "
                "ORDER BY dossier_id, seq LIMIT 2000",
                [[rng.randrange(1, dossiers), 1] for _ in range(samples // 4)],
            ),
            "month_scan": (
                f"SELECT * FROM {TABLE} WHERE at >= %s AND at < %s",
                [["2024-03-01 00:00+07", "2024-04-01 00:00+07"]] * 3,
            ),
        }
        for name, (sql, params_list) in queries.items():
            # Timed on the server's side of the wire: the rows are counted, not shipped and
            # converted by the client (what partitioning could change is the server's work).
            counted = f"SELECT count(*), max(q.hash) FROM ({sql}) q"
            # warm once: the first run pays for reading cold pages, as after a restart
            cur.execute(counted, params_list[0])
            cur.fetchall()
            out[name] = timed(cur, counted, params_list)
            plans[name] = plan(cur, sql, params_list[-1])
            print(f"  {name}: {out[name]}", flush=True)
        conn.commit()
        # insert: one event appended to a random existing dossier (seq 4, 5, ...), committed
        targets = rng.sample(range(1, dossiers), samples)
        cur.execute(
            "SELECT is_nullable = 'NO' FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = 'chain_seq'",
            [TABLE],
        )
        legacy = bool((cur.fetchone() or [False])[0])  # the global chain still required
        # As the services write it: the legacy chain's link empty ('') unless still required.
        link = GENESIS if legacy else ""
        rows = [
            [d, f"{rng.getrandbits(256):064x}", link] + ([n + i + 1] if legacy else [])
            for i, d in enumerate(targets)
        ]
        insert = (
            f"INSERT INTO {TABLE} (dossier_id, seq, at, recorded_at, actor_name, action, "
            "from_status, to_status, reason, data, prev_hash, hash, chain_prev_hash"
            + (", chain_seq" if legacy else "")
            + ") VALUES (%s, 4, now(), now(), 'bench', 'note', 'returned', 'returned', '', "
            f"'{{}}', '{GENESIS}', %s, %s" + (", %s" if legacy else "") + ")"
        )
        out["insert"] = timed(cur, insert, rows, conn.commit)
        plans["insert"] = plan(
            cur,
            insert.replace("(%s, 4,", "(%s, 5,"),
            [targets[0], "f" * 64, link] + ([0] if legacy else []),
        )
        conn.rollback()
        print(f"  insert: {out['insert']}", flush=True)
        cur.execute(f"DELETE FROM {TABLE} WHERE seq = 4")
        conn.commit()
        cur.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "WHERE c.relname = %s OR c.oid IN (SELECT indexrelid FROM pg_index "
            "WHERE indrelid = %s::regclass)",
            [TABLE, TABLE],
        )
        out["sizes_mb"] = {name: round(size / 2**20) for name, size in cur.fetchall()}
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute(f"VACUUM {TABLE}")
        out["vacuum_s"] = round(time.perf_counter() - started, 1)
    conn.autocommit = False
    print(f"  sizes {out['sizes_mb']}, vacuum {out['vacuum_s']} s", flush=True)
    return out, plans


def main() -> None:
    import psycopg

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--events", default="10000000,100000000")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--schema-from", default="motcua_pages_10000")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    url = running_url("pages")
    if url is None:
        url, _, _, _ = start_cluster("pages")
    from conftest import postgres_bindir

    bindir = postgres_bindir()
    with psycopg.connect(url + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        admin.execute(f'CREATE DATABASE "{NAME}"')
    ddl = subprocess.run(
        [f"{bindir}/pg_dump", "--schema-only", "-t", TABLE, "-t", f"{TABLE}_id_seq",
         url + args.schema_from],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    # No dossier rows here: the foreign keys go (on the real table they are checked per insert).
    statements = []
    for chunk in ddl.split(";\n"):
        text = "\n".join(
            line for line in chunk.splitlines() if line and not line.startswith(("--", "\\"))
        ).strip()
        if text and "FOREIGN KEY" not in text:
            statements.append(text)
    results: dict[str, Any] = {"schema_from": args.schema_from, "sizes": []}
    all_plans: list[str] = []
    rng = random.Random(17)
    with psycopg.connect(url + NAME) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        cur.execute("SET search_path TO public")  # pg_dump's script empties it
        conn.commit()
        definitions = [d for _, d in plain_indexes(cur, TABLE)]
        results["indexes"] = definitions + [d for _, d in unique_constraints(cur, TABLE)]
        loaded = 0
        for n in [int(s) for s in args.events.split(",")]:
            print(f"{n:,} events", flush=True)
            started = time.perf_counter()
            for index, _ in plain_indexes(cur, TABLE):
                cur.execute(f'DROP INDEX "{index}"')
            uniques = unique_constraints(cur, TABLE)
            for constraint, _ in uniques:
                cur.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{constraint}"')
            conn.commit()
            step = 10_000_000
            for lo in range(loaded + 1, n + 1, step):
                fill(cur, lo, min(n, lo + step - 1))
                conn.commit()
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), {n})")
            filled = time.perf_counter() - started
            for constraint, definition in uniques:
                cur.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{constraint}" {definition}')
            for definition in definitions:
                cur.execute(definition)
            conn.commit()
            conn.autocommit = True
            cur.execute(f"ANALYZE {TABLE}")
            conn.autocommit = False
            loaded = n
            print(f"  filled in {filled:.0f} s, indexed in "
                  f"{time.perf_counter() - started - filled:.0f} s", flush=True)  # fmt: skip
            out, plans = measure(conn, n, args.samples, rng)
            out["fill_s"] = round(filled, 1)
            out["index_s"] = round(time.perf_counter() - started - filled, 1)
            results["sizes"].append(out)
            for name, text in plans.items():
                all_plans.append(f"== {n:,} events: {name}\n{text}\n")
            BASE.mkdir(parents=True, exist_ok=True)
            (BASE / "partition-results.json").write_text(json.dumps(results, indent=2))
            (BASE / "partition-plans.txt").write_text("\n".join(all_plans))
    if not args.keep:
        with psycopg.connect(url + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
    sizes = results["sizes"]
    if len(sizes) >= 2:
        first, last = sizes[0], sizes[-1]
        for name in ("timeline", "insert", "export_chunk", "verify_chunk", "month_scan"):
            ratio = last[name]["median_ms"] / max(first[name]["median_ms"], 1e-3)
            print(f"{name}: {first[name]['median_ms']} ms -> {last[name]['median_ms']} ms "
                  f"(x{ratio:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()

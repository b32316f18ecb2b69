"""Benchmark (not a test): the smoke test's mixed load against 1, then 2 web processes
(issue 15, "bench/load").

    .venv/bin/python bench/load/run.py [--seconds 60] [--warmup 10] [--users 16]
        [--web-workers 1] [--web-threads 4] [--fresh] [--json var/bench/load-results.json]

The stack of the smoke test (motcua/ops/tests/stack.py: nginx rendered from
deploy/nginx/motcua.conf with HTTPS, ``motcua serve`` processes, one ``motcua worker``,
PostgreSQL) on this machine, on a PostgreSQL cluster kept in var/bench/load-pg
(bench/common/cluster.py). The demo is loaded once into a template database (``--fresh``
reloads it); each run starts from a copy of it, so both runs see the same data.

Each run: ``--warmup`` seconds of load (not counted), then ``--seconds`` of the mixed load of
bench/load/mixed.py (citizens, clerks, officers, leaders in the smoke test's proportions,
``--users`` in all, no pause between pages) through nginx. Every ``motcua serve`` has the same
settings (``--web-workers`` gunicorn processes × ``--web-threads`` threads), so the second run
has twice the serving capacity of the first. Reported: requests per second, p95 per route,
the ratio of the two throughputs (target: at least 1,6), and the load average of the machine
before and after each run (a shared machine: other people's work shows there).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django  # noqa: E402

django.setup()

from bench.common.cluster import BASE, start_cluster, stop_cluster  # noqa: E402
from bench.load.mixed import Config, run_load  # noqa: E402
from motcua.ops.tests.stack import _admin, production_stack  # noqa: E402

TEMPLATE = "motcua_load_demo"


def split_users(total: int) -> dict[str, int]:
    """The smoke test's mix (4 citizens, 2 clerks, 3 officers, 2 leaders), scaled."""
    shares = {"citizens": 4, "clerks": 2, "officers": 3, "leaders": 2}
    scale = total / sum(shares.values())
    return {k: max(1, round(v * scale)) for k, v in shares.items()}


def one_run(server: str, web: int, args: argparse.Namespace) -> dict[str, Any]:
    folder = BASE / f"load-stack-{web}"
    shutil.rmtree(folder, ignore_errors=True)
    with production_stack(
        folder,
        server,
        web=web,
        workers=1,
        web_workers=args.web_workers,
        web_threads=args.web_threads,
        template=TEMPLATE,
    ) as stack:
        users = split_users(args.users)
        base: dict[str, Any] = {
            "cafile": str(stack.certificate),
            "timeout": 60.0,
            "think": 0.0,
            **users,
        }
        run_load(Config(stack.https_url, seconds=args.warmup, seed=1, **base))
        before = os.getloadavg()
        cpu = time.process_time()
        result = run_load(Config(stack.https_url, seconds=args.seconds, seed=2, **base))
        # The load generator's own CPU (all its threads): on a 2-core machine it competes
        # with the web processes for the same cores.
        client_cpu = time.process_time() - cpu
        after = os.getloadavg()
        summary = result.summary()
    summary["client_cpu_share"] = round(client_cpu / result.seconds / (os.cpu_count() or 1), 3)
    summary.pop("submissions")
    summary.pop("counter_codes")
    summary["failures"] = summary["failures"][:20]
    summary.update(web=web, users=users, loadavg_before=before, loadavg_after=after)
    return summary


def table(runs: list[dict[str, Any]]) -> str:
    routes = sorted(set().union(*(r["routes"] for r in runs)))
    out = ["| route | " + " | ".join(f"{r['web']} web: n / p95 ms" for r in runs) + " |"]
    out.append("|---|" + "---|" * len(runs))
    for route in routes:
        cells = []
        for run in runs:
            facts = run["routes"].get(route)
            if facts is None:
                cells.append("–")
                continue
            count = sum(facts["statuses"].values())
            cells.append(f"{count} / {facts['p95_ms']}")
        out.append(f"| {route} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=1)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--fresh", action="store_true", help="load the demo template again")
    parser.add_argument("--json", default=str(BASE / "load-results.json"))
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 0 < args.seconds <= 3600:
        parser.error("--users: 1 to 200; --seconds: up to 3600")
    url, bindir, data, started = start_cluster("load", extra="-c max_connections=200")
    try:
        if args.fresh:
            _admin(url, f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        runs = [one_run(url, web, args) for web in (1, 2)]
    finally:
        if started:
            stop_cluster(bindir, data)
    ratio = runs[1]["per_second"] / runs[0]["per_second"] if runs[0]["per_second"] else 0.0
    report = {
        "cpus": os.cpu_count(),
        "seconds": args.seconds,
        "web_workers": args.web_workers,
        "web_threads": args.web_threads,
        "ratio": round(ratio, 2),
        "runs": runs,
        "when": time.strftime("%d/%m/%Y %H:%M UTC", time.gmtime()),
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    for run in runs:
        print(
            f"{run['web']} web: {run['requests']} requests in {run['seconds']} s = "
            f"{run['per_second']}/s, 5xx {run['server_errors']}, no answer {run['no_answer']}, "
            f"load average {run['loadavg_before'][0]:.2f} -> {run['loadavg_after'][0]:.2f}, "
            f"load generator {100 * run['client_cpu_share']:.0f}% of the machine's CPU"
        )
    print(f"ratio 2/1: {ratio:.2f} (target >= 1.6)")
    print(table(runs))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()

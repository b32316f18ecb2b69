"""Every figure's drill-down at two sizes, in process: which lists grow with the volume.

A scan, not the target measurement (bench/pages/run.py is: gunicorn, concurrent clients,
medians of many requests). For each of the 21 figures and a few periods (the dashboard's own,
last month, last year, a quarter two years back), the province leader's list is read through
Django's test client on the databases bench/pages/run.py loaded, and its median time at the
larger size is divided by the smaller one's. A list over 1,5× is printed with its statements.

    .venv/bin/python bench/pages/run.py --sizes 10000,10000000 --load-only --keep-server
    .venv/bin/python bench/pages/figures.py --sizes 10000,10000000

Each size runs in its own process (Django is set up once per database). Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

LEADER = "bench.lanhdao.tinh"


def periods(today: date) -> list[str]:
    """The dashboard's period (none given), last month, last year, a quarter two years back."""
    last_month = today.replace(day=1) - timedelta(days=1)
    return [
        "",
        f"month:{last_month.year}-{last_month.month}",
        f"year:{today.year - 1}",
        f"quarter:{today.year - 2}-4",
    ]


def measure(url: str, db: str, runs: int) -> dict[str, list[float]]:
    """In a process set up on ``db``: {url: [median ms, statements]} for every list."""
    from bench.pages.run import _setup_django  # the bench's settings

    _setup_django(url, db)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from motcua.core.metrics import Bucket

    client = Client()
    client.force_login(get_user_model().objects.get(username=LEADER))
    found: dict[str, list[float]] = {}
    for period in periods(date.today()):
        for figure in Bucket:
            query = {"figure": figure.value, **({"period": period} if period else {})}
            page = "/bao-cao/ho-so/?" + urllib.parse.urlencode(query)
            assert client.get(page).status_code == 200, page  # the caches filled
            with CaptureQueriesContext(connection) as queries:
                client.get(page)
            statements = len(queries.captured_queries)  # the next request clears them
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                client.get(page)
                times.append((time.perf_counter() - start) * 1000)
            found[page] = [statistics.median(times), statements]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="10000,10000000")
    parser.add_argument("--runs", type=int, default=5, help="requests per list (a median)")
    parser.add_argument("--worker", nargs=2, metavar=("URL", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        url, db = args.worker
        print(json.dumps(measure(url, db, args.runs)))
        return
    from bench.common.cluster import running_url

    url = running_url("pages")
    if url is None:
        sys.exit("no bench cluster: bench/pages/run.py --load-only --keep-server first")
    small, large = (int(n) for n in args.sizes.split(","))
    results = []
    for n in (small, large):
        worker = [sys.executable, __file__, "--worker", url, f"motcua_pages_{n}"]
        out = subprocess.run(
            [*worker, "--runs", str(args.runs)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    over = 0
    for page, (ms_large, statements) in results[1].items():
        ms_small = results[0][page][0]
        ratio = ms_large / ms_small
        if ratio > 1.5:
            over += 1
            print(f"{ms_small:7.1f} → {ms_large:7.1f} ms  {ratio:4.2f}×  {statements:3d} q  {page}")
    print(f"{over} of {len(results[1])} lists over 1,5× ({small:,} → {large:,} dossiers)")


if __name__ == "__main__":
    main()

"""Concurrent writers in separate OS processes: gapless codes, and exactly one of two wins.

Why separate processes and a database of their own: the SQLite pass's test database is in
memory, which no other process can open, and threads in one process would share one SQLite
connection lock and prove nothing. So each test gets a throw-away database that real
processes share, prepared the way production is (``migrate``), with the project's own
settings: on SQLite a file in a temporary ``MOTCUA_DATA_DIR`` (WAL, IMMEDIATE transactions,
busy timeout, exactly as deployed); in the PostgreSQL pass a fresh database on the pass's
throw-away server (``MOTCUA_TEST_PG``), dropped afterwards. The workers are
``concurrency_worker.py``; they start their writes together (a ready/go file barrier).
The ``django_db(transaction=True)`` mark puts these tests in the PostgreSQL pass and keeps
the parent from holding a transaction open while the workers write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
PROCESSES = 4
RECEIPTS_EACH = 8
TIMEOUT = 120  # seconds, for any one worker


@pytest.fixture
def shared_db(tmp_path, process_databases):
    """Environment variables that point worker processes at one fresh, migrated database: a
    copy of one ``concurrency_worker setup`` prepared once per session (conftest.py
    ``ProcessDatabases``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "motcua.test_settings"
    env, _ = process_databases.fresh(
        "concurrency", env, tmp_path / "data", lambda setup_env: worker(setup_env, "setup")
    )
    yield env, tmp_path
    process_databases.drop(env)


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "motcua.dossiers.tests.concurrency_worker", *args]


def worker(env: dict, *args: str) -> dict:
    done = subprocess.run(
        _command(*args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def together(env: dict, tmp_path: Path, runs: list[list[str]]) -> list[dict]:
    """Start every run as its own process; release them at once; their JSON results."""
    go = tmp_path / f"go-{uuid.uuid4().hex}"
    ready = [tmp_path / f"ready-{uuid.uuid4().hex}" for _ in runs]
    processes = [
        subprocess.Popen(
            _command(*args, "--ready", str(flag), "--go", str(go)),
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args, flag in zip(runs, ready, strict=True)
    ]
    try:
        deadline = time.monotonic() + TIMEOUT
        while not all(flag.exists() for flag in ready):
            assert all(p.poll() is None for p in processes), [p.stderr.read() for p in processes]
            assert time.monotonic() < deadline, "workers did not start in time"
            time.sleep(0.01)
        go.write_text("go")
        results = []
        for process in processes:
            out, err = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 0, err
            results.append(json.loads(out))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


def test_it_numbers_concurrent_receipts_without_gaps_or_duplicates(shared_db):
    env, tmp_path = shared_db
    results = together(
        env, tmp_path, [["receive", "--count", str(RECEIPTS_EACH)] for _ in range(PROCESSES)]
    )
    codes = [code for result in results for code in result["codes"]]
    total = PROCESSES * RECEIPTS_EACH
    assert sorted(codes) == [f"000.00.58.H06-240102-{n:04d}" for n in range(1, total + 1)]
    # Each process saw its own numbers rise (a number is taken in the receipt's transaction).
    for result in results:
        assert result["codes"] == sorted(result["codes"])
    report = worker(env, "report")
    assert report["events"] == total
    assert report["audit"] == []


@pytest.mark.parametrize(
    "order",
    [("approve", "withdraw"), ("withdraw", "approve")],
    ids=["approve-first", "withdraw-first"],
)
def test_two_people_acting_at_once_exactly_one_wins(shared_db, order):
    env, tmp_path = shared_db
    (code,) = worker(env, "prepare", "--count", "1")["codes"]
    before = worker(env, "report")["dossiers"][code]
    assert before == {"status": "in_processing", "version": 2, "events": 2}
    results = together(env, tmp_path, [["act", code, action, "--version", "2"] for action in order])
    winners = [action for action, result in zip(order, results, strict=True) if result["ok"]]
    losers = [result for result in results if not result["ok"]]
    assert len(winners) == 1
    assert len(losers) == 1
    loser = losers[0]
    assert loser["error"] in ("StaleVersion", "TransitionRefused")
    if loser["error"] == "StaleVersion":
        assert loser["message"] == (
            f"version: hồ sơ {code} đã bị người khác thay đổi trong lúc đó; hãy tải lại và thử lại"
        )
    after = worker(env, "report")
    expected_status = {"approve": "resolved", "withdraw": "withdrawn"}[winners[0]]
    assert after["dossiers"][code] == {"status": expected_status, "version": 3, "events": 3}
    assert after["events"] == 3
    assert after["audit"] == []

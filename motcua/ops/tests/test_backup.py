"""``motcua backup`` / ``motcua restore`` round trips (issue 15 item 4), as an operator runs them:
separate processes, each pointed at its database and storage by the environment.

One chain, so the world is built and migrated once: a SQLite database with local files is
backed up, restored into an empty PostgreSQL database whose files go to S3-compatible object
storage (moto's server on 127.0.0.1, ``lib/tests/s3server.py``), backed up again from there
(pg_dump, files read from the bucket) and restored into a second PostgreSQL database with local
files. Each copy gives the same figures (dossiers by status and code, events, the city's 2024
report, the checks) and the same files (hashes). A non-empty target and an altered archive are
refused with nothing changed. Needs the PostgreSQL test cluster: the PostgreSQL pass only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest

from motcua.lib.tests.s3server import environment, keys, new_bucket
from motcua.lib.tests.s3server import s3_server as s3_server  # the fixture

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 300


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def figures(env: dict[str, str]) -> dict:
    return json.loads(run(env, "motcua.ops.tests.backup_world", "figures").stdout)


@pytest.fixture
def base_env(tmp_path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR") and not k.startswith("MOTCUA_S3_")
    }
    env["MOTCUA_LOG_LEVEL"] = "ERROR"
    env["MOTCUA_STORAGE"] = "local"
    return env


def new_database(server: str) -> str:
    name = f"motcua_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(server: str, name: str) -> int:
    with psycopg.connect(f"{server}{name}") as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_sqlite_to_postgresql_to_postgresql_with_the_same_figures_and_files(
    tmp_path, base_env, s3_server
):
    server = os.environ["MOTCUA_TEST_PG"]  # set by conftest.py in the PostgreSQL pass
    made: list[str] = []
    try:
        # 1. A SQLite database with local files, as a small city starts.
        sqlite_env = {**base_env, "MOTCUA_DATA_DIR": str(tmp_path / "sqlite")}
        original = json.loads(run(sqlite_env, "motcua.ops.tests.backup_world", "setup").stdout)
        assert original["problems"] == []
        assert len(original["files"]) == 6
        assert all(found == recorded for _name, found, recorded in original["files"])
        first = tmp_path / "from-sqlite.tar"
        run(sqlite_env, "motcua.cli", "backup", str(first), "--lang", "en")
        with tarfile.open(first) as archive:
            manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        assert manifest["engine"] == "sqlite"
        assert manifest["files"]["count"] == 6
        assert "dossiers.0001_initial" in manifest["schema"]

        # 2. Into an empty PostgreSQL database, its files into an S3 bucket.
        bucket = new_bucket(s3_server)
        made.append(new_database(server))
        pg_env = {
            **base_env,
            **environment(s3_server, bucket),
            "MOTCUA_DATA_DIR": str(tmp_path / "pg1"),
            "DATABASE_URL": server + made[0],
        }
        done = run(pg_env, "motcua.cli", "restore", str(first), "--lang", "en")
        assert "Every hash, the event chains and the ledger check out." in done.stdout
        assert figures(pg_env) == original
        assert len(keys(s3_server, bucket)) == 6

        # A database that is not empty is refused, and left as it was.
        again = run(pg_env, "motcua.cli", "restore", str(first), "--lang", "en", check=False)
        assert again.returncode == 2
        assert "is not empty" in again.stderr

        # 3. PostgreSQL (files read from the bucket) to PostgreSQL with local files.
        second = tmp_path / "from-postgresql.tar"
        run(pg_env, "motcua.cli", "backup", str(second), "--lang", "en")
        made.append(new_database(server))
        pg2_env = {
            **base_env,
            "MOTCUA_DATA_DIR": str(tmp_path / "pg2"),
            "DATABASE_URL": server + made[1],
        }
        run(pg2_env, "motcua.cli", "restore", str(second), "--lang", "en")
        assert figures(pg2_env) == original

        # The copy from SQLite reset its sequences: the next dossier, file and event are written.
        wrote = json.loads(run(pg_env, "motcua.ops.tests.backup_world", "write").stdout)
        assert wrote["code"].endswith("-240115-0001")

        # 4. An archive with one altered byte in a file is refused before anything is written.
        altered = tmp_path / "altered.tar"
        altered.write_bytes(second.read_bytes())
        with tarfile.open(second) as archive:
            member = next(m for m in archive.getmembers() if m.name.startswith("files/"))
        with altered.open("r+b") as stream:
            stream.seek(member.offset_data + 10)
            byte = stream.read(1)
            stream.seek(member.offset_data + 10)
            stream.write(bytes([byte[0] ^ 0xFF]))
        made.append(new_database(server))
        pg3_env = {**pg2_env, "MOTCUA_DATA_DIR": str(tmp_path / "pg3")}
        pg3_env["DATABASE_URL"] = server + made[2]
        refused = run(pg3_env, "motcua.cli", "restore", str(altered), "--lang", "en", check=False)
        assert refused.returncode == 2
        assert "does not match its hash" in refused.stderr
        assert tables(server, made[2]) == 0
        assert not (tmp_path / "pg3" / "media").exists() or not any(
            (tmp_path / "pg3" / "media").rglob("*.pdf")
        )
    finally:
        for name in made:
            drop_database(server, name)

"""Test harness: SQLite by default; a real PostgreSQL server with MOTCUA_TEST_DB=postgres.

The PostgreSQL pass creates a throw-away cluster from the machine's own binaries in a temporary
folder, runs it as the ``postgres`` system user when we are root (initdb refuses root), points
Django at it, and removes it afterwards (notes/dependencies-verified.md §4). In that pass only
tests that touch the database run: the pure ones already ran in the SQLite pass.

Browser tests drive the system Chromium (``/usr/bin/chromium``) through pytest-playwright
against pytest-django's ``live_server`` (notes/dependencies-verified.md §8). They run in the
SQLite pass only; without Chromium they are skipped, except under CI=true where that fails.

In the PostgreSQL pass only the database tests whose outcome can depend on the engine run (see
``SQLITE_ONLY``); slow fixture data is built once per session (``Snapshots``).
"""

from __future__ import annotations

import copy
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "client", "admin_client"}
# A test using one of these drives a real browser.
BROWSER_FIXTURES = {"page", "context", "browser", "log_in"}
CHROMIUM = "/usr/bin/chromium"

# The live server listens on 127.0.0.1, so "no request leaves 127.0.0.1" can be checked literally.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def postgres_wanted() -> bool:
    return os.environ.get("MOTCUA_TEST_DB", "sqlite") == "postgres"


def postgres_bindir() -> str | None:
    """The newest PostgreSQL (15 or later) server binaries on this machine, if any."""
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        version = initdb.split("/")[4]
        if version.isdigit() and int(version) >= 15:
            found.append((int(version), os.path.dirname(initdb)))
    return max(found)[1] if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def uses_browser(item: pytest.Item) -> bool:
    return bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())))


# The PostgreSQL pass runs the database tests whose outcome can depend on the engine: the write
# path (locking, concurrency, numbering, constraints, rollbacks), migrations, raw SQL, the
# queries behind selectors, figures, the ledger and the metrics, ordering and paging, search,
# the history import, the audit chain, rate limits and the jobs' "once" rules, NUL bytes in
# input (an error only PostgreSQL raises). The modules below test what SQLite already decides
# for both engines: pages and forms, the admin, command output, printouts, export formatting,
# the demo data, settings and sessions; so do the browser tests, wherever they are. Their
# database tests are deselected (not skipped) in the PostgreSQL pass, which says how many it
# left out. A module not listed runs in both passes: a new module is tested on both engines
# until it is listed here.
SQLITE_ONLY = frozenset(
    {
        "motcua/accounts/tests/test_admin_site_key.py",
        "motcua/api/tests/test_openapi.py",
        "motcua/api/tests/test_problems.py",
        "motcua/backoffice/tests/test_fees.py",
        "motcua/backoffice/tests/test_two_clocks_page.py",
        "motcua/backoffice/tests/test_views.py",
        "motcua/catalog/tests/test_admin.py",
        "motcua/catalog/tests/test_command.py",
        "motcua/catalog/tests/test_export.py",
        "motcua/clock/tests/test_command.py",
        "motcua/demo/tests/test_catalog.py",
        "motcua/demo/tests/test_live_year.py",
        "motcua/demo/tests/test_present.py",
        "motcua/directives/tests/test_demo.py",
        "motcua/directives/tests/test_export_and_command.py",
        "motcua/directives/tests/test_safe_export.py",
        "motcua/directives/tests/test_views.py",
        "motcua/documents/tests/test_printouts.py",
        "motcua/dossiers/tests/test_cli.py",
        "motcua/jobs/tests/test_base_url.py",
        "motcua/jobs/tests/test_notifications.py",
        "motcua/national/tests/test_demo.py",
        "motcua/lib/tests/test_limits.py",
        "motcua/lib/tests/test_phone_layout.py",
        "motcua/lib/tests/test_security_pages.py",
        "motcua/lib/tests/test_sessions.py",
        "motcua/portal/tests/test_views.py",
        "motcua/reports/tests/test_briefing.py",
        "motcua/reports/tests/test_dashboard_reports.py",
        "motcua/reports/tests/test_pdf.py",
        "motcua/steering/tests/test_admin.py",
        "motcua/steering/tests/test_command.py",
        "motcua/steering/tests/test_demo.py",
        "motcua/steering/tests/test_views.py",
        "motcua/units/tests/test_admin.py",
        "motcua/units/tests/test_command.py",
        "tests/test_admin_pages.py",
        "tests/test_admin_vietnamese.py",
        "tests/test_error_pages.py",
        "tests/test_language.py",
        "tests/test_security_headers.py",
    }
)


def uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(trylast=True)  # after pytest's own reordering of the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests run last. pytest would move them first (pytest-playwright parametrizes
    # them by a session-scoped browser name), and once Playwright starts, the tests' thread
    # has a running event loop until the end of the session (see the playwright fixture).
    # Under pytest-xdist the work goes out in this order too (pytest_xdist_make_scheduler).
    items[:] = [i for i in items if not uses_browser(i)] + [i for i in items if uses_browser(i)]
    if not postgres_wanted():
        # Tests marked postgres_only run in the PostgreSQL pass; deselected here, not skipped.
        only_pg = [item for item in items if item.get_closest_marker("postgres_only")]
        if only_pg:
            items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
            config.hook.pytest_deselected(items=only_pg)
        return
    keep, pure, sqlite_only = [], [], []
    for item in items:
        if not uses_database(item):
            pure.append(item)  # already ran in the SQLite pass
        # Browser tests are SQLite-only too: they load module-scoped data in a transaction
        # that the live server's thread can only see through SQLite's shared in-memory
        # connection, not through a PostgreSQL connection.
        elif uses_browser(item) or item.nodeid.split("::")[0] in SQLITE_ONLY:
            sqlite_only.append(item)
        else:
            keep.append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=pure + sqlite_only)
    modules = len({item.nodeid.split("::")[0] for item in sqlite_only})
    summary = (
        f"PostgreSQL pass: {len(keep)} database tests run; left out: {len(pure)} tests that "
        f"use no database and {len(sqlite_only)} SQLite-only database tests of {modules} "
        "modules (SQLITE_ONLY and the browser tests, conftest.py)"
    )
    # A moved or renamed module is tested on both engines again until its entry follows it.
    stale = sorted(path for path in SQLITE_ONLY if not (config.rootpath / path).exists())
    if stale:
        summary += f"; SQLITE_ONLY names missing files: {', '.join(stale)}"
    config.stash[_LEFT_OUT] = summary


_LEFT_OUT = pytest.StashKey[str]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker hands its summary line to the controller, which prints it.
    if _LEFT_OUT in session.config.stash and hasattr(session.config, "workeroutput"):
        session.config.workeroutput["left_out"] = session.config.stash[_LEFT_OUT]


def file_runs(nodeids: list[str]) -> dict[str, str]:
    """Each test's work unit under pytest-xdist: its file, and which run of that file's tests
    in the collection's order it is in (``path::2`` for the second)."""
    units, runs, last = {}, {}, None
    for nodeid in nodeids:
        path = nodeid.split("::", 1)[0]
        if path != last:
            runs[path] = runs.get(path, 0) + 1
            last = path
        units[nodeid] = f"{path}::{runs[path]}"
    return units


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` that keeps the collection's order.

    xdist's own hands out the biggest files first and a file as one unit. But the order
    matters: pytest-django runs the database tests before the transactional ones, whose
    teardown empties every table (the rows the migrations loaded too), and browser tests come
    last (see pytest_collection_modifyitems). So the files go out in the collection's order,
    and a file whose tests that order splits (a few transactional tests among database ones)
    goes out as one unit per run: each process then runs its tests in the collection's order.
    """
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class InCollectionOrder(LoadFileScheduling):  # type: ignore[misc]
        units: dict[str, str] = {}

        def schedule(self) -> None:
            if self.collection is None and self.registered_collections:
                self.units = file_runs(list(next(iter(self.registered_collections.values()))))
            self.config.option.loadscopereorder = False
            super().schedule()

        def _split_scope(self, nodeid: str) -> str:
            return self.units.get(nodeid) or super()._split_scope(nodeid)

    return InCollectionOrder(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist, in the controller: keep a worker's summary line (every worker's is the same)."""
    left_out = getattr(node, "workeroutput", {}).get("left_out")
    if left_out:
        node.config.stash[_LEFT_OUT] = left_out


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _LEFT_OUT in config.stash:
        terminalreporter.write_line(config.stash[_LEFT_OUT])


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker keeps its files (uploads, collected static files) in a
    data folder of its own: tests count and clean the media folder."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from django.conf import settings

    data = Path(settings.DATA_DIR) / worker
    data.mkdir(parents=True, exist_ok=True)
    os.environ["MOTCUA_DATA_DIR"] = str(data)
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "media"
    settings.STATIC_ROOT = data / "static"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[dict[str, Any]]:
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "PostgreSQL 15+ binaries are missing; scripts/dev.py installs them under CI"
            )
        pytest.skip("PostgreSQL 15+ server binaries not found: PostgreSQL tests skipped")
    base = tempfile.mkdtemp(prefix="motcua-pg-")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = os.path.join(base, "data")
    port = _free_port()
    _as_postgres(
        [
            f"{bindir}/initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    opts = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", f"{base}/log", "-w", "start"])
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "postgres", "bindir": bindir}
    finally:
        _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    """pytest-django hook: runs before the test database is created."""
    if not postgres_wanted():
        return
    from django.db import connections

    cluster = request.getfixturevalue("pg_cluster")
    # Django has already read the SQLite settings: replace them where the connection
    # handler keeps them, and drop any connection made with the old ones.
    connections.settings["default"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "HOST": cluster["host"],
        "PORT": str(cluster["port"]),
        "USER": cluster["user"],
        "PASSWORD": "",
        "NAME": "motcua",
        "OPTIONS": {},
        "CONN_MAX_AGE": 0,
    }
    del connections["default"]
    # Subprocesses started by tests (the CLI, concurrency tests) reach the same server.
    os.environ["MOTCUA_TEST_PG"] = f"postgresql://postgres@127.0.0.1:{cluster['port']}/"


# -- data built once per session ------------------------------------------------------------


class _Restore:
    """What one build changed in the test database, and what it returned."""

    def __init__(self, result: Any, tables: list[tuple[str, bool, list[Any]]]) -> None:
        self.result = copy.deepcopy(result)
        # (table, replace, rows): replace=True empties the table first (the build changed or
        # removed rows that were there), otherwise the rows are only added.
        self.tables = tables


class Snapshots:
    """Slow fixture data (the Bắc Kạn world, the 2024 scenario, the demo) built once per session.

    The first module that asks for a build runs it and keeps the rows it added to each table
    (a raw read of every table before and after). A later module asking for the same build on
    the same starting rows gets those rows inserted again inside its own transaction (plain
    INSERTs on SQLite, COPY on PostgreSQL), so each module still rolls its data back at its
    end, and the rows (ids included) are those the build made. The builder's return value is
    kept as well. "The same starting rows" is checked on the row count and highest primary key
    of every table; a module that changed rows without adding any must not use this.
    """

    def __init__(self) -> None:
        self._taken: dict[tuple[Any, ...], _Restore] = {}

    def load(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()``'s rows and result: built on the first call, restored on later ones."""
        from django.db import connection

        key = (name, connection.vendor, self._fingerprint())
        taken = self._taken.get(key)
        if taken is not None:
            self._restore(taken)
            self._settle()
            return copy.deepcopy(taken.result)
        before = self._read()
        result = build()
        self._settle()
        after = self._read()
        changed = []
        for table, rows in after.items():
            kept, now = set(before.get(table, [])), set(rows)
            if now == kept:  # compared as sets: PostgreSQL's COPY order is not fixed
                continue
            # sqlite_sequence is always put back whole (see _restore).
            if kept <= now and table != "sqlite_sequence":
                changed.append((table, False, [row for row in rows if row not in kept]))
            else:
                changed.append((table, True, rows))
        self._taken[key] = _Restore(result, changed)
        return result

    @staticmethod
    def _settle() -> None:
        """Checks the deferred foreign keys of the rows just written, once, in the module's
        transaction. Left pending, PostgreSQL checked them again at the end of every test of
        the module (Django's TestCase sets the constraints immediate before rolling back its
        savepoint, and the rollback forgets that they were checked): 0,7 to 2 s a test."""
        from django.db import connection

        if connection.vendor == "postgresql":
            connection.check_constraints()

    @staticmethod
    def _tables() -> list[str]:
        from django.db import connection

        with connection.cursor() as cursor:
            found = connection.introspection.get_table_list(cursor)
        from motcua.ops.backup import WRITTEN_BY_TRIGGERS

        # The tables triggers write are not restored as they were: the rows restored have the
        # triggers write them again (units.tree keeps a tree per token, and the same token
        # over other rows would hand out a stale tree; the tally would count twice).
        left_out = {"django_migrations"} | {m._meta.db_table for m in WRITTEN_BY_TRIGGERS}
        return sorted(t.name for t in found if t.type == "t" and t.name not in left_out)

    def _fingerprint(self) -> tuple[Any, ...]:
        from django.db import connection

        parts = []
        with connection.cursor() as cursor:
            for table in self._tables():
                pk = connection.introspection.get_primary_key_column(cursor, table)
                # As text: some keys are UUIDs, which PostgreSQL has no MAX for.
                top = f"MAX(CAST({connection.ops.quote_name(pk)} AS TEXT))" if pk else "0"
                cursor.execute(f"SELECT COUNT(*), {top} FROM {connection.ops.quote_name(table)}")
                parts.append((table, *cursor.fetchone()))
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
                parts.append(("sqlite_sequence", *cursor.fetchall()))
        return tuple(parts)

    def _read(self) -> dict[str, list[Any]]:
        """Every table's rows as the engine gives them back unchanged: tuples of raw SQLite
        values (a ``+column`` has no declared type, so no converter runs), lines of
        PostgreSQL's COPY text."""
        from django.db import connection

        connection.ensure_connection()
        raw = connection.connection.cursor()
        rows: dict[str, list[Any]] = {}
        for table in self._tables():
            if connection.vendor == "sqlite":
                raw.execute(f'PRAGMA table_info("{table}")')
                columns = ", ".join(f'+"{c[1]}"' for c in raw.fetchall())
                rows[table] = raw.execute(f'SELECT {columns} FROM "{table}"').fetchall()
            else:
                with raw.copy(f'COPY "{table}" TO STDOUT') as out:
                    data = b"".join(bytes(chunk) for chunk in out)
                rows[table] = data.split(b"\n")[:-1]
        if connection.vendor == "sqlite":
            rows["sqlite_sequence"] = raw.execute(
                "SELECT name, seq FROM sqlite_sequence"
            ).fetchall()
        return rows

    @staticmethod
    def _restore(taken: _Restore) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        # Foreign keys are DEFERRABLE INITIALLY DEFERRED on both engines: the order of the
        # tables does not matter inside the transaction.
        raw = connection.connection.cursor()
        for table, replace, rows in taken.tables:
            if table == "sqlite_sequence":
                continue
            if replace:
                raw.execute(f'DELETE FROM "{table}"')
            if not rows:
                continue
            if connection.vendor == "sqlite":
                marks = ", ".join("?" * len(rows[0]))
                raw.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
            else:
                with raw.copy(f'COPY "{table}" FROM STDIN') as into:
                    into.write(b"".join(row + b"\n" for row in rows))
        restored = {table for table, _, _ in taken.tables}
        if connection.vendor == "sqlite":
            # The next ids continue where the build left them, as after a real build.
            for table, _, rows in taken.tables:
                if table == "sqlite_sequence":
                    raw.execute("DELETE FROM sqlite_sequence")
                    raw.executemany("INSERT INTO sqlite_sequence VALUES (?, ?)", rows)
        else:
            # COPY with explicit ids leaves the sequences behind: move them past the rows.
            models = [
                m
                for m in apps.get_models(include_auto_created=True)
                if m._meta.db_table in restored
            ]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)


@pytest.fixture(scope="session")
def snapshots() -> Snapshots:
    """Build slow fixture data once per session: ``snapshots.load("name", build)`` inside a
    module fixture's transaction (see :class:`Snapshots`)."""
    return Snapshots()


class ProcessDatabases:
    """Fresh databases that separate processes share, prepared once per kind and copied.

    Tests of several processes at once (workers, concurrent writers) need a database on disk,
    migrated the way production is, with some rows. ``fresh(kind, env, folder, setup)``
    returns the environment pointing at a database of its own, in the state ``setup(env)``
    left its first one in, and what that call returned: on SQLite a copy of the template's
    data folder; on PostgreSQL ``CREATE DATABASE … TEMPLATE``. ``setup`` runs once per kind.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self._made: dict[str, Any] = {}
        self._databases: list[str] = []

    @staticmethod
    def _server() -> str | None:
        return os.environ.get("MOTCUA_TEST_PG") if postgres_wanted() else None

    def _admin(self, sql: str) -> None:
        import psycopg

        for attempt in range(50):
            try:
                with psycopg.connect(f"{self._server()}postgres", autocommit=True) as conn:
                    conn.execute(sql)
                return
            except psycopg.errors.ObjectInUse:
                # The setup process has closed its connection; its server process may not
                # have ended yet.
                if attempt == 49:
                    raise
                time.sleep(0.1)

    def _point(self, env: dict[str, str], name: str, folder: Path) -> dict[str, str]:
        env = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR")}
        server = self._server()
        if server:
            env["DATABASE_URL"] = server + name
        else:
            env["MOTCUA_DATA_DIR"] = str(folder)
        return env

    def fresh(
        self, kind: str, env: dict[str, str], folder: Path, setup: Callable[[dict[str, str]], Any]
    ) -> tuple[dict[str, str], Any]:
        """An environment for ``kind``'s processes on a new database (SQLite files in
        ``folder``), and ``setup``'s result."""
        server = self._server()
        template = f"motcua_template_{kind}"
        if kind not in self._made:
            made = self.base / kind / "data"
            made.mkdir(parents=True)
            if server:
                self._admin(f'CREATE DATABASE "{template}"')
                self._databases.append(template)
            self._made[kind] = copy.deepcopy(setup(self._point(env, template, made)))
        name = f"motcua_{kind}_{uuid.uuid4().hex[:8]}"
        if server:
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            self._databases.append(name)
        else:
            shutil.copytree(self.base / kind / "data", folder)
        return self._point(env, name, folder), copy.deepcopy(self._made[kind])

    def drop(self, env: dict[str, str]) -> None:
        """Drop the PostgreSQL database ``env`` points at (SQLite folders go with tmp_path)."""
        url = env.get("DATABASE_URL")
        if url and self._server():
            name = url.rsplit("/", 1)[1]
            self._admin(f'DROP DATABASE "{name}" WITH (FORCE)')
            self._databases.remove(name)

    def close(self) -> None:
        for name in reversed(self._databases):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def process_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessDatabases]:
    """Databases for tests of several processes (see :class:`ProcessDatabases`)."""
    made = ProcessDatabases(tmp_path_factory.mktemp("process-databases"))
    yield made
    if postgres_wanted() and os.environ.get("MOTCUA_TEST_PG"):
        made.close()


@pytest.fixture(scope="session")
def demo_load_once(snapshots: Snapshots) -> Callable[[], dict[str, int]]:
    """``demo_load_once()``: ``motcua.demo.services.demo_load()`` inside a module fixture's
    transaction, built once per session for each starting state and day (the live year ends
    today)."""

    def load() -> dict[str, int]:
        from django.utils import timezone

        from motcua.demo.services import demo_load

        counts: dict[str, int] = snapshots.load(f"demo_load {timezone.localdate()}", demo_load)
        return counts

    return load


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in English must not leak into the
    next test's command output (Django's LocaleMiddleware leaves the thread's language set)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# -- browser tests ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright(playwright: Any) -> Iterator[Any]:
    """pytest-playwright's Playwright, with Django's async safety check relaxed while it runs.

    Playwright's sync API keeps an event loop running in the tests' thread from its start to
    the end of the session, so Django would refuse every ORM call made by test code from then
    on (SynchronousOnlyOperation), browser test or not. The tests are synchronous code. The
    variable is set only while Playwright runs: ``motcua check --deploy`` reports it (async.E001)
    in subprocesses that inherit it.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield playwright
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright: launch the system Chromium, not a downloaded one (no CLI option
    exists for the executable, notes/dependencies-verified.md §8)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; scripts/dev.py installs it under CI")
        pytest.skip(f"{CHROMIUM} not found: browser tests skipped (apt-get install chromium)")
    # No background traffic from the browser itself: the tests check every request it makes.
    args = [
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium's sandbox refuses to start as root
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A browser set up like the people who use motcua: Vietnamese, in Vietnam time."""
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's live server, started once the test database exists (so that, on
    SQLite, it is handed the in-memory test connection rather than opening its own)."""
    return live_server


@pytest.fixture(autouse=True)
def _live_server_shares_the_test_connection(request: pytest.FixtureRequest) -> None:
    """On SQLite, the live server answers with the very connection the test uses.

    Module-scoped fixtures load their data inside a transaction that is never committed, and
    only that connection sees it: another connection to the shared in-memory database fails
    with "database table is locked". The server was handed the connection of the moment it
    started, but Playwright's sync API runs what follows in another context, where Django
    keeps other connection objects. Django's test server reads its ``connections_override``
    dict for each request, so pointing it at the test's connection is enough.
    """
    if "live_server" not in request.fixturenames:
        return
    from django.db import connections

    overrides = request.getfixturevalue("live_server").thread.connections_override
    current = connections["default"]
    if overrides.get("default") not in (None, current):
        # Left shareable: a request thread closes it after answering, possibly once the test
        # is over.
        current.inc_thread_sharing()
        overrides["default"] = current


def leaves_the_machine(url: str) -> bool:
    """Whether a browser request goes anywhere but the live server's 127.0.0.1."""
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname != "127.0.0.1"


@pytest.fixture
def context(context: Any) -> Iterator[Any]:
    """Every browser test's context: a request to anything but 127.0.0.1 fails the test
    (every asset is vendored; government networks are often closed to the internet)."""
    outside: list[str] = []

    def check(request: Any) -> None:
        if leaves_the_machine(request.url):
            outside.append(request.url)

    context.on("request", check)
    yield context
    assert not outside, f"requests left 127.0.0.1: {outside}"


@pytest.fixture
def log_in(live_server: Any) -> Callable[..., None]:
    """Sign a page in through the login form: ``log_in(page, username, password, next="/")``."""

    def sign_in(page: Any, username: str, password: str, next: str = "/") -> None:
        page.goto(f"{live_server.url}/dang-nhap/?next={quote(next)}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")

    return sign_in

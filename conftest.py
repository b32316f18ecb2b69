"""Test harness: SQLite by default; a real PostgreSQL server with MOTCUA_TEST_DB=postgres.

The PostgreSQL pass creates a throw-away cluster from the machine's own binaries in a temporary
folder, runs it as the ``postgres`` system user when we are root (initdb refuses root), points
Django at it, and removes it afterwards (notes/dependencies-verified.md §4). In that pass only
tests that touch the database run: the pure ones already ran in the SQLite pass.

Browser tests drive the system Chromium (``/usr/bin/chromium``) through pytest-playwright
against pytest-django's ``live_server`` (notes/dependencies-verified.md §8). They run in the
SQLite pass only; without Chromium they are skipped, except under CI=true where that fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
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


@pytest.hookimpl(trylast=True)  # after pytest's own reordering of the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests run last. pytest would move them first (pytest-playwright parametrizes
    # them by a session-scoped browser name), and once Playwright starts, the tests' thread
    # has a running event loop until the end of the session (see the playwright fixture).
    items[:] = [i for i in items if not uses_browser(i)] + [i for i in items if uses_browser(i)]
    if not postgres_wanted():
        # Tests marked postgres_only run in the PostgreSQL pass; deselected here, not skipped.
        only_pg = [item for item in items if item.get_closest_marker("postgres_only")]
        if only_pg:
            items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]
            config.hook.pytest_deselected(items=only_pg)
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        # Browser tests already ran in the SQLite pass. They are left out here because they
        # load module-scoped data in a transaction that the live server's thread can only see
        # through SQLite's shared in-memory connection, not through a PostgreSQL connection.
        if uses_browser(item):
            uses_db = False
        (keep if uses_db else drop).append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


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

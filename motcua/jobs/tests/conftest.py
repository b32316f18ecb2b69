"""Fixtures of the jobs tests: a real SMTP server, the digest world, and a database that
worker processes share (the pattern of ``dossiers/tests/test_concurrency.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from motcua.jobs.tests.digest_world import DigestWorld, build_digest_world
from motcua.jobs.tests.smtp import Inbox

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 120  # seconds, for any one process


@pytest.fixture
def inbox():
    server = Inbox().start()
    yield server
    if server.controller._thread is not None:  # not stopped by the test
        server.stop()


@pytest.fixture
def smtp(inbox, settings):
    """Django's e-mail pointed at the test SMTP server (the test runner's default is locmem)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "motcua@backan.example"
    return inbox


@pytest.fixture
def digest(db) -> DigestWorld:
    return build_digest_world()


# -- worker processes -----------------------------------------------------------------------


def run_process(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
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


def world_process(env: dict[str, str], *args: str) -> dict:
    done = run_process(env, "motcua.jobs.tests.world_process", *args)
    return json.loads(done.stdout)


@pytest.fixture
def shared_db(tmp_path, inbox, process_databases):
    """Environment variables that point worker processes at one fresh, migrated database
    holding the digest world, and at the test SMTP server. The database is a copy of one set
    up once per session by ``world_process setup`` (conftest.py ``ProcessDatabases``)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR") and not k.startswith("MOTCUA_EMAIL_")
    }
    # The settings the tests run with (so a settings module of the run applies to workers too).
    env["DJANGO_SETTINGS_MODULE"] = django_settings.SETTINGS_MODULE or "motcua.test_settings"
    env["MOTCUA_EMAIL_HOST"] = "127.0.0.1"
    env["MOTCUA_EMAIL_PORT"] = str(inbox.port)
    env["MOTCUA_EMAIL_FROM"] = "motcua@backan.example"
    env["MOTCUA_EMAIL_TIMEOUT"] = "10"
    env["MOTCUA_LOG_LEVEL"] = "ERROR"
    env, codes = process_databases.fresh(
        "jobs", env, tmp_path / "data", lambda setup_env: world_process(setup_env, "setup")
    )
    yield env, codes
    process_databases.drop(env)

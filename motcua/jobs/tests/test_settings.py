"""E-mail and schedule settings come from MOTCUA_* variables (secrets also from files), with
defaults for empty ones, and bad values stop the start naming the variable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from motcua.jobs.tests.conftest import ROOT

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
    "for k in ['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', "
    "'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'EMAIL_TIMEOUT', "
    "'DEFAULT_FROM_EMAIL', 'MOTCUA_BASE_URL', 'MOTCUA_JOBS', 'TASKS']}))"
)


def run_motcua(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update({"MOTCUA_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "motcua", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
    )


def shown(tmp_path, **env: str) -> dict:
    result = run_motcua(tmp_path, "shell", "--no-imports", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_host_e_mail_is_printed_on_the_console(tmp_path):
    values = shown(tmp_path)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["MOTCUA_JOBS"] == {
        "DIGEST_TIME": "16:30",
        "REMINDER_TIME": "08:00",
        "SNAPSHOT_TIME": "17:30",
        "TICK_SECONDS": 30,
        "RETRY_MINUTES": 10,
        "COMPACT_SECONDS": 300,
    }
    assert values["TASKS"] == {
        "default": {
            "BACKEND": "motcua.jobs.backend.RequestIdDatabaseBackend",
            "QUEUES": ["default"],
        }
    }
    # The variables as .env.example lists them, empty ones included, change nothing.
    empty = {
        "MOTCUA_EMAIL_HOST": "",
        "MOTCUA_EMAIL_BACKEND": "",
        "MOTCUA_EMAIL_FROM": "",
        "MOTCUA_BASE_URL": "",
        "MOTCUA_DIGEST_TIME": "",
    }
    assert shown(tmp_path, **empty) == values


def test_smtp_settings_and_a_password_from_a_file(tmp_path):
    secret = tmp_path / "smtp_password"
    secret.write_text("mật-khẩu\n", encoding="utf-8")
    values = shown(
        tmp_path,
        MOTCUA_EMAIL_HOST="smtp.backan.gov.vn",
        MOTCUA_EMAIL_PORT="587",
        MOTCUA_EMAIL_HOST_USER="motcua",
        MOTCUA_EMAIL_HOST_PASSWORD_FILE=str(secret),
        MOTCUA_EMAIL_USE_TLS="true",
        MOTCUA_EMAIL_TIMEOUT="15",
        MOTCUA_EMAIL_FROM="motcua@backan.gov.vn",
        MOTCUA_BASE_URL="https://motcua.backan.gov.vn/",
        MOTCUA_DIGEST_TIME="17:00",
        MOTCUA_SCHEDULER_SECONDS="60",
    )
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.backan.gov.vn", 587)
    assert (values["EMAIL_HOST_USER"], values["EMAIL_HOST_PASSWORD"]) == ("motcua", "mật-khẩu")
    assert (values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"], values["EMAIL_TIMEOUT"]) == (
        True,
        False,
        15,
    )
    assert values["DEFAULT_FROM_EMAIL"] == "motcua@backan.gov.vn"
    assert values["MOTCUA_BASE_URL"] == "https://motcua.backan.gov.vn"
    assert (values["MOTCUA_JOBS"]["DIGEST_TIME"], values["MOTCUA_JOBS"]["TICK_SECONDS"]) == (
        "17:00",
        60,
    )


def test_bad_values_stop_the_start_naming_the_variable(tmp_path):
    both = run_motcua(tmp_path, "check", MOTCUA_EMAIL_USE_TLS="true", MOTCUA_EMAIL_USE_SSL="1")
    assert both.returncode != 0
    assert "MOTCUA_EMAIL_USE_TLS and MOTCUA_EMAIL_USE_SSL: choose one" in both.stderr
    port = run_motcua(tmp_path, "check", MOTCUA_EMAIL_PORT="smtp")
    assert "MOTCUA_EMAIL_PORT='smtp': expected a whole number" in port.stderr
    schedule = run_motcua(tmp_path, "check", MOTCUA_DIGEST_TIME="4h30", MOTCUA_BASE_URL="motcua")
    assert schedule.returncode != 0
    assert (
        "(motcua.jobs.E001) MOTCUA_JOBS[\"DIGEST_TIME\"]='4h30': expected a local time of day, "
        "HH:MM (e.g. 16:30)" in schedule.stderr
    )
    assert "(motcua.jobs.E002) MOTCUA_BASE_URL='motcua'" in schedule.stderr
    worker = run_motcua(tmp_path, "worker", "--once", MOTCUA_REMINDER_TIME="8 giờ")
    assert worker.returncode != 0
    assert "MOTCUA_JOBS[\"REMINDER_TIME\"]='8 giờ'" in worker.stderr

"""Production settings refuse unsafe start-up and pass `motcua check --deploy` cleanly."""

import os
import subprocess
import sys

import pytest

SECRET = "k" * 20 + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a"


def run_motcua(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set around browser tests only
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "motcua", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def strict_deploy_check(**env):
    """``check --deploy`` failing on warnings, in production at the public address."""
    return run_motcua(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MOTCUA_ENV="production",
        MOTCUA_ALLOWED_HOSTS="motcua.backan.gov.vn",
        MOTCUA_BASE_URL="https://motcua.backan.gov.vn/",
        **env,
    )


def refusal(*args, **env) -> str:
    """What ``motcua check`` says on stderr when it must refuse to start."""
    result = run_motcua("check", *args, **env)
    assert result.returncode != 0
    return result.stderr


def run_python(code: str, data_dir: str):
    """``code`` run by a fresh interpreter with the normal settings and only this data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["MOTCUA_DATA_DIR"] = data_dir
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path)


def test_it_passes_the_deploy_check_in_production(data_dir):
    result = strict_deploy_check(MOTCUA_SECRET_KEY=SECRET, MOTCUA_DATA_DIR=data_dir)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_requires_the_public_address_in_production(data_dir):
    """QR codes and e-mail links are built from MOTCUA_BASE_URL: production must set it."""
    production = {
        "MOTCUA_ENV": "production",
        "MOTCUA_SECRET_KEY": SECRET,
        "MOTCUA_ALLOWED_HOSTS": "motcua.backan.gov.vn",
        "MOTCUA_DATA_DIR": data_dir,
    }
    assert "(motcua.jobs.E003) MOTCUA_BASE_URL is not set" in refusal("--deploy", **production)
    bad = refusal("--deploy", MOTCUA_BASE_URL="dichvucong.example.vn", **production)
    assert "(motcua.jobs.E002) MOTCUA_BASE_URL='dichvucong.example.vn'" in bad


def test_it_refuses_to_start_in_production_without_a_secret_key(data_dir):
    said = refusal(
        MOTCUA_ENV="production",
        MOTCUA_ALLOWED_HOSTS="motcua.backan.gov.vn",
        MOTCUA_DATA_DIR=data_dir,
    )
    assert "MOTCUA_SECRET_KEY must be set" in said


def test_it_refuses_a_short_secret_key(data_dir):
    said = refusal(
        MOTCUA_ENV="production",
        MOTCUA_SECRET_KEY="short",
        MOTCUA_ALLOWED_HOSTS="x.gov.vn",
        MOTCUA_DATA_DIR=data_dir,
    )
    assert "at least 50 characters" in said


def test_it_refuses_a_malformed_boolean(data_dir):
    said = refusal(MOTCUA_DEBUG="maybe", MOTCUA_DATA_DIR=data_dir)
    assert "MOTCUA_DEBUG='maybe': use true or false" in said


def test_it_reads_a_secret_from_a_file(tmp_path, data_dir):
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    result = strict_deploy_check(MOTCUA_SECRET_KEY_FILE=str(secret_file), MOTCUA_DATA_DIR=data_dir)
    assert result.returncode == 0, result.stderr


def test_it_uses_sqlite_in_wal_mode_with_foreign_keys_by_default(data_dir):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='motcua.settings'; django.setup();"
        "from django.db import connection; c=connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA foreign_keys').fetchone()[0])"
    )
    result = run_python(code, data_dir)
    assert result.stdout.split() == ["wal", "1"], result.stderr


def test_it_hashes_passwords_with_argon2_outside_tests(data_dir):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='motcua.settings'; django.setup();"
        "from django.contrib.auth.hashers import make_password; print(make_password('x')[:9])"
    )
    result = run_python(code, data_dir)
    assert result.stdout.strip() == "argon2$ar", result.stderr


def test_dev_run_makes_the_address_it_serves_the_public_address():
    """`python3 scripts/dev.py run 0.0.0.0:8080` puts http://0.0.0.0:8080/ in QR codes and
    e-mails, unless MOTCUA_BASE_URL is set."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "dev.py"
    spec = importlib.util.spec_from_file_location("motcua_dev_script", path)
    assert spec is not None
    assert spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    assert dev.base_url_for("0.0.0.0:8080", {}) == "http://0.0.0.0:8080/"
    assert dev.base_url_for("127.0.0.1:8000", {}) == "http://127.0.0.1:8000/"
    configured = {"MOTCUA_BASE_URL": "https://dichvucong.example.vn/"}
    assert dev.base_url_for("0.0.0.0:8080", configured) == "https://dichvucong.example.vn/"


def test_the_pay_online_form_may_end_at_a_configured_gateway(data_dir):
    # The tracking page's form posts to motcua, which redirects to the gateway's page: the
    # browser follows only if CSP form-action names the gateway's origin.
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='motcua.settings';"
        "os.environ.update(MOTCUA_VNPAY_TMN_CODE='MOTCUA01', MOTCUA_VNPAY_SECRET='s3cret',"
        " MOTCUA_VNPAY_BASE_URL='https://sandbox.vnpayment.vn/paymentv2');"
        "from django.conf import settings;"
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = run_python(code, data_dir)
    assert "'https://sandbox.vnpayment.vn'" in result.stdout, result.stderr
    unset = run_python(code.replace("MOTCUA_VNPAY_SECRET='s3cret'", "MOTCUA_X=''"), data_dir)
    assert "vnpayment" not in unset.stdout, unset.stderr

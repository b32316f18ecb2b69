#!/usr/bin/env python3
"""The two commands of the README, and the set-up they need, for a fresh machine.

    python3 scripts/dev.py run    # venv, install, SQLite database, Bắc Kạn demo data, serve
    python3 scripts/dev.py test   # dev tools, checks, the whole suite (SQLite + PostgreSQL)

Only the Python standard library is used here: this runs before anything is installed.
Under CI=true nothing may be skipped, so system packages the tests need (PostgreSQL server
binaries, Chromium for the browser tests) are installed with apt-get when missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
CI = os.environ.get("CI") == "true"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def ensure_venv(extras: str = "") -> None:
    """Create .venv and install motcua into it; reinstall only when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this script runs before any check of the version)
        sys.exit(f"motcua needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        say(f"creating the virtual environment in {VENV}")
        venv.create(VENV, with_pip=True)
    spec = f".[{extras}]" if extras else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / ".motcua-installed"
    if stamp.exists() and digest in stamp.read_text().split():
        return
    say(f"installing motcua{f' with {extras} tools' if extras else ''} (pip install -e '{spec}')")
    run(
        BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec
    )
    stamp.write_text(digest + "\n" + (stamp.read_text() if stamp.exists() else ""))


def motcua_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def base_url_for(address: str, environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The public address QR codes on printed forms and links in e-mails point to: the
    address served here, unless MOTCUA_BASE_URL says otherwise (e.g. the name phones on the
    network reach this machine by)."""
    return environ.get("MOTCUA_BASE_URL") or f"http://{address}/"


def demo_signers(env: dict[str, str]) -> dict[str, str]:
    """The demo's signers (the digitiser's and the official's) from a development CA in
    var/dev-ca, made on first run, unless MOTCUA_SIGNERS_JSON names real ones. Their
    certificates say THỬ NGHIỆM: such signatures have no legal value (docs/signatures.md)."""
    if env.get("MOTCUA_SIGNERS_JSON"):
        return {}
    ca = ROOT / "var" / "dev-ca"
    if not (ca / "root.pem").exists():
        say("making a development CA for the demo's signatures (var/dev-ca, THỬ NGHIỆM)")
        run(BIN / "motcua", "documents", "dev-ca", ca, "--force", env=env)
    signers = {
        name: {
            "backend": "pkcs12",
            "path": str(ca / f"{name}.p12"),
            "passphrase_file": str(ca / f"{name}.passphrase"),
        }
        for name in ("digitiser", "official")
    }
    return {
        "MOTCUA_SIGNERS_JSON": json.dumps(signers),
        "MOTCUA_SIGNING_TRUST_ROOTS": str(ca / "root.pem"),
        "MOTCUA_SIGNING_DEFAULT": env.get("MOTCUA_SIGNING_DEFAULT") or "official",
        "MOTCUA_RESULT_SIGNER": env.get("MOTCUA_RESULT_SIGNER") or "official",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], name: str) -> None:
    for _attempt in range(100):
        if process.poll() is not None:
            sys.exit(f"{name} stopped as it started (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{name} did not answer at {url}")


def demo_standins(
    env: dict[str, str], base_url: str
) -> tuple[dict[str, str], list[subprocess.Popen[bytes]], list[str]]:
    """The outside services the demo cannot reach, as the tests' stand-ins on 127.0.0.1: a
    VNeID-like sign-in (motcua.citizens.testprovider), the payment gateways' sandbox
    (motcua.onlinepay.sandbox: VNPay and the national platform, paying at once) and the SMS
    and Zalo gateway (motcua.notify.gateway). Only for what the environment does not set
    already, and not with MOTCUA_DEMO_STANDINS=0. Returns the settings, the processes (stopped
    with the server) and lines telling the user where to look."""
    if env.get("MOTCUA_DEMO_STANDINS", "1") == "0":
        return {}, [], []
    python = str(BIN / "python")
    settings: dict[str, str] = {}
    processes: list[subprocess.Popen[bytes]] = []
    notes: list[str] = []

    def start(module: str, name: str, health: str, *options: str) -> str:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = [python, "-m", module, "--port", str(port), *options]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        processes.append(process)
        _wait_for(url + health, process, name)
        return url

    if not env.get("MOTCUA_OIDC_ISSUER"):
        url = start(
            "motcua.citizens.testprovider", "the test identity provider", "/_control/health"
        )
        settings |= {
            "MOTCUA_OIDC_ISSUER": url,
            "MOTCUA_OIDC_CLIENT_ID": "motcua",
            "MOTCUA_OIDC_CLIENT_SECRET": "motcua-test-secret",
        }
        notes.append(
            "Đăng nhập bằng VNeID (thử nghiệm) on the portal signs in at once as Nguyễn Văn An "
            f"(006090001234); {url}/_control/mode switches the citizen or a failure"
        )
    if not env.get("MOTCUA_VNPAY_TMN_CODE") and not env.get("MOTCUA_PAYGOV_URL"):
        url = start("motcua.onlinepay.sandbox", "the payment sandbox", "/_sandbox/health")
        callbacks = {
            "vnpay_ipn_url": base_url + "thanh-toan/vnpay/ipn/",
            "paygov_callback_url": base_url + "thanh-toan/nen-tang-quoc-gia/callback/",
            "paygov_return_url": base_url + "thanh-toan/ket-qua/national/",
        }
        request = urllib.request.Request(
            url + "/_sandbox/config",
            data=json.dumps(callbacks).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5):
            pass
        settings |= {
            "MOTCUA_VNPAY_TMN_CODE": "MOTCUA01",
            "MOTCUA_VNPAY_SECRET": "sandbox-vnpay-secret",
            "MOTCUA_VNPAY_BASE_URL": url,
            "MOTCUA_PAYGOV_URL": url + "/paygov/api",
            "MOTCUA_PAYGOV_PARTNER_CODE": "MOTCUA",
            "MOTCUA_PAYGOV_SECRET": "sandbox-paygov-secret",
            "MOTCUA_PAYGOV_TOKEN": "sandbox-token",
        }
        notes.append(
            f"online payment goes to the sandbox {url} (pays at once; "
            f"{url}/_sandbox/statement?provider=vnpay is the day's statement)"
        )
    if not env.get("MOTCUA_SMS_URL") and not env.get("MOTCUA_ZALO_URL"):
        url = start("motcua.notify.gateway", "the SMS and Zalo gateway", "/_gw/health")
        settings |= {
            "MOTCUA_SMS_URL": url + "/sms/send",
            "MOTCUA_SMS_API_KEY": "sms-test-key",
            "MOTCUA_SMS_BRANDNAME": "UBND-THNGUYEN",
            "MOTCUA_ZALO_URL": url + "/zalo/message/template",
            "MOTCUA_ZALO_ACCESS_TOKEN": "zalo-test-token",
            "MOTCUA_ZALO_APP_ID": "zalo-test-app",
            "MOTCUA_ZALO_OA_SECRET": "zalo-test-secret",
            "MOTCUA_ZALO_TEMPLATES": "receipt=301,supplement=302,result=303,apology=304",
        }
        notes.append(f"SMS and Zalo messages sent: {url}/_gw/messages")
    return settings, processes, notes


def cmd_run(args: list[str]) -> None:
    ensure_venv()
    address = args[0] if args else "127.0.0.1:8000"
    base_url = base_url_for(address)
    env = motcua_env(MOTCUA_BASE_URL=base_url)
    say("creating or updating the SQLite database")
    run(BIN / "motcua", "migrate", "--no-input", "-v", "0", env=env)
    env.update(demo_signers(env))
    say("loading the Bắc Kạn demo data (units, catalogue, users, 2024 dossiers)")
    run(BIN / "motcua", "demo", "load", env=env)
    run(BIN / "motcua", "demo", "accounts", "--url", base_url, env=env)
    say("starting the stand-ins of VNeID, the payment gateways and the SMS/Zalo gateway")
    standins, processes, notes = demo_standins(env, base_url)
    env.update(standins)
    # The worker digitises scans, sends messages and runs the daily jobs; it stops with us.
    say("starting the background worker (motcua worker)")
    processes.append(subprocess.Popen([str(BIN / "motcua"), "worker"], cwd=ROOT, env=env))
    try:
        for note in notes:
            say(note)
        say(f"serving on http://{address}/ (links and QR codes: {base_url}; Ctrl+C stops)")
        run(BIN / "motcua", "runserver", address, env=env, check=False)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


# The browser the Playwright tests drive (the system's, not one Playwright downloads).
CHROMIUM = Path("/usr/bin/chromium")


def postgres_available() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def tesseract_has_vietnamese() -> bool:
    """Whether `tesseract --list-langs` names `vie` (Debian: tesseract-ocr-vie)."""
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "vie" in listed.stdout.split()


def ensure_system_packages() -> None:
    """Under CI neither the PostgreSQL pass, the browser tests, the PDF checks nor the
    spreadsheet checks may be skipped: install the PostgreSQL server, Chromium, poppler's
    pdftotext and LibreOffice Calc (headless, about 16 s) if missing."""
    missing = []
    if not postgres_available():
        missing.append(("postgresql", "PostgreSQL server binaries", "the PostgreSQL pass"))
    if not CHROMIUM.exists():
        missing.append(("chromium", f"Chromium ({CHROMIUM})", "the browser tests"))
    if shutil.which("pdftotext") is None:
        missing.append(("poppler-utils", "pdftotext", "the PDF layout checks"))
    if shutil.which("soffice") is None:
        # tests/test_safe_exports.py opens the exports in Calc: no text may run as a formula.
        missing.append(
            ("libreoffice-calc-nogui", "LibreOffice Calc (soffice)", "the export formula checks")
        )
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        # motcua/ops/tests: the shipped nginx configuration, and the smoke test's stack.
        missing.append(("nginx", "nginx", "the serving and smoke tests"))
    if shutil.which("openssl") is None:
        missing.append(("openssl", "openssl", "the smoke test's self-signed certificate"))
    if shutil.which("zbarimg") is None:
        # motcua/payments/tests/test_vietqr.py reads the VietQR PNG back with a real decoder.
        missing.append(("zbar-tools", "zbarimg", "the VietQR image decoding check"))
    if not Path("/usr/lib/softhsm/libsofthsm2.so").exists():
        # motcua/signatures/tests: the PKCS#11 signer against a real SoftHSM2 token.
        missing.append(("softhsm2", "SoftHSM2 (PKCS#11)", "the PKCS#11 signing tests"))
    if not tesseract_has_vietnamese():
        # motcua/digitise: ocrmypdf's text layer comes from Tesseract's `vie` model.
        missing.append(("tesseract-ocr", "Tesseract", "the digitisation (OCR) tests"))
        missing.append(("tesseract-ocr-vie", "Tesseract's Vietnamese model", "the OCR tests"))
    if not missing:
        return
    if not CI:
        for _, what, skipped in missing:
            say(f"{what} not found: {skipped} will be skipped")
        return
    names = ", ".join(what for _, what, _ in missing)
    if shutil.which("apt-get") is None:
        sys.exit(f"CI=true but {names} missing and apt-get is not available to install them")
    say(f"installing {names} (apt-get)")
    run("apt-get", "update", "-qq")
    packages = [package for package, _, _ in missing]
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages)


def cmd_test(args: list[str]) -> None:
    ensure_venv("dev")
    ensure_system_packages()
    env = motcua_env(DJANGO_SETTINGS_MODULE="motcua.test_settings")
    say("ruff (lint and format)")
    run(BIN / "ruff", "check", ".", env=env)
    run(BIN / "ruff", "format", "--check", ".", env=env)
    say("mypy (strict)")
    run(BIN / "mypy", "motcua", "bench", env=env)
    run(BIN / "lint-imports", env=env)
    say("motcua check and makemigrations --check")
    run(BIN / "motcua", "check", "--fail-level", "WARNING", env=env)
    run(BIN / "motcua", "makemigrations", "--check", "--dry-run", env=env)
    # pytest-xdist: one process per core and one more, since many tests wait on a server, a
    # browser or a child process (on 2 cores, 3 processes took the SQLite pass from 12:50 to
    # 6:13); a test file stays in one process, so its module-scoped data is built once
    # (docs/development.md, "How long the suite takes"). MOTCUA_TEST_PROCESSES=0 runs
    # everything in this process.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    processes = os.environ.get("MOTCUA_TEST_PROCESSES") or str((cores or 1) + 1)
    # The 15 slowest tests of each pass, so a CI log says where the time went.
    parallel = ["-n", processes, "--dist", "loadfile", "--durations=15"]
    say("test suite on SQLite")
    run(BIN / "pytest", "-p", "no:cacheprovider", *parallel, *args, env=env)
    if not postgres_available():
        say("PostgreSQL pass skipped: no PostgreSQL 15+ server binaries on this machine")
        return
    say("test suite on PostgreSQL: the engine-dependent tests (a throw-away server per process)")
    code = run(
        BIN / "pytest",
        "-p",
        "no:cacheprovider",
        *parallel,
        *args,
        env={**env, "MOTCUA_TEST_DB": "postgres"},
        check=False,
    )
    if code == 5 and not CI:  # no test selected, e.g. when args name only pure tests
        code = 0
    sys.exit(code)


def main() -> None:
    commands = {"run": cmd_run, "test": cmd_test, "setup": lambda a: ensure_venv("dev")}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit("usage: python3 scripts/dev.py run [ADDRESS:PORT] | test [PYTEST ARGS] | setup")
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()

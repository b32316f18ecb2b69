"""Settings for every environment, read from environment variables (house style R17).

One module: development, test and production differ only by variables, so nothing exists only in
production. ``MOTCUA_ENV`` is ``development`` (default), ``test`` or ``production``.
Every variable is listed with its meaning in ``.env.example``.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets admin and form classes be written ModelAdmin[Model] for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """A variable's value; ``NAME_FILE`` (a path) wins, so secrets can come from files."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def envint(name: str, default: int) -> int:
    value = env(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


MOTCUA_ENV = env("MOTCUA_ENV", "development")
if MOTCUA_ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured(f"MOTCUA_ENV={MOTCUA_ENV!r}: use development, test or production")
PRODUCTION = MOTCUA_ENV == "production"

# Everything the app writes locally (SQLite file, uploads in development) lives here.
DATA_DIR = Path(env("MOTCUA_DATA_DIR", str(Path.cwd() / "var"))).resolve()

_INSECURE_KEY = "django-insecure-motcua-development-only"
SECRET_KEY = env("MOTCUA_SECRET_KEY", "" if PRODUCTION else _INSECURE_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _INSECURE_KEY):
    raise ImproperlyConfigured(
        "MOTCUA_SECRET_KEY must be set to a random value of at least 50 characters in production"
    )
# Rotation (docs/deployment.md, "Rotating the secret key"): the previous keys, comma- or
# newline-separated (or a file: MOTCUA_SECRET_KEY_FALLBACKS_FILE). Signatures, sessions and
# password-reset links made with them still verify; everything new is signed with SECRET_KEY.
SECRET_KEY_FALLBACKS = [
    key.strip()
    for key in env("MOTCUA_SECRET_KEY_FALLBACKS", "").replace("\n", ",").split(",")
    if key.strip()
]
# The key signing the audit checkpoints (motcua audit checkpoint; docs/dossiers.md, "Audit").
# Empty: derived from SECRET_KEY. Kept apart (MOTCUA_AUDIT_KEY_FILE), a database copy and the
# web servers' key are not enough to forge a checkpoint.
MOTCUA_AUDIT_KEY = env("MOTCUA_AUDIT_KEY", "")

DEBUG = envbool("MOTCUA_DEBUG", not PRODUCTION and MOTCUA_ENV != "test")
if PRODUCTION and DEBUG:
    # DEBUG shows tracebacks, settings and every address of the site to whoever causes an
    # error, and keeps every SQL query in memory: never on a server facing the internet.
    raise ImproperlyConfigured("MOTCUA_DEBUG=true is refused in production (MOTCUA_ENV=production)")
ALLOWED_HOSTS = envlist(
    "MOTCUA_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("MOTCUA_ALLOWED_HOSTS must name the host(s) served in production")
CSRF_TRUSTED_ORIGINS = envlist("MOTCUA_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-axes under a Vietnamese name in the admin.
    "motcua.lib.apps.SignInLockoutConfig",
    "motcua.accounts",
    "motcua.units",
    "motcua.clock",
    "motcua.catalog",
    "motcua.documents",
    "motcua.dossiers",
    "motcua.payments",
    "motcua.feedback",
    "motcua.reports",
    "motcua.steering",
    "motcua.directives",
    "motcua.jobs",
    "motcua.backoffice",
    "motcua.portal",
    "django_tasks",
    # django_tasks_db under a Vietnamese name in the admin.
    "motcua.lib.apps.TaskQueueConfig",
    "motcua.demo",
    "motcua.audit",
    "motcua.api",
    # django-ninja: its templates and static files serve the API's docs page without a CDN.
    "ninja",
    "motcua.national",
    "motcua.ops",
    "motcua.signatures",
    "motcua.docstore",
    "motcua.digitise",
    "motcua.certification",
    "motcua.onlinepay",
    "motcua.citizens",
    "motcua.notify",
    "motcua.eforms",
]

# PAdES signatures on PDFs (motcua.signatures; docs/signatures.md). Signers by name, each a
# backend's options: {"official": {"backend": "pkcs12", "path": "...", "passphrase_file": "..."}}.
try:
    MOTCUA_SIGNERS = json.loads(env("MOTCUA_SIGNERS_JSON", "{}"))
except ValueError as error:
    raise ImproperlyConfigured(f"MOTCUA_SIGNERS_JSON: not valid JSON ({error})") from None
if not isinstance(MOTCUA_SIGNERS, dict):
    raise ImproperlyConfigured("MOTCUA_SIGNERS_JSON: expected an object of name -> options")
# The signer `motcua documents sign` uses without --signer.
MOTCUA_SIGNING_DEFAULT = env("MOTCUA_SIGNING_DEFAULT")
# PEM files of the roots a signature must chain to (comma-separated paths).
MOTCUA_SIGNING_TRUST_ROOTS = envlist("MOTCUA_SIGNING_TRUST_ROOTS", "")
# The visible stamp's font: it must cover Vietnamese (the project's vendored serif does).
MOTCUA_SIGNING_STAMP_FONT = env(
    "MOTCUA_SIGNING_STAMP_FONT",
    str(BASE_DIR / "documents" / "fonts" / "LiberationSerif-Regular.ttf"),
)
# Larger files are refused before parsing: signing and verifying stay bounded in time.
MOTCUA_SIGNING_MAX_BYTES = envint("MOTCUA_SIGNING_MAX_BYTES", 50 * 1024 * 1024)
# An RFC 3161 time-stamping authority (PAdES-B-T); empty: signatures carry no timestamp.
MOTCUA_SIGNING_TSA_URL = env("MOTCUA_SIGNING_TSA_URL", "")
# The issuing system's name, in the QR code of every paper it prints (Circular 01/2023).
MOTCUA_SYSTEM_NAME = env(
    "MOTCUA_SYSTEM_NAME", "Hệ thống thông tin giải quyết thủ tục hành chính (motcua)"
)
# Electronic certification of copies (motcua.certification; docs/certification.md): the
# certifying official's signer, the scan's size and pages, the printed number's format (the
# register's book code is NOT CONFIRMED for electronic copies), the public check's rate.
MOTCUA_CERTIFICATION_SIGNER = env("MOTCUA_CERTIFICATION_SIGNER") or "official"
# The signer (a MOTCUA_SIGNERS name) of electronic results: a PDF result an officer uploads is
# issued signed (signatures.services.result_signed). Empty: results are stored as uploaded.
MOTCUA_RESULT_SIGNER = env("MOTCUA_RESULT_SIGNER", "")
MOTCUA_CERTIFICATION_MAX_BYTES = envint("MOTCUA_CERTIFICATION_MAX_BYTES", 10 * 1024 * 1024)
MOTCUA_CERTIFICATION_MAX_PAGES = envint("MOTCUA_CERTIFICATION_MAX_PAGES", 50)
MOTCUA_CERTIFICATION_NUMBER_FORMAT = (
    env("MOTCUA_CERTIFICATION_NUMBER_FORMAT") or "{number}/{year}/SCT/BS-{code}"
)
MOTCUA_CERTIFICATION_OFFICIAL_TITLE = (
    env("MOTCUA_CERTIFICATION_OFFICIAL_TITLE") or "NGƯỜI THỰC HIỆN CHỨNG THỰC"
)
MOTCUA_CERTIFICATION_VERIFY_MAX_PER_IP = envint("MOTCUA_CERTIFICATION_VERIFY_MAX_PER_IP", 30)
MOTCUA_CERTIFICATION_VERIFY_WINDOW_MINUTES = envint(
    "MOTCUA_CERTIFICATION_VERIFY_WINDOW_MINUTES", 15
)

# Digitisation of scans (motcua.digitise; docs/digitise.md). The signer of every digitised
# file (a MOTCUA_SIGNERS name; Circular 01/2023 Art. 8), the Circular 01/2019/TT-BNV floor
# (>= 200 dpi, colour: integrations-vn.md §3 rates it [C] but agencies apply it unevenly, so
# both are settings), and the bounds that keep one file's OCR small in time and memory.
MOTCUA_DIGITISE_SIGNER = env("MOTCUA_DIGITISE_SIGNER", "digitiser")
MOTCUA_DIGITISE_MIN_DPI = envint("MOTCUA_DIGITISE_MIN_DPI", 200)
MOTCUA_DIGITISE_REQUIRE_COLOUR = envbool("MOTCUA_DIGITISE_REQUIRE_COLOUR", True)
MOTCUA_DIGITISE_MAX_PAGES = envint("MOTCUA_DIGITISE_MAX_PAGES", 50)
MOTCUA_DIGITISE_MAX_PIXELS = envint("MOTCUA_DIGITISE_MAX_PIXELS", 60_000_000)

MIDDLEWARE = [
    # X-Forwarded-* only from MOTCUA_TRUSTED_PROXIES: dropped from anyone else's request
    # before anything reads them (motcua.lib.clientip).
    "motcua.lib.clientip.ForwardedHeadersMiddleware",
    # Before everything: /healthz, /readyz and /metrics answered at once (no session, CSRF,
    # language or rate limit); every other request given its id, timed by route and logged
    # (motcua.ops.middleware; docs/deployment.md, "Signals").
    "motcua.ops.middleware.SignalsMiddleware",
    # The API's own body limit, answered as a problem document (motcua.api.middleware).
    "motcua.api.middleware.ApiBodyLimitMiddleware",
    # First: a body over the page's limit is refused (413) before anything reads it.
    "motcua.lib.limits.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed names, compressed, cached for a year in production) answered here,
    # by every web process, without a separate file server (docs/deployment.md).
    "motcua.lib.staticfiles.StaticFilesMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response; first, so
    # the error pages of the middleware below get them too.
    "csp.middleware.CSPMiddleware",
    "motcua.lib.headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Vietnamese unless the person switched (never the browser's Accept-Language); after the
    # authentication middleware because a signed-in user's choice is kept in her profile.
    "motcua.lib.middleware.LanguageMiddleware",
    # The site's 403/404/500 pages even with DEBUG on (the demo runs with DEBUG).
    "motcua.lib.middleware.FriendlyErrorsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Reports and the portal read from the replica, if one is configured (motcua.lib.dbrouter).
    "motcua.lib.dbrouter.ReplicaReadsMiddleware",
    # Signs a staff member out after MOTCUA_SESSION_IDLE_MINUTES without a request, and
    # MOTCUA_SESSION_MAX_HOURS after signing in (motcua.lib.sessions); after the messages
    # middleware, which carries the reason to the sign-in page.
    "motcua.lib.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A sign-in refused by the throttle answers 429 with the wait (motcua.accounts.throttle).
    "motcua.accounts.throttle.ThrottleMiddleware",
    # django-axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
# A form refused for its CSRF token gets the site's page, not Django's explanation for developers.
CSRF_FAILURE_VIEW = "motcua.lib.errors.csrf_failure"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The menus show only the links the user may follow.
                "motcua.backoffice.menus.menu",
            ],
        },
    },
]

# Database: SQLite in DATA_DIR unless DATABASE_URL is set (PostgreSQL in production).
DATABASE_URL = env("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "motcua.sqlite3"),
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock
                # at BEGIN so two writers queue instead of failing mid-transaction.
                # Django turns foreign keys on for every SQLite connection.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

# An optional read replica (docs/deployment.md, "Database"): reports and the portal's read-only
# pages read from it (motcua.lib.dbrouter); writes, and every read after a write in the same
# request, go to the primary. Tests run against the primary (TEST MIRROR).
DATABASE_REPLICA_URL = env("MOTCUA_DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["motcua.lib.dbrouter.ReplicaRouter"]
# An index's INCLUDE columns (dossiers' ``dossier_received_order``) are for PostgreSQL's
# index-only scans; SQLite, the embedded default, builds the index without them and would
# say so on every command (models.W040).
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# The URL namespaces whose GET pages read from the replica (motcua.lib.dbrouter).
MOTCUA_REPLICA_NAMESPACES = envlist(
    "MOTCUA_REPLICA_NAMESPACES", env("MOTCUA_REPLICA_NAMESPACES") or "reports,portal"
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if MOTCUA_ENV == "test":
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Refuses an attempt made before the account's or the address's delay has passed.
    "motcua.accounts.throttle.ThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's grants with her row (motcua.accounts.backends).
    "motcua.accounts.backends.StaffBackend",
]

# The sign-in throttle (motcua.accounts.throttle, docs/limits.md): per account across
# addresses, a progressive delay after FAILURES failures (2, 4, 8 … seconds, at most
# DELAY_CAP_SECONDS), forgotten WINDOW_MINUTES after the last one, never a lockout; per
# address across accounts, at most ADDRESS_FAILURES failures in WINDOW_MINUTES.
MOTCUA_LOCKOUT = {
    "ENABLED": envbool("MOTCUA_LOCKOUT_ENABLED", True),
    "FAILURES": envint("MOTCUA_LOCKOUT_FAILURES", 5),
    "DELAY_CAP_SECONDS": envint("MOTCUA_LOCKOUT_DELAY_CAP_SECONDS", 60),
    "WINDOW_MINUTES": envint("MOTCUA_LOCKOUT_MINUTES", 15),
    "ADDRESS_FAILURES": envint("MOTCUA_LOCKOUT_ADDRESS_FAILURES", 30),
}
# django-axes keeps only its record of sign-ins and failures (the admin's "Sign-in
# lockout"); the throttle above decides, so axes never locks anyone out.
AXES_ENABLED = MOTCUA_LOCKOUT["ENABLED"]
AXES_LOCK_OUT_AT_FAILURE = False
AXES_FAILURE_LIMIT = MOTCUA_LOCKOUT["FAILURES"]
AXES_COOLOFF_TIME = MOTCUA_LOCKOUT["WINDOW_MINUTES"] / 60  # hours: its records' reset
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Internationalisation: Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The switch's choice outlives the browser session (motcua.lib.middleware.chosen_language).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
# Django's own vi formats lack thousands grouping and parse dates US-style; ours fix that.
FORMAT_MODULE_PATH = ["motcua.formats"]
USE_THOUSAND_SEPARATOR = True

# The layout and login templates (motcua/templates) and motcua/lib have the project catalogue;
# apps have theirs. motcua/overrides holds hand-written Vietnamese for Django's and third-party
# apps' strings their own catalogues lack (the admin is Vietnamese throughout). A LOCALE_PATHS
# catalogue wins over every app's.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "overrides" / "locale"]

STATIC_URL = "/static/"
# Where `motcua collectstatic` (run by `motcua serve`) puts the files served in production; a
# folder of its own lets nginx read it, or several processes share one collection.
STATIC_ROOT = Path(env("MOTCUA_STATIC_ROOT") or str(DATA_DIR / "static")).resolve()
# Project-wide assets: the layout's and vendored third-party files (no CDN: government
# networks are often closed to the internet).
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Uploads wait under media/pending/ until their row commits (lib.uploads);
# the janitor judges leftovers older than this many hours (lib.janitor).
# Production serves static files from STATIC_ROOT, filled by `motcua collectstatic` (which
# `motcua serve` runs at start): hashed names, gzip/brotli copies, cached for a year by
# WhiteNoise. Development and tests keep plain names found in the apps (no collectstatic, no
# manifest to go stale); MOTCUA_STATIC_MANIFEST=true tries the production storage elsewhere.
STATIC_MANIFEST = envbool("MOTCUA_STATIC_MANIFEST", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "motcua.lib.uploads.UploadStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without the manifest, WhiteNoise looks files up in the apps' folders per request (gunicorn in
# development) instead of listing them all at start, which every test client would pay.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
MOTCUA_UPLOAD_JANITOR_HOURS = envint("MOTCUA_UPLOAD_JANITOR_HOURS", 24)
# Where uploaded and generated files live (docs/deployment.md, "Files and object storage"):
# "local" (MEDIA_ROOT, one machine) or "s3" (an S3-compatible object store: MinIO, Ceph RGW,
# a cloud's), shared by every web process and worker. Files are served through the app, which
# checks each file's recorded SHA-256 before sending it (lib.uploads.open_checked).
MOTCUA_STORAGE = env("MOTCUA_STORAGE", "local")
if MOTCUA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"MOTCUA_STORAGE={MOTCUA_STORAGE!r}: use local or s3")
if MOTCUA_STORAGE == "s3":
    _S3_BUCKET = env("MOTCUA_S3_BUCKET")
    if not _S3_BUCKET:
        raise ImproperlyConfigured("MOTCUA_STORAGE=s3 needs MOTCUA_S3_BUCKET")
    # Built apart: STORAGES above holds only strings, these options are not all strings.
    _S3_STORAGE: dict[str, object] = {
        "BACKEND": "motcua.lib.s3storage.S3UploadStorage",
        "OPTIONS": {
            "bucket_name": _S3_BUCKET,
            "endpoint_url": env("MOTCUA_S3_ENDPOINT") or None,
            "region_name": env("MOTCUA_S3_REGION") or None,
            "access_key": env("MOTCUA_S3_ACCESS_KEY") or None,
            "secret_key": env("MOTCUA_S3_SECRET_KEY") or None,
            # "path" for MinIO and most self-hosted servers; "virtual" for buckets as hosts.
            "addressing_style": env("MOTCUA_S3_ADDRESSING_STYLE", "path"),
            # A prefix inside the bucket, so one bucket can hold several environments.
            "location": env("MOTCUA_S3_PREFIX", "").strip("/"),
            "signature_version": "s3v4",
            # Names are fresh (uuid) and never reused; a pending name is replaced on purpose.
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
    STORAGES["default"] = _S3_STORAGE  # type: ignore[assignment]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "login"

# The statutory clock (motcua.core.clock). Facts the spec marks NOT CONFIRMED are settings.
MOTCUA_CLOCK = {
    # §1.6 / Appendix A.11: whether make-up working Saturdays count for dossier deadlines.
    "MAKE_UP_DAYS_COUNT": envbool("MOTCUA_MAKE_UP_DAYS_COUNT", True),
    # §1.5: what an after-hours submission's official receipt moment is.
    "RECEIPT_RULE": env("MOTCUA_RECEIPT_RULE", "next_session"),
    # §1.6 / Civil Code 2015 Art. 148 (NC): a calendar-day limit ending on a non-working day
    # ends at the close of the next working day.
    "ROLL_CALENDAR_DAYS": envbool("MOTCUA_ROLL_CALENDAR_DAYS", True),
    # Seconds a process trusts its cached calendars before re-checking the calendar tables.
    "CACHE_SECONDS": envint("MOTCUA_CALENDAR_CACHE_SECONDS", 1),
}
# Seconds a process trusts what it read of the ledger's rollups taken (which spans and years
# are summed already; motcua.dossiers.ledger_checkpoints): a stale answer only leaves a new
# rollup unused. 0: read on every page.
MOTCUA_LEDGER_TAKEN_SECONDS = envint("MOTCUA_LEDGER_TAKEN_SECONDS", 60)

# Dossier rules the spec leaves unconfirmed (docs/dossiers.md).
MOTCUA_DOSSIERS = {
    # §1.7 / Appendix A.6: how early is told from on time (before_due_day | before_due_session).
    "EARLY_RULE": env("MOTCUA_EARLY_RULE", "before_due_day"),
    # §1.4 step 6 (NC): whether waiting for a financial obligation stops the statutory clock.
    "PAYMENT_PAUSES_CLOCK": envbool("MOTCUA_PAYMENT_PAUSES_CLOCK", True),
    # §5.3 766 indicator 2.1 [S]: more supplement requests than this make a dossier late
    # ("none": no such rule). Read through dossiers.selectors.supplement_limit.
    "MAX_SUPPLEMENT_REQUESTS_ON_TIME": env("MOTCUA_MAX_SUPPLEMENT_REQUESTS_ON_TIME", "1"),
    # §5.3 766 indicator 3.6, §6 (NC): the payment methods a dossier counts as paid online by,
    # comma-separated (online_national, online_local, bank_transfer for VietQR, cash); empty:
    # the online gateways, payments.choices.ONLINE_METHODS. Changing them changes figures
    # already kept: run `motcua report rebuild` (docs/payments.md).
    # Read through dossiers.selectors.paid_online_methods.
    "PAID_ONLINE_METHODS": env("MOTCUA_PAID_ONLINE_METHODS", ""),
    # Largest scan or result file accepted, in bytes.
    "UPLOAD_MAX_BYTES": envint("MOTCUA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
}

# Reports (docs/reports.md).
MOTCUA_REPORTS = {
    # §4.2 (S/NC): Decree 09/2019 data cut-off day of named periods; 1 = calendar periods.
    "CUTOFF_DAY": envint("MOTCUA_REPORT_CUTOFF_DAY", 15),
}

# Meetings and directives (docs/directives.md).
MOTCUA_DIRECTIVES = {
    # Remind an open directive's responsible head this many working days before its deadline.
    "REMIND_WORKING_DAYS": envint("MOTCUA_DIRECTIVE_REMIND_WORKING_DAYS", 2),
    # Largest evidence file accepted with a status update, in bytes.
    "EVIDENCE_MAX_BYTES": envint("MOTCUA_DIRECTIVE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024),
}

# -- Bounded input (docs/limits.md) ---------------------------------------------------------
# A request body over its page's limit is refused with 413 before it is read
# (motcua.lib.limits.RequestSizeMiddleware); the proxy's client_max_body_size should match the
# largest. Staff pages take one scan or evidence file at a time (10 MB) plus the form; the
# portal's online submission takes a file per document of the procedure.
_SCAN_MAX = int(str(MOTCUA_DOSSIERS["UPLOAD_MAX_BYTES"]))
_ONE_FILE = max(_SCAN_MAX, MOTCUA_DIRECTIVES["EVIDENCE_MAX_BYTES"])
_SUBMISSION_MAX = envint("MOTCUA_PORTAL_SUBMISSION_MAX_BYTES", 3 * _SCAN_MAX + 1024 * 1024)
MOTCUA_UPLOADS = {
    "REQUEST_MAX_BYTES": envint("MOTCUA_REQUEST_MAX_BYTES", _ONE_FILE + 1024 * 1024),
    # By URL name: the pages allowed more than REQUEST_MAX_BYTES.
    "VIEW_MAX_BYTES": {
        "portal:submit": _SUBMISSION_MAX,
    },
}
# Django's own limits, chosen rather than inherited: a form's text fields together (files not
# counted) stay far below 1 MB; an upload over 1 MB goes to a temporary file, not memory; the
# largest form (the counter's reception with its documents table) has a few hundred fields; a
# submission carries one file per document of the procedure.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MOTCUA_DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("MOTCUA_FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("MOTCUA_DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = envint("MOTCUA_DATA_UPLOAD_MAX_NUMBER_FILES", 50)
# The catalogue and indicator imports, by page and by command (motcua.lib.tablefile): the
# file's size, an XLSX's unpacked size (a worksheet is streamed, other parts are read whole)
# and packing ratio, data rows, cells in a row, a cell's length, problems listed before the
# check stops.
MOTCUA_IMPORT = {
    "MAX_FILE_BYTES": envint("MOTCUA_IMPORT_MAX_FILE_BYTES", 10 * 1024 * 1024),
    "MAX_ROWS": envint("MOTCUA_IMPORT_MAX_ROWS", 20_000),
    "MAX_ERRORS": envint("MOTCUA_IMPORT_MAX_ERRORS", 50),
    "MAX_CSV_FIELD_CHARS": envint("MOTCUA_IMPORT_MAX_CSV_FIELD_CHARS", 100_000),
    "MAX_COLUMNS": envint("MOTCUA_IMPORT_MAX_COLUMNS", 100),
    "XLSX_MAX_UNPACKED_BYTES": envint("MOTCUA_IMPORT_XLSX_MAX_UNPACKED_BYTES", 200 * 1024 * 1024),
    "XLSX_MAX_PART_BYTES": envint("MOTCUA_IMPORT_XLSX_MAX_PART_BYTES", 32 * 1024 * 1024),
    "XLSX_MAX_RATIO": envint("MOTCUA_IMPORT_XLSX_MAX_RATIO", 500),
    "XLSX_MAX_MEMBERS": envint("MOTCUA_IMPORT_XLSX_MAX_MEMBERS", 500),
}

# §5.3, §5.2: Decision 766 points, thresholds and rating bands are mostly NOT CONFIRMED. Only
# overrides go here, validated by motcua.core.index766.Config.from_overrides (docs/index766.md),
# e.g. {"indicators": {"2.1": {"points": 14}, "2.2": {"points": 6}}, "bands": {"good": 80}}.
MOTCUA_766: dict[str, object] = {}

# Background jobs (docs/jobs.md): one database-backed queue, run by `motcua worker` processes.
# The backend is django-tasks-db's, carrying the enqueuing request's id to the worker's log
# (motcua.jobs.backend).
TASKS = {
    "default": {"BACKEND": "motcua.jobs.backend.RequestIdDatabaseBackend", "QUEUES": ["default"]}
}

# E-mail (the end-of-day digest, directive reminders). Without a host, development prints the
# messages on the console instead of losing them.
_EMAIL_HOST = env("MOTCUA_EMAIL_HOST", "")
# An empty variable (a copied .env.example) means the default, as for the settings below.
EMAIL_BACKEND = env("MOTCUA_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if _EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = _EMAIL_HOST or "localhost"
EMAIL_PORT = envint("MOTCUA_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("MOTCUA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("MOTCUA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("MOTCUA_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("MOTCUA_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("MOTCUA_EMAIL_USE_TLS and MOTCUA_EMAIL_USE_SSL: choose one")
# A worker must not hang on a silent mail server.
EMAIL_TIMEOUT = envint("MOTCUA_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("MOTCUA_EMAIL_FROM") or "motcua@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The public address of the site, configured once: every absolute link (QR codes on printed
# forms, e-mails, rating links) is built from it by motcua.lib.site.site_url, never from the
# request's Host (a worker has no request; a proxy may rewrite it). `scripts/dev.py run ADDRESS`
# sets it to the address it serves; production must set it (a `check --deploy` error).
MOTCUA_BASE_URL = (
    env("MOTCUA_BASE_URL") or ("" if PRODUCTION else "http://127.0.0.1:8000")
).rstrip("/")

# The scheduler of `motcua worker`: local times (Vietnam) on working days (docs/jobs.md).
MOTCUA_JOBS = {
    "DIGEST_TIME": env("MOTCUA_DIGEST_TIME") or "16:30",
    "REMINDER_TIME": env("MOTCUA_REMINDER_TIME") or "08:00",
    "SNAPSHOT_TIME": env("MOTCUA_SNAPSHOT_TIME") or "17:30",
    # How often the scheduler looks at the clock.
    "TICK_SECONDS": envint("MOTCUA_SCHEDULER_SECONDS", 30),
    # A failed job is enqueued again this long after its last try (same day only).
    "RETRY_MINUTES": envint("MOTCUA_JOB_RETRY_MINUTES", 10),
    # How often a worker folds the figures' ledger deltas (0: only at housekeeping).
    "COMPACT_SECONDS": envint("MOTCUA_LEDGER_COMPACT_SECONDS", 300),
}
# Synchronisation with the National Public Service Portal (docs/national.md, integrations-vn.md
# §1.2). Off by default. The endpoints, credentials and unit codes are issued per province and
# are not public [S]: AUTH_URL takes {username,password} and answers {session,error_code};
# SERVICE_URL takes every service call. UNIT_CODES maps local unit codes to the national unit
# codes (madonvi), "14=000.00.00.H08,14001=000.00.01.H08"; a dossier is synchronised under its
# receiving unit's code or its nearest mapped ancestor's.
MOTCUA_NATIONAL = {
    "ENABLED": envbool("MOTCUA_NATIONAL_ENABLED", False),
    "AUTH_URL": env("MOTCUA_NATIONAL_AUTH_URL"),
    "SERVICE_URL": env("MOTCUA_NATIONAL_SERVICE_URL"),
    "USERNAME": env("MOTCUA_NATIONAL_USERNAME"),
    "PASSWORD": env("MOTCUA_NATIONAL_PASSWORD"),  # or MOTCUA_NATIONAL_PASSWORD_FILE
    "UNIT_CODES": env("MOTCUA_NATIONAL_UNIT_CODES"),
    "TIMEOUT_SECONDS": envint("MOTCUA_NATIONAL_TIMEOUT_SECONDS", 30),
    "BATCH_SIZE": envint("MOTCUA_NATIONAL_BATCH_SIZE", 200),
    "RETRY_SECONDS": envint("MOTCUA_NATIONAL_RETRY_SECONDS", 60),
    "SYNC_SECONDS": envint("MOTCUA_NATIONAL_SYNC_SECONDS", 60),
    "RECONCILE_TIME": env("MOTCUA_NATIONAL_RECONCILE_TIME") or "23:00",
    # Reply codes [S]: 0/"00" success (OpenCPS [C]); 3/-3 "already exists" (HuanVu201 [C]);
    # the code of an expired session is not in either codebase.
    "EXISTS_CODES": envlist("MOTCUA_NATIONAL_EXISTS_CODES", "3,-3"),
    "SESSION_EXPIRED_CODES": envlist("MOTCUA_NATIONAL_SESSION_EXPIRED_CODES", "-1,401"),
    "MAPPING_VERSION": env("MOTCUA_NATIONAL_MAPPING_VERSION"),
}

# VietQR bank transfers of fees (docs/payments.md "VietQR", motcua.payments.vietqr): the
# beneficiary's bank BIN (6 digits, NAPAS acquirer id), account number and account name. Empty
# (the default): VietQR is not configured, the portal shows no QR and `motcua payments vietqr`
# says so. One account for the whole installation for now; an account per collecting agency
# (each one-stop desk's State Treasury revenue account) is a later step. A malformed or half
# configuration stops the start here, not at the first citizen's payment (R17).
MOTCUA_VIETQR_BANK_BIN = env("MOTCUA_VIETQR_BANK_BIN", "").strip()
MOTCUA_VIETQR_ACCOUNT = env("MOTCUA_VIETQR_ACCOUNT", "").strip()
MOTCUA_VIETQR_ACCOUNT_NAME = env("MOTCUA_VIETQR_ACCOUNT_NAME", "").strip()


def _check_vietqr() -> None:
    # The rules live in the pure payments.vietqr module (no Django), one home for them.
    from motcua.payments.vietqr import VietQRError, beneficiary_from

    try:
        beneficiary_from(MOTCUA_VIETQR_BANK_BIN, MOTCUA_VIETQR_ACCOUNT)
    except VietQRError as error:
        setting = {"bank_bin": "MOTCUA_VIETQR_BANK_BIN", "account": "MOTCUA_VIETQR_ACCOUNT"}
        raise ImproperlyConfigured(
            f"{setting.get(error.field, error.field)}: {error.message % error.params}"
        ) from None


_check_vietqr()

# Online payment (docs/payments.md "Online payment", motcua.onlinepay). VNPay: the merchant's
# terminal code, its hash secret (MOTCUA_VNPAY_SECRET_FILE in production) and the gateway's
# base URL (payment page and querydr paths are VNPay's). Empty code or secret: no VNPay button.
MOTCUA_VNPAY = {
    "TMN_CODE": env("MOTCUA_VNPAY_TMN_CODE", "").strip(),
    "SECRET": env("MOTCUA_VNPAY_SECRET", "").strip(),
    "BASE_URL": env("MOTCUA_VNPAY_BASE_URL", "https://sandbox.vnpayment.vn").strip(),
}
# The national payment platform (integrations-vn.md §2.1): its message URL, our partner code
# (MaDoiTac), the checksum secret and the bearer token (both also as _FILE). The field lists
# of each MaXacThuc are settings because only the callback's order is documented; the others
# (INIT, GET_BILL and its answer) are our reading and must be checked with the platform.
MOTCUA_PAYGOV = {
    "URL": env("MOTCUA_PAYGOV_URL", "").strip(),
    "PARTNER_CODE": env("MOTCUA_PAYGOV_PARTNER_CODE", "").strip(),
    "SECRET": env("MOTCUA_PAYGOV_SECRET", "").strip(),
    "TOKEN": env("MOTCUA_PAYGOV_TOKEN", "").strip(),
    "VERSION": env("MOTCUA_PAYGOV_VERSION", "1.0.6"),
    "SUCCESS_CODE": env("MOTCUA_PAYGOV_SUCCESS_CODE", "00"),
    "INIT_CHECKSUM_FIELDS": envlist(
        "MOTCUA_PAYGOV_INIT_CHECKSUM_FIELDS",
        "LoaiBanTin,PhienBan,MaDoiTac,MaThamChieu,SoTien,LoaiHinhThanhToan,MaKenhThanhToan,"
        "MaThietBi,NgonNgu,MaTienTe,MaNganHang,ThongTinGiaoDich,ThoiGianGD,Ip",
    ),
    "CALLBACK_CHECKSUM_FIELDS": envlist(
        "MOTCUA_PAYGOV_CALLBACK_CHECKSUM_FIELDS",
        "LoaiBanTin,MaLoi,MaDoiTac,MaThamChieu,SoTien,MaTienTe,MaGiaoDich,MaNganHang,"
        "ThoiGianGD,ThongTinGiaoDich",
    ),
    "BILL_CHECKSUM_FIELDS": envlist(
        "MOTCUA_PAYGOV_BILL_CHECKSUM_FIELDS", "LoaiBanTin,PhienBan,MaDoiTac,MaThamChieu,ThoiGianGD"
    ),
    "BILL_ANSWER_CHECKSUM_FIELDS": envlist(
        "MOTCUA_PAYGOV_BILL_ANSWER_CHECKSUM_FIELDS",
        "LoaiBanTin,MaDoiTac,MaThamChieu,SoTien,MaGiaoDich,TrangThaiGD,ThoiGianGD",
    ),
}
# How long a payment intent may be paid (minutes), the gateways' time-out (seconds) and when
# the worker first asks the gateway about an intent no callback settled (minutes).
MOTCUA_ONLINEPAY = {
    "INTENT_MINUTES": envint("MOTCUA_ONLINEPAY_INTENT_MINUTES", 15),
    "TIMEOUT_SECONDS": envint("MOTCUA_ONLINEPAY_TIMEOUT_SECONDS", 10),
    "POLL_AFTER_MINUTES": envint("MOTCUA_ONLINEPAY_POLL_AFTER_MINUTES", 20),
}
# Notifications to the applicant (docs/notifications.md, motcua.notify): the outbox's retries
# and the delivery receipts' callbacks; SMS brandname and Zalo ZNS gateways (an empty URL turns
# the channel off). Keys and tokens also as _FILE. Agencies override brandname, templates and
# channels in the admin.
MOTCUA_NOTIFY = {
    "MAX_ATTEMPTS": envint("MOTCUA_NOTIFY_MAX_ATTEMPTS", 5),
    "BACKOFF_SECONDS": envint("MOTCUA_NOTIFY_BACKOFF_SECONDS", 60),
    "TIMEOUT_SECONDS": envint("MOTCUA_NOTIFY_TIMEOUT_SECONDS", 10),
    "CALLBACK_MAX_BYTES": envint("MOTCUA_NOTIFY_CALLBACK_MAX_BYTES", 4096),
}
MOTCUA_SMS = {
    "URL": env("MOTCUA_SMS_URL", "").strip(),
    "API_KEY": env("MOTCUA_SMS_API_KEY", "").strip(),
    "BRANDNAME": env("MOTCUA_SMS_BRANDNAME", "").strip(),
    "CALLBACK_TOKEN": env("MOTCUA_SMS_CALLBACK_TOKEN", "").strip(),
}
MOTCUA_ZALO = {
    "URL": env("MOTCUA_ZALO_URL", "").strip(),
    "ACCESS_TOKEN": env("MOTCUA_ZALO_ACCESS_TOKEN", "").strip(),
    "APP_ID": env("MOTCUA_ZALO_APP_ID", "").strip(),
    "OA_SECRET": env("MOTCUA_ZALO_OA_SECRET", "").strip(),
    # ZNS template ids by event, "receipt=123,supplement=124,result=125,apology=126".
    "TEMPLATES": dict(
        item.split("=", 1) for item in envlist("MOTCUA_ZALO_TEMPLATES", "") if "=" in item
    ),
}
# Citizens' sign-in with the national identity (motcua.citizens, docs/citizens.md): OpenID
# Connect, discovered from the issuer. Empty issuer or client id: no sign-in link. The secret
# may come from MOTCUA_OIDC_CLIENT_SECRET_FILE. The claim names are a setting because VNeID's
# are only partly known (integrations-vn.md §1.2): a JSON object merged over the defaults.
MOTCUA_OIDC_ISSUER = env("MOTCUA_OIDC_ISSUER", "").strip().rstrip("/")
MOTCUA_OIDC_CLIENT_ID = env("MOTCUA_OIDC_CLIENT_ID", "").strip()
MOTCUA_OIDC_CLIENT_SECRET = env("MOTCUA_OIDC_CLIENT_SECRET", "").strip()
MOTCUA_OIDC_SCOPES = envlist("MOTCUA_OIDC_SCOPES", "openid,profile")
MOTCUA_OIDC_TOKEN_AUTH_METHOD = env("MOTCUA_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")
MOTCUA_OIDC_TIMEOUT_SECONDS = envint("MOTCUA_OIDC_TIMEOUT_SECONDS", 10)
MOTCUA_OIDC_CLAIMS = {
    "id_number": "SoDinhDanh",
    "name": "HoVaTen",
    "birth_date": "NgayThangNamSinh",
    "address": "ThuongTru",
    "level_of_assurance": "loAs",
    "tech_id": "TechID",
}
try:
    _claims = json.loads(env("MOTCUA_OIDC_CLAIMS_JSON", "{}"))
except ValueError as error:
    raise ImproperlyConfigured(f"MOTCUA_OIDC_CLAIMS_JSON: not valid JSON ({error})") from None
if not isinstance(_claims, dict) or not set(_claims) <= set(MOTCUA_OIDC_CLAIMS):
    raise ImproperlyConfigured(
        f"MOTCUA_OIDC_CLAIMS_JSON: an object with keys among {sorted(MOTCUA_OIDC_CLAIMS)}"
    )
MOTCUA_OIDC_CLAIMS.update({key: str(value) for key, value in _claims.items()})
if MOTCUA_OIDC_TOKEN_AUTH_METHOD not in ("client_secret_basic", "client_secret_post"):
    raise ImproperlyConfigured(
        "MOTCUA_OIDC_TOKEN_AUTH_METHOD: use client_secret_basic or client_secret_post"
    )

# Expired sessions and old task results deleted every day (motcua.jobs.housekeeping); default
# 22:00, after office hours (jobs.selectors.DEFAULTS).
if env("MOTCUA_HOUSEKEEPING_TIME"):
    MOTCUA_JOBS["HOUSEKEEPING_TIME"] = env("MOTCUA_HOUSEKEEPING_TIME")

# The citizen portal's rate limits (docs/limits.md; 0 turns one off): failed tracking attempts
# per client address, and per dossier code from one address (never per code alone: a guesser
# must not lock the owner out); accepted anonymous submissions per address and per phone.
MOTCUA_PORTAL = {
    "TRACK_MAX_PER_IP": envint("MOTCUA_PORTAL_TRACK_MAX_PER_IP", 20),
    "TRACK_MAX_PER_CODE": envint("MOTCUA_PORTAL_TRACK_MAX_PER_CODE", 5),
    "TRACK_WINDOW_MINUTES": envint("MOTCUA_PORTAL_TRACK_WINDOW_MINUTES", 15),
    "TRACK_RECORD_DAYS": envint("MOTCUA_PORTAL_TRACK_RECORD_DAYS", 30),
    "SUBMIT_MAX_PER_IP": envint("MOTCUA_PORTAL_SUBMIT_MAX_PER_IP", 5),
    "SUBMIT_IP_WINDOW_MINUTES": envint("MOTCUA_PORTAL_SUBMIT_IP_WINDOW_MINUTES", 10),
    "SUBMIT_MAX_PER_PHONE": envint("MOTCUA_PORTAL_SUBMIT_MAX_PER_PHONE", 3),
    "SUBMIT_PHONE_WINDOW_MINUTES": envint("MOTCUA_PORTAL_SUBMIT_PHONE_WINDOW_MINUTES", 60),
    # The desks' own networks (CIDR, comma-separated), where staff help citizens submit one
    # after another: no per-address limit there (the per-phone one still applies).
    "EXEMPT_NETWORKS": envlist("MOTCUA_PORTAL_EXEMPT_NETWORKS", ""),
}

# The integration API (/api/v1, docs/api.md): bearer tokens' lifetime, the largest body, the
# call log's retention, page sizes, a new client's default rate, failed token requests allowed
# per address and minute; TOKEN_KEY signs tokens (empty: derived from SECRET_KEY).
MOTCUA_API = {
    "TOKEN_SECONDS": envint("MOTCUA_API_TOKEN_SECONDS", 600),
    "TOKEN_KEY": env("MOTCUA_API_TOKEN_KEY", ""),
    "MAX_BODY_BYTES": envint("MOTCUA_API_MAX_BODY_BYTES", 1024 * 1024),
    # Bodies that carry files as base64 (4/3 of the bytes) plus their JSON: an online
    # submission (as much as the portal's form takes) and an action's result file (a scan).
    "SUBMISSION_MAX_BODY_BYTES": envint(
        "MOTCUA_API_SUBMISSION_MAX_BODY_BYTES",
        _SUBMISSION_MAX * 4 // 3 + 64 * 1024,
    ),
    "ACTION_MAX_BODY_BYTES": envint(
        "MOTCUA_API_ACTION_MAX_BODY_BYTES", _SCAN_MAX * 4 // 3 + 64 * 1024
    ),
    "LOG_DAYS": envint("MOTCUA_API_LOG_DAYS", 90),
    "PAGE_DEFAULT": envint("MOTCUA_API_PAGE_DEFAULT", 50),
    "PAGE_MAX": envint("MOTCUA_API_PAGE_MAX", 200),
    "RATE_PER_MINUTE": envint("MOTCUA_API_RATE_PER_MINUTE", 120),
    "TOKEN_FAILURES_PER_MINUTE": envint("MOTCUA_API_TOKEN_FAILURES_PER_MINUTE", 20),
}
# How long an Idempotency-Key's first answer is replayed (motcua.api.idempotency), and how long
# a dossier file's signed download link works (motcua.api.routers.dossiers).
MOTCUA_API_IDEMPOTENCY_HOURS = envint("MOTCUA_API_IDEMPOTENCY_HOURS", 24)
MOTCUA_API_FILE_LINK_SECONDS = envint("MOTCUA_API_FILE_LINK_SECONDS", 300)

# The change feed (dossiers.feed, docs/api.md "The change feed"): how many events a filtered
# read scans at most per call, and how far before an `updated_since` moment it starts
# (recording times follow the feed's order only up to a transaction's length).
MOTCUA_FEED = {
    "SCAN": envint("MOTCUA_FEED_SCAN", 5000),
    "SINCE_MARGIN_SECONDS": envint("MOTCUA_FEED_SINCE_MARGIN_SECONDS", 300),
}

# Webhooks (api.webhooks, docs/api.md "Webhooks"): per-attempt timeout, retry backoff (base
# and cap, seconds, with jitter), attempts of one delivery before its subscription is marked
# failing, hours of failing before it is disabled, the previous secret's overlap after a
# rotation, deliveries per worker pass and at once, and whether private addresses (loopback,
# RFC 1918, link-local) may be targets: never in production unless said so (SSRF).
MOTCUA_WEBHOOKS = {
    "TIMEOUT_SECONDS": envint("MOTCUA_WEBHOOK_TIMEOUT_SECONDS", 5),
    "BACKOFF_BASE_SECONDS": envint("MOTCUA_WEBHOOK_BACKOFF_BASE_SECONDS", 10),
    "BACKOFF_MAX_SECONDS": envint("MOTCUA_WEBHOOK_BACKOFF_MAX_SECONDS", 3600),
    "FAILING_AFTER_ATTEMPTS": envint("MOTCUA_WEBHOOK_FAILING_AFTER_ATTEMPTS", 6),
    "DISABLE_AFTER_HOURS": envint("MOTCUA_WEBHOOK_DISABLE_AFTER_HOURS", 72),
    "ROTATION_OVERLAP_HOURS": envint("MOTCUA_WEBHOOK_ROTATION_OVERLAP_HOURS", 24),
    "BATCH": envint("MOTCUA_WEBHOOK_BATCH", 50),
    "CONCURRENCY": envint("MOTCUA_WEBHOOK_CONCURRENCY", 4),
    "ALLOW_PRIVATE": envbool("MOTCUA_WEBHOOK_ALLOW_PRIVATE", not PRODUCTION),
}

# -- Security headers and sessions (docs/architecture.md, "Security headers and sessions") --


def _gateway_origins() -> list[str]:
    """The payment gateways' origins a citizen's browser is sent to (configured ones only)."""
    urls: list[str] = []
    if MOTCUA_VNPAY["TMN_CODE"] and MOTCUA_VNPAY["SECRET"]:
        urls.append(str(MOTCUA_VNPAY["BASE_URL"]))
    if MOTCUA_PAYGOV["URL"]:
        urls.append(str(MOTCUA_PAYGOV["URL"]))
    origins: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


# Content-Security-Policy (django-csp 4): only the site's own scripts, styles, images and
# fonts. An inline <script> runs only with the response's nonce (templates write
# nonce="{{ request.csp_nonce }}"); no template has an inline event handler or style attribute
# (motcua/lib/tests/test_security_pages.py renders every page of motcua.lib.tests.pages and
# checks; test_phone_layout.py opens them in Chromium). data: images: base.html's empty favicon.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The citizen's sign-out form ends at the identity provider's end_session_endpoint;
        # the tracking page's "pay online" form ends at the payment gateway's page.
        "form-action": [
            SELF,
            *([MOTCUA_OIDC_ISSUER] if MOTCUA_OIDC_ISSUER else []),
            *_gateway_origins(),
        ],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page of motcua uses, switched off for the site and anything it embeds.
MOTCUA_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions exist only for signed-in staff and for a citizen between submitting a dossier (or
# tracking one) and the page that shows it; portal page views create none. A staff session
# ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after signing in,
# whatever the activity (a shared counter computer left signed in). The cookie and the row
# last no longer than the absolute lifetime; `motcua worker` deletes expired rows daily.
MOTCUA_SESSIONS = {
    "IDLE_MINUTES": envint("MOTCUA_SESSION_IDLE_MINUTES", 30),
    "MAX_HOURS": envint("MOTCUA_SESSION_MAX_HOURS", 10),
}
if MOTCUA_SESSIONS["IDLE_MINUTES"] < 1 or MOTCUA_SESSIONS["MAX_HOURS"] < 1:
    raise ImproperlyConfigured(
        "MOTCUA_SESSION_IDLE_MINUTES and MOTCUA_SESSION_MAX_HOURS must be at least 1"
    )
SESSION_COOKIE_AGE = MOTCUA_SESSIONS["MAX_HOURS"] * 60 * 60
# Database sessions, read by a statement written once (motcua.lib.sessions.SessionStore).
SESSION_ENGINE = "motcua.lib.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Finished background-task results (django-tasks-db) are deleted after this many days.
MOTCUA_TASK_RESULTS_KEEP_DAYS = envint("MOTCUA_TASK_RESULTS_KEEP_DAYS", 30)

# Behind a reverse proxy (deploy/nginx/motcua.conf), and only then, the scheme and host come
# from the proxy's X-Forwarded-Proto and X-Forwarded-Host; otherwise a client could claim
# https or another host. The client's address (rate limits, sign-in records) is taken from
# X-Forwarded-For only when the connection comes from one of MOTCUA_TRUSTED_PROXIES (addresses
# or networks), by motcua.lib.clientip.client_ip.
BEHIND_PROXY = envbool("MOTCUA_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
MOTCUA_TRUSTED_PROXIES = envlist(
    "MOTCUA_TRUSTED_PROXIES",
    env("MOTCUA_TRUSTED_PROXIES") or ("127.0.0.1,::1" if BEHIND_PROXY else ""),
)
for _proxy in MOTCUA_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"MOTCUA_TRUSTED_PROXIES: {_proxy!r} is not an address or network (CIDR)"
        ) from None
AXES_CLIENT_IP_CALLABLE = "motcua.lib.clientip.client_ip"

# Production hardening: `motcua check --deploy` passes with no warnings.
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("MOTCUA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("MOTCUA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading puts the domain (and, with includeSubDomains, every subdomain) in the
    # browsers' built-in HTTPS-only list, hard to undo; under a shared government parent
    # domain that is the domain owner's decision, so it is opt-in.
    SECURE_HSTS_PRELOAD = envbool("MOTCUA_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Django's deploy check recommends preloading (security.W021); declining is deliberate.
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# -- Signals: health, readiness, metrics, logs, traces (docs/deployment.md, "Signals") ------

# /readyz wants a `motcua worker` seen within this many seconds (0: no worker expected, e.g. a
# web-only test stack); a worker records itself every MOTCUA_WORKER_HEARTBEAT_SECONDS.
MOTCUA_WORKER_HEARTBEAT_SECONDS = envint("MOTCUA_WORKER_HEARTBEAT_SECONDS", 15)
MOTCUA_WORKER_STALE_SECONDS = envint("MOTCUA_WORKER_STALE_SECONDS", 120)
if MOTCUA_WORKER_HEARTBEAT_SECONDS < 1 or MOTCUA_WORKER_STALE_SECONDS < 0:
    raise ImproperlyConfigured(
        "MOTCUA_WORKER_HEARTBEAT_SECONDS must be at least 1, MOTCUA_WORKER_STALE_SECONDS at least 0"
    )
if 0 < MOTCUA_WORKER_STALE_SECONDS <= MOTCUA_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "MOTCUA_WORKER_STALE_SECONDS must be longer than MOTCUA_WORKER_HEARTBEAT_SECONDS"
    )
# /readyz's and /metrics' database reads are reused for this many seconds per process.
MOTCUA_READYZ_CACHE_SECONDS = envint("MOTCUA_READYZ_CACHE_SECONDS", 5)
MOTCUA_METRICS_CACHE_SECONDS = envint("MOTCUA_METRICS_CACHE_SECONDS", 10)
# Who may read /metrics: a bearer token (MOTCUA_METRICS_TOKEN or _FILE), or a client address
# in these networks (CIDR, comma-separated; development allows the machine itself).
MOTCUA_METRICS_TOKEN = env("MOTCUA_METRICS_TOKEN", "")
MOTCUA_METRICS_ALLOW = [
    item.strip()
    for item in (env("MOTCUA_METRICS_ALLOW") or ("" if PRODUCTION else "127.0.0.1,::1")).split(",")
    if item.strip()
]
for _network in MOTCUA_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"MOTCUA_METRICS_ALLOW: {_network!r} is not an address or network (CIDR)"
        ) from None
# Traces (OpenTelemetry, optional extra [otel]): OTLP over HTTP to this collector, e.g.
# http://127.0.0.1:4318 (the traces path is added); empty: nothing is imported.
MOTCUA_OTEL_ENDPOINT = env("MOTCUA_OTEL_ENDPOINT", "").rstrip("/")
MOTCUA_OTEL_SERVICE_NAME = env("MOTCUA_OTEL_SERVICE_NAME") or "motcua"

# Logs on standard error: one JSON object per line (production's default, for a collector)
# or text; each line carries the request's id (motcua.lib.requestid). `motcua.access` writes
# one line per request at INFO (MOTCUA_ACCESS_LOG_LEVEL=WARNING turns them off).
MOTCUA_LOG_FORMAT = env("MOTCUA_LOG_FORMAT") or ("json" if PRODUCTION else "text")
if MOTCUA_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"MOTCUA_LOG_FORMAT={MOTCUA_LOG_FORMAT!r}: use json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "motcua.lib.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "motcua.lib.requestid.JsonFormatter"},
        "text": {"()": "motcua.lib.requestid.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": MOTCUA_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("MOTCUA_LOG_LEVEL", "WARNING")},
    "loggers": {
        "motcua.access": {
            "level": env("MOTCUA_ACCESS_LOG_LEVEL") or ("INFO" if PRODUCTION else "WARNING")
        },
    },
}

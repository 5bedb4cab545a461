"""Công Vụ settings: one file, driven by environment variables with safe defaults.

With nothing set, the app runs on an embedded SQLite database in var/ with DEBUG off.
Set DATABASE_URL (postgres://...) for PostgreSQL. A .env file in the project root is read
if present; real environment variables win over it.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from congvu.lib.env import envbool, envint, envrate, envsecret, persistent_secret

# Lets generic classes such as ModelAdmin[Unit] be subscripted at run time, as mypy wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    if not path.exists():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_load_dotenv(BASE_DIR / ".env")

VAR_DIR = Path(os.getenv("CONGVU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = envsecret("SECRET_KEY") or persistent_secret(VAR_DIR / "secret_key")
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = [
    h for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Listed so that its Swagger page uses the bundled assets instead of a CDN.
    "ninja",
    "congvu.workdays",
    "congvu.org",
    "congvu.audit",
    "congvu.tasks",
    "congvu.jobs",
    "congvu.detection",
    "congvu.ops",
    "congvu.notify",
    "congvu.evaluation",
    "congvu.legal",
    "congvu.privacy",
    "congvu.staffing",
    "congvu.indicators",
    "congvu.twofactor",
    "congvu.exchange",
    "congvu.web",
    "congvu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese by default whatever the browser asks; the switch sets a cookie (congvu.web).
    "congvu.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "congvu.twofactor.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns locked-out sign-ins into a 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "congvu.urls"
WSGI_APPLICATION = "congvu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "congvu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "congvu.web.context.web",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'congvu.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_POOL", "False"
):
    # psycopg's pool inside each server process (Django >= 5.1); conn_max_age must then be 0.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DB_POOL_MIN", "2"),
        "max_size": envint("DB_POOL_MAX", "10"),
        "timeout": envint("DB_POOL_TIMEOUT", "10"),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE makes a write transaction take
    # the write lock at BEGIN, so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file (not :memory:) so that tests with threads see real locking, as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": os.getenv("SQLITE_TEST_NAME", str(VAR_DIR / "test.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "congvu" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy dates and Vietnamese number separators in both languages (congvu/formats/).
FORMAT_MODULE_PATH = ["congvu.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
# Serving from the finders keeps `make run` a single step; production runs collectstatic.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", "True")
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Security --------------------------------------------------------------------------------
# CONGVU_HTTPS=True is production behind TLS: secure cookies, HSTS, redirect to https.
# `manage.py check --deploy` is clean with it (tested in congvu/tests/test_deploy.py).
HTTPS = envbool("CONGVU_HTTPS", "False")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and envbool("SECURE_HSTS_PRELOAD", "True")
BEHIND_PROXY = envbool("BEHIND_PROXY", "False")
if BEHIND_PROXY:
    # Only when a trusted reverse proxy (nginx) sets this header and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))  # one working day
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Two-factor sign-in (TOTP): required for leaders, HR, inspectors and administrators when the
# province turns it on; voluntary for everyone else.
REQUIRE_2FA = envbool("CONGVU_REQUIRE_2FA", "False")
OTP_TOTP_ISSUER = os.getenv("CONGVU_PROVINCE_NAME", "Tỉnh Bình Minh") + " — Công Vụ"

# Content-Security-Policy (django-csp): everything from this origin, no inline scripts or
# styles, nothing from elsewhere — government intranets are often offline anyway.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Sign-in throttling (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout answer in Vietnamese (axes' own is English): page or JSON, status 429.
AXES_LOCKOUT_CALLABLE = "congvu.web.views.auth.locked_out"
AXES_VERBOSE = False
# Behind nginx the peer is always nginx: take the address nginx forwards (congvu/lib/http.py).
AXES_CLIENT_IP_CALLABLE = "congvu.lib.http.client_ip"

# API rate limits (django-ninja throttling, congvu/tasks/throttling.py): "N/period" with period
# s, min, h or day; "off" disables one. Per user for token and session callers (all of a
# person's tokens share one budget); per client address for callers without valid credentials.
API_RATES = {
    "user": envrate("CONGVU_API_RATE_USER", "300/min"),
    "anon": envrate("CONGVU_API_RATE_ANON", "30/min"),
}
# The client address the API limits by: behind nginx it is the last X-Forwarded-For entry (the
# one nginx appended); otherwise REMOTE_ADDR. Never the client-supplied part of the header.
NINJA_NUM_PROXIES = 1 if BEHIND_PROXY else 0

# The counters live in a cache that every gunicorn worker (and every host) shares: a table in
# the application database, created by `migrate` (congvu/ops/apps.py). No extra service to run.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "congvu_cache",
        # Enough for every API client of a province; past it a third of the entries is culled.
        "OPTIONS": {"MAX_ENTRIES": envint("CONGVU_CACHE_MAX_ENTRIES", "50000")},
    }
}

LOGIN_URL = "/dang-nhap/"
LOGIN_REDIRECT_URL = "/"

# The key that seals the event log lives outside the database: env, a file named by
# CONGVU_LOG_KEY_FILE, or var/log_seal.key created on first use.
LOG_SEAL_KEY = envsecret("CONGVU_LOG_KEY") or persistent_secret(VAR_DIR / "log_seal.key")
# Each checkpoint is also appended to this file, outside the database (docs/event-log.md,
# "Anchor"); empty turns it off. Make it append-only (chattr +a) and copy it off the machine.
LOG_ANCHOR = os.getenv("CONGVU_LOG_ANCHOR", str(VAR_DIR / "log_anchor.jsonl"))
# How often the log_checkpoint job runs; verify_log fails on a log with events older than this
# and no checkpoint at all (deleting every checkpoint no longer passes).
LOG_CHECKPOINT_MINUTES = envint("CONGVU_LOG_CHECKPOINT_MINUTES", "10")

# PAdES signatures on issued PDFs (congvu/lib/signing.py, docs/integration.md "Chữ ký số"):
# the agency's key as a PKCS#12 file, or on a PKCS#11 token; neither set = unsigned PDFs.
SIGNING_P12 = os.getenv("CONGVU_SIGNING_P12", "")
SIGNING_P12_PASSWORD = envsecret("CONGVU_SIGNING_P12_PASSWORD") or ""
SIGNING_PKCS11_MODULE = os.getenv("CONGVU_SIGNING_PKCS11_MODULE", "")
SIGNING_PKCS11_TOKEN = os.getenv("CONGVU_SIGNING_PKCS11_TOKEN", "")
SIGNING_PKCS11_KEY_LABEL = os.getenv("CONGVU_SIGNING_PKCS11_KEY_LABEL", "")
SIGNING_PKCS11_PIN = envsecret("CONGVU_SIGNING_PKCS11_PIN") or ""
# Verification trusts these roots (PEM/DER files, ':'-separated) and these CRLs.
SIGNING_TRUST_ROOTS = [p for p in os.getenv("CONGVU_SIGNING_TRUST_ROOTS", "").split(":") if p]
SIGNING_CRLS = [p for p in os.getenv("CONGVU_SIGNING_CRLS", "").split(":") if p]
SIGNING_FETCH_REVOCATION = envbool("CONGVU_SIGNING_FETCH_REVOCATION", "True")
# An edXML package must carry the sending agency's XML signature, checked against the roots
# above (congvu/exchange/xmlsig.py); False only for a sender that cannot sign yet.
EDXML_REQUIRE_SIGNATURE = envbool("CONGVU_EDXML_REQUIRE_SIGNATURE", "True")

# Single sign-on with the province's OpenID Connect provider (congvu/web/sso.py,
# docs/integration.md "Đăng nhập một cửa"): both issuer and client id set = the button shows.
OIDC_ISSUER = os.getenv("CONGVU_OIDC_ISSUER", "")
OIDC_CLIENT_ID = os.getenv("CONGVU_OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = envsecret("CONGVU_OIDC_CLIENT_SECRET") or ""
OIDC_SCOPES = os.getenv("CONGVU_OIDC_SCOPES", "openid email profile")
# The claim that names the person, and the Person field it must equal ("email" or "code").
OIDC_PERSON_CLAIM = os.getenv("CONGVU_OIDC_PERSON_CLAIM", "email")
OIDC_PERSON_FIELD = os.getenv("CONGVU_OIDC_PERSON_FIELD", "email")
if OIDC_PERSON_FIELD not in ("email", "code"):
    raise ImproperlyConfigured("CONGVU_OIDC_PERSON_FIELD must be 'email' or 'code'")
# Empty: the callback address is built from the request (set it behind a proxy that rewrites).
OIDC_REDIRECT_URI = os.getenv("CONGVU_OIDC_REDIRECT_URI", "")

# Indicators at risk or late that end within this many days warn the responsible unit's head.
INDICATOR_WARNING_DAYS = envint("CONGVU_INDICATOR_WARNING_DAYS", "14")

# Spreadsheet imports (import_tasks, import_org, the API) stop at these bounds with a message
# naming the variable to raise (congvu/lib/sheets.py; issue #12).
IMPORT_MAX_ROWS = envint("CONGVU_IMPORT_MAX_ROWS", "100000")
IMPORT_MAX_COLUMNS = envint("CONGVU_IMPORT_MAX_COLUMNS", "200")
IMPORT_MAX_CELL_CHARS = envint("CONGVU_IMPORT_MAX_CELL_CHARS", "32767")
IMPORT_MAX_FILE_BYTES = envint("CONGVU_IMPORT_MAX_FILE_BYTES", str(20 * 1024 * 1024))
IMPORT_MAX_UNZIPPED_BYTES = envint("CONGVU_IMPORT_MAX_UNZIPPED_BYTES", str(200 * 1024 * 1024))

# E-mail: off unless EMAIL_HOST is set (the embedded default sends nothing).
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "congvu@localhost")
SITE_URL = os.getenv("CONGVU_SITE_URL", "http://127.0.0.1:8000/")

# Due process for detection findings: working days to explain, and to appeal a confirmation.
FINDING_EXPLANATION_DAYS = envint("CONGVU_FINDING_EXPLANATION_DAYS", "5")
FINDING_APPEAL_DAYS = envint("CONGVU_FINDING_APPEAL_DAYS", "5")

# Automatic deadline reminders, in working days before the deadline.
REMINDER_WORKING_DAYS = [
    int(d) for d in os.getenv("CONGVU_REMINDER_DAYS", "3,1").split(",") if d.strip()
]

# The legal department (Sở Tư pháp): members of these units (and of the units directly below
# them) receive acknowledged legal obstacles in their queue. Unit codes, comma-separated.
LEGAL_DEPARTMENT_UNIT_CODES = tuple(
    c.strip() for c in os.getenv("CONGVU_LEGAL_UNIT_CODES", "STP").split(",") if c.strip()
)

# A unit dashboard folds its tasks live up to this many; above it (a whole Sở) it sums the
# hourly pre-aggregated figures (congvu.web.summary) and says when they were computed.
DASHBOARD_LIVE_TASKS = envint("CONGVU_DASHBOARD_LIVE_TASKS", "5000")

# Province shown in headers and official documents.
PROVINCE_NAME = os.getenv("CONGVU_PROVINCE_NAME", "Tỉnh Bình Minh")
# Province code in partitioned log exports (province=<code>/…), e.g. the administrative code
# of the province; one national dataset holds every province's folder side by side.
PROVINCE_CODE = os.getenv("CONGVU_PROVINCE_CODE", "binh-minh")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

"""Amparo settings: SQLite under AMPARO_DATA_DIR by default, PostgreSQL when DATABASE_URL is set.

AMPARO_ENV selects development (the default: demo keys in the data directory), test, or
production (every secret and the key-encryption key must come from the operator).
"""

from datetime import time, timedelta

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import (
    BASE_DIR,
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_required,
    env_str,
    environment,
)

AMPARO_ENV = environment()
PRODUCTION = AMPARO_ENV == "production"
TESTING = AMPARO_ENV == "test"
AMPARO_DATA_DIR = data_dir()
AMPARO_ATTACHMENTS_DIR = AMPARO_DATA_DIR / "attachments"
AMPARO_DEV_KEY_FILE = AMPARO_DATA_DIR / "dev-keys.json"
AMPARO_DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    if PRODUCTION:
        return env_required("AMPARO_SECRET_KEY")
    if TESTING:
        return "test-only-secret-key-not-for-any-deployment-0123456789"
    from amparo.core.devkeys import read_dev_secret_key

    return read_dev_secret_key(AMPARO_DEV_KEY_FILE)


SECRET_KEY = _secret_key()
DEBUG = env_bool("AMPARO_DEBUG", default=False) and not PRODUCTION
ALLOWED_HOSTS = env_list("AMPARO_ALLOWED_HOSTS") or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "amparo.core",
    "amparo.accounts",
    "amparo.audit",
    "amparo.registry",
    "amparo.incidents",
    "amparo.earlywarning",
    "amparo.risk",
    "amparo.measures",
    "amparo.coordination",
    "amparo.communications",
    "amparo.investigations",
    "amparo.reports",
    "amparo.interchange",
    "amparo.portal",
    "amparo.ops",
    "amparo.bench",
    "amparo.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "amparo.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "amparo.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "amparo.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "amparo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amparo.core.context_processors.amparo",
            ],
        },
    },
]
# Django's, with select boxes written in Python (a template per option made the filter forms
# the costliest part of the list pages; docs/performance.md).
FORM_RENDERER = "amparo.core.form_renderer.AmparoFormRenderer"

# Database: SQLite in the data directory (WAL, synchronous FULL, immediate transactions so that
# writers queue instead of failing with "database is locked"); PostgreSQL when DATABASE_URL is set.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str(
        "AMPARO_TEST_DATABASE", "test_amparo"
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(AMPARO_DATA_DIR / "amparo.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            "TEST": {"NAME": str(AMPARO_DATA_DIR / "test-amparo.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if TESTING:
    # Tests create many users; the production hasher costs ~180 ms each on two cores.
    PASSWORD_HASHERS = ["amparo.accounts.hashers.FastArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

# Sessions: server-side, short. Absolute lifetime by cookie age; idle timeout by middleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("AMPARO_SESSION_MAX_SECONDS", 8 * 3600)
AMPARO_SESSION_IDLE_SECONDS = env_int("AMPARO_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "amparo.core.views.csrf_failure"

# Lockout: by (username, address) pair so an attacker cannot lock a known officer out from
# elsewhere, with a cool-off instead of a permanent lock.
AXES_FAILURE_LIMIT = env_int("AMPARO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AMPARO_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "amparo.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
# Beyond the pair, refused before any hashing (amparo.accounts.views.login_refused), with a
# back-off from half the limit: an address failing across usernames; a username failing across
# addresses, except from an address where that account signed in before.
AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("AMPARO_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AMPARO_LOGIN_USERNAME_FAILURE_LIMIT = env_int("AMPARO_LOGIN_USERNAME_FAILURE_LIMIT", 20)
# The client address is the connection's; X-Forwarded-For counts only behind this many proxies.
AMPARO_TRUSTED_PROXIES = env_int("AMPARO_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "amparo.accounts.views.client_address"

OTP_TOTP_ISSUER = "Amparo"
OTP_TOTP_THROTTLE_FACTOR = 1

# Security headers. HSTS, secure cookies and HTTPS redirect in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("AMPARO_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("AMPARO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    CSRF_TRUSTED_ORIGINS = env_list("AMPARO_CSRF_TRUSTED_ORIGINS")

# Uploads: evidence attachments are streamed to a temporary file and encrypted; never kept plain.
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
AMPARO_MAX_ATTACHMENT_BYTES = env_int("AMPARO_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The defender portal (docs/portal.md): the entity whose staff receive self-reports made
# without an account (its slug; unset: self-reporting without an account is closed), and the
# rate limits of the public pages, counted in Django's cache per address and overall.
AMPARO_INTAKE_ENTITY = env_str("AMPARO_INTAKE_ENTITY", "") or ""
AMPARO_PORTAL_REPORTS_PER_ADDRESS = env_int("AMPARO_PORTAL_REPORTS_PER_ADDRESS", 5)
AMPARO_PORTAL_REPORTS_PER_HOUR = env_int("AMPARO_PORTAL_REPORTS_PER_HOUR", 200)
AMPARO_PORTAL_LOOKUPS_PER_ADDRESS = env_int("AMPARO_PORTAL_LOOKUPS_PER_ADDRESS", 10)
AMPARO_PORTAL_LOOKUPS_PER_HOUR = env_int("AMPARO_PORTAL_LOOKUPS_PER_HOUR", 600)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "amparo" / "locale"]
# The language switcher's choice (a cookie, for everyone; signed-in users also store it, which
# applies at their next sign-in), then the browser's Accept-Language (LocaleMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = AMPARO_DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "amparo" / "static"]  # the pages' own stylesheet
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Reminders and escalations: SMTP in production (EMAIL_* settings from the operator), printed
# to the console in development, kept in memory for the tests. Bodies hold no sensitive value.
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("AMPARO_EMAIL_HOST", "localhost"),
                "port": env_int("AMPARO_EMAIL_PORT", 587),
                "username": env_str("AMPARO_EMAIL_USER", ""),
                "password": env_str("AMPARO_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("AMPARO_EMAIL_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.locmem.EmailBackend"
            if TESTING
            else "django.core.mail.backends.console.EmailBackend"
        }
    }
DEFAULT_FROM_EMAIL = env_str("AMPARO_EMAIL_FROM", "amparo@localhost") or "amparo@localhost"

# Logs go to stderr; nothing sensitive is ever logged (see docs/operations.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "amparo.core.logs.StderrHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("AMPARO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        # axes names the typed username and the address in its warnings; failures are audited.
        "axes": {"level": "ERROR"},
    },
}

# Background tasks (the early-warning scans, amparo/earlywarning/tasks.py): a queue in the
# database, run by `amparo worker`; `immediate` runs each task in the process that enqueues it.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env_str("AMPARO_TASKS_BACKEND", "database") or "database"
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"AMPARO_TASKS_BACKEND must be database or immediate, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}
# Local time (TIME_ZONE) at which `amparo worker` enqueues the daily early-warning scan.
_scan_at = env_str("AMPARO_SCAN_AT", "02:00") or "02:00"
try:
    AMPARO_SCAN_AT = time.fromisoformat(_scan_at)
except ValueError:
    raise ImproperlyConfigured(f"AMPARO_SCAN_AT must be a time HH:MM, not {_scan_at!r}.") from None
if AMPARO_SCAN_AT.tzinfo is not None:
    raise ImproperlyConfigured("AMPARO_SCAN_AT is a local time (TIME_ZONE): no offset.")

# `amparo bench` serves a bare view as its web limit; never in production.
AMPARO_BENCH = env_bool("AMPARO_BENCH", default=False)
if AMPARO_BENCH and PRODUCTION:
    raise ImproperlyConfigured("AMPARO_BENCH is for `amparo bench` only, never in production.")

# Amparo configuration.
AMPARO_PAGE_SIZE = env_int("AMPARO_PAGE_SIZE", 50)
# Where users of this deployment get its source code, as the AGPL (section 13) asks.
AMPARO_SOURCE_URL = env_str("AMPARO_SOURCE_URL", "") or ""
AMPARO_CODE_PREFIX = env_str("AMPARO_CODE_PREFIX", "HRD") or "HRD"
# How long the operator keeps backups: a shredded record is gone from all of them after this.
AMPARO_BACKUP_RETENTION_DAYS = env_int("AMPARO_BACKUP_RETENTION_DAYS", 35)
# The annual report: counts about people below this are suppressed; timeliness targets.
AMPARO_REPORT_MIN_COUNT = env_int("AMPARO_REPORT_MIN_COUNT", 3)
AMPARO_REPORT_DECISION_TARGET_DAYS = env_int("AMPARO_REPORT_DECISION_TARGET_DAYS", 14)
AMPARO_REPORT_PROTECTION_TARGET_DAYS = env_int("AMPARO_REPORT_PROTECTION_TARGET_DAYS", 30)

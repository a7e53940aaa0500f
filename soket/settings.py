"""Soket's settings, read from the environment.

Every setting an operator may change is an environment variable read through
one of the small helpers below; everything else is fixed here.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_date(name: str) -> datetime.date | None:
    value = os.environ.get(name)
    return datetime.date.fromisoformat(value) if value else None


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment, or DEBUG=1 for development.")
    SECRET_KEY = "insecure-development-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "soket.core",
    "soket.orgs",
    "soket.resolutions",
    "soket.campaigns",
    "soket.reports",
    "soket.analysis",
    "soket.lessons",
    "soket.drafting",
    "soket.surveys",
    "soket.documents",
    "soket.notices",
    "soket.people",
    "soket.audit",
    "soket.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "soket.core.middleware.LanguageMiddleware",
    "soket.core.middleware.TextHygieneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "soket.core.middleware.HtmxLoginRedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "soket.urls"
WSGI_APPLICATION = "soket.wsgi.application"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "soket.core.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "soket" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "soket.core.context_processors.soket",
                "soket.notices.context_processors.notices",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL names PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'soket.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # Tests use a file, as production does: an in-memory database shares one cache
    # between threads and fails a second writer at once instead of making it wait.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Rollups group millions of figures: give sorts and hashes room in memory, and skip
    # JIT compilation, which costs more than it saves on queries of this size.
    DATABASES["default"]["OPTIONS"] = {
        "options": env_str("POSTGRES_OPTIONS", "-c work_mem=64MB -c jit=off")
    }
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Log-in: Argon2 first (older hashes are upgraded at the next log-in); django-axes counts
# failed log-ins by account and by address and refuses more for a while past the limit.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SOKET_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SOKET_LOGIN_COOLOFF_MINUTES", 15))
# Each on its own: ten wrong passwords for one account, from anywhere, or from one
# address, for any accounts. A right password clears that account's failures (and only
# those), so an office behind one address is not shut out by colleagues' typing errors.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "soket.core.auth.AccountOnlyReset"
AXES_USERNAME_CALLABLE = "soket.core.auth.client_username"
AXES_CLIENT_IP_CALLABLE = "soket.core.auth.client_address"
AXES_LOCKOUT_CALLABLE = "soket.core.auth.locked_out"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "soket" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
# The campaigns' time zone, which alone decides whether a report is late (reports/lateness.py).
SOKET_CAMPAIGN_TIME_ZONE = env_str("SOKET_CAMPAIGN_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Attachments and documents are served through permission checks only: nobody else on
# the server reads them either.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Background work (mail, reminders, heavy documents) runs in django-tasks' database runner.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        # Documents wait in their own queue, so a long PDF never holds up the mail.
        "QUEUES": ["default", "documents"],
    }
}
# A task still marked running this long after it started is taken to have lost its worker
# and is run again; every task is written to be safe to run twice.
SOKET_TASK_LEASE_SECONDS = env_int("SOKET_TASK_LEASE_SECONDS", 15 * 60)
# Mail leaves through the outbox; a failed delivery is retried with growing pauses.
SOKET_MAIL_MAX_ATTEMPTS = env_int("SOKET_MAIL_MAX_ATTEMPTS", 10)
SOKET_MAIL_RETRY_SECONDS = env_int("SOKET_MAIL_RETRY_SECONDS", 60)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Reminders go this many days before a report deadline, on the day, and this many after.
SOKET_REMINDER_DAYS_BEFORE = env_int("SOKET_REMINDER_DAYS_BEFORE", 3)
SOKET_REMINDER_DAYS_AFTER = env_int("SOKET_REMINDER_DAYS_AFTER", 3)

# Uploads (imports) are read into memory up to this size and refused above it.
SOKET_MAX_UPLOAD_BYTES = env_int("SOKET_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# The worker questionnaires one survey draw may make in all (a census of every grassroots
# union of the country, many questionnaires each, would be millions of rows at once).
SOKET_SURVEY_MOST_QUESTIONNAIRES = env_int("SOKET_SURVEY_MOST_QUESTIONNAIRES", 200_000)
SOKET_MAX_ATTACHMENT_BYTES = env_int("SOKET_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# What an Office file (.docx, .xlsx) may unpack to, and how many pixels a picture may have.
SOKET_MAX_UNPACKED_BYTES = env_int("SOKET_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
SOKET_MAX_IMAGE_PIXELS = env_int("SOKET_MAX_IMAGE_PIXELS", 40_000_000)
# Files are counted as they stream in and dropped past the largest limit above.
FILE_UPLOAD_HANDLERS = [
    "soket.core.filecheck.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# LibreOffice, which makes the PDFs: a time limit per document, the memory it may map,
# and how many may run at once on the server (however many background workers there are).
SOKET_PDF_TIMEOUT_SECONDS = env_int("SOKET_PDF_TIMEOUT_SECONDS", 120)
SOKET_PDF_MEMORY_MB = env_int("SOKET_PDF_MEMORY_MB", 1536)
SOKET_PDF_CONCURRENCY = env_int("SOKET_PDF_CONCURRENCY", 2)
SOKET_RUN_DIR = env_str("SOKET_RUN_DIR", str(BASE_DIR / "var" / "run"))
# The resident converter (`manage.py office_server`): a LibreOffice kept running, so a PDF
# takes a fraction of a second. SOKET_OFFICE_SERVER is the path of its Unix socket, in a
# folder for Soket's user alone (made so when it starts), which keeps other accounts from
# calling it or passing for it; empty for none. On by default, since where it does not run
# a PDF costs one failed connection more and a line at INFO, not a warning. Documents
# larger than SOKET_OFFICE_MAX_DOCUMENT_BYTES go to a LibreOffice of their own: they are a
# few hundred kB, a few MB with photographs (each drawn again at most 2000 pixels long),
# so the bound only caps what the converter reads for a call (it holds two at most).
# Its Python must import LibreOffice's uno module (found where Debian's python3-uno is).
SOKET_OFFICE_SERVER = env_str("SOKET_OFFICE_SERVER", str(Path(SOKET_RUN_DIR) / "office.sock"))
SOKET_OFFICE_MAX_DOCUMENT_BYTES = env_int("SOKET_OFFICE_MAX_DOCUMENT_BYTES", 32 * 1024 * 1024)
SOKET_OFFICE_PYTHON = env_str("SOKET_OFFICE_PYTHON")
# Documents made in the background are kept this long for their person to download.
SOKET_DOCUMENT_KEEP_HOURS = env_int("SOKET_DOCUMENT_KEEP_HOURS", 24)
SOKET_DOCUMENT_JOBS_PER_PERSON = env_int("SOKET_DOCUMENT_JOBS_PER_PERSON", 5)
DATA_UPLOAD_MAX_MEMORY_SIZE = SOKET_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SOKET_MAX_UPLOAD_BYTES

# The demo runs on a date inside the 2015-2016 campaign; nothing else sets this.
SOKET_SIMULATED_TODAY = env_date("SOKET_SIMULATED_TODAY")

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "soket@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Pages load only what the server itself serves: no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "soket.core.sessions"
# A session ends after this long without a request (each request starts the time again).
SESSION_COOKIE_AGE = env_int("SOKET_SESSION_IDLE_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = True
# Set only where a web server of the office's own sits in front of Soket and sets
# X-Forwarded-Proto and X-Forwarded-For itself; otherwise any visitor could claim HTTPS
# or another address.
SOKET_BEHIND_PROXY = env_bool("SOKET_BEHIND_PROXY", default=False)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Closed networks that serve plain HTTP set SOKET_HTTPS=0 and accept the warnings.
    _https = env_bool("SOKET_HTTPS", default=True)
    SECURE_SSL_REDIRECT = _https
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if SOKET_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The HSTS preload list is for public hostnames; a federation's intranet host is not one.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes says every log-in at INFO; failures and lock-outs (WARNING) are enough.
    "loggers": {"axes": {"level": "WARNING"}},
}

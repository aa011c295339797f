"""Django settings, read from the environment (in the style of healthchecks' settings.py).

Modes (``ANAGEN_ENV``):
- ``production`` (the default): needs ``ANAGEN_SECRET_KEY`` (or ``ANAGEN_SECRET_KEY_FILE``),
  refuses DEBUG, and turns on secure cookies, HSTS and the HTTPS redirect.
- ``demo``: set by ``anagen demo``; keeps a generated secret in the data folder, serves plain HTTP
  on loopback and lets the seeded demo accounts sign in.
- ``test``: set by the test suite.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ANAGEN_ENV = env_str("ANAGEN_ENV", "production")
if ANAGEN_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"ANAGEN_ENV must be production, demo or test, not {ANAGEN_ENV!r}")
PRODUCTION = ANAGEN_ENV == "production"
ANAGEN_DEMO = ANAGEN_ENV == "demo"

DATA_DIR = Path(env_str("ANAGEN_DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    key = env_str("ANAGEN_SECRET_KEY")
    key_file = env_str("ANAGEN_SECRET_KEY_FILE")
    if key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"ANAGEN_SECRET_KEY_FILE cannot be read: {exc.strerror}") from exc
    if key:
        if PRODUCTION and len(key) < 50:
            raise ImproperlyConfigured("ANAGEN_SECRET_KEY must be at least 50 characters long")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "ANAGEN_SECRET_KEY (or ANAGEN_SECRET_KEY_FILE) is required in production"
        )
    if ANAGEN_ENV == "test":
        return "test-only-secret-key-" + "x" * 40
    # Demo: one random key per data folder, so demo sessions survive a restart.
    path = DATA_DIR / "demo-secret-key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
# Rotating the key without signing everyone out: the old keys still verify, only the new one signs.
SECRET_KEY_FALLBACKS = env_list("ANAGEN_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("ANAGEN_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("ANAGEN_DEBUG must be off in production")

ALLOWED_HOSTS = env_list(
    "ANAGEN_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("ANAGEN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    # Two-factor sign-in: TOTP authenticators and single-use recovery codes (docs/security.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "anagen.accounts",
    "anagen.audit",
    "anagen.patients",
    "anagen.consents",
    "anagen.consultations",
    "anagen.catalog",
    "anagen.treatments",
    "anagen.education",
    "anagen.procedures",
    "anagen.safety",
    "anagen.photos",
    "anagen.outcomes",
    "anagen.interop",
    "anagen.recall",
    "anagen.reminders",
    "anagen.billing",
    "anagen.api",
    "anagen.portal",
    "anagen.scheduling",
    "anagen.privacy",
    "anagen.booking",
    "anagen.waitlist",
    "anagen.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anagen.accounts.middleware.IdleExpiryMiddleware",
    # After the session and before CommonMiddleware, as Django asks: the language of a visitor not
    # signed in (their cookie, else their browser's Accept-Language, else LANGUAGE_CODE).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A service's NotFound (anagen.core.errors) is the 404 page.
    "anagen.ui.middleware.NotFoundMiddleware",
    "anagen.accounts.middleware.ClinicMiddleware",
    # A page's list reads become one audit entry naming every patient it showed.
    "anagen.audit.middleware.AuditPageViewMiddleware",
    # Once the user is known: a patient reads their preferred language, staff their own or the clinic's.
    "anagen.web.middleware.PreferredLanguageMiddleware",
    # After the password, the second factor: verify a code, or set one up where it is mandatory.
    "anagen.accounts.middleware.TwoFactorMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anagen.urls"
WSGI_APPLICATION = "anagen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anagen.accounts.context_processors.staff",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'anagen.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue on the busy
    # timeout instead of one failing with "database is locked" when it upgrades a read lock.
    # WAL lets readers proceed while a writer holds the lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # A 64 MB page cache and memory-mapped reads per connection: a clinic group's database
        # outgrows SQLite's 2 MB default cache, and pages read through mmap cost no system call.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;",
    }
    # Each gunicorn worker keeps its connection (and that cache) between requests; SQLite notices
    # other processes' writes at the start of every transaction, so nothing read is stale.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("ANAGEN_DB_CONN_MAX_AGE", 60)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("ANAGEN_DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind pgbouncer in transaction mode server-side cursors (QuerySet.iterator) must be off.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("ANAGEN_DB_DISABLE_SERVER_SIDE_CURSORS", False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "anagen.accounts.backends.StaffBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# Staff land on their home page, patients on the portal (anagen.portal.views.after_login).
LOGIN_REDIRECT_URL = "portal:after_login"
LOGOUT_REDIRECT_URL = "login"

# Django's database sessions, read with one precompiled statement on every request.
SESSION_ENGINE = "anagen.accounts.sessions"
# Sessions end after 30 minutes without a request (29-30: the expiry is renewed once a minute).
SESSION_COOKIE_AGE = 30 * 60
# Renewed at most once a minute by anagen.accounts.middleware.IdleExpiryMiddleware.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: five wrong passwords for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("ANAGEN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ANAGEN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy the client address arrives in X-Forwarded-For; trust it only when told.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("ANAGEN_BEHIND_PROXY") else ["REMOTE_ADDR"]
)

# Two-factor sign-in (django-otp). A user with a confirmed authenticator must enter a code (or a
# recovery code) after the password; the roles listed here must set one up before any page.
# Seeded demo accounts are exempt on a demo server only (ANAGEN_ENV=demo). The test suite turns the
# mandate off by default (tests sign in with force_login); tests/web/security turn it back on.
ANAGEN_TWO_FACTOR_REQUIRED_ROLES = frozenset(
    env_list("ANAGEN_TWO_FACTOR_REQUIRED_ROLES", "" if ANAGEN_ENV == "test" else "clinic_admin,trichologist")
)
OTP_TOTP_ISSUER = env_str("ANAGEN_OTP_ISSUER", "Anagen")
# Each wrong code doubles the wait before the next try on that device (1 s, 2 s, 4 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
ANAGEN_RECOVERY_CODE_COUNT = 10

# The audit trail's keys live outside the database, beside the secret key (a folder next to
# ANAGEN_SECRET_KEY_FILE, else in the data folder); signed checkpoints of the trail are appended
# to a file in the data folder and, optionally, sent to an email address and a webhook
# (docs/security.md, "The audit trail").
ANAGEN_AUDIT_KEY_DIR = Path(env_str(
    "ANAGEN_AUDIT_KEY_DIR",
    str(Path(env_str("ANAGEN_SECRET_KEY_FILE")).resolve().parent / "audit-keys") if env_str("ANAGEN_SECRET_KEY_FILE")
    else str(DATA_DIR / "audit-keys"),
))
ANAGEN_AUDIT_CHECKPOINT_FILE = Path(env_str("ANAGEN_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit-checkpoints.jsonl")))
ANAGEN_AUDIT_CHECKPOINT_MINUTES = env_int("ANAGEN_AUDIT_CHECKPOINT_MINUTES", 15)
ANAGEN_AUDIT_CHECKPOINT_ENTRIES = env_int("ANAGEN_AUDIT_CHECKPOINT_ENTRIES", 10_000)
ANAGEN_AUDIT_CHECKPOINT_EMAIL = env_str("ANAGEN_AUDIT_CHECKPOINT_EMAIL")
ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_URL = env_str("ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_URL")
ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_TOKEN = env_str("ANAGEN_AUDIT_CHECKPOINT_WEBHOOK_TOKEN")

# Password reset by email: links expire after one hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
EMAIL_BACKEND = env_str(
    "ANAGEN_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if ANAGEN_DEMO else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("ANAGEN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ANAGEN_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("ANAGEN_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("ANAGEN_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("ANAGEN_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("ANAGEN_DEFAULT_FROM_EMAIL", "Anagen <no-reply@localhost>")

# Medical records are kept this many years after the last visit (adults), even after an erasure
# request: Indian Medical Council (Professional Conduct, Etiquette and Ethics) Regulations 2002,
# §1.3.1. Clinics must check the rules that apply to them (docs/security.md).
ANAGEN_RECORD_RETENTION_YEARS = env_int("ANAGEN_RECORD_RETENTION_YEARS", 3)

# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}

LANGUAGE_CODE = "en-in"
# The same codes as anagen.accounts.models.Language, each named in its own script.
LANGUAGES = [("en-in", "English"), ("hi", "हिन्दी"), ("mr", "मराठी")]
# One project catalogue (src/anagen/locale/<lang>/LC_MESSAGES/django.po); the .mo files are compiled
# from it by `make install` (anagen.ui.catalogs), never committed.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ANAGEN_TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
# One date format everywhere, "3 Dec 2026" and 24-hour times (anagen/formats, issue 20).
FORMAT_MODULE_PATH = ["anagen.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The Noto fonts the PDFs embed also serve the pages (as /static/fonts/): a Devanagari name or
# the Hindi aftercare sheet reads the same on a tablet that has no Devanagari font of its own.
STATICFILES_DIRS = [("fonts", BASE_DIR / "ui" / "fonts")]
# Patient files (photos, generated reports) live under the data folder, never under STATIC or a
# URL of their own: they are served only by authenticated, audited views. "photos" and "reports"
# are storage aliases so a deployment can move them to object storage (docs/deployment.md).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(DATA_DIR / "files"), "base_url": None}},
    "photos": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(DATA_DIR / "photos"), "base_url": None}},
    "reports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(DATA_DIR / "reports"), "base_url": None}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Several application servers share patient files through S3-compatible object storage
# (docs/deployment.md). The objects stay private: no ACL, and the app streams them through its
# audited views, so bucket URLs are never handed to a browser.
ANAGEN_S3_BUCKET = env_str("ANAGEN_S3_BUCKET")
if ANAGEN_S3_BUCKET:
    _s3_options = {
        "bucket_name": ANAGEN_S3_BUCKET,
        "endpoint_url": env_str("ANAGEN_S3_ENDPOINT_URL") or None,
        "region_name": env_str("ANAGEN_S3_REGION") or None,
        "access_key": env_str("ANAGEN_S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("ANAGEN_S3_SECRET_ACCESS_KEY") or None,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
    }
    # "default" holds the portal's data exports: every application server must reach them too.
    for _alias, _location in (("photos", "photos"), ("reports", "reports"), ("default", "files")):
        STORAGES[_alias] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_options, "location": _location}}

# The API's rate limits count per process unless the servers share a cache (docs/deployment.md).
_cache = env_str("ANAGEN_CACHE")
if _cache == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "anagen_cache"}}
elif _cache.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache}}
elif _cache:
    raise ImproperlyConfigured("ANAGEN_CACHE must be 'database' or a redis:// URL")

# Uploads: photos are at most 20 MB each (issue 7); the request may carry several.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = None
# Stored photographs, reports and exports are for the anagen user alone (anagen.private_files).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
ANAGEN_PHOTO_MAX_BYTES = env_int("ANAGEN_PHOTO_MAX_BYTES", 20 * 1024 * 1024)
ANAGEN_PHOTO_MAX_PIXELS = env_int("ANAGEN_PHOTO_MAX_PIXELS", 50_000_000)
# What one upload request may make a worker decode, checked on the headers first (issue 19).
ANAGEN_PHOTO_MAX_FILES_PER_REQUEST = env_int("ANAGEN_PHOTO_MAX_FILES_PER_REQUEST", 12)
ANAGEN_PHOTO_MAX_PIXELS_PER_REQUEST = env_int("ANAGEN_PHOTO_MAX_PIXELS_PER_REQUEST", 100_000_000)
# Django's own cap on files per request, well above ours: beyond it the body is not even parsed.
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# Reminders (docs/reminders-and-billing.md): with nothing configured every channel logs only.
def _json_env(name: str, default: object) -> object:
    import json

    raw = env_str(name)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON, e.g. {json.dumps(default)}") from exc


ANAGEN_REMINDER_ADAPTERS = _json_env("ANAGEN_REMINDER_ADAPTERS", {"email": "log", "sms": "log", "whatsapp": "log"})
ANAGEN_REMINDER_SMTP_HOST = env_str("ANAGEN_REMINDER_SMTP_HOST", "localhost")
ANAGEN_REMINDER_SMTP_PORT = env_int("ANAGEN_REMINDER_SMTP_PORT", 25)
ANAGEN_REMINDER_SMTP_USER = env_str("ANAGEN_REMINDER_SMTP_USER")
ANAGEN_REMINDER_SMTP_PASSWORD = env_str("ANAGEN_REMINDER_SMTP_PASSWORD")
ANAGEN_REMINDER_SMTP_USE_TLS = env_bool("ANAGEN_REMINDER_SMTP_USE_TLS", False)
ANAGEN_REMINDER_FROM_EMAIL = env_str("ANAGEN_REMINDER_FROM_EMAIL", "reminders@anagen.invalid")
ANAGEN_SMS_WEBHOOK_URL = env_str("ANAGEN_SMS_WEBHOOK_URL")
ANAGEN_SMS_WEBHOOK_TOKEN = env_str("ANAGEN_SMS_WEBHOOK_TOKEN")
ANAGEN_WHATSAPP_WEBHOOK_URL = env_str("ANAGEN_WHATSAPP_WEBHOOK_URL")
ANAGEN_WHATSAPP_WEBHOOK_TOKEN = env_str("ANAGEN_WHATSAPP_WEBHOOK_TOKEN")
ANAGEN_REMINDER_SEND_TIMEOUT = env_int("ANAGEN_REMINDER_SEND_TIMEOUT", 10)
ANAGEN_REMINDER_INBOUND_SECRET = env_str("ANAGEN_REMINDER_INBOUND_SECRET")
ANAGEN_PUBLIC_BASE_URL = env_str("ANAGEN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")


def _env_secret(name: str) -> str:
    """A secret from NAME, or from the file NAME_FILE names (docs/whatsapp-and-sms.md)."""
    path = env_str(f"{name}_FILE")
    if not path:
        return env_str(name)
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc.strerror}") from exc


# WhatsApp Cloud API and MSG91 SMS (docs/whatsapp-and-sms.md): secrets from the environment only.
ANAGEN_WHATSAPP_API_BASE = env_str("ANAGEN_WHATSAPP_API_BASE", "https://graph.facebook.com")
ANAGEN_WHATSAPP_API_VERSION = env_str("ANAGEN_WHATSAPP_API_VERSION", "v23.0")
ANAGEN_WHATSAPP_ACCESS_TOKEN = _env_secret("ANAGEN_WHATSAPP_ACCESS_TOKEN")
ANAGEN_WHATSAPP_APP_SECRET = _env_secret("ANAGEN_WHATSAPP_APP_SECRET")
ANAGEN_WHATSAPP_VERIFY_TOKEN = _env_secret("ANAGEN_WHATSAPP_VERIFY_TOKEN")
ANAGEN_MSG91_API_BASE = env_str("ANAGEN_MSG91_API_BASE", "https://api.msg91.com")
ANAGEN_MSG91_AUTHKEY = _env_secret("ANAGEN_MSG91_AUTHKEY")
ANAGEN_MSG91_ROUTE = env_str("ANAGEN_MSG91_ROUTE", "4")
# Razorpay payment links (docs/upi-and-razorpay.md): optional; secrets from the environment only.
ANAGEN_RAZORPAY_API_BASE = env_str("ANAGEN_RAZORPAY_API_BASE", "https://api.razorpay.com")
ANAGEN_RAZORPAY_KEY_ID = env_str("ANAGEN_RAZORPAY_KEY_ID")
ANAGEN_RAZORPAY_KEY_SECRET = _env_secret("ANAGEN_RAZORPAY_KEY_SECRET")
ANAGEN_RAZORPAY_WEBHOOK_SECRET = _env_secret("ANAGEN_RAZORPAY_WEBHOOK_SECRET")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("ANAGEN_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("ANAGEN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("ANAGEN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The directive alone enrols nothing; a domain joins the preload list only when submitted.
    SECURE_HSTS_PRELOAD = env_bool("ANAGEN_HSTS_PRELOAD", True)
    # Health checks from the load balancer come in over plain HTTP on the private side.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Secrets in paths (feed, invitation and reset tokens) never reach a line (anagen.log_masking).
    "filters": {"mask_tokens": {"()": "anagen.log_masking.MaskTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("ANAGEN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry only paths (ids, never names): see docs/operator-guide.md.
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

if ANAGEN_ENV == "test":
    # Argon2 is deliberately slow; tests that check hashing ask for it explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

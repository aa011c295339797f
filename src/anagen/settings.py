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
    "anagen.reminders",
    "anagen.billing",
    "anagen.api",
    "anagen.portal",
    "anagen.scheduling",
    "anagen.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anagen.accounts.middleware.ClinicMiddleware",
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
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("ANAGEN_DB_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

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
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request: the cookie age is renewed on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
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

LANGUAGE_CODE = "en-in"
TIME_ZONE = env_str("ANAGEN_TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
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

# Uploads: photos are at most 20 MB each (issue 7); the request may carry several.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = None
ANAGEN_PHOTO_MAX_BYTES = env_int("ANAGEN_PHOTO_MAX_BYTES", 20 * 1024 * 1024)
ANAGEN_PHOTO_MAX_PIXELS = env_int("ANAGEN_PHOTO_MAX_PIXELS", 50_000_000)

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
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
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

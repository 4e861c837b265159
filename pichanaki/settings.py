"""pichanaki settings: one module, driven by environment variables (see README).

With no environment variables set this is the embedded default: SpatiaLite in var/ and Celery
in eager mode. PICHANAKI_ENV=production turns on the deployment checks and refuses to start
with a default SECRET_KEY or with DEBUG on.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from pichanaki.cache import cache_setting
from pichanaki.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PICHANAKI_VAR_DIR", str(BASE_DIR / "var")))

PICHANAKI_ENV = env_choice("PICHANAKI_ENV", "development", ("development", "production"))
PRODUCTION = PICHANAKI_ENV == "production"

DEV_SECRET_KEY = "insecure-development-key-never-use-in-production-pichanaki"  # noqa: S105 (refused in production)
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "PICHANAKI_ENV=production needs SECRET_KEY (or SECRET_KEY_FILE): 50+ random characters"
        )
    if DEBUG:
        raise ImproperlyConfigured("PICHANAKI_ENV=production refuses DEBUG=1")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PICHANAKI_ENV=production needs ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# `make run` serves on BIND; links printed and put in certificates follow it unless a public
# address is set. A wildcard bind is reached through the loopback address.
BIND = env_str("BIND", "127.0.0.1:8000")
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://" + BIND.replace("0.0.0.0:", "127.0.0.1:"))
PUBLIC_BASE_URL = PUBLIC_BASE_URL.rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "pichanaki",
    "smallholders",
    "parcels",
    "quantification",
    "credits",
    "benefits",
    "backoffice",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pichanaki.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pichanaki.middleware.NulParametersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

if PRODUCTION:  # runserver serves static files in development; gunicorn needs WhiteNoise
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "pichanaki.urls"
WSGI_APPLICATION = "pichanaki.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES: dict[str, dict[str, Any]] = {"default": parse_database_url(DATABASE_URL)}
else:
    SPATIALITE_PATH = Path(env_str("SPATIALITE_PATH", str(VAR_DIR / "pichanaki.sqlite3")))
    # The embedded default needs no set-up: a fresh clone creates its own folder on first use.
    SPATIALITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.spatialite",
            "NAME": str(SPATIALITE_PATH),
            # Tests get a private in-memory database (SQLite's default, said out loud: pytest-xdist
            # does not know SpatiaLite's engine name and would otherwise derive a file name).
            "TEST": {"NAME": ":memory:"},
        }
    }
# Parallel test runs on one server need distinct test database names.
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgis")

# --- Celery -------------------------------------------------------------------------------
# Without a broker the embedded default runs tasks eagerly, in the web process.
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes live in database rows, not results
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3300, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long jobs: do not hoard messages on one worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A Redis broker that accepts connections but answers nothing (frozen, failing over, a
# half-open link) would hold a send, and the request or /healthz making it, forever: kombu's
# default is no socket timeout. With these a send gives up within seconds (OperationalError,
# which pichanaki/dispatch.py turns into "jobs paused"). The worker's BRPOP replies every
# second (kombu's brpop_timeout), well within socket_timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Expired credit reservations go back on sale within a minute.
    "credits-release-expired-reservations": {
        "task": "credits.release_expired_reservations",
        "schedule": 60.0,
    },
    # Work saved while the broker was down (or whose message was lost) is sent within a minute.
    "pichanaki-resend-waiting-work": {
        "task": "pichanaki.resend_waiting_work",
        "schedule": 60.0,
    },
    # Confirmed sales get a preview distribution within the hour (approved by a person).
    "benefits-distribute-pending-sales": {
        "task": "benefits.distribute_pending_sales",
        "schedule": 3600.0,
    },
    # Shares held in trust past their deadline go back to the next distribution within a day.
    "benefits-sweep-trust-deadlines": {
        "task": "benefits.sweep_trust_deadlines",
        "schedule": 86400.0,
    },
    # Every hash-chained ledger re-hashed and compared to the head its last check recorded.
    "credits-check-ledgers": {
        "task": "credits.check_ledgers",
        "schedule": float(env_int("LEDGER_CHECK_SECONDS", 86400, minimum=60)),
    },
}
# The back-office's worklists: a parcel is "not monitored" after this many years without a
# plot visit, a cohort "low" under this share alive, a reservation "expiring" within these hours.
PANEL_MONITORING_YEARS = env_int("PANEL_MONITORING_YEARS", 5, minimum=1)
PANEL_SURVIVAL_THRESHOLD = 0.6
PANEL_EXPIRING_HOURS = env_int("PANEL_EXPIRING_HOURS", 48, minimum=1)
# A tile server for the panel's map background ("https://…/{z}/{x}/{y}.png"); without one the
# map draws the parcels on a plain background, which works with no internet.
PANEL_TILE_URL = env_str("PANEL_TILE_URL", "")
# A waiting job sent this long ago without being picked up is presumed lost and sent again
# (a duplicate does nothing: tasks claim their rows by compare-and-set).
DISPATCH_RESEND_AFTER = env_int("DISPATCH_RESEND_AFTER", 3600, minimum=60)
# A distribution over a project with more families than this is computed by a Celery worker,
# with a progress bar; smaller ones in the request.
DISTRIBUTION_ASYNC_FAMILIES = env_int("DISTRIBUTION_ASYNC_FAMILIES", 2000, minimum=0)
# Off only in the concurrency tests' control case (pichanaki/locking.py).
CREDITS_LOCKING_ENABLED = True

# --- Auth, i18n ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Lima"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served publicly: private files go through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Imported ZIP-based files (XLSX, KMZ, ODK exports): limits checked before anything is unpacked
# and again while members are streamed (parcels/importing/readers/archives.py).
IMPORT_ZIP_MAX_MEMBERS = env_int("IMPORT_ZIP_MAX_MEMBERS", 1000, minimum=1)
IMPORT_ZIP_MAX_BYTES = env_int("IMPORT_ZIP_MAX_BYTES", 300 * 1024 * 1024, minimum=1)
IMPORT_ZIP_MAX_RATIO = env_int("IMPORT_ZIP_MAX_RATIO", 50, minimum=1)

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Api-Key first: a request without valid credentials gets 401 with `WWW-Authenticate`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "credits.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "pichanaki.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pichanaki.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["pichanaki.api.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "pichanaki.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "pichanaki.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env_str("API_THROTTLE_ANONYMOUS", "120/min"),
        "buyer": env_str("API_THROTTLE_BUYER", "600/min"),
        "buyer_write": env_str("API_THROTTLE_BUYER_WRITE", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pichanaki API",
    "DESCRIPTION": "Field data, carbon calculations and the credit registry of pichanaki.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" with its own choices: each enum gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "ParcelStatusEnum": "parcels.choices.ParcelStatus",
        "RunStatusEnum": "quantification.models.RunStatus",
        "ReservationStatusEnum": "credits.choices.ReservationStatus",
        "DistributionStatusEnum": "benefits.choices.DistributionStatus",
        "LineStatusEnum": "benefits.choices.LineStatus",
    },
}

# Throttle counters: shared Redis when CACHE_URL is set (several gunicorn workers), else memory.
# Redis failing open: a dead cache Redis slows nothing down and answers no 500 (pichanaki/cache.py).
CACHE_URL = env_str("CACHE_URL")
CACHES = {"default": cache_setting(CACHE_URL)}

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# GDAL 3.6 (Debian 12) cannot block file/network access; harmless for our use.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Eager tasks run inside the web process or a command: their "Task … succeeded" lines
    # would drown the console. A real worker keeps them in its own log.
    # kombu still builds a producer for them and warns that no broker host was given.
    "loggers": {
        # WeasyPrint narrates each PDF's layout steps at INFO: seven lines per statement.
        "weasyprint.progress": {"level": "WARNING"},
        **(
            {"celery.app.trace": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}}
            if CELERY_TASK_ALWAYS_EAGER
            else {}
        ),
    },
}

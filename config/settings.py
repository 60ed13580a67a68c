"""Binglian settings: every value comes from an environment variable with a working default.

With no variables set, Binglian runs embedded: SQLite under var/, timers swept by a loop in the
web process, no broker. Production sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)
and runs Celery workers and one beat. The README lists every variable.
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("BINGLIAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


DEBUG = envbool("DEBUG", "true")
# The default key is for the embedded demo only; production must set SECRET_KEY.
SECRET_KEY = os.getenv("SECRET_KEY", "binglian-embedded-demo-key-change-me-in-production")
ALLOWED_HOSTS = [
    h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]
SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "processes",
    "engine",
    "worklists",
    "workdays",
    "sla",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "api",
    "licences",
    "eventlog",
    "reports",
    "simulation",
    "designer",
    "demo",
    "desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # The menu's badge counts (待签收 / 我的待办), cached briefly per department and user.
                "desk.badges.menu_badges",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'binglian.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves pages and sweeps timers from two threads: WAL lets readers
    # work during a write, IMMEDIATE takes the write lock up front so that two writers queue
    # instead of failing with "database is locked" half way through a step.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.getenv("TEST_SQLITE_NAME", "")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]  # data: each language named in itself
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Browser libraries come from npm (package.json, `npm ci` in `make run` / `make test`), never a
# copy in git: each is served from its dist folder under a prefix, e.g. /static/chartjs/chart.umd.min.js.
STATICFILES_DIRS = [
    ("chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("bpmnjs", BASE_DIR / "node_modules" / "bpmn-js" / "dist"),  # the case page's diagram (NavigatedViewer)
]
# The REST API (api/): token first, so that a request without credentials gets 401 with
# WWW-Authenticate rather than the 403 that session authentication alone would give.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "并联 Binglian API",  # data: the product's name
    "DESCRIPTION": 'Cases, tasks, queues and messages of Binglian. Errors are JSON {"detail": "..."}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",  # tags from the path: cases, tasks, departments, service-items
    # No Swagger UI: its assets would come from a CDN (see README, REST API).
}
MEDIA_ROOT = VAR_DIR / "media"
# Application materials: outside every URL, served only through the access-checked view.
MATERIALS_ROOT = Path(os.getenv("MATERIALS_ROOT", VAR_DIR / "materials"))
MATERIAL_MAX_BYTES = envint("MATERIAL_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Binglian
# Menu badge counts (queue / inbox / notices) are cached this long: exact counts slow under write load.
WORKLIST_BADGE_SECONDS = envint("WORKLIST_BADGE_SECONDS", 30)
BPMN_MAX_BYTES = envint("BPMN_MAX_BYTES", 5 * 1024 * 1024)
# E-licences (licences/): Ed25519 keys. With none configured, one is generated under
# LICENCE_KEYS_DIR on first use. LICENCE_SIGNING_KEYS is JSON, see docs/licences.md.
LICENCE_KEYS_DIR = Path(os.getenv("LICENCE_KEYS_DIR", VAR_DIR / "keys"))
LICENCE_SIGNING_KEYS = json.loads(os.getenv("LICENCE_SIGNING_KEYS", "[]"))
LICENCE_PDF_FONT = os.getenv("LICENCE_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
# Event-log export (eventlog/): the HMAC key of the pseudonyms. Unset, one is derived from SECRET_KEY;
# set it to keep pseudonyms stable across a SECRET_KEY rotation or between installations.
EVENTLOG_PSEUDONYM_KEY = os.getenv("EVENTLOG_PSEUDONYM_KEY", "")
# Loaded workflows kept per process between steps of a case (engine/workflow_cache.py); 0 turns it off.
ENGINE_WORKFLOW_CACHE_SIZE = envint("ENGINE_WORKFLOW_CACHE_SIZE", 256)
TIMERS_IN_PROCESS = envbool("TIMERS_IN_PROCESS", "true")
TIMER_SWEEP_SECONDS = envint("TIMER_SWEEP_SECONDS", 10)
LIGHT_SWEEP_SECONDS = envint("LIGHT_SWEEP_SECONDS", 60)
# The department of a task a BPMN file gives none (no lane, no candidate group): files from other
# modellers often leave it out. Blank: lint asks for one.
DEFAULT_DEPARTMENT = os.getenv("BINGLIAN_DEFAULT_DEPARTMENT", "").strip()
# Traffic lights: yellow once this share of the working time is used, or (if > 0) once only
# this many working hours are left, whichever comes first; red when the limit has passed.
SLA_YELLOW_SHARE_USED = float(os.getenv("SLA_YELLOW_SHARE_USED", "0.67"))
SLA_YELLOW_WORKING_HOURS_LEFT = float(os.getenv("SLA_YELLOW_WORKING_HOURS_LEFT", "0"))
# Other processes pick up an administrator's calendar edit within this many seconds.
SLA_CALENDAR_CACHE_SECONDS = envint("SLA_CALENDAR_CACHE_SECONDS", 300)

# Notifications: e-mail through Django's mail API; SMS through sla.sms (a dotted path to a backend class).
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "并联 Binglian <noreply@binglian.localhost>")  # data: a name
SMS_BACKEND = os.getenv("SMS_BACKEND", "sla.sms.LoggingSmsBackend")

# Celery: production carries timers and sweeps on Redis; the database keeps the only copy.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false")
CELERY_BEAT_SCHEDULE = {
    "sweep-due-timers": {"task": "engine.tasks.sweep_due_timers", "schedule": float(TIMER_SWEEP_SECONDS)},
    "sweep-lights": {"task": "sla.tasks.sweep_lights", "schedule": float(LIGHT_SWEEP_SECONDS)},
    "sweep-escalations": {"task": "sla.tasks.sweep_escalations", "schedule": float(LIGHT_SWEEP_SECONDS)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    "loggers": {"spiff": {"level": "WARNING"}, "SpiffWorkflow": {"level": "WARNING"}, "sla.sms": {"level": "INFO"}},
}

"""Settings shared by every environment. Everything that varies comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from palermo.settings.keys import blind_index_key, encryption_keys, secret_key, signing_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "palermo"
VAR_DIR = Path(os.environ.get("PALERMO_VAR_DIR", BASE_DIR / "var"))


def _shared_standards() -> Path:
    """The nearest ``shared/standards`` beside the checkout or above it (a CI clone may sit one
    level deeper than the working copy)."""
    for parent in BASE_DIR.parents:
        candidate = parent / "shared" / "standards"
        if candidate.is_dir():
            return candidate
    return BASE_DIR.parent / "shared" / "standards"


# The published sources of the data standard (HTCDS 2.0, ILO/EC indicators), read at load time.
PALERMO_STANDARDS_DIR = Path(os.environ.get("PALERMO_STANDARDS_DIR") or _shared_standards())


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = secret_key(VAR_DIR)
PALERMO_ENCRYPTION_KEYS = encryption_keys(VAR_DIR)
PALERMO_BLIND_INDEX_KEY = blind_index_key(VAR_DIR)
PALERMO_SIGNING_KEY = signing_key(VAR_DIR)
# How this installation names itself to other Palermo installations (cross-border referrals).
PALERMO_INSTALLATION_ID = os.environ.get("PALERMO_INSTALLATION_ID", "palermo.local")

DEBUG = env_bool("PALERMO_DEBUG", False)
ALLOWED_HOSTS = env_list("PALERMO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("PALERMO_CSRF_TRUSTED_ORIGINS")

# The demo started by `make run` relaxes two-factor enforcement and says so on its login page.
PALERMO_DEMO = env_bool("PALERMO_DEMO", False)
PALERMO_REQUIRE_OTP = env_bool("PALERMO_REQUIRE_OTP", not PALERMO_DEMO)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "palermo.core",
    "palermo.audit",
    "palermo.geo",
    "palermo.accounts",
    "palermo.standard",
    "palermo.cases",
    "palermo.ingest",
    "palermo.stats",
    "palermo.activities",
    "palermo.knowledge",
    "palermo.referrals",
    "palermo.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "palermo.audit.middleware.AuditContextMiddleware",
    "palermo.accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "palermo.urls"
WSGI_APPLICATION = "palermo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "palermo.core.context_processors.platform",
            ],
        },
    },
]

# Database: embedded SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'palermo.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query to machine code when its estimated cost is high (JIT); for the
    # platform's queries, which read thousands of rows rather than millions, compiling costs
    # more than it saves (the overlap finder: 30 ms of JIT on a 150 ms query).
    # The planner's default cost of a random read (4) is for spinning disks: on SSDs it makes
    # PostgreSQL read every row of a table rather than use an index, for instance the
    # knowledge base's GIN index on common words (bench/knowledge.py: 100 ms instead of 10).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 30 idle minutes (sliding) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("PALERMO_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): five failures for one username from one address lock it out.
AXES_FAILURE_LIMIT = int(os.environ.get("PALERMO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "palermo.accounts.views.locked_out"
AXES_VERBOSE = False

# Case management. Child safeguards are due this many days after identification; a supervisor's
# decision this many days after the request; attachments are refused above this size.
PALERMO_CHILD_SAFEGUARD_DAYS = {"guardian": 3, "assessment": 14, "tracing": 30, "determination": 90}
PALERMO_APPROVAL_DAYS = int(os.environ.get("PALERMO_APPROVAL_DAYS", "5"))
PALERMO_ATTACHMENT_MAX_BYTES = int(os.environ.get("PALERMO_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
PALERMO_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "text/plain": ".txt",
}

# Imports: what a file may be before it is refused (a 10,000-column sheet, a zip bomb, a cell
# holding a book).
PALERMO_IMPORT_MAX_BYTES = int(os.environ.get("PALERMO_IMPORT_MAX_BYTES", 2 * 1024**3))
PALERMO_IMPORT_MAX_COLUMNS = int(os.environ.get("PALERMO_IMPORT_MAX_COLUMNS", "1000"))
PALERMO_IMPORT_MAX_CELL = 32_767  # what a spreadsheet cell holds at most
PALERMO_IMPORT_MAX_UNPACKED = int(os.environ.get("PALERMO_IMPORT_MAX_UNPACKED", 1024**3))
# Files uploaded for import, kept encrypted until imported or discarded (and their reports).
PALERMO_UPLOAD_DIR = VAR_DIR / "uploads"
# An upload larger than 2.5 MB waits for its encryption in a temporary file: in that private
# directory, not the system's shared one.
FILE_UPLOAD_TEMP_DIR = str(PALERMO_UPLOAD_DIR)
PALERMO_UPLOAD_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

# The knowledge base: uploaded PDFs are refused above this size; their text is read from at most
# this many pages.
PALERMO_KNOWLEDGE_MAX_BYTES = int(os.environ.get("PALERMO_KNOWLEDGE_MAX_BYTES", 25 * 1024 * 1024))
PALERMO_KNOWLEDGE_MAX_PAGES = int(os.environ.get("PALERMO_KNOWLEDGE_MAX_PAGES", "500"))

# Long work (imports) runs in the background: `manage.py db_worker` takes the queued tasks
# from the database (django-tasks). The tests run them at once, in the request.
# Pooled statistics: the privacy budget of each snapshot for differentially private releases.
PALERMO_DP_EPSILON_BUDGET = float(os.environ.get("PALERMO_DP_EPSILON_BUDGET", "10"))
PALERMO_DP_DELTA_BUDGET = float(os.environ.get("PALERMO_DP_DELTA_BUDGET", "1e-5"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Mail (reminders of overdue tasks). SMTP in production; printed to the console by default.
EMAIL_BACKEND = os.environ.get(
    "PALERMO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("PALERMO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PALERMO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PALERMO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PALERMO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PALERMO_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("PALERMO_EMAIL_FROM", "palermo@localhost")

OTP_TOTP_ISSUER = "Palermo"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows anyone's TOTP secret
OTP_TOTP_THROTTLE_FACTOR = 1

# Six UN languages. English is authoritative; Arabic is laid out right to left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LANGUAGE_NAMES_ENGLISH = {
    "ar": _("Arabic"),
    "zh-hans": _("Chinese"),
    "en": _("English"),
    "fr": _("French"),
    "ru": _("Russian"),
    "es": _("Spanish"),
}
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [("vendor/htmx", NODE_MODULES / "htmx.org" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

X_FRAME_OPTIONS = "DENY"

# Strict Content-Security-Policy: no inline scripts or styles, nothing from other origins.
# Only the API documentation page (Swagger UI) relaxes style-src, in palermo/api_urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "palermo.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "palermo.accounts.api.permissions.IsVerifiedWhenRequired",
    ],
    "DEFAULT_PAGINATION_CLASS": "palermo.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "palermo.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["palermo.core.api.parsers.SafeJSONParser"],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Palermo API",
    "DESCRIPTION": (
        "Inter-agency cooperation against trafficking in persons. Authenticate with a personal "
        "API token (`Authorization: Bearer <token>`) created on your account page, or with a "
        "browser session. Errors always have the shape "
        '`{"error": {"status", "code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "ApprovalKindEnum": "palermo.cases.models.Approval.Kind",
        "MovementKindEnum": "palermo.cases.models.Movement.Kind",
        "ActivityStatusEnum": "palermo.activities.models.Status",
        "ResourceStatusEnum": "palermo.knowledge.models.Status",
        "ResourceKindEnum": "palermo.knowledge.models.Kind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PALERMO_LOG_LEVEL", "WARNING")},
}

"""Settings for Zhusan, read from the environment.

Development and the demo run on SQLite under var/; set DATABASE_URL=postgres://... for PostgreSQL.
ZHUSAN_PRODUCTION=1 refuses to start without an explicit secret key and allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhusan.env import env_bool, env_int, env_list, local_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHUSAN_VAR_DIR", BASE_DIR / "var"))

PRODUCTION = env_bool("ZHUSAN_PRODUCTION", False)
DEBUG = env_bool("ZHUSAN_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = local_secret(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "core",
    "access",
    "audit",
    "people",
    "casework",
    "identification",
    "consent",
    "operations",
    "reception",
    "centres",
    "consular",
    "reports",
    "administration",
    "retention",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.ErrorReferenceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every page needs a signed-in user unless its view says @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "access.middleware.SessionTimeoutMiddleware",
    "access.middleware.SecondFactorRequiredMiddleware",
    "access.middleware.NdaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.NoStoreMiddleware",
    "core.middleware.RefusalAuditMiddleware",
]

ROOT_URLCONF = "zhusan.urls"
WSGI_APPLICATION = "zhusan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhusan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'zhusan.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Writers wait for each other instead of failing at once; WAL lets readers go on during a write.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs ~50 ms on short queries like a name search and never pays back here.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get("ZHUSAN_PG_OPTIONS", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "access.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # Counts failures and refuses locked accounts; the login page answers the same as for a wrong password.
    "access.throttling.LoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # to read hashes made before Argon2, then upgraded
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 15}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
    ("ky", _("Kyrgyz")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ZHUSAN_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("ZHUSAN_STATIC_ROOT", VAR_DIR / "static"))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders; it only wants the folder
STATICFILES_DIRS = [BASE_DIR / "zhusan" / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded files (photos, scans) are private: kept outside the web root and served only by permission-checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("ZHUSAN_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/nowhere/"},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Form fields per request (Django's own bound, stated): the largest form, an attendance sheet, has one per member.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# A JSON body of the API. The largest legitimate one, 5,000 import decisions, is about 300 KB; uploads
# (multipart) keep DATA_UPLOAD_MAX_MEMORY_SIZE and the limits of core.files (docs/decisions/0037).
ZHUSAN_API_JSON_MAX_BYTES = 512 * 1024

# Strict Content-Security-Policy: everything from this server, no inline scripts or styles, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle and absolute limits of a signed-in session (access.middleware.SessionTimeoutMiddleware).
ZHUSAN_IDLE_SECONDS = env_int("ZHUSAN_IDLE_SECONDS", 15 * 60)
ZHUSAN_SESSION_MAX_SECONDS = env_int("ZHUSAN_SESSION_MAX_SECONDS", 10 * 3600)
# How recent the second factor must be for sensitive acts (changing MFA, bulk exports).
ZHUSAN_RECENT_OTP_SECONDS = env_int("ZHUSAN_RECENT_OTP_SECONDS", 5 * 60)
# The longest life of a personal API token; its owner chooses a shorter one when making it.
ZHUSAN_API_TOKEN_MAX_DAYS = env_int("ZHUSAN_API_TOKEN_MAX_DAYS", 90)
# How long emergency (break-glass) access to an unassigned case lasts.
ZHUSAN_BREAK_GLASS_MINUTES = env_int("ZHUSAN_BREAK_GLASS_MINUTES", 60)
# How many emergency requests one user may make in any 24 hours (granted, waiting, refused or for no case).
ZHUSAN_BREAK_GLASS_PER_DAY = env_int("ZHUSAN_BREAK_GLASS_PER_DAY", 3)
SESSION_COOKIE_AGE = ZHUSAN_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Throttled logins (access.throttling, docs/decisions/0030): after 5 failures an account is refused for 1 minute,
# doubling with each further failure up to 24 hours; likewise an address after 20 failures in 24 hours (0: off,
# for a proxy that hides the client's address). Locked logins cost the same hashing as any other.
AXES_HANDLER = "access.throttling.LoginThrottleHandler"
AXES_FAILURE_LIMIT = env_int("ZHUSAN_LOGIN_FAILURE_LIMIT", 5)
ZHUSAN_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("ZHUSAN_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = None  # the growing cool-off is LoginThrottleHandler's; axes' own would forget the count
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each alone: per account, and per address
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused tries checked no password: they count nothing
AXES_VERBOSE = False
OTP_TOTP_ISSUER = os.environ.get("ZHUSAN_OTP_ISSUER", "Zhusan")
OTP_TOTP_THROTTLE_FACTOR = 1
# AxesMiddleware would answer a locked account with its own page; without it the backend still refuses the
# login and our page gives the same answer as for a wrong password, so nobody learns an account is locked.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-zhusan-session" if PRODUCTION else "zhusan-session"
CSRF_COOKIE_NAME = "__Host-zhusan-csrf" if PRODUCTION else "zhusan-csrf"
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("ZHUSAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("ZHUSAN_BEHIND_TLS_PROXY", False):
    # Only when a proxy we control terminates TLS and sets this header (never trust it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call then gets 401 with a WWW-Authenticate header, not 403.
        "access.api.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["access.api.HasAcceptedNda"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhusan API",
    "DESCRIPTION": "Registry and case management for returnees. Every endpoint applies the one access policy.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "casework.transitions.CaseState.choices",
        "PlaceKindEnum": "people.models.PlaceKind.choices",
        "NameKindEnum": "people.models.NameKind.choices",
        "RelationshipKindEnum": "people.models.RelationshipKind.choices",
        "CaseEventKindEnum": "casework.models.CaseEventKind.choices",
        "EvidenceKindEnum": "people.models.EvidenceKind.choices",
        "ImportRowDecisionEnum": "identification.models.Decision.choices",
        "ImportStatusEnum": "identification.models.ImportStatus.choices",
        "VerificationKindEnum": "identification.models.VerificationKind.choices",
        "SourceKindEnum": "identification.models.SourceKind.choices",
        "ConsentDecisionEnum": "consent.models.Decision.choices",
        "PanelDecisionEnum": "consent.models.PanelDecision.choices",
        "SelfReturnStatusEnum": "consular.models.SelfReturnStatus.choices",
        "WaveStatusEnum": "operations.models.WaveStatus.choices",
        "LegalStatusEnum": "reception.models.LegalStatus.choices",
        "TreatmentKindEnum": "reception.models.TreatmentKind.choices",
        "MalnutritionSeverityEnum": "reception.models.Severity.choices",
        "StayKindEnum": "centres.models.StayKind.choices",
        "SessionKindEnum": "centres.models.SessionKind.choices",
        "AttendanceStatusEnum": "centres.models.AttendanceStatus.choices",
        "DocumentStatusEnum": "people.models.DocumentStatus.choices",
        "DocumentTypeEnum": "people.models.DocumentType.choices",
        "DocumentNumberOutcomeEnum": "people.models.DocumentNumberOutcome.choices",
        "VerificationOutcomeEnum": "identification.models.VerificationOutcome.choices",
        "GroupProfileEnum": "centres.models.GroupProfile.choices",
    },
    # Every operation declares its refusals in the one error shape (core.api), checked by tests/test_api_fuzz.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHUSAN_LOG_LEVEL", "INFO")},
    # fontTools logs the glyphs it keeps when it subsets a PDF font: the letters of the names printed. Never.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "ERROR"},
        "fpdf": {"level": "ERROR"},
    },
}

# TrueType fonts for PDF documents (core.pdf): DejaVu Sans covers Latin, Cyrillic and Arabic.
ZHUSAN_PDF_FONT_DIR = Path(os.environ.get("ZHUSAN_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))

# Under this age (at the reference date: evacuation, else today) a person counts as a child.
ZHUSAN_CHILD_AGE_LIMIT = 18

# --- tamper-evident audit (audit.chain) ---
# The audit chain's HMAC key: ZHUSAN_AUDIT_KEY (base64, 32 bytes or more) or this file, never SECRET_KEY and
# never the database. Outside production a key file is made on first use (mode 0600). See docs/decisions/0011.
ZHUSAN_AUDIT_KEY_FILE = Path(os.environ.get("ZHUSAN_AUDIT_KEY_FILE", VAR_DIR / "keys" / "audit.key"))
if PRODUCTION and not os.environ.get("ZHUSAN_AUDIT_KEY") and not ZHUSAN_AUDIT_KEY_FILE.is_file():
    raise ImproperlyConfigured("ZHUSAN_AUDIT_KEY or the file named by ZHUSAN_AUDIT_KEY_FILE must exist in production")
# Where `manage.py audit_anchor` writes the chain's head by default; copy it off this machine.
ZHUSAN_AUDIT_ANCHOR_FILE = Path(os.environ.get("ZHUSAN_AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchor.json"))
# --- end tamper-evident audit ---

# --- encryption at rest (core.crypto) ---
# Special categories and document numbers are encrypted with a keyring kept apart from SECRET_KEY: from
# ZHUSAN_ENCRYPTION_KEYS ("id:base64key,...", first = primary) and ZHUSAN_INDEX_KEY, or else from this JSON file
# outside the repository. Development makes the file on first use; production refuses to run without keys (at
# first use, and in `manage.py check --deploy`). Rotation: see `manage.py rotate_keys --help`.
ZHUSAN_KEY_FILE = Path(os.environ.get("ZHUSAN_KEY_FILE", VAR_DIR / "keys" / "encryption.json"))
# --- end encryption at rest ---

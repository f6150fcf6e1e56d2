"""Settings shared by every environment. The environment is read here and only here."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp import constants as csp

from gonghui.core.keys import load_or_create_keys

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent

DATA_DIR = Path(os.environ.get("GONGHUI_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Keys: taken from the environment in production; generated once into DATA_DIR
# for the demo and for a small office, never committed.
_KEYS = load_or_create_keys(DATA_DIR, environ=os.environ)
SECRET_KEY = _KEYS["secret_key"]
GONGHUI_FIELD_KEY = _KEYS["field_key"]
GONGHUI_INDEX_KEY = _KEYS["index_key"]

DEBUG = env_bool("GONGHUI_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("GONGHUI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GONGHUI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_ratelimit",
    # Installed for its bundled Swagger UI assets: /api/v1/docs must not fetch them from a CDN (intranets).
    "ninja",
    # django-csp's system checks (its middleware sets the Content-Security-Policy header).
    "csp",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.notices",
    "gonghui.stations",
    "gonghui.cards",
    "gonghui.payouts",
    "gonghui.benefits",
    "gonghui.aid",
    "gonghui.crosscheck",
    "gonghui.student_aid",
    "gonghui.rights",
    "gonghui.charity",
    "gonghui.honors",
    "gonghui.skills",
    "gonghui.portal",
    "gonghui.reports",
    "gonghui.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gonghui.accounts.middleware.ScopeMiddleware",
    "gonghui.accounts.middleware.MemberSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns django-ratelimit's refusal into the Chinese 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.navigation",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'gonghui.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE avoids
        # deadlocks when two transactions upgrade from read to write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# members_one_live_membership covers (org_path, status) on PostgreSQL only, by
# design; Django skips it on SQLite, where members migration 0002 creates the
# plain partial unique index instead.
SILENCED_SYSTEM_CHECKS = [
    "models.W039",
    # django-ratelimit warns about any cache but memcached and Redis; ours is the database cache with
    # an atomic increment (core/cache.py), which is what its E003 asks of a cache.
    "django_ratelimit.W001",
]

AUTH_USER_MODEL = "accounts.User"
# The org tree's model, named here as the user model is, so that core (audit, jobs) names no app.
GONGHUI_ORG_MODEL = "orgs.Org"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (django-axes): per username and address.
AXES_FAILURE_LIMIT = int(os.environ.get("GONGHUI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("GONGHUI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "id_number"]

# Caches. "default" stays per process (nothing shared lives there); the rate limits of the public
# forms count in "ratelimit", which every gunicorn worker must share: the database (no Redis on a
# fresh machine), through a DatabaseCache whose increments are atomic (core/cache.py). Its table is
# made by core's migration 0005 (createcachetable), so migrate, `gonghui serve`, the demo and the
# tests all have it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "gonghui.core.cache.AtomicDatabaseCache", "LOCATION": "gonghui_cache"},
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "gonghui.core.views.ratelimited"
# The client address the rate limits and the login lockout count by: the header the trusted proxy
# sets (GONGHUI_CLIENT_IP_HEADER, X-Real-IP in production behind the shipped nginx config), else
# REMOTE_ADDR (core/ratelimits.py `client_address`).
_CLIENT_IP_HEADER = os.environ.get("GONGHUI_CLIENT_IP_HEADER", "").strip()
GONGHUI_CLIENT_IP_META = "HTTP_" + _CLIENT_IP_HEADER.upper().replace("-", "_") if _CLIENT_IP_HEADER else ""
RATELIMIT_IP_META_KEY = "gonghui.core.ratelimits.client_address"
AXES_CLIENT_IP_CALLABLE = "gonghui.core.ratelimits.client_address"
# Posts per address or per union, as "N/s|m|h|d" (core/ratelimits.py); GONGHUI_RATE_<NAME> overrides one.
GONGHUI_RATE_LIMITS = {
    name: os.environ.get(f"GONGHUI_RATE_{name.upper()}", default)
    for name, default in {
        "join_address": "20/h",  # a union's sign-up drive may share one office network
        "join_union": "300/h",
        "join_find_address": "30/h",
        "activate_address": "20/h",
        "member_login_address": "60/h",
        # A station's code scanned without logging in: a rest stop's crowd shares one mobile network.
        "station_visit_address": "120/h",
        # Training sign-ups and QR check-ins from phones: a village class shares one network.
        "training_address": "240/h",
        # Objections from a 公示's public page (anyone, with a contact).
        "notice_objection_address": "10/h",
    }.items()
}

# Sessions: server-side, HttpOnly, SameSite, short-lived; Secure when behind HTTPS.
HTTPS = env_bool("GONGHUI_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("GONGHUI_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from this server, no inline script and no
# eval (pages ask for behaviour through data-attributes read by static/gonghui/app.js), no
# other host ever (deployments sit on intranets). Inline style attributes stay allowed:
# Bootstrap's, htmx's indicator and Swagger UI's set them, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Numbers grouped by thousands in Chinese too (Django's zh_Hans has no separator): 1,234,567.
FORMAT_MODULE_PATH = ["gonghui.core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
NODE_MODULES = REPO_DIR / "node_modules"
# Front-end packages come from the npm lockfile; only their dist folders are served.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {"BACKEND": "gonghui.core.staticstorage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGHUI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Bulk import/export pages: the largest upload, and how long a running job may go
# without progress before it counts as stuck (its worker killed) and may be re-run.
GONGHUI_UPLOAD_MAX_MB = int(os.environ.get("GONGHUI_UPLOAD_MAX_MB", "200"))
GONGHUI_BULK_STALE_MINUTES = float(os.environ.get("GONGHUI_BULK_STALE_MINUTES", "10"))
# A running job's worker touches its heartbeat this often (a thread beside the job, so a long
# export or a slow batch still shows life); a worker recovers jobs whose heartbeat stopped this
# often, and gives a job this many attempts in all before marking it failed.
GONGHUI_BULK_HEARTBEAT_SECONDS = int(os.environ.get("GONGHUI_BULK_HEARTBEAT_SECONDS", "30"))
GONGHUI_BULK_RECOVER_SECONDS = int(os.environ.get("GONGHUI_BULK_RECOVER_SECONDS", "60"))
GONGHUI_BULK_MAX_ATTEMPTS = int(os.environ.get("GONGHUI_BULK_MAX_ATTEMPTS", "3"))

# The stations' map: a tile server's URL template ({z}/{x}/{y}, Leaflet's), drawing in GCJ-02 as the
# stations are stored (docs/stations.md). Empty: the map page is a list sorted by distance instead.
# Its host is added to the pages' img-src, the only other host a page may then load from.
GONGHUI_MAP_TILE_URL = os.environ.get("GONGHUI_MAP_TILE_URL", "").strip()
GONGHUI_MAP_ATTRIBUTION = os.environ.get("GONGHUI_MAP_ATTRIBUTION", "").strip()
if GONGHUI_MAP_TILE_URL.startswith(("http://", "https://")):
    _tiles = urlsplit(GONGHUI_MAP_TILE_URL.replace("{s}", "*"))  # subdomains a, b, c…
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
# Error workbooks and exports (and the uploads of failed jobs, kept for a re-run) are
# deleted this many days after their job finished, by `gonghui files sweep`.
GONGHUI_FILE_RETENTION_DAYS = int(os.environ.get("GONGHUI_FILE_RETENTION_DAYS", "7"))

GONGHUI_AUDIT_RETENTION_DAYS = int(os.environ.get("GONGHUI_AUDIT_RETENTION_DAYS", str(365 * 10)))
GONGHUI_API_TOKEN_DAYS = int(os.environ.get("GONGHUI_API_TOKEN_DAYS", "365"))
# The most objections one 公示 takes from its public page (the rest call the union's phone).
GONGHUI_NOTICE_PUBLIC_OBJECTIONS = int(os.environ.get("GONGHUI_NOTICE_PUBLIC_OBJECTIONS", "200"))

# 金秋助学 公示: the days a publication list is offered to run for by default (local rules: 5–7).
STUDENT_AID_PUBLICATION_DAYS = int(os.environ.get("GONGHUI_STUDENT_AID_PUBLICATION_DAYS", "7"))
# 驿站 duty: check in up to this early; later than the start plus the grace is late; check out and
# write the log this long after the end; one phone's scans count one visit per this many minutes.
GONGHUI_STATION_EARLY_MINUTES = int(os.environ.get("GONGHUI_STATION_EARLY_MINUTES", "60"))
GONGHUI_STATION_LATE_MINUTES = int(os.environ.get("GONGHUI_STATION_LATE_MINUTES", "15"))
GONGHUI_STATION_CHECKOUT_HOURS = int(os.environ.get("GONGHUI_STATION_CHECKOUT_HOURS", "6"))
GONGHUI_STATION_LOG_DAYS = int(os.environ.get("GONGHUI_STATION_LOG_DAYS", "3"))
GONGHUI_STATION_VISIT_MINUTES = int(os.environ.get("GONGHUI_STATION_VISIT_MINUTES", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGHUI_LOG_LEVEL", "WARNING")},
}

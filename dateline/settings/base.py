"""Settings shared by every environment. Nothing secret lives here."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime state (SQLite database, collected static files, the dev secret key).
VAR_DIR = Path(os.environ.get("DATELINE_VAR_DIR", BASE_DIR.parent / "var")).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "dateline.network",
    "dateline.wire",
    "dateline.articles",
    "dateline.syndication",
    "dateline.api",
    "dateline.search",
    "dateline.newsletters",
    "anymail",
    "dateline.demo",
    "dateline.ops",
    "dateline.worker",
    "django_tasks_db",
]

# Background tasks: Django's Tasks API on django-tasks-db, run by `dateline worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dateline.network.middleware.SiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETags from the response bytes; 304 for If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "dateline.urls"
WSGI_APPLICATION = "dateline.wsgi.application"

TEMPLATES = [
    {
        # Public pages: Jinja2 renders several times faster than Django templates
        # (see ../shared/baselines.md); the admin keeps Django's own engine.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "dateline.jinja2env.environment",
            "autoescape": True,
            "auto_reload": False,
            "context_processors": [],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'dateline.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer commits; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers. Connections
    # persist (CONN_MAX_AGE) so that SQLite's page cache survives between requests.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456; PRAGMA cache_size=-20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Public pages ship no inline script or style; the admin needs only 'self'.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "admin:login"

# How many stories a section front, the home page and an archive page list.
DATELINE_FRONT_PAGE_SIZE = 20
DATELINE_HOME_LATEST = 12
DATELINE_HEADLINE_BLOCK_SIZE = 4

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"dateline": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# How readers reach the sites: links between the network's sites and canonical URLs.
DATELINE_PUBLIC_SCHEME = os.environ.get("DATELINE_PUBLIC_SCHEME", "https")
DATELINE_PUBLIC_PORT = os.environ.get("DATELINE_PUBLIC_PORT", "")

STATICFILES_DIRS = [BASE_DIR / "static"]

# Inbox folders: files dropped in <DATELINE_INBOX_DIR>/<source slug>/ are ingested.
DATELINE_INBOX_DIR = Path(os.environ.get("DATELINE_INBOX_DIR", VAR_DIR / "inbox"))

# Wire ingestion: the key(s) that encrypt source credentials, and the largest delivery accepted.
DATELINE_CREDENTIALS_KEY = os.environ.get("DATELINE_CREDENTIALS_KEY", "")
DATELINE_WIRE_MAX_BYTES = int(os.environ.get("DATELINE_WIRE_MAX_BYTES", 20 * 1024 * 1024))

# Newsletters and all outgoing mail (docs/operations.md, "Newsletters and e-mail").
from dateline.newsletters.email_url import mailer_from_url  # noqa: E402

MAILERS = {"default": mailer_from_url(os.environ.get("EMAIL_URL", "smtp://127.0.0.1:25"))}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsletters@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
DATELINE_NEWSLETTER_FROM = os.environ.get("DATELINE_NEWSLETTER_FROM", DEFAULT_FROM_EMAIL)
DATELINE_NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get(
    "DATELINE_NEWSLETTER_UNSUBSCRIBE_MAILTO", ""
)
DATELINE_DKIM_KEY_FILE = os.environ.get("DATELINE_DKIM_KEY_FILE", "")
DATELINE_DKIM_SELECTOR = os.environ.get("DATELINE_DKIM_SELECTOR", "")
DATELINE_DKIM_DOMAIN = os.environ.get("DATELINE_DKIM_DOMAIN", "")
# Sending: messages per batch (the most that can end "uncertain" after a crash),
# messages per second (0: as fast as the server takes them), messages per SMTP
# connection before it is renewed, and the sender's lease on an issue.
DATELINE_NEWSLETTER_BATCH = int(os.environ.get("DATELINE_NEWSLETTER_BATCH", "50"))
DATELINE_NEWSLETTER_RATE = float(os.environ.get("DATELINE_NEWSLETTER_RATE", "0"))
DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION = int(
    os.environ.get("DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION", "1000")
)
DATELINE_NEWSLETTER_LEASE_SECONDS = float(os.environ.get("DATELINE_NEWSLETTER_LEASE_SECONDS", "60"))
DATELINE_NEWSLETTER_CONFIRM_DAYS = 7
DATELINE_NEWSLETTER_SIGNUPS_PER_IP = 10  # per hour
DATELINE_NEWSLETTER_SIGNUPS_PER_ADDRESS = 3  # per hour
# django-anymail: service keys and the webhooks' shared secret (user:password of the
# basic auth every tracking webhook must carry) come from the environment.
ANYMAIL = {"WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")}

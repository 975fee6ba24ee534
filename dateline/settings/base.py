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
    "dateline.desk",
    "dateline.articles",
    "dateline.bake",
    "dateline.syndication",
    "dateline.api",
    "dateline.search",
    "dateline.support",
    "dateline.newsletters",
    "anymail",
    "dateline.demo",
    "dateline.ops",
    "dateline.worker",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

# Background tasks: Django's Tasks API on django-tasks-db, run by `dateline worker`.
# Queues: "default", and "pages" for the page store's re-bakes, so that a long task
# (a model retrain, a newsletter send) never holds a publish back from going live;
# `dateline serve --with-worker` runs a worker of its own for it.
TASK_QUEUES = ["default", "pages"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

MIDDLEWARE = [
    # First: answers /healthz, /readyz, /metrics; request ids, metrics, request log.
    "dateline.ops.middleware.OpsMiddleware",
    # The page cache: notes the store's generation, stores cacheable pages' shells
    # (dateline/bake/middleware.py; hits are answered before Django, bake/wsgi.py).
    "dateline.bake.middleware.PageStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dateline.network.middleware.SiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETags from the response bytes; 304 for If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    # Fills the pages' fragment directives (headline blocks, footer, promotions).
    "dateline.bake.middleware.PageAssemblyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Login throttling: after AXES_FAILURE_LIMIT failures an address and user name
    # pair is locked out for AXES_COOLOFF_TIME.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DATELINE_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Staff sign in with a password and a TOTP code (django-otp); see dateline/desk/auth.py.
DATELINE_STAFF_2FA = os.environ.get("DATELINE_STAFF_2FA", "1") != "0"
OTP_TOTP_ISSUER = "Dateline"

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
    # The WAL is checkpointed every 10,000 pages (40 MB) rather than SQLite's 1,000:
    # a wire backfill rewrites the same index pages batch after batch, and each
    # checkpoint copies them and syncs the file (a third of ingest's time at 1,000);
    # journal_size_limit truncates the file back after a checkpoint. A new database
    # gets 8 KB pages (SQLite's default is 4 KB; an existing file keeps its own): a
    # 3-4 KB raw delivery or wire item no longer takes a page of its own, and a batch's
    # commit writes fewer, larger WAL frames (ingest 5-10% faster; bench/ingest.py).
    # page_size comes first: it cannot change once the WAL is set up.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456; PRAGMA cache_size=-20000; "
            "PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864;"
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
# Uploaded files (dateline backup copies them with the database).
MEDIA_ROOT = Path(os.environ.get("DATELINE_MEDIA_ROOT", VAR_DIR / "media"))
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
    # The support appeal's form is answered by a 303 to the provider's hosted checkout,
    # and browsers apply form-action to that redirect too (docs/operations.md).
    "form-action": [
        CSP.SELF,
        *os.environ.get(
            "DATELINE_SUPPORT_CHECKOUT_ORIGINS",
            "https://checkout.stripe.com https://www.paypal.com https://www.sandbox.paypal.com",
        ).split(),
    ],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "admin:login"

# How many stories a section front, the home page and an archive page list.
DATELINE_FRONT_PAGE_SIZE = 20
DATELINE_HOME_LATEST = 12
DATELINE_HEADLINE_BLOCK_SIZE = 4
# The page store (dateline/bake/store.py): the full-page cache of the Python server
# and the static bake nginx serves. Empty switches the cache off.
DATELINE_PAGE_DIR = os.environ.get("DATELINE_PAGE_DIR", str(VAR_DIR / "pages"))
# Bake mode: after a publish the worker re-renders the affected files in place (for
# nginx serving the store); otherwise they are deleted and rendered on the next view.
DATELINE_BAKE = os.environ.get("DATELINE_BAKE", "0") == "1"
# Each promotion slot is baked in this many draws; every response shows one at random.
DATELINE_PROMOTION_VARIANTS = 4

# Search ranks a query's newest DATELINE_SEARCH_RECENT_MATCHES matches on a site. On
# PostgreSQL a first pass tests the stored vectors of the site's newest
# DATELINE_SEARCH_WALK_DOCUMENTS documents (enough for a common word) before the GIN
# index is asked for the rest (dateline/search/selectors.py).
DATELINE_SEARCH_RECENT_MATCHES = 200
DATELINE_SEARCH_WALK_DOCUMENTS = 1000

# One line per event, text or JSON (DATELINE_LOG_FORMAT=json), with the request id.
from dateline.ops.logs import logging_config  # noqa: E402

LOGGING = logging_config(
    os.environ.get("DATELINE_LOG_FORMAT", "text"), os.environ.get("DATELINE_LOG_LEVEL", "INFO")
)

# How readers reach the sites: links between the network's sites and canonical URLs.
DATELINE_PUBLIC_SCHEME = os.environ.get("DATELINE_PUBLIC_SCHEME", "https")
DATELINE_PUBLIC_PORT = os.environ.get("DATELINE_PUBLIC_PORT", "")

STATICFILES_DIRS = [BASE_DIR / "static"]

# Inbox folders: files dropped in <DATELINE_INBOX_DIR>/<source slug>/ are ingested.
DATELINE_INBOX_DIR = Path(os.environ.get("DATELINE_INBOX_DIR", VAR_DIR / "inbox"))

# Wire ingestion: the key(s) that encrypt source credentials, and the largest delivery accepted.
DATELINE_CREDENTIALS_KEY = os.environ.get("DATELINE_CREDENTIALS_KEY", "")
# Called with (source=, guids=) inside each ingest transaction: the desk's entries.
DATELINE_POOL_LISTENERS = ["dateline.desk.routing.pool_updated"]
DATELINE_WIRE_MAX_BYTES = int(os.environ.get("DATELINE_WIRE_MAX_BYTES", 20 * 1024 * 1024))
# The time one feed poll may take in all (connection, headers, body) before it is abandoned.
DATELINE_FEED_DEADLINE_SECONDS = float(os.environ.get("DATELINE_FEED_DEADLINE_SECONDS", 60))

# ---------------------------------------------------------------------------
# Comments and promotions (dateline.comments, dateline.promotions), with readers'
# social logins through django-allauth. See docs/operations.md, "Comments".
INSTALLED_APPS += [  # noqa: F405
    "dateline.comments",
    "dateline.promotions",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]
MIDDLEWARE += [  # noqa: F405
    "allauth.account.middleware.AccountMiddleware",
    # After Django's CSP middleware: sees the response first (Disqus pages' allowances).
    "dateline.comments.middleware.EmbedCSPMiddleware",
]
AUTHENTICATION_BACKENDS += ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "dateline.comments.auth.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "dateline.comments.auth.SocialAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the login starts from our form's POST (CSRF)
SOCIALACCOUNT_STORE_TOKENS = False
# A social login never signs into an existing (staff) account by a matching address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False


def _oidc_apps():
    """Readers' OpenID Connect logins from DATELINE_OIDC_PROVIDERS, a JSON list of
    {"provider_id", "name", "client_id", "secret", "server_url"}; more can be added
    in the admin (Social applications)."""
    import json

    raw = os.environ.get("DATELINE_OIDC_PROVIDERS", "").strip()
    if not raw:
        return []
    from django.core.exceptions import ImproperlyConfigured

    try:
        entries = json.loads(raw)
        return [
            {
                "provider_id": entry["provider_id"],
                "name": entry["name"],
                "client_id": entry["client_id"],
                "secret": entry["secret"],
                "settings": {"server_url": entry["server_url"]},
            }
            for entry in entries
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(
            "DATELINE_OIDC_PROVIDERS must be a JSON list of objects with provider_id, name, "
            f"client_id, secret and server_url ({error})"
        ) from None


SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": _oidc_apps()}}

# How long a magic link works, and how long a verified browser is remembered.
DATELINE_COMMENTS_VERIFY_HOURS = int(os.environ.get("DATELINE_COMMENTS_VERIFY_HOURS", "48"))
DATELINE_COMMENTS_COOKIE_DAYS = int(os.environ.get("DATELINE_COMMENTS_COOKIE_DAYS", "365"))
# The sender of verification mails (empty: Django's DEFAULT_FROM_EMAIL).
DATELINE_COMMENTS_FROM_EMAIL = os.environ.get("DATELINE_COMMENTS_FROM_EMAIL", "") or None
DATELINE_COMMENTS_MAX_PER_PAGE = 500
# Comments keep the poster's IP address and browser this long (for abuse reports).
DATELINE_COMMENTS_KEEP_IP_DAYS = int(os.environ.get("DATELINE_COMMENTS_KEEP_IP_DAYS", "90"))
# (requests, seconds) per window: comments per IP and per address, verification
# mails per address, reports per IP. Counted in Django's cache.
DATELINE_COMMENTS_RATE_LIMITS = {
    "ip": (10, 600),
    "address": (5, 600),
    "verify_mail": (3, 3600),
    "report": (10, 3600),
}
# The proxies in front of the web servers (IPs or networks, comma-separated): behind
# them, the reader's address comes from X-Forwarded-For (rate limits, Akismet).
DATELINE_TRUSTED_PROXIES = [
    entry for entry in os.environ.get("DATELINE_TRUSTED_PROXIES", "").split(",") if entry.strip()
]
# Akismet spam checks: off unless a key is set.
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_API_URL = os.environ.get("AKISMET_API_URL", "https://rest.akismet.com/1.1/")
AKISMET_TIMEOUT = 5
# Promotions: how long a process keeps a site's list, how often counters are written.
DATELINE_PROMOTIONS_CACHE_SECONDS = 60
DATELINE_PROMOTIONS_FLUSH_SECONDS = 10
# Operations (dateline/ops): readiness limits, and who may read /metrics.
DATELINE_HEARTBEAT_MAX_AGE = float(os.environ.get("DATELINE_HEARTBEAT_MAX_AGE", 60))
DATELINE_QUEUE_MAX_WAIT = float(os.environ.get("DATELINE_QUEUE_MAX_WAIT", 300))
DATELINE_METRICS_TOKEN = os.environ.get("DATELINE_METRICS_TOKEN", "")
DATELINE_METRICS_NETWORKS = [
    network.strip()
    for network in os.environ.get("DATELINE_METRICS_NETWORKS", "127.0.0.1/32,::1/128").split(",")
    if network.strip()
]
# Daily backups by the worker into this folder (unset: none), keeping the newest N.
DATELINE_BACKUP_DIR = os.environ.get("DATELINE_BACKUP_DIR", "")
DATELINE_BACKUP_KEEP = int(os.environ.get("DATELINE_BACKUP_KEEP", 14))
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

# ---------------------------------------------------------------------------
# Scale-out (docs/deploy.md): PostgreSQL with pooled connections, Redis for the cache,
# locks and rate limits, Celery on Redis or RabbitMQ for the tasks. Each switches on by
# environment; the embedded default (SQLite, in-process cache, database queue) needs none.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    os.environ.get("DATELINE_DB_POOL", "1") != "0"
):
    from psycopg_pool import ConnectionPool  # noqa: E402

    # psycopg 3's pool, one per process. Django refuses a pool beside persistent
    # connections: CONN_MAX_AGE must be 0 (a request returns its connection to the pool).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # the pool's check does it
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATELINE_DB_POOL_MIN", 1)),
        "max_size": int(os.environ.get("DATELINE_DB_POOL_MAX", 8)),
        "timeout": float(os.environ.get("DATELINE_DB_POOL_TIMEOUT", 10)),
        # A connection the server closed (restart, failover) is replaced at checkout.
        "check": ConnectionPool.check_connection,
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Shared by every process: rate limits (comments, support), cached regions, locks.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DATELINE_CACHE_PREFIX", "dateline"),
        }
    }

# DATELINE_TASKS=celery: tasks go to the broker (dateline/worker/broker.py), run by
# `dateline broker_worker`; `dateline scheduler` enqueues the periodic ones.
DATELINE_TASKS = os.environ.get("DATELINE_TASKS", "db")
if DATELINE_TASKS == "celery":
    TASKS = {"default": {"BACKEND": "dateline.worker.broker.CeleryBackend", "QUEUES": TASK_QUEUES}}
elif DATELINE_TASKS != "db":
    from django.core.exceptions import ImproperlyConfigured  # noqa: E402

    raise ImproperlyConfigured(f"DATELINE_TASKS={DATELINE_TASKS!r}: use 'db' (default) or 'celery'")
DATELINE_TASK_QUEUE_PREFIX = os.environ.get("DATELINE_TASK_QUEUE_PREFIX", "dateline")
# /readyz on the broker path: more messages than this waiting means backed up.
DATELINE_QUEUE_MAX_DEPTH = int(os.environ.get("DATELINE_QUEUE_MAX_DEPTH", 1000))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds no more messages than it runs
CELERY_TASK_IGNORE_RESULT = True  # outcomes are in the logs, metrics and dead letters
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]  # never pickle from the broker
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_SEND_TASK_EVENTS = False
# Redis broker: an unacknowledged message (its worker died) is handed out again after
# this many seconds. Longer than the longest task, or a slow task runs twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("DATELINE_TASK_VISIBILITY_TIMEOUT", 3600)),
    # Look for such messages every 10 s (kombu's default scans every tenth look).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}

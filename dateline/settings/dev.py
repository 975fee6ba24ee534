"""The embedded default: SQLite under var/, nothing else to install or start.

Used by ``make demo`` and the ``dateline`` command. DEBUG stays off unless
DATELINE_DEBUG=1, so the demo shows the 404/410 pages readers would see.
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = os.environ.get("DATELINE_DEBUG") == "1"


def _dev_secret_key():
    # A per-checkout random key kept under var/ (never committed, never shared).
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _dev_secret_key()


def _dev_credentials_key():
    # A per-checkout Fernet key under var/, like the secret key.
    from cryptography.fernet import Fernet

    path = VAR_DIR / "credentials_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return path.read_text().strip()


DATELINE_CREDENTIALS_KEY = os.environ.get("DATELINE_CREDENTIALS_KEY") or _dev_credentials_key()

# Browsers resolve every *.localhost name to this machine (RFC 6761 §6.3).
ALLOWED_HOSTS = [".localhost", "localhost", "127.0.0.1", "[::1]"]

DATELINE_PUBLIC_SCHEME = os.environ.get("DATELINE_PUBLIC_SCHEME", "http")
DATELINE_PUBLIC_PORT = os.environ.get("DATELINE_PUBLIC_PORT", "8000")

# The demo: `dateline staff code USER` may print a staff member's current TOTP code.
DATELINE_DEMO = True

# The demo's mail goes to `dateline mailcatcher` (started by `make demo`) unless EMAIL_URL says otherwise.
from dateline.newsletters.email_url import mailer_from_url  # noqa: E402

MAILERS = {"default": mailer_from_url(os.environ.get("EMAIL_URL", "smtp://127.0.0.1:2525"))}

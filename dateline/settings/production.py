"""Production: every secret and every host from the environment.

Required: DJANGO_SECRET_KEY, DATELINE_ALLOWED_HOSTS (comma-separated host names),
DATABASE_URL (postgres://... on the scale path; SQLite under var/ otherwise).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _require(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable (see docs/operations.md).")
    return value


DEBUG = False
SECRET_KEY = _require("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [
    host.strip() for host in _require("DATELINE_ALLOWED_HOSTS").split(",") if host.strip()
]
CSRF_TRUSTED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]

DATELINE_CREDENTIALS_KEY = _require("DATELINE_CREDENTIALS_KEY")

SECURE_SSL_REDIRECT = os.environ.get("DATELINE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DATELINE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True

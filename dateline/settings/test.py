"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = [".localhost", "localhost", "testserver", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
DATABASES["default"]["TEST"] = {"NAME": None}
# Persistent connections would keep the live server thread attached to the test
# database, and PostgreSQL refuses to drop a database in use.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An on-disk test database, so that the live server thread of browser tests
    # and the test itself see the same data.
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    # One file per run, so that two runs in one checkout do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

DATELINE_PUBLIC_SCHEME = "http"
DATELINE_PUBLIC_PORT = ""

# A fixed Fernet key for the tests only.
DATELINE_CREDENTIALS_KEY = "jM4F3hO3wJbGJpUq3p4d6cH5tHqyE6o0yq3Vn4k9x0w="

# The page cache is off for the suite; tests/bake turns it on with a folder of its own.
DATELINE_PAGE_DIR = ""
DATELINE_BAKE = False

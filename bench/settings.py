"""Benchmark settings: the embedded default (SQLite, DEBUG off) on a database of its own."""

import os

os.environ.setdefault("DATELINE_VAR_DIR", os.path.join(os.getcwd(), "var", "bench"))

from dateline.settings.dev import *  # noqa: E402, F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # PostgreSQL benches name their database in DATABASE_URL.
    DATABASES["default"]["NAME"] = str(VAR_DIR / os.environ.get("BENCH_DB", "pages.sqlite3"))  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

"""The scale-out settings: chosen by environment, checked as Django would deploy them."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from dateline.comments.spam import rate_limit
from tests.scaleout import AMQP_URL, REDIS_URL, require

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "dateline.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
    "DATELINE_ALLOWED_HOSTS": "spacewar.example,terradaily.example",
    "DATELINE_CREDENTIALS_KEY": "jM4F3hO3wJbGJpUq3p4d6cH5tHqyE6o0yq3Vn4k9x0w=",
    "DATABASE_URL": "postgres://dateline@127.0.0.1:5432/dateline",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "DATELINE_TASKS": "celery",
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
}
SHOW = (
    "from django.conf import settings as s; import json; d = s.DATABASES['default'];"
    "print(json.dumps({'pool': {k: v for k, v in d['OPTIONS']['pool'].items() if k != 'check'},"
    " 'conn_max_age': d['CONN_MAX_AGE'], 'cache': s.CACHES['default']['BACKEND'],"
    " 'tasks': s.TASKS['default']['BACKEND'], 'broker': s.CELERY_BROKER_URL}))"
)


def dateline(*args, **env):
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (Playwright): no deployment has it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "-m", "dateline", *args], cwd=ROOT, env={**inherited, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


class ProductionSettingsTests:
    def test_environment_selects_pool_redis_and_celery(self):
        """DATABASE_URL, REDIS_URL and DATELINE_TASKS switch on the pooled PostgreSQL
        (CONN_MAX_AGE 0), the Redis cache and the Celery task backend."""
        result = dateline(
            "shell", "--no-imports", "-c", SHOW, **PRODUCTION, DATELINE_DB_POOL_MAX="12"
        )
        assert result.returncode == 0, result.stderr
        shown = json.loads(result.stdout)
        assert shown["pool"] == {"min_size": 1, "max_size": 12, "timeout": 10.0}
        assert shown["conn_max_age"] == 0
        assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
        assert shown["tasks"] == "dateline.worker.broker.CeleryBackend"
        assert shown["broker"] == PRODUCTION["CELERY_BROKER_URL"]

    def test_deploy_check_is_clean(self):
        """`check --deploy` finds nothing to warn about on the scale-out path."""
        result = dateline("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
        assert result.returncode == 0, result.stdout + result.stderr

    def test_unknown_task_engine_is_refused(self):
        """A misspelt DATELINE_TASKS stops the start with what to write instead."""
        result = dateline("check", **{**PRODUCTION, "DATELINE_TASKS": "celry"})
        assert result.returncode != 0
        assert "DATELINE_TASKS='celry': use 'db' (default) or 'celery'" in result.stderr

    def test_embedded_worker_refuses_the_broker_path(self):
        """`dateline worker` on the broker path says which commands to run instead."""
        env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "dateline.settings.test"}
        env["CELERY_BROKER_URL"] = AMQP_URL
        result = dateline("worker", "--batch", **env)
        assert result.returncode != 0
        assert "`dateline broker_worker` and one `dateline scheduler`" in result.stderr


@pytest.mark.django_db(transaction=True)
class PooledConnectionTests:
    def test_requests_reuse_pooled_connections(self):
        """On PostgreSQL a request's connection goes back to the pool, still open."""
        if connection.vendor != "postgresql":
            pytest.skip("the pool is PostgreSQL's; this run is on SQLite")
        assert connection.pool is not None and connection.settings_dict["CONN_MAX_AGE"] == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            first = cursor.fetchone()[0]
        connection.close()  # the end of a request
        assert connection.pool.get_stats()["pool_available"] >= 1
        with connection.cursor() as cursor:
            # The server connection of the first "request" is still open: it went back
            # to the pool rather than being closed.
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [first])
            assert cursor.fetchone()[0] == 1


@pytest.mark.scaleout
class SharedRateLimitTests:
    def test_limit_counted_in_one_process_holds_in_another(self, settings):
        """With REDIS_URL the comment rate limit is shared by every process: requests
        counted by another process refuse the next one here."""
        import redis

        url = require(REDIS_URL)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "dateline",
            }
        }
        limit = rate_limit("ip").limit
        code = (
            "from dateline.comments.spam import rate_limit\n"
            f"print([rate_limit('ip').hit('203.0.113.9') for _ in range({limit})])\n"
        )
        try:
            result = dateline(
                "shell",
                "--no-imports",
                "-c",
                code,
                DJANGO_SETTINGS_MODULE="dateline.settings.test",
                REDIS_URL=url,
            )
            assert result.returncode == 0, result.stderr
            assert "True" not in result.stdout  # within the limit there
            assert rate_limit("ip").hit("203.0.113.9") is True  # over it here
            assert rate_limit("ip").hit("203.0.113.10") is False  # another reader is not
        finally:
            redis.Redis.from_url(url).flushdb()  # our own database number only

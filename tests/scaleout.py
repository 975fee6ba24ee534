"""The real servers of the scale-out path, for its integration tests.

Each test uses its own Redis database number (DATELINE_TEST_REDIS_URL, /7 unless
told) and queues named for the test run, so that runs and engineers sharing the
servers do not meet. Without a server the tests are skipped with the reason,
except under CI=true, where a missing server fails the run (.ci/run)."""

import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
AMQP_URL = os.environ.get("DATELINE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def require(url: str) -> str:
    """``url`` when its server accepts connections; skip (or fail under CI) when not."""
    parts = urlsplit(url)
    default_port = {"redis": 6379, "amqp": 5672}[parts.scheme]
    try:
        socket.create_connection((parts.hostname, parts.port or default_port), timeout=2).close()
    except OSError as error:
        message = f"{parts.scheme} server at {parts.hostname}:{parts.port} unreachable ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the scale-out tests")
        pytest.skip(message)
    return url


def run_prefix() -> str:
    """Broker queue names of one test only."""
    return f"dateline-test-{uuid.uuid4().hex[:12]}"

"""Cross-process locks: on Redis (REDIS_URL) and, without it, on files."""

import os
import subprocess
import sys
import time

import pytest

from dateline.wire.models import Source
from dateline.wire.tasks import inboxes_scan
from dateline.worker import locks
from tests.scaleout import REDIS_URL, require
from tests.worker.test_runner import ROOT, wait_for

TRY_LOCK = (
    "from dateline.worker import locks\n"
    "with locks.exclusive('probe', timeout=30) as held:\n"
    "    print('held' if held else 'busy')\n"
)


def try_from_another_process(settings, redis_url=""):
    """What another process of the network gets when it asks for the lock 'probe'."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
        "DATELINE_VAR_DIR": str(settings.VAR_DIR),
        "REDIS_URL": redis_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", "dateline", "shell", "--no-imports", "-c", TRY_LOCK],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def free() -> bool:
    """Whether this process gets the lock 'probe' now (and lets it go)."""
    with locks.exclusive("probe", timeout=30) as held:
        return held


class FileLockTests:
    def test_held_lock_refuses_another_process(self, settings, tmp_path):
        """Without Redis, a lock held here is refused to another process, then free."""
        settings.REDIS_URL = ""
        settings.VAR_DIR = tmp_path
        with locks.exclusive("probe", timeout=30) as held:
            assert held
            assert try_from_another_process(settings) == "busy"
        assert try_from_another_process(settings) == "held"

    def test_hostile_lock_name_is_refused(self, settings, tmp_path):
        """A lock name cannot reach outside the locks folder."""
        settings.REDIS_URL = ""
        settings.VAR_DIR = tmp_path
        with pytest.raises(ValueError, match="lock name"), locks.exclusive("../etc/x", timeout=1):
            pass


@pytest.mark.scaleout
class RedisLockTests:
    @pytest.fixture
    def redis_url(self, settings):
        import redis

        url = require(REDIS_URL)
        settings.REDIS_URL = url
        yield url
        redis.Redis.from_url(url).flushdb()  # our own database number only

    def test_held_lock_refuses_another_process(self, settings, redis_url):
        """With Redis, a lock held here is refused to another process, then free."""
        with locks.exclusive("probe", timeout=30) as held:
            assert held
            assert try_from_another_process(settings, redis_url) == "busy"
        assert try_from_another_process(settings, redis_url) == "held"

    def test_lock_of_a_dead_holder_expires(self, redis_url):
        """A holder that never releases (killed) frees the lock after its timeout."""
        import redis

        redis.Redis.from_url(redis_url).set("dateline:lock:probe", "dead-holder", px=300)
        with locks.exclusive("probe", timeout=30) as held:
            assert not held
        time.sleep(0.4)
        assert wait_for(free, 5)


@pytest.mark.django_db
class InboxScanLockTests:
    def test_scan_skips_a_source_another_scan_holds(self, settings, tmp_path):
        """An inbox another process is scanning is left alone: its files stay."""
        settings.REDIS_URL = ""
        settings.VAR_DIR = tmp_path
        settings.DATELINE_INBOX_DIR = tmp_path / "inbox"
        Source.objects.create(name="AFP", slug="afp", delivery_method=Source.Method.INBOX)
        folder = tmp_path / "inbox" / "afp"
        folder.mkdir(parents=True)
        dropped = folder / "0042.xml"
        dropped.write_bytes(b"<nitf/>")
        os.utime(dropped, (time.time() - 10, time.time() - 10))
        with locks.exclusive("inbox-scan:afp", timeout=30):
            assert inboxes_scan.call() == {"sources busy": 1}
        assert dropped.exists()

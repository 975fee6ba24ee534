"""The inbox scan (dateline/wire/tasks.py) on real files in a real folder."""

import json
import logging
import os
import time
from pathlib import Path

import pytest

from dateline.wire.models import Source
from dateline.wire.tasks import inboxes_scan

pytestmark = pytest.mark.django_db


def ninjs(uri="urn:x:1", **fields):
    return json.dumps({"uri": uri, "headline": "A headline", **fields}).encode()


@pytest.fixture
def inbox(settings, tmp_path):
    """The folder of an inbox source, ``afp``."""
    settings.DATELINE_INBOX_DIR = tmp_path / "inbox"
    Source.objects.create(name="AFP", slug="afp", delivery_method=Source.Method.INBOX)
    folder = tmp_path / "inbox" / "afp"
    folder.mkdir(parents=True)
    return folder


def drop(path: Path, data: bytes) -> Path:
    """Write a file as an agency's finished upload: old enough to be read."""
    path.write_bytes(data)
    past = time.time() - 10
    os.utime(path, (past, past))
    return path


def scan(caplog) -> list[str]:
    """Run a scan; the warnings it logged."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="dateline.wire"):
        inboxes_scan.call()
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


class InboxRefusedTests:
    def test_second_oversized_file_of_a_name_keeps_the_first(self, inbox, settings, caplog):
        """Two oversized files dropped under one name are both kept in .refused/."""
        settings.DATELINE_WIRE_MAX_BYTES = 2000
        first, second = ninjs(body_text="1" * 5000), ninjs(body_text="2" * 5000)
        for data in (first, second):
            drop(inbox / "big.json", data)
            scan(caplog)
        refused = sorted((inbox / ".refused").iterdir())
        assert [path.read_bytes() for path in refused] == [first, second]
        assert all(path.name.endswith("-big.json") for path in refused)

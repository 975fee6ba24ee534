"""The inbox scan (dateline/wire/inbox.py, run by tasks.inboxes_scan) on real files in a real folder."""

import ctypes
import io
import json
import logging
import os
import tarfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from dateline.wire.models import Delivery, Source, WireItem
from dateline.wire.storage import raw_read
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


_REWRITE = {}


def rewrite_during_ingest(*, source, guids):
    """A pool listener (settings.DATELINE_POOL_LISTENERS), called inside the ingest's
    transaction: the agency uploads the file again while the scan is ingesting it."""
    path, data, how = _REWRITE.pop("path"), _REWRITE.pop("data"), _REWRITE.pop("how")
    if how == "in place":
        path.write_bytes(data)
    else:
        path.with_name("upload.tmp").write_bytes(data)
        path.with_name("upload.tmp").replace(path)


class InboxChangeTests:
    @pytest.mark.parametrize("how", ["in place", "renamed over"])
    def test_file_rewritten_during_the_scan_is_read_next_time(self, inbox, settings, caplog, how):
        """A file uploaded again under the same name while it is ingested stays, for the next scan."""
        settings.DATELINE_POOL_LISTENERS = [f"{__name__}.rewrite_during_ingest"]
        latest = drop(inbox / "latest.json", ninjs(headline="First take"))
        _REWRITE.update(path=latest, data=ninjs("urn:x:2", headline="Second take"), how=how)
        scan(caplog)
        assert latest.read_bytes() == ninjs("urn:x:2", headline="Second take")
        os.utime(latest, (time.time() - 10, time.time() - 10))
        settings.DATELINE_POOL_LISTENERS = []
        scan(caplog)
        assert sorted(WireItem.objects.values_list("headline", flat=True)) == [
            "First take",
            "Second take",
        ]
        assert not latest.exists()


@contextmanager
def without_root_file_access():
    """This thread without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (capabilities(7)), so
    that a file of mode 000 is refused as it would be to an unprivileged worker: the
    suite runs as root in CI. capset(2) changes the calling thread only; as another user
    this changes nothing."""
    libc = ctypes.CDLL(None, use_errno=True)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]

    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    if libc.capget(ctypes.byref(header), data):
        raise OSError(ctypes.get_errno(), "capget")
    held = data[0].effective
    data[0].effective = held & ~(1 << 1 | 1 << 2)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    if libc.capset(ctypes.byref(header), data):
        raise OSError(ctypes.get_errno(), "capset")
    try:
        yield
    finally:
        data[0].effective = held
        libc.capset(ctypes.byref(header), data)


class InboxTroubleTests:
    def test_unreadable_file_is_named_and_the_others_are_read(self, inbox, caplog):
        """A file that cannot be opened stays, named in a warning; the files after it are ingested."""
        locked = drop(inbox / "0001.json", ninjs("urn:x:locked"))
        locked.chmod(0)
        good = drop(inbox / "0002.json", ninjs("urn:x:good"))
        with without_root_file_access():
            warnings = scan(caplog)
        assert WireItem.objects.get().guid == "urn:x:good"
        assert locked.exists() and not good.exists()
        [warning] = warnings
        assert "0001.json (PermissionError" in warning

    def test_folders_links_and_fifos_are_named_and_left_alone(self, inbox, tmp_path, caplog):
        """Subfolders, links and FIFOs stay, unopened, named in one warning; the rest is ingested."""
        (inbox / "sub.xml").mkdir()
        drop(inbox / "sub.xml" / "inside.json", ninjs("urn:x:inside"))
        target = drop(tmp_path / "elsewhere.json", ninjs("urn:x:elsewhere"))
        (inbox / "link.json").symlink_to(target)
        os.mkfifo(inbox / "pipe.json")
        os.utime(inbox / "pipe.json", (time.time() - 10, time.time() - 10))
        drop(inbox / "story.json", ninjs("urn:x:story"))
        [warning] = scan(caplog)
        assert WireItem.objects.get().guid == "urn:x:story"
        for name in ("sub.xml/ (a folder", "link.json (a symbolic link", "pipe.json (not a"):
            assert name in warning
        assert {path.name for path in inbox.iterdir()} == {"sub.xml", "link.json", "pipe.json"}

    @pytest.mark.parametrize(
        "name", ["0044.xml.part", "0044.xml.filepart", "0044.xml.tmp", "0044.XML.PARTIAL", ".0044"]
    )
    def test_upload_temporaries_are_left_alone(self, inbox, caplog, name):
        """A file still under an upload's temporary name is not read, however old, until renamed."""
        upload = drop(inbox / name, ninjs(headline="Half a sto"))
        assert scan(caplog) == []
        assert upload.exists() and not Delivery.objects.exists()
        drop(upload.rename(inbox / "0044.json"), ninjs())
        scan(caplog)
        assert WireItem.objects.count() == 1 and not (inbox / "0044.json").exists()


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class InboxArchiveTests:
    def test_archives_are_read_member_by_member(self, inbox, caplog):
        """A zip or tar archive dropped in an inbox is ingested member by member, then removed."""
        drop(inbox / "batch.zip", zipped(a=ninjs("urn:x:a"), b=ninjs("urn:x:b")))
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            member = tarfile.TarInfo("c.json")
            member.size = len(ninjs("urn:x:c"))
            archive.addfile(member, io.BytesIO(ninjs("urn:x:c")))
        drop(inbox / "batch.tar.gz", buffer.getvalue())
        assert scan(caplog) == []
        assert sorted(WireItem.objects.values_list("guid", flat=True)) == [
            "urn:x:a",
            "urn:x:b",
            "urn:x:c",
        ]
        assert sorted(Delivery.objects.values_list("origin", flat=True)) == [
            f"{inbox}/batch.tar.gz:c.json",
            f"{inbox}/batch.zip:a",
            f"{inbox}/batch.zip:b",
        ]
        assert list(inbox.iterdir()) == []

    def test_damaged_archive_is_kept_whole(self, inbox, caplog):
        """An archive that cannot be read is kept as one quarantined delivery of its own bytes."""
        damaged = zipped(a=ninjs())[:-30]  # no central directory
        drop(inbox / "cut.zip", damaged)
        scan(caplog)
        delivery = Delivery.objects.get()
        assert delivery.status == "quarantined" and delivery.reason.startswith("damaged archive")
        assert raw_read(delivery.sha256) == damaged and not (inbox / "cut.zip").exists()

    def test_archive_with_an_unreadable_member_is_kept_whole(self, inbox, caplog):
        """An archive with a member failing its CRC is kept whole; its other members are ingested."""
        archive = zipped(good=ninjs("urn:x:good"), bad=ninjs("urn:x:bad", headline="Flipped"))
        archive = archive.replace(b"Flipped", b"Flopped")  # stored, not deflated: CRC fails
        drop(inbox / "batch.zip", archive)
        scan(caplog)
        assert WireItem.objects.get().guid == "urn:x:good"
        kept = Delivery.objects.get(origin=f"{inbox}/batch.zip (archive)")
        assert kept.status == "quarantined" and "CRC" in kept.reason
        assert raw_read(kept.sha256) == archive and not (inbox / "batch.zip").exists()

    def test_archive_with_an_oversized_member_goes_to_refused(self, inbox, settings, caplog):
        """An archive with an oversized member goes to .refused/; its other members are ingested."""
        settings.DATELINE_WIRE_MAX_BYTES = 2000
        drop(inbox / "batch.zip", zipped(a=ninjs("urn:x:a"), big=ninjs(body_text="x" * 5000)))
        scan(caplog)
        assert WireItem.objects.get().guid == "urn:x:a"
        assert Delivery.objects.get(origin__endswith=":big").status == "quarantined"
        [refused] = (inbox / ".refused").iterdir()
        assert refused.name.endswith("-batch.zip") and not (inbox / "batch.zip").exists()


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

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from ops_processes import database_url, dateline, dateline_environment, wait_for

from dateline.articles.models import Story
from dateline.wire.models import Delivery, RawDelivery, Source, WireItem
from dateline.wire.services import deliveries_ingest

WIRE_FIXTURES = Path(__file__).resolve().parents[1] / "wire" / "fixtures"


class Target:
    """An empty instance to restore into: a new SQLite file, or a new PostgreSQL
    database on the test server. ``query`` reads it with a plain DB-API connection."""

    def __init__(self, tmp_path, name):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.name = str(tmp_path / f"{name}.sqlite3")
        else:
            self.name = f"{connection.settings_dict['NAME']}_{name}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"', f'CREATE DATABASE "{self.name}"')
        self.env = dateline_environment(DATABASE_URL=database_url(self.name))

    def _admin(self, *statements):
        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)

    def query(self, sql):
        if self.vendor == "sqlite":
            with sqlite3.connect(self.name) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(database_url(self.name)) as db:
            return db.execute(sql).fetchall()

    def drop(self):
        if self.vendor != "sqlite":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    made = []

    def make(name="restored"):
        made.append(Target(tmp_path, name))
        return made[-1]

    yield make
    for each in made:
        each.drop()


def live_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model.objects.count()
        for model in apps.get_models()
        if model._meta.managed
    }


def raw_fingerprints(rows) -> set[tuple[str, str]]:
    return {(sha256, hashlib.sha256(bytes(data)).hexdigest()) for sha256, data in rows}


@pytest.fixture
def populated_network(django_user_model):
    """The demo network with 45 stories, the wire fixtures ingested, a staff login."""
    call_command("loaddemo", stories=45, no_user=True, verbosity=0)
    source = Source.objects.create(name="Fixtures", slug="fixtures")
    files = sorted(p for p in WIRE_FIXTURES.rglob("*") if p.is_file())
    deliveries_ingest(source=source, deliveries=[(str(p), p.read_bytes()) for p in files])
    django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-1")


@pytest.mark.django_db(transaction=True)
class BackupRoundTripTests:
    def test_round_trip_restores_every_row_and_byte(self, populated_network, target, tmp_path):
        """A populated network backed up and restored into an empty instance has the
        same row count in every table, the same stories and the same wire bytes."""
        call_command("backup", str(tmp_path / "backup"), verbosity=0)
        manifest = json.loads((tmp_path / "backup/manifest.json").read_text())
        counted = {t: n for t, n in manifest["tables"].items() if t != "django_migrations"}
        assert counted == live_counts()
        assert manifest["raw_deliveries"] == RawDelivery.objects.count() > 0
        restored = target()
        result = dateline("restore", str(tmp_path / "backup"), "--json", env=restored.env)
        assert result.returncode == 0, result.stderr
        figures = json.loads(result.stdout)
        assert figures["raw_deliveries_checked"] == RawDelivery.objects.count()
        for table, count in live_counts().items():
            assert restored.query(f'SELECT COUNT(*) FROM "{table}"')[0][0] == count, table  # noqa: S608
        assert sorted(restored.query("SELECT headline FROM articles_story")) == sorted(
            Story.objects.values_list("headline")
        )
        assert raw_fingerprints(restored.query("SELECT sha256, data FROM wire_rawdelivery")) == (
            raw_fingerprints(RawDelivery.objects.values_list("sha256", "data"))
        )
        status = dateline("status", "--json", env=restored.env)
        assert json.loads(status.stdout)["checks"]["database"]["ok"]

    def test_refuses_non_empty_instance_unless_forced(self, populated_network, target, tmp_path):
        """Restoring over data is refused with the reason; --force replaces it."""
        call_command("backup", str(tmp_path / "backup"), verbosity=0)
        restored = target()
        assert dateline("restore", str(tmp_path / "backup"), env=restored.env).returncode == 0
        again = dateline("restore", str(tmp_path / "backup"), env=restored.env)
        assert again.returncode == 1
        assert "this instance is not empty" in again.stderr and "--force" in again.stderr
        forced = dateline("restore", str(tmp_path / "backup"), "--force", env=restored.env)
        assert forced.returncode == 0, forced.stderr
        assert "counts and checksums match the backup" in forced.stdout

    def test_damaged_backup_is_refused(self, populated_network, target, tmp_path):
        """A backup whose database file changed after it was written is refused and
        the target is left untouched."""
        call_command("backup", str(tmp_path / "backup"), verbosity=0)
        manifest = json.loads((tmp_path / "backup/manifest.json").read_text())
        with (tmp_path / "backup" / manifest["database_file"]).open("r+b") as handle:
            handle.seek(2000)
            handle.write(b"\xff\x00corrupted")
        restored = target()
        result = dateline("restore", str(tmp_path / "backup"), env=restored.env)
        assert result.returncode == 1
        assert "does not match its checksum" in result.stderr
        tables = (
            "SELECT name FROM sqlite_master WHERE type='table'"
            if restored.vendor == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname='public'"
        )
        assert restored.query(tables) == []

    def test_existing_folder_is_refused(self, tmp_path, db):
        """A backup never overwrites a folder that exists."""
        (tmp_path / "taken").mkdir()
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="already exists"):
            call_command("backup", str(tmp_path / "taken"), verbosity=0)

    def test_media_files_round_trip(self, settings, tmp_path, target, db):
        """Uploaded files under MEDIA_ROOT are copied with checksums and restored."""
        settings.MEDIA_ROOT = str(tmp_path / "media")
        (tmp_path / "media/photos").mkdir(parents=True)
        (tmp_path / "media/photos/launch.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
        call_command("backup", str(tmp_path / "backup"), verbosity=0)
        manifest = json.loads((tmp_path / "backup/manifest.json").read_text())
        assert (
            manifest["files"]["media/photos/launch.jpg"]
            == hashlib.sha256(b"\xff\xd8 not really a jpeg").hexdigest()
        )
        restored = target()
        restored.env["DATELINE_MEDIA_ROOT"] = str(tmp_path / "restored-media")
        result = dateline("restore", str(tmp_path / "backup"), env=restored.env)
        assert result.returncode == 0, result.stderr
        copy = tmp_path / "restored-media/photos/launch.jpg"
        assert copy.read_bytes() == b"\xff\xd8 not really a jpeg"


def ninjs(n: int) -> bytes:
    return json.dumps(
        {
            "uri": f"urn:stream.example:{n}",
            "type": "text",
            "version": "1",
            "versioncreated": "2026-11-24T10:00:00Z",
            "pubstatus": "usable",
            "headline": f"Stream story number {n} about grid batteries",
            "body_html": f"<p>Paragraph of story {n}.</p><p>Another paragraph {n}.</p>",
        }
    ).encode()


@pytest.mark.django_db(transaction=True)
class BackupDuringWritesTests:
    def test_backup_taken_while_writing_restores_a_consistent_state(self, target, tmp_path):
        """While a writer ingests deliveries non-stop, the backup captures one moment:
        restored, every delivery has its bytes and its items, and the counts are
        those of the manifest, though the live database went on growing."""
        source = Source.objects.create(name="Stream", slug="stream")
        stop = threading.Event()
        written = []

        def writer():
            try:
                n = 0
                while not stop.is_set():
                    batch = [(f"stream/{n + i}.json", ninjs(n + i)) for i in range(3)]
                    deliveries_ingest(source=source, deliveries=batch)
                    n += 3
                    written.append(n)
            finally:
                connection.close()

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            assert wait_for(lambda: len(written) >= 5)
            call_command("backup", str(tmp_path / "backup"), verbosity=0)
            at_backup = json.loads((tmp_path / "backup/manifest.json").read_text())["tables"]
            assert wait_for(lambda: Delivery.objects.count() > at_backup["wire_delivery"] + 6)
        finally:
            stop.set()
            thread.join(60)
        restored = target()
        result = dateline("restore", str(tmp_path / "backup"), "--json", env=restored.env)
        assert result.returncode == 0, result.stderr
        deliveries = restored.query("SELECT COUNT(*), SUM(item_count) FROM wire_delivery")[0]
        assert deliveries[0] == at_backup["wire_delivery"] < Delivery.objects.count()
        assert restored.query("SELECT COUNT(*) FROM wire_wireitem")[0][0] == deliveries[1]
        orphans = restored.query(
            "SELECT COUNT(*) FROM wire_delivery d LEFT JOIN wire_rawdelivery r "
            "ON r.sha256 = d.sha256 WHERE r.sha256 IS NULL"
        )
        assert orphans[0][0] == 0
        assert WireItem.objects.count() > deliveries[1]


@pytest.mark.django_db(transaction=True)
class ScheduledBackupTests:
    def test_daily_backup_keeps_the_newest(self, settings, tmp_path):
        """With DATELINE_BACKUP_DIR set the scheduled task writes a complete backup
        and keeps only the DATELINE_BACKUP_KEEP newest; other folders are left alone."""
        from dateline.ops.tasks import backup_scheduled
        from dateline.worker.schedule import SCHEDULE

        assert "dateline.ops.tasks.backup_scheduled" in {p.task_path for p in SCHEDULE}
        settings.DATELINE_BACKUP_DIR = str(tmp_path / "backups")
        settings.DATELINE_BACKUP_KEEP = 2
        (tmp_path / "backups/keep-me").mkdir(parents=True)
        written = [Path(backup_scheduled.call()) for _ in range(3)]
        left = sorted(p.name for p in (tmp_path / "backups").iterdir())
        assert left == sorted(["keep-me", written[1].name, written[2].name])
        assert (written[2] / "manifest.json").is_file()

    def test_nothing_without_a_folder(self, settings):
        """Without DATELINE_BACKUP_DIR the task says so and writes nothing."""
        from dateline.ops.tasks import backup_scheduled

        settings.DATELINE_BACKUP_DIR = ""
        assert "not set" in backup_scheduled.call()


@pytest.mark.django_db(transaction=True)
class HostileBackupTests:
    def _backup_with(self, tmp_path, files):
        """A backup folder whose manifest lists ``files`` (name -> bytes), checksums right."""
        call_command("backup", str(tmp_path / "backup"), verbosity=0)
        manifest_path = tmp_path / "backup/manifest.json"
        manifest = json.loads(manifest_path.read_text())
        for name, data in files.items():
            target = tmp_path / "backup" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            manifest["files"][name] = hashlib.sha256(data).hexdigest()
        manifest_path.write_text(json.dumps(manifest))
        return tmp_path / "backup"

    def test_media_path_escaping_media_root_is_refused(self, tmp_path, target):
        """A manifest naming media/../x (inside the backup, outside MEDIA_ROOT) is
        refused before anything is written."""
        backup = self._backup_with(tmp_path, {"media/../evil.txt": b"x"})
        restored = target()
        restored.env["DATELINE_MEDIA_ROOT"] = str(tmp_path / "media-root")
        result = dateline("restore", str(backup), env=restored.env)
        assert result.returncode == 1
        assert "outside MEDIA_ROOT" in result.stderr
        assert not (tmp_path / "evil.txt").exists()

    def test_file_outside_the_backup_is_refused(self, tmp_path, target):
        """A manifest naming ../anything is refused."""
        (tmp_path / "outside.txt").write_bytes(b"y")
        call_command("backup", str(tmp_path / "backup"), verbosity=0)
        manifest_path = tmp_path / "backup/manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["files"]["../outside.txt"] = hashlib.sha256(b"y").hexdigest()
        manifest_path.write_text(json.dumps(manifest))
        result = dateline("restore", str(tmp_path / "backup"), env=target().env)
        assert result.returncode == 1 and "outside the backup" in result.stderr

    def test_not_a_backup(self, tmp_path, target):
        """A folder without a manifest is named as not a backup."""
        (tmp_path / "random").mkdir()
        result = dateline("restore", str(tmp_path / "random"), env=target().env)
        assert result.returncode == 1 and "is not a backup: no manifest.json" in result.stderr

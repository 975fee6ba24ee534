import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dateline.wire.models import Delivery, Source, WireItem
from dateline.wire.storage import raw_read

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def ingest_json(*paths, source=None):
    out = io.StringIO()
    args = [str(p) for p in paths] + ["--json"] + (["--source", source] if source else [])
    call_command("ingest", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


class IngestVersionTests:
    def test_new_update_kill_and_stale(self, tmp_path):
        """v1 is new, v2 updates, v3 (canceled) kills, a late v1 copy changes nothing."""
        g2 = FIXTURES / "newsml_g2"
        [first] = ingest_json(g2 / "afp_text_nitf_v1.xml")
        assert first["status"] == "new" and first["version"] == 1 and first["format"] == "newsml_g2"
        [second] = ingest_json(g2 / "afp_text_nitf_v2.xml")
        assert second["status"] == "updated" and second["version"] == 2
        [kill] = ingest_json(g2 / "afp_kill_v3.xml")
        assert kill["status"] == "updated"
        current = WireItem.objects.get(is_current=True)
        assert current.version == 3 and current.pub_status == "canceled"
        assert WireItem.objects.filter(guid=current.guid).count() == 3  # history kept

        # v1 again in other bytes (re-wrapped): already in the history.
        rewrapped = tmp_path / "v1-again.xml"
        rewrapped.write_bytes((g2 / "afp_text_nitf_v1.xml").read_bytes() + b"\n\n")
        [again] = ingest_json(rewrapped)
        assert again["status"] == "unchanged"
        assert WireItem.objects.get(is_current=True).version == 3

    def test_late_older_version_is_stale(self):
        """A v1 arriving after v2 is kept as history and never overwrites v2."""
        g2 = FIXTURES / "newsml_g2"
        ingest_json(g2 / "afp_text_nitf_v2.xml")
        [late] = ingest_json(g2 / "afp_text_nitf_v1.xml")
        assert late["status"] == "stale"
        assert WireItem.objects.get(is_current=True).version == 2
        assert WireItem.objects.filter(is_current=False, version=1).exists()

    def test_same_bytes_twice_is_duplicate(self):
        """The same bytes again change nothing and say duplicate."""
        path = FIXTURES / "nitf/nitf_3_namespaced.xml"
        ingest_json(path)
        [again] = ingest_json(path)
        assert again["status"] == "duplicate"
        assert Delivery.objects.count() == 1 and WireItem.objects.count() == 1

    def test_feed_changed_content_is_next_version(self, tmp_path):
        """A feed item whose content changes under its guid becomes version 2."""
        original = FIXTURES / "feeds/rss2.xml"
        ingest_json(original)
        edited = tmp_path / "rss-edited.xml"
        edited.write_bytes(original.read_bytes().replace(b"first winter", b"first full winter"))
        [update] = ingest_json(edited)
        assert update["status"] == "updated" and update["version"] == 2


class IngestBatchTests:
    def test_folder_and_archives(self, tmp_path):
        """Folders, zip and tar archives are read member by member; the summary counts them."""
        folder = tmp_path / "inbox"
        shutil.copytree(FIXTURES / "ninjs", folder)
        archive = tmp_path / "backfill.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.write(FIXTURES / "nitf/nitf_3_namespaced.xml", "a/volcano.xml")
            zipped.write(FIXTURES / "illformed/billion_laughs.xml", "a/bomb.xml")
        tarball = tmp_path / "more.tar.gz"
        with tarfile.open(tarball, "w:gz") as tarred:
            tarred.add(FIXTURES / "feeds/atom.xml", "feeds/atom.xml")
        lines = ingest_json(folder, archive, tarball)
        statuses = sorted(line["status"] for line in lines)
        assert statuses == ["new"] * 5 + ["quarantined"]
        bomb = next(line for line in lines if line["status"] == "quarantined")
        assert bomb["path"].endswith("backfill.zip:a/bomb.xml") and "entities" in bomb["reason"]

        out = io.StringIO()
        call_command(
            "ingest", str(folder), str(archive), str(tarball), stdout=out, stderr=io.StringIO()
        )
        # Everything again, quarantined bytes included, is a duplicate: nothing changes.
        assert (
            "6 files: 0 new, 0 updated, 0 unchanged, 0 stale, 6 duplicate, 0 quarantined"
            in out.getvalue()
        )

    def test_illformed_quarantined_raw_kept_batch_goes_on(self):
        """Every ill-formed file is quarantined with a reason, its bytes kept; the rest goes on."""
        lines = ingest_json(FIXTURES / "illformed", FIXTURES / "ninjs/ninjs_1x.json")
        quarantined = {
            Path(line["path"]).name: line["reason"]
            for line in lines
            if line["status"] == "quarantined"
        }
        expected = {p.name for p in (FIXTURES / "illformed").iterdir()} - {"external_dtd.xml"}
        assert expected <= set(quarantined)
        assert all(quarantined.values())
        assert any(line["status"] == "new" for line in lines)
        for delivery in Delivery.objects.filter(status="quarantined"):
            original = next(
                p for p in (FIXTURES / "illformed").iterdir() if str(p) == delivery.origin
            )
            assert raw_read(delivery.sha256) == original.read_bytes()

    def test_oversized_refused(self, settings, tmp_path):
        """A delivery over the configured limit is quarantined with the limit named."""
        settings.DATELINE_WIRE_MAX_BYTES = 1000
        big = tmp_path / "big.json"
        big.write_bytes(b'{"uri": "x", "body_text": "' + b"a" * 5000 + b'"}')
        [line] = ingest_json(big)
        assert line["status"] == "quarantined" and "1000-byte limit" in line["reason"]

    def test_missing_path_reported(self, tmp_path):
        """A path that does not exist is no delivery: the rest is ingested, then the
        command fails naming it."""
        err = io.StringIO()
        out = io.StringIO()
        with pytest.raises(CommandError, match="1 path\\(s\\) not found: .*nope.xml"):
            call_command(
                "ingest", str(tmp_path / "nope.xml"), str(FIXTURES / "ninjs/ninjs_1x.json"),
                "--json", stdout=out, stderr=err,
            )  # fmt: skip
        assert "nope.xml: no such file or folder" in err.getvalue()
        [line] = [json.loads(text) for text in out.getvalue().splitlines()]
        assert line["status"] == "new"
        assert not Delivery.objects.filter(origin__endswith="nope.xml").exists()

    def test_links_in_a_tar_are_reported(self, tmp_path):
        """Symbolic and hard links in a tar are each reported with what they point to,
        never followed; the file beside them is ingested."""
        tarball = tmp_path / "links.tar"
        with tarfile.open(tarball, "w") as tarred:
            tarred.add(FIXTURES / "ninjs/ninjs_1x.json", "story.json")
            for name, kind in (("passwd", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE)):
                link = tarfile.TarInfo(name)
                link.type, link.linkname = kind, "/etc/passwd"
                tarred.addfile(link)
        lines = {Path(line["path"].split(":")[-1]).name: line for line in ingest_json(tarball)}
        assert lines["story.json"]["status"] == "new"
        assert lines["passwd"]["status"] == "quarantined"
        assert "symbolic link to '/etc/passwd'" in lines["passwd"]["reason"]
        assert "hard link to '/etc/passwd'" in lines["hard"]["reason"]

    def test_a_damaged_archive_is_kept_and_quarantined(self, tmp_path):
        """A zip cut short is quarantined with the reason, its bytes kept as a delivery
        the admin lists."""
        archive = tmp_path / "cut.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.write(FIXTURES / "ninjs/ninjs_1x.json", "story.json")
        archive.write_bytes(archive.read_bytes()[:-30])
        [line] = ingest_json(archive)
        assert line["status"] == "quarantined" and "damaged archive" in line["reason"]
        delivery = Delivery.objects.get(status="quarantined")
        assert raw_read(delivery.sha256) == archive.read_bytes()
        assert "damaged archive" in delivery.reason
        [again] = ingest_json(archive)  # the same bytes again: the same delivery
        assert again["status"] == "quarantined" and Delivery.objects.count() == 1

    def test_unknown_source_refused(self):
        """An unknown --source is refused with the known ones listed."""
        Source.objects.create(name="AFP", slug="afp")
        with pytest.raises(CommandError, match="known: afp"):
            ingest_json(FIXTURES / "ninjs/ninjs_1x.json", source="upi")


class RerunTests:
    def test_rerun_after_fix(self, tmp_path):
        """A quarantined delivery re-run from its kept bytes becomes pool items once readable."""
        from dateline.wire import services
        from dateline.wire.parsers import base

        [line] = ingest_json(FIXTURES / "illformed/unknown_root.xml")
        delivery = Delivery.objects.get(status="quarantined")
        assert services.delivery_rerun(delivery=delivery)[0].status == "quarantined"

        @base.register("catalog-test")
        class CatalogParser(base.Parser):  # a "parser fix": a format we now read
            priority = 1
            format = "catalog"

            def sniff(self, data, root):
                return root is not None and root.tag == "catalog"

            def parse(self, data, root):
                return [
                    base.ParsedItem(guid="book-1", version=1, headline=root.findtext("book/title"))
                ]

        try:
            [result] = services.delivery_rerun(delivery=delivery)
        finally:
            del base._REGISTRY["catalog-test"]
        assert result.status == "new" and result.headline == "Not news"
        delivery.refresh_from_db()
        assert delivery.status == "accepted" and delivery.reason == ""


def _ninjs(uri, headline, paragraphs):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return json.dumps({"uri": uri, "version": 1, "headline": headline, "body_html": body}).encode()


STORY = [
    "Government troops on Friday retook the last town held by the insurgents in the west of the country, the army said.",
    "The offensive began at dawn and met little resistance, according to a statement from the joint operations command.",
    "Officials said engineers were clearing explosives from public buildings before residents could return home.",
    "The insurgents had held the town for more than three years and used it as a base for raids across the border.",
]


class ClusterTests:
    def test_same_event_from_two_agencies_is_one_cluster(self, tmp_path):
        """A lightly re-edited copy from another agency joins the first item's cluster."""
        from dateline.wire.services import deliveries_ingest

        afp = Source.objects.create(name="AFP", slug="afp")
        upi = Source.objects.create(name="UPI", slug="upi")
        edited = [
            STORY[0].replace("Government troops", "Troops"),
            *STORY[1:3],
            STORY[3] + " Two soldiers were hurt.",
        ]
        deliveries_ingest(
            source=afp, deliveries=[("afp.json", _ninjs("afp:1", "Army retakes last town", STORY))]
        )
        deliveries_ingest(
            source=upi, deliveries=[("upi.json", _ninjs("upi:9", "Troops retake town", edited))]
        )
        first, second = WireItem.objects.get(guid="afp:1"), WireItem.objects.get(guid="upi:9")
        assert second.cluster_key == first.cluster_key == f"{afp.pk}:afp:1"
        assert 0.5 <= second.cluster_score < 1.0

    def test_unrelated_story_is_its_own_cluster(self):
        """A different story starts its own cluster."""
        from dateline.wire.services import deliveries_ingest

        afp = Source.objects.create(name="AFP", slug="afp")
        other = [
            "The central bank left interest rates unchanged on Thursday, citing easing inflation.",
            "Economists had expected the decision after three months of falling prices.",
        ]
        deliveries_ingest(
            source=afp,
            deliveries=[
                ("a.json", _ninjs("afp:1", "Army retakes last town", STORY)),
                ("b.json", _ninjs("afp:2", "Rates unchanged", other)),
            ],
        )
        keys = set(WireItem.objects.values_list("cluster_key", flat=True))
        assert len(keys) == 2

    def test_new_version_stays_in_its_cluster(self):
        """A new version of a guid keeps its story's cluster."""
        g2 = FIXTURES / "newsml_g2"
        ingest_json(g2 / "afp_text_nitf_v1.xml")
        ingest_json(g2 / "afp_text_nitf_v2.xml")
        assert WireItem.objects.values("cluster_key").distinct().count() == 1

    def test_window_limits_lookback(self, settings):
        """Items more than the window apart in time are not matched."""
        from datetime import timedelta

        from django.utils import timezone

        from dateline.wire.models import ClusterBand
        from dateline.wire.services import deliveries_ingest

        afp = Source.objects.create(name="AFP", slug="afp")
        deliveries_ingest(
            source=afp, deliveries=[("a.json", _ninjs("afp:1", "Army retakes last town", STORY))]
        )
        ClusterBand.objects.update(at=timezone.now() - timedelta(hours=100))
        deliveries_ingest(
            source=afp, deliveries=[("b.json", _ninjs("afp:2", "Army retakes last town", STORY))]
        )
        assert WireItem.objects.values("cluster_key").distinct().count() == 2


class PublishableTests:
    def test_embargo_kill_and_history(self):
        """An embargoed item is not publishable before its time; killed and old versions never."""
        from datetime import UTC, datetime

        g2 = FIXTURES / "newsml_g2"
        ingest_json(g2 / "upi_text_xhtml_embargoed.xml")
        embargoed = WireItem.objects.get()
        assert not embargoed.is_publishable()
        assert embargoed.is_publishable(now=datetime(2099, 1, 1, 0, 1, tzinfo=UTC))
        ingest_json(g2 / "afp_text_nitf_v1.xml", g2 / "afp_kill_v3.xml")
        killed = WireItem.objects.get(guid__contains="harbour", is_current=True)
        old = WireItem.objects.get(guid__contains="harbour", is_current=False)
        assert not killed.is_publishable() and not old.is_publishable()


class CJKClusterTests:
    def test_chinese_near_duplicate_is_similar(self):
        """Two Chinese reports differing by one character score as near-duplicates."""
        from dateline.wire import clusters

        first = "政府军周五收复了该国西部最后一个被叛军控制的城镇，军方在声明中表示。工程人员正在清除公共建筑中的爆炸物。"
        second = first.replace("周五", "周六")
        other = "央行周四维持利率不变，理由是通胀放缓。经济学家此前预计会作出这一决定。"
        a, b, c = (clusters.signature("", f"<p>{t}</p>") for t in (first, second, other))
        assert clusters.similarities(a.tobytes(), [b.tobytes()])[0] >= clusters.THRESHOLD
        assert clusters.similarities(a.tobytes(), [c.tobytes()])[0] < clusters.THRESHOLD


def _pool_snapshot(source):
    """Everything ingest decides, in a form that does not depend on row ids."""
    from dateline.desk.models import AuditEntry, DeskEntry
    from dateline.wire.models import ClusterBand, RawDelivery

    snapshot = {
        "items": list(
            WireItem.objects.order_by("guid", "version").values_list(
                "guid", "version", "is_current", "pub_status", "headline", "body_html",
                "content_hash", "cluster_key", "cluster_score", "minhash", "embargo_until",
                "delivery__sha256",
            )
        ),
        "bands": sorted(
            ClusterBand.objects.values_list("band_key", "cluster_hash", "item__guid", "item__version")
        ),
        "deliveries": sorted(
            Delivery.objects.values_list("sha256", "origin", "status", "reason", "item_count", "format")
        ),
        "raw": sorted(RawDelivery.objects.values_list("sha256", "size")),
        "entries": sorted(
            DeskEntry.objects.values_list("guid", "item__version", "cluster_key", "status", "routed")
        ),
        "audit": sorted(AuditEntry.objects.values_list("action", "entry__guid")),
    }  # fmt: skip
    AuditEntry.objects.all().delete()
    DeskEntry.objects.all().delete()
    ClusterBand.objects.all().delete()
    WireItem.objects.all().delete()
    Delivery.objects.all().delete()
    RawDelivery.objects.all().delete()
    return snapshot


class BatchTests:
    def test_one_batch_decides_as_one_delivery_at_a_time(self):
        """A batch holding versions, a kill, a stale copy, a duplicate, a quarantined file
        and near-duplicates ends in the same pool, clusters, bands and desk entries as the
        same deliveries ingested one at a time."""
        from dateline.wire.services import deliveries_ingest, delivery_ingest

        g2 = FIXTURES / "newsml_g2"
        edited = [STORY[0].replace("Government troops", "Troops"), *STORY[1:3], STORY[3] + " Two."]
        other = ["The central bank left interest rates unchanged.", "Economists expected it."]
        deliveries = [
            ("v1.xml", (g2 / "afp_text_nitf_v1.xml").read_bytes()),
            ("embargoed.xml", (g2 / "upi_text_xhtml_embargoed.xml").read_bytes()),
            ("a.json", _ninjs("afp:1", "Army retakes last town", STORY)),
            ("v2.xml", (g2 / "afp_text_nitf_v2.xml").read_bytes()),
            ("b.json", _ninjs("afp:2", "Troops retake town", edited)),
            ("bomb.xml", (FIXTURES / "illformed/billion_laughs.xml").read_bytes()),
            ("c.json", _ninjs("afp:3", "Rates unchanged", other)),
            ("v1-again.xml", (g2 / "afp_text_nitf_v1.xml").read_bytes()),  # duplicate bytes
            ("kill.xml", (g2 / "afp_kill_v3.xml").read_bytes()),
            ("v1-rewrapped.xml", (g2 / "afp_text_nitf_v1.xml").read_bytes() + b"\n"),
            (
                "s2.json",
                _ninjs("afp:9", "Dam opens", other).replace(b'"version": 1', b'"version": 2'),
            ),
            ("s1.json", _ninjs("afp:9", "Dam opens", other[:1])),  # stale: after its v2
            ("two.xml", (g2 / "news_message_two_items.xml").read_bytes()),
        ]
        source = Source.objects.create(name="AFP", slug="afp")

        batch = deliveries_ingest(source=source, deliveries=deliveries)
        batched = _pool_snapshot(source)
        single = [r for origin, data in deliveries for r in delivery_ingest(
            source=source, data=data, origin=origin)]  # fmt: skip
        one_by_one = _pool_snapshot(source)

        def outcome(results):
            return [(r.path, r.status, r.guid, r.version, r.reason) for r in results]

        assert outcome(batch) == outcome(single)
        assert batched == one_by_one
        statuses = {r.status for r in batch}
        assert statuses == {"new", "updated", "unchanged", "stale", "duplicate", "quarantined"}
        assert len({row[7] for row in batched["items"]}) < len(batched["items"])  # a cluster


class SignatureTests:
    def test_signatures_are_stable(self):
        """Signatures and band keys stay what migration 0008 stored (the pool keeps
        them: a change would stop new items from matching the stories already there,
        unless a migration makes them anew)."""
        from dateline.wire import clusters

        sig = clusters.signature(
            "Army retakes last town",
            "<p>Government troops on Friday retook the last town held by the insurgents.</p>"
            "<p>Officials said engineers were clearing explosives.</p>",
        )
        assert sig[:8].tolist() == [437785441, 3271621782, 468277799, 1323067026,
                                    2422340692, 2748494155, 4123455462, 1958525264]  # fmt: skip
        assert clusters.band_keys(sig)[:2] == [-9191781227238118432, 2614355699033973659]

    def test_many_at_once_as_one_by_one(self):
        """A batch's signatures and band keys are each item's own."""
        from dateline.wire import clusters

        texts = [("Army retakes last town", "<p>" + p + "</p>") for p in STORY]
        texts += [
            ("", ""),
            ("One", ""),
            ("", "<p>政府军周五收复了该国西部最后一个被叛军控制的城镇</p>"),
        ]
        together = clusters.signatures(texts)
        alone = [clusters.signature(headline, body) for headline, body in texts]
        assert [row.tolist() for row in together] == [sig.tolist() for sig in alone]
        assert clusters.band_keys_many(together) == [clusters.band_keys(sig) for sig in alone]


class ContentHashMigrationTests:
    def test_recomputed_hash_keeps_a_resent_feed_item_unchanged(self, tmp_path):
        """After wire migration 0006 recomputes a hash stored the old way, the same
        feed item sent again in other bytes is unchanged, not a new version."""
        import importlib
        from types import SimpleNamespace

        from django.apps import apps
        from django.db import connection

        migration = importlib.import_module("dateline.wire.migrations.0006_content_hash_v2")
        feed = FIXTURES / "feeds/rss2.xml"
        ingest_json(feed)
        stored = {item.pk: item.content_hash for item in WireItem.objects.all()}
        WireItem.objects.update(content_hash="0" * 64)  # as an earlier version stored it
        # What RunPython hands it (SQLite's schema editor cannot open in a test's transaction).
        migration.recompute(apps, SimpleNamespace(connection=connection))
        assert {item.pk: item.content_hash for item in WireItem.objects.all()} == stored

        resent = tmp_path / "polled-again.xml"
        resent.write_bytes(feed.read_bytes().replace(b"<rss", b"<!-- polled again -->\n<rss", 1))
        results = ingest_json(resent)
        assert results and {result["status"] for result in results} == {"unchanged"}


class VersionConflictTests:
    def test_late_kill_kills_the_later_version(self, tmp_path):
        """A kill numbered below the current version, arriving late, still kills the
        story: stored as history, the current version canceled, the line says why."""
        g2 = FIXTURES / "newsml_g2"
        ingest_json(g2 / "afp_text_nitf_v2.xml")
        late_kill = tmp_path / "kill-v1.xml"
        late_kill.write_bytes(
            (g2 / "afp_kill_v3.xml").read_bytes().replace(b'version="3"', b'version="1"')
        )
        [line] = ingest_json(late_kill)
        assert line["status"] == "updated" and "the story is killed" in line["reason"]
        current = WireItem.objects.get(is_current=True)
        assert current.version == 2 and current.pub_status == "canceled"
        assert WireItem.objects.get(version=1).pub_status == "canceled"  # kept as history

    def test_stale_line_says_which_version_is_newer(self):
        """A stale copy's line names the version it arrived after."""
        g2 = FIXTURES / "newsml_g2"
        ingest_json(g2 / "afp_text_nitf_v2.xml")
        [line] = ingest_json(g2 / "afp_text_nitf_v1.xml")
        assert line["status"] == "stale" and line["reason"] == "version 1 arrived after version 2"

    def test_same_version_with_other_text_is_quarantined_not_dropped(self, tmp_path):
        """The same guid and version again with different text is not "unchanged": the
        pool keeps the first text, the delivery is quarantined with the reason, and the
        admin's re-run can find it."""
        g2 = FIXTURES / "newsml_g2"
        ingest_json(g2 / "afp_text_nitf_v1.xml")
        changed = tmp_path / "v1-corrected.xml"
        original = (g2 / "afp_text_nitf_v1.xml").read_bytes()
        changed.write_bytes(
            original.replace(b"The navy on Friday", b"CORRECTED The navy on Friday")
        )
        assert changed.read_bytes() != original
        [line] = ingest_json(changed)
        assert (
            line["status"] == "quarantined"
            and "received before with other content" in (line["reason"])
        )
        assert "CORRECTED" not in WireItem.objects.get(is_current=True).body_html
        delivery = Delivery.objects.get(pk=line["delivery"])
        assert delivery.status == "quarantined" and "new version" in delivery.reason

    def test_one_refused_item_of_a_message_marks_it_partly_quarantined(self, tmp_path):
        """A newsMessage whose second item conflicts with the pool keeps the first item
        and is listed as partly quarantined."""
        message = (FIXTURES / "newsml_g2/news_message_two_items.xml").read_bytes()
        ingest_json(FIXTURES / "newsml_g2/news_message_two_items.xml")
        from lxml import etree

        root = etree.fromstring(message)
        items = root.findall(".//{*}newsItem")
        second_headline = items[1].find(".//{*}headline")
        second_headline.text = "A different headline under the same version"
        for item in items[:1]:
            item.set("version", str(int(item.get("version", "1")) + 1))
        path = tmp_path / "message-again.xml"
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        lines = ingest_json(path)
        assert [line["status"] for line in lines] == ["updated", "quarantined"]
        delivery = Delivery.objects.get(pk=lines[0]["delivery"])
        assert delivery.status == "partial" and "received before" in delivery.reason


class DuplicateLineTests:
    def test_duplicate_of_a_quarantined_delivery_says_why(self):
        """Ingesting a refused file again says duplicate, with the first refusal's reason
        and the delivery to look at; a duplicate of a story says which story."""
        ingest_json(FIXTURES / "illformed/billion_laughs.xml")
        [again] = ingest_json(FIXTURES / "illformed/billion_laughs.xml")
        delivery = Delivery.objects.get(status="quarantined")
        assert again["status"] == "duplicate" and again["delivery"] == delivery.pk
        assert "quarantined: " in again["reason"] and delivery.reason in again["reason"]
        ingest_json(FIXTURES / "newsml_g2/afp_text_nitf_v1.xml")
        [story] = ingest_json(FIXTURES / "newsml_g2/afp_text_nitf_v1.xml")
        assert story["status"] == "duplicate" and story["version"] == 1
        assert story["guid"] == WireItem.objects.get(version=1).guid and story["headline"]


class EnvelopeIsolationTests:
    def test_one_unstorable_item_leaves_the_others_in_the_pool(self, tmp_path):
        """A newsMessage whose second item cannot be stored (an embargo in year 9999)
        ingests the first, reports the second quarantined with its place in the message,
        and the delivery is listed as partly quarantined."""
        message = (FIXTURES / "newsml_g2/news_message_two_items.xml").read_text()
        message = message.replace(
            "<versionCreated>2026-11-22T05:45:00Z</versionCreated>",
            "<versionCreated>2026-11-22T05:45:00Z</versionCreated>"
            "<embargoed>9999-01-01T00:00:00Z</embargoed>",
        )
        path = tmp_path / "message.xml"
        path.write_text(message)
        lines = ingest_json(path)
        assert [(line["status"], line["guid"]) for line in lines] == [
            ("quarantined", "urn:ians.example:2026:wind-tender"),
            ("new", "urn:ians.example:2026:solar-park"),
        ]
        assert lines[0]["reason"].startswith("item 2 of 2: embargo time")
        assert WireItem.objects.get().guid == "urn:ians.example:2026:solar-park"
        delivery = Delivery.objects.get()
        assert delivery.status == "partial" and "item 2 of 2" in delivery.reason


MESSAGE = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header><sent>2026-11-22T06:00:00Z</sent></header>
  <itemSet>
    <packageItem guid="urn:x:pkg" version="1"><itemMeta><itemClass qcode="ninat:composite"/></itemMeta></packageItem>
    <newsItem guid="urn:x:text" version="1">
      <itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/></itemMeta>
      <contentMeta><headline>Lava reaches the coast road</headline></contentMeta>
      <contentSet><inlineData contenttype="text/plain">Lava crossed the road on Sunday.</inlineData></contentSet>
    </newsItem>
    <newsItem guid="urn:x:picture" version="1">
      <itemMeta><itemClass qcode="ninat:picture"/></itemMeta>
      <contentMeta><headline>Lava flows near the town</headline></contentMeta>
      <contentSet><remoteContent href="https://photos.example/lava.jpg" contenttype="image/jpeg"/></contentSet>
    </newsItem>
    <newsItem version="1">
      <itemMeta><itemClass qcode="ninat:text"/></itemMeta>
      <contentMeta><headline>An item without a guid</headline></contentMeta>
    </newsItem>
  </itemSet>
</newsMessage>
"""


class NewsMessageTests:
    def test_text_items_in_the_pool_pictures_left_bad_item_refused_alone(self, tmp_path):
        """A newsMessage with a package, a text, a picture and a text without a guid: the
        text is in the pool, the picture and package are not stories, and the item
        without a guid is quarantined alone, naming its line."""
        path = tmp_path / "message.xml"
        path.write_text(MESSAGE)
        lines = ingest_json(path)
        assert [(line["status"], line["guid"]) for line in lines] == [
            ("quarantined", ""),
            ("new", "urn:x:text"),
        ]
        assert "item 2 of 2: newsItem at line 16 has no guid" in lines[0]["reason"]
        assert list(WireItem.objects.values_list("guid", flat=True)) == ["urn:x:text"]
        assert Delivery.objects.get().status == "partial"

    def test_message_of_pictures_only_is_quarantined(self, tmp_path):
        """A message carrying only pictures is quarantined: nothing in it is a story."""
        path = tmp_path / "pictures.xml"
        start, end = (
            MESSAGE.index('    <newsItem guid="urn:x:text"'),
            MESSAGE.index('    <newsItem guid="urn:x:picture"'),
        )
        path.write_text(MESSAGE[:start] + MESSAGE[end:].replace(
            MESSAGE[MESSAGE.index("    <newsItem version=\"1\">"):MESSAGE.index("  </itemSet>")], ""
        ))  # fmt: skip
        [line] = ingest_json(path)
        assert (
            line["status"] == "quarantined"
            and "no text item (item class picture)" in line["reason"]
        )


def _unversioned_ninjs(written: str, headline: str) -> bytes:
    return json.dumps(
        {
            "uri": "urn:x:launch",
            "headline": headline,
            "versioncreated": written,
            "body_html": f"<p>{headline}.</p>",
        }  # fmt: skip
    ).encode()


class UnversionedOrderTests:
    def test_older_copy_arriving_late_is_stale(self, tmp_path):
        """ninjs without a version: a copy written before the current one, arriving
        after it, is kept as history and never becomes current; the same copy again is
        unchanged, and a copy written later becomes current."""
        newer = tmp_path / "newer.json"
        newer.write_bytes(_unversioned_ninjs("2026-11-20T12:00:00Z", "Launch delayed to Friday"))
        older = tmp_path / "older.json"
        older.write_bytes(_unversioned_ninjs("2026-11-20T10:00:00Z", "Launch set for Thursday"))
        [first] = ingest_json(newer)
        [late] = ingest_json(older)
        assert first["status"] == "new" and late["status"] == "stale"
        assert "before the current copy" in late["reason"]
        assert WireItem.objects.get(is_current=True).headline == "Launch delayed to Friday"
        again = tmp_path / "older-again.json"
        again.write_bytes(older.read_bytes() + b"\n")
        assert ingest_json(again)[0]["status"] == "unchanged"
        latest = tmp_path / "latest.json"
        latest.write_bytes(_unversioned_ninjs("2026-11-20T14:00:00Z", "Launch on Friday at dawn"))
        [update] = ingest_json(latest)
        assert update["status"] == "updated" and update["version"] == 3
        assert WireItem.objects.get(is_current=True).headline == "Launch on Friday at dawn"

        # The earlier text written again later (the publisher reverted): current again.
        reverted = tmp_path / "reverted.json"
        reverted.write_bytes(_unversioned_ninjs("2026-11-20T16:00:00Z", "Launch delayed to Friday"))
        [revert] = ingest_json(reverted)
        assert revert["status"] == "updated" and revert["version"] == 4
        assert WireItem.objects.get(is_current=True).headline == "Launch delayed to Friday"

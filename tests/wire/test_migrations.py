"""Migration 0006: a pool's near-duplicate signatures and band index made anew in
version 2 (and, going back, in version 1)."""

import importlib
import json

import numpy as np
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dateline.wire import clusters
from dateline.wire.models import ClusterBand, Source, WireItem
from dateline.wire.services import deliveries_ingest

MINHASH_V2 = importlib.import_module("dateline.wire.migrations.0008_minhash_v2")

STORY = [
    "Government troops on Friday retook the last town held by the insurgents in the west"
    " of the country, the army said.",
    "The offensive began at dawn and met little resistance, according to a statement from"
    " the joint operations command.",
    "Officials said engineers were clearing explosives from public buildings before"
    " residents could return home.",
]
OTHER = ["The central bank left interest rates unchanged.", "Economists expected it."]
# The text whose version 1 signature tests/wire/test_ingest.py pinned before 0006.
PINNED_HEADLINE = "Army retakes last town"
PINNED_BODY = (
    "<p>Government troops on Friday retook the last town held by the insurgents.</p>"
    "<p>Officials said engineers were clearing explosives.</p>"
)
PINNED_V1 = [1023689886, 214430033, 423923507, 23287386, 446968571, 70546214, 437642135, 171199271]


def _ninjs(uri, headline, body_html, *, version=1, created="2026-11-20T08:00:00Z"):
    item = {"uri": uri, "version": version, "headline": headline, "body_html": body_html}
    if created:
        item["firstcreated"] = created
    return json.dumps(item).encode()


def _paragraphs(paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _migrate(target: str) -> None:
    MigrationExecutor(connection).migrate([("wire", target)])


def _latest() -> str:
    [(_app, name)] = MigrationExecutor(connection).loader.graph.leaf_nodes("wire")
    return name


def _pool() -> tuple[dict, list]:
    """Each item's signature, and the band rows (their time to the second: ingest takes
    "now" a moment before the item's arrival time is stored)."""
    signatures = {
        (guid, version): bytes(minhash)
        for guid, version, minhash in WireItem.objects.values_list("guid", "version", "minhash")
    }
    bands = sorted(
        (period, band_key, cluster_hash, guid, version, at.replace(microsecond=0))
        for period, band_key, cluster_hash, guid, version, at in ClusterBand.objects.values_list(
            "period", "band_key", "cluster_hash", "item__guid", "item__version", "at"
        )
    )
    return signatures, bands


class MigrationCopyTests:
    def test_version_2_is_what_clusters_makes(self):
        """The migration's copy of version 2 signs as clusters.py does (to change when a
        third version comes: this copy must then stay as it is)."""
        texts = [
            (PINNED_HEADLINE, PINNED_BODY),
            ("", ""),
            ("One", ""),
            ("ÉCOLE", "<p>a b</p>"),
            ("", "<p>政府军周五收复了该国西部最后一个被叛军控制的城镇，军方在声明中表示。</p>"),
            ("x" * 40, _paragraphs(STORY) * 3),
            ("", "<p>" + "y" * 200_000 + " " + " ".join(STORY * 400) + "</p>"),
        ]
        assert (MINHASH_V2._v2_signatures(texts) == clusters.signatures(texts)).all()

    def test_version_1_is_what_it_stored(self):
        """The migration's copy of version 1 makes the signatures version 1 stored."""
        [signature] = MINHASH_V2._v1_signatures([(PINNED_HEADLINE, PINNED_BODY)])
        assert signature[:8].tolist() == PINNED_V1


@pytest.mark.django_db(transaction=True)
class MinhashMigrationTests:
    def test_back_and_forth_makes_what_ingest_makes(self, monkeypatch):
        """A pool taken back to version 1 and forward again (three items a chunk) has the
        signatures and band rows ingest made: none for a stale copy, a cluster's row on
        its latest item of the week, arrival time for an item without one; and a
        near-duplicate arriving afterwards joins its story."""
        monkeypatch.setattr(MINHASH_V2, "_CHUNK", 3)
        afp = Source.objects.create(name="AFP", slug="afp")
        upi = Source.objects.create(name="UPI", slug="upi")
        deliveries_ingest(
            source=afp,
            deliveries=[
                ("pinned.json", _ninjs("afp:pinned", PINNED_HEADLINE, PINNED_BODY)),
                ("a1.json", _ninjs("afp:1", "Army retakes last town", _paragraphs(STORY))),
                (
                    "a2.json",
                    _ninjs("afp:1", "Army retakes town", _paragraphs(STORY[:2]), version=2),
                ),
                ("b2.json", _ninjs("afp:2", "Rates unchanged", _paragraphs(OTHER), version=2)),
                ("b1.json", _ninjs("afp:2", "Rates", _paragraphs(OTHER[:1]))),  # stale
                ("c.json", _ninjs("afp:3", "Rates held", _paragraphs(OTHER), created=None)),
                ("d.json", _ninjs("afp:4", "", "")),
                (
                    "e.json",
                    _ninjs("afp:5", "Army", _paragraphs(STORY), created="2026-12-20T08:00:00Z"),
                ),
            ],
        )
        deliveries_ingest(
            source=upi,
            deliveries=[("u.json", _ninjs("upi:1", "Troops retake town", _paragraphs(STORY)))],
        )
        ingested = _pool()
        assert (
            len(set(WireItem.objects.values_list("cluster_key", flat=True)))
            < WireItem.objects.count()
        )
        try:
            _migrate("0007_delivery_partial")  # before signatures version 2
            # Columns of later migrations are absent here: only what this one knew is read.
            pinned = WireItem.objects.values_list("minhash", flat=True).get(guid="afp:pinned")
            assert np.frombuffer(pinned, dtype=np.uint32)[:8].tolist() == PINNED_V1
            back = _pool()
            assert {row[3:5] for row in back[1]} == {row[3:5] for row in ingested[1]}
            assert back[0].keys() == ingested[0].keys() and back[0] != ingested[0]
        finally:
            _migrate(_latest())
        assert _pool() == ingested

        deliveries_ingest(
            source=upi,
            deliveries=[("u2.json", _ninjs("upi:2", "Town retaken", _paragraphs(STORY[:2])))],
        )
        resend = WireItem.objects.get(guid="upi:2")
        assert resend.cluster_key == WireItem.objects.get(guid="afp:1", version=2).cluster_key

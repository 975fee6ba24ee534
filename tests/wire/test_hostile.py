"""Inputs an agency, a misconfigured feed or an attacker could send, found by review."""

import hashlib
import hmac
import io
import json
import os
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from dateline.wire.models import Delivery, Source, WireItem
from dateline.wire.parsers import ParseError, detect_parser
from dateline.wire.services import deliveries_ingest

FIXTURES = Path(__file__).parent / "fixtures"


def ninjs(**fields):
    return json.dumps({"uri": "urn:x:1", "headline": "A headline", **fields}).encode()


class ParserHostileTests:
    def test_utf16_entity_declaration_refused(self):
        """Entity declarations are refused in UTF-16 documents too (not only by a byte search)."""
        text = (
            (FIXTURES / "illformed/billion_laughs.xml")
            .read_text()
            .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
        )
        with pytest.raises(ParseError, match="entities"):
            detect_parser(text.encode("utf-16"))

    @pytest.mark.parametrize(
        "declaration",
        [
            '<?xml version="1.0"?>',
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<?xml version='1.0' encoding='utf-8' standalone='yes'?>",
            '<?xml version="1.0" encoding="UTF-16"?>',
        ],
    )
    def test_entity_declaration_refused_whatever_the_declaration(self, declaration):
        """Entity declarations are refused however the XML declaration is spelt (UTF-8
        documents by the byte search before parsing, others by their parsed DTD)."""
        text = (
            (FIXTURES / "illformed/billion_laughs.xml")
            .read_text()
            .replace('<?xml version="1.0"?>', declaration)
        )
        data = text.encode("utf-16" if "UTF-16" in declaration else "utf-8")
        with pytest.raises(ParseError, match="declares XML entities"):
            detect_parser(data)

    @pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
    def test_a_dtd_without_entities_is_read(self, encoding):
        """A DOCTYPE that declares no entities does not stop a document being read."""
        text = (
            f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<!DOCTYPE nitf [ <!ELEMENT nitf ANY> ]>\n<nitf><head><docdata><doc-id id-string="dtd"/>'
            "</docdata></head><body><body.content><p>Read.</p></body.content></body></nitf>"
        )
        parser, root = detect_parser(text.encode(encoding))
        [item] = parser.parse(text.encode(encoding), root)
        assert item.guid == "dtd" and item.body_html == "<p>Read.</p>"

    @pytest.mark.parametrize(
        "version", ['"abc"', '"0"', "[1]", "1.5", "true", '"1000000001"', '"-2"']
    )
    def test_unreadable_version_refused(self, version):
        """A version that is not a whole number is refused, never guessed."""
        data = f'{{"uri": "urn:x:1", "version": {version}, "headline": "h"}}'.encode()
        parser, root = detect_parser(data)
        with pytest.raises(ParseError, match="version"):
            parser.parse(data, root)

    @pytest.mark.parametrize(
        "version, number",
        [('"3"', 3), ('" 2 "', 2), ('"0002"', 2), ("7", 7), ('""', 1), ("null", None)],
    )
    def test_readable_versions(self, version, number):
        """Whole numbers from 1 are read, written as text or as numbers; none is none."""
        data = f'{{"uri": "urn:x:1", "version": {version}, "headline": "h"}}'.encode()
        parser, root = detect_parser(data)
        [item] = parser.parse(data, root)
        assert item.version == number

    def test_unreadable_embargo_withholds(self):
        """An embargo time that cannot be read withholds the item, with a note."""
        data = ninjs(embargoed="2026-02-30T10:00:00Z")
        parser, root = detect_parser(data)
        [item] = parser.parse(data, root)
        assert item.pub_status == "withheld" and "could not be read" in item.ednote

    @pytest.mark.parametrize("uri", [["x"], {"a": 1}, 5, ""])
    def test_ninjs_uri_must_be_text(self, uri):
        """A ninjs uri that is not a non-empty string is refused."""
        data = json.dumps({"uri": uri, "headline": "h"}).encode()
        with pytest.raises(ParseError):
            parser, root = detect_parser(data)
            parser.parse(data, root)

    def test_ninjs_with_bom(self):
        """ninjs JSON starting with a UTF-8 byte order mark is read."""
        data = b"\xef\xbb\xbf" + ninjs()
        parser, root = detect_parser(data)
        assert parser.format == "ninjs" and parser.parse(data, root)[0].headline == "A headline"


@pytest.mark.django_db
class PipelineHostileTests:
    def test_bad_values_quarantine_only_their_delivery(self):
        """Year-9999 dates, NUL and lone surrogates never crash a batch: the rest goes on."""
        source = Source.objects.create(name="s", slug="s")
        batch = [
            ("year9999.json", ninjs(uri="urn:x:9999", firstcreated="9999-12-31T23:00:00Z")),
            ("nul.json", ninjs(uri="urn:x:nul", headline="Bad\u0000head")),
            ("surrogate.json", json.dumps({"uri": "urn:x:s", "headline": "\ud800"}).encode()),
            ("good.json", (FIXTURES / "ninjs/ninjs_1x.json").read_bytes()),
        ]
        results = deliveries_ingest(source=source, deliveries=batch)
        statuses = {r.path: r.status for r in results}
        assert statuses["good.json"] == "new" and statuses["year9999.json"] == "new"
        assert WireItem.objects.get(guid="urn:x:9999").dateline_at is None
        assert WireItem.objects.get(guid="urn:x:nul").headline == "Badhead"
        assert statuses["surrogate.json"] in ("new", "quarantined")

    @pytest.mark.parametrize(
        "pattern", ["<div>x", "<blockquote><ul>x", "<b><div>x</b>", "<div>x</span>"]
    )
    def test_deeply_nested_body_html_is_quarantined_not_sanitised(self, pattern):
        """Body HTML nested thousands deep (which costs the sanitiser time quadratic in
        its depth) quarantines its delivery with the reason; the batch goes on."""
        source = Source.objects.create(name="s", slug="s")
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            "<item><guid>urn:x:deep-rss</guid><title>Deep</title><description><![CDATA["
            + pattern * 20_000
            + "]]></description></item></channel></rss>"
        )
        batch = [
            ("deep.json", ninjs(uri="urn:x:deep", body_html=pattern * 20_000)),
            ("deep-feed.xml", rss.encode()),
            ("good.json", (FIXTURES / "ninjs/ninjs_1x.json").read_bytes()),
        ]
        results = {r.path: r for r in deliveries_ingest(source=source, deliveries=batch)}
        for path in ("deep.json", "deep-feed.xml"):
            assert results[path].status == "quarantined"
            assert "nests elements more than 200 deep" in results[path].reason
        assert results["good.json"].status == "new"

    def test_long_flat_body_html_is_kept(self):
        """Hundreds of paragraphs and list items whose end tags are left out (as HTML
        allows) do not count as nesting: the body is kept."""
        source = Source.objects.create(name="s", slug="s")
        body = "<div>" + "<p>para" * 400 + "<ul>" + "<li>item" * 400 + "</ul><b>x</b></div>"
        [result] = deliveries_ingest(
            source=source, deliveries=[("flat.json", ninjs(uri="urn:x:flat", body_html=body))]
        )
        assert result.status == "new"
        assert WireItem.objects.get(guid="urn:x:flat").body_html.count("<li>") == 400

    def test_kill_with_same_version_kills(self):
        """A kill re-sent under the version number it had still kills the item."""
        source = Source.objects.create(name="s", slug="s")
        text = (FIXTURES / "nitf/nitf_3_namespaced.xml").read_text()
        deliveries_ingest(source=source, deliveries=[("v4", text.encode())])
        killed = text.replace('management-status="usable"', 'management-status="canceled"')
        [result] = deliveries_ingest(source=source, deliveries=[("kill", killed.encode())])
        assert result.status == "updated"
        assert WireItem.objects.get(is_current=True).pub_status == "canceled"

    def test_versions_in_one_batch_share_a_cluster(self):
        """Two versions of one story in the same batch land in the same cluster."""
        source = Source.objects.create(name="s", slug="s")
        g2 = FIXTURES / "newsml_g2"
        deliveries_ingest(
            source=source,
            deliveries=[
                (p.name, p.read_bytes())
                for p in (g2 / "afp_text_nitf_v1.xml", g2 / "afp_text_nitf_v2.xml")
            ],
        )
        assert WireItem.objects.values("cluster_key").distinct().count() == 1

    def test_damaged_archive_reported_rest_goes_on(self, tmp_path):
        """A truncated tar archive is reported; the other paths are still ingested."""
        good = tmp_path / "good.tar"
        with tarfile.open(good, "w") as tarred:
            tarred.add(FIXTURES / "ninjs/ninjs_1x.json", "a.json")
        damaged = tmp_path / "damaged.tar.gz"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tarred:
            tarred.add(FIXTURES / "ninjs/ninjs_2x.json", "b.json")
        damaged.write_bytes(buffer.getvalue()[:40])
        out = io.StringIO()
        call_command("ingest", str(damaged), str(good), "--json", stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [line["status"] for line in lines] == ["quarantined", "new"]

    def test_inbox_skips_links_and_keeps_oversized(self, settings, tmp_path):
        """The inbox scan never follows a link, and moves an oversized file aside."""
        from dateline.wire.tasks import inboxes_scan

        settings.DATELINE_INBOX_DIR = tmp_path / "inbox"
        settings.DATELINE_WIRE_MAX_BYTES = 2000
        Source.objects.create(name="AFP", slug="afp", delivery_method=Source.Method.INBOX)
        folder = tmp_path / "inbox" / "afp"
        folder.mkdir(parents=True)
        secret = tmp_path / "secret.txt"
        secret.write_text('{"uri": "urn:secret", "headline": "private"}')
        (folder / "link.json").symlink_to(secret)
        big = folder / "big.json"
        big.write_bytes(ninjs(body_text="x" * 5000))
        past = time.time() - 10
        for path in (big, folder / "link.json"):
            os.utime(path, (past, past), follow_symlinks=False)
        inboxes_scan.call()
        assert not WireItem.objects.filter(guid="urn:secret").exists()
        [refused] = (folder / ".refused").iterdir()
        assert refused.name.endswith("-big.json")
        assert Delivery.objects.get().status == "quarantined"


class _Redirector(BaseHTTPRequestHandler):
    target = ""
    authorizations = []

    def do_GET(self):  # noqa: N802
        self.authorizations.append(
            (self.server.server_address[1], self.headers.get("Authorization"))
        )
        if self.target and self.server.server_address[1] != int(
            self.target.rsplit(":", 1)[1].split("/")[0]
        ):
            self.send_response(302)
            self.send_header("Location", self.target)
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write((FIXTURES / "feeds/rss2.xml").read_bytes())

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_feed_login_not_sent_after_redirect():
    """The feed's login goes to the feed's host only, never to where it redirects."""
    from dateline.wire.tasks import feed_poll

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Redirector) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    _Redirector.authorizations = []
    _Redirector.target = f"http://localhost:{servers[1].server_address[1]}/feed.xml"
    try:
        source = Source.objects.create(
            name="f", slug="f", delivery_method=Source.Method.POLL,
            feed_url=f"http://127.0.0.1:{servers[0].server_address[1]}/feed.xml",
            credentials="user:hunter2",
        )  # fmt: skip
        assert feed_poll(source) == "new"
    finally:
        for server in servers:
            server.shutdown()
    first, second = _Redirector.authorizations
    assert first[1] and first[1].startswith("Basic ")
    assert second[1] is None


@pytest.mark.django_db
def test_push_signature_with_non_ascii_is_refused(client):
    """A signature header with non-ASCII characters is a 401, not a server error."""
    Source.objects.create(name="p", slug="p", delivery_method=Source.Method.PUSH, push_secret="k")
    response = client.post(
        "/wire/push/p/", b"{}", content_type="application/json",
        headers={"host": "spacewar.localhost", "X-Dateline-Signature": "sha256=éé"},
    )  # fmt: skip
    assert response.status_code == 401
    signature = "sha256=" + hmac.new(b"k", b"{}", hashlib.sha256).hexdigest()
    response = client.post(
        "/wire/push/p/", b"{}", content_type="application/json",
        headers={"host": "spacewar.localhost", "X-Dateline-Signature": signature},
    )  # fmt: skip
    assert response.status_code == 202

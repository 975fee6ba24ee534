import hashlib
import hmac
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dateline.wire.models import Delivery, Source, WireItem
from dateline.wire.tasks import feed_poll, inboxes_scan
from dateline.worker.runner import Worker

FIXTURES = Path(__file__).parent / "fixtures"


def run_worker():
    Worker(
        queue_names=["default"], interval=0.05, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test", excluded_queue_names=[],
    ).run()  # fmt: skip


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
class EndToEndTests:
    def test_inbox_drop_becomes_pool_item_through_the_worker(self, settings, tmp_path):
        """A file dropped into a source's inbox folder becomes a pool item via the worker."""
        settings.DATELINE_INBOX_DIR = tmp_path / "inbox"
        source = Source.objects.create(name="AFP", slug="afp", delivery_method=Source.Method.INBOX)
        folder = tmp_path / "inbox" / "afp"
        folder.mkdir(parents=True)
        dropped = folder / "0042.xml"
        dropped.write_bytes((FIXTURES / "nitf/nitf_3_namespaced.xml").read_bytes())
        os.utime(dropped, (time.time() - 10, time.time() - 10))  # finished uploading
        partial = folder / "0043.xml"
        partial.write_bytes(b"<nitf><head>")  # still being written: left for later
        (folder / ".hidden").write_bytes(b"x")
        inboxes_scan.enqueue()
        run_worker()
        item = WireItem.objects.get(source=source)
        assert item.guid == "AFP-2026-1123-volcano"
        assert not dropped.exists() and partial.exists()

    def test_push_becomes_pool_item_through_the_worker(self, client):
        """An HTTP push becomes a pool item once the worker has run."""
        secret = "push-secret"
        Source.objects.create(
            name="UPI", slug="upi", delivery_method=Source.Method.PUSH, push_secret=secret
        )
        body = (FIXTURES / "ninjs/ninjs_2x.json").read_bytes()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        response = client.post(
            "/wire/push/upi/", body, content_type="application/json",
            headers={"host": "spacewar.localhost", "X-Dateline-Signature": signature},
        )  # fmt: skip
        assert response.status_code == 202
        assert not WireItem.objects.exists()
        run_worker()
        assert WireItem.objects.get().guid == "urn:afp.example:2026:reef-survey"
        assert Delivery.objects.get().status == "accepted"


class _FeedServer(BaseHTTPRequestHandler):
    body = (FIXTURES / "feeds/rss2.xml").read_bytes()
    etag = '"v1"'
    seen = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.seen.append(dict(self.headers))
        if self.headers.get("If-None-Match") == self.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", self.etag)
        self.send_header("Last-Modified", "Tue, 24 Nov 2026 09:00:00 GMT")
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    _FeedServer.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()


@pytest.mark.django_db
class FeedPollTests:
    def test_conditional_get(self, feed_server):
        """The first poll ingests; the next sends If-None-Match and gets 304, ingesting nothing."""
        source = Source.objects.create(
            name="Press office",
            slug="press",
            delivery_method=Source.Method.POLL,
            feed_url=feed_server,
        )
        assert feed_poll(source) == "new"
        source.refresh_from_db()
        assert source.feed_etag == '"v1"'
        assert feed_poll(source) == "not modified"
        assert _FeedServer.seen[1]["If-None-Match"] == '"v1"'
        assert _FeedServer.seen[1]["If-Modified-Since"] == "Tue, 24 Nov 2026 09:00:00 GMT"
        assert WireItem.objects.count() == 1

    def test_only_http_urls(self):
        """A feed URL that is not http(s) is never fetched."""
        source = Source(name="x", slug="x", feed_url="file:///etc/passwd")
        assert feed_poll(source).startswith("refused")

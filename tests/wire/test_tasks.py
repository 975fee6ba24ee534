import hashlib
import hmac
import os
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from dateline.wire.models import Delivery, Source, WireItem
from dateline.wire.tasks import FeedPollFailed, feed_poll, feeds_poll, inboxes_scan
from dateline.worker import schedule
from dateline.worker.models import DeadLetter
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


@contextmanager
def serving(handler):
    """A local HTTP server answering with ``handler``; its feed's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()


@pytest.fixture
def feed_server():
    _FeedServer.seen = []
    with serving(_FeedServer) as url:
        yield url


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

    @pytest.mark.parametrize("dripping", ["headers", "body"])
    def test_slow_feed_is_abandoned_at_the_deadline(self, settings, slow_feed_server, dripping):
        """A feed dripping its answer fails at the deadline, saying so, and ingests nothing."""
        settings.DATELINE_FEED_DEADLINE_SECONDS = 0.5
        _SlowFeedServer.dripping = dripping
        source = Source.objects.create(
            name="Slow", slug="slow", delivery_method=Source.Method.POLL, feed_url=slow_feed_server
        )
        with pytest.raises(FeedPollFailed, match=r"no complete answer within 0.5 s"):
            feed_poll(source)
        assert not Delivery.objects.exists()

    def test_each_feed_is_polled_in_its_own_task(self, feed_server):
        """feeds_poll queues one poll task per active polled feed, so that none waits for another."""
        polled = [
            Source.objects.create(
                name=slug, slug=slug, delivery_method=Source.Method.POLL, feed_url=feed_server
            )
            for slug in ("first", "second")
        ]
        Source.objects.create(name="Off", slug="off", delivery_method="poll", is_active=False)
        Source.objects.create(name="No URL", slug="no-url", delivery_method="poll")
        assert sorted(feeds_poll.call()) == ["first", "second"]
        queued = DBTaskResult.objects.filter(task_path="dateline.wire.tasks.source_poll")
        assert sorted(result.task_result.args[0] for result in queued) == [s.pk for s in polled]
        assert not Delivery.objects.exists()


class _SlowFeedServer(BaseHTTPRequestHandler):
    """Answers with the feed, sending 60 bytes of the headers or of the body one at a time."""

    dripping = "body"

    def do_GET(self):  # noqa: N802 - the stdlib's name
        body = (FIXTURES / "feeds/rss2.xml").read_bytes()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        answer, start = head + body, 0 if self.dripping == "headers" else len(head)
        try:
            self.wfile.write(answer[:start])
            for at in range(start, start + 60):
                self.wfile.write(answer[at : at + 1])
                time.sleep(0.05)
            self.wfile.write(answer[start + 60 :])
        except OSError:  # the poller hung up
            pass
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_feed_server():
    with serving(_SlowFeedServer) as url:
        yield url


class _BrokenFeedServer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the stdlib's name
        self.send_error(503, "Down for maintenance")

    def log_message(self, *args):
        pass


@pytest.fixture
def broken_feed_server():
    with serving(_BrokenFeedServer) as url:
        yield url


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
class FeedPollRetryTests:
    def test_failed_poll_is_retried_with_backoff_and_the_others_polled(
        self, feed_server, broken_feed_server
    ):
        """A feed answering 503 is polled again after a backoff; the feed beside it is ingested."""
        Source.objects.create(
            name="Good", slug="good", delivery_method="poll", feed_url=feed_server
        )
        broken = Source.objects.create(
            name="Broken", slug="broken", delivery_method="poll", feed_url=broken_feed_server
        )
        feeds_poll.enqueue()
        run_worker()
        assert WireItem.objects.get().source.slug == "good"
        # The worker's own schedule may have queued feeds_poll once more meanwhile.
        polls = DBTaskResult.objects.filter(task_path="dateline.wire.tasks.source_poll")
        retries = polls.filter(args_kwargs__args=[broken.pk])
        assert {(retry.status, len(retry.worker_ids)) for retry in retries} == {("READY", 1)}
        assert all(retry.run_after > retry.started_at for retry in retries)  # backoff
        assert not DeadLetter.objects.exists()

    def test_last_failed_attempt_is_logged_not_dead_lettered(
        self, broken_feed_server, monkeypatch, caplog
    ):
        """A poll failing its last attempt is logged with the reason and leaves no dead letter."""
        monkeypatch.setitem(schedule.MAX_ATTEMPTS, "dateline.wire.tasks.source_poll", 1)
        Source.objects.create(
            name="Broken", slug="broken", delivery_method="poll", feed_url=broken_feed_server
        )
        feeds_poll.enqueue()
        run_worker()
        polls = DBTaskResult.objects.filter(task_path="dateline.wire.tasks.source_poll")
        assert {poll.status for poll in polls} == {"SUCCESSFUL"}
        assert all(poll.return_value.startswith("failed: feed broken") for poll in polls)
        assert not DeadLetter.objects.exists()
        assert any(
            "503 Down for maintenance" in r.getMessage()
            for r in caplog.records
            if r.levelname == "ERROR"
        )

"""Background tasks of the wire: inbox folders and polled feeds. Each is safe to
run twice: the same bytes again are a duplicate and change nothing."""

import contextlib
import http.client
import logging
import socket
import threading
import urllib.error
import urllib.request

from django.conf import settings
from django.tasks import TaskContext, task

from dateline.worker import locks
from dateline.worker.runner import max_attempts

from .inbox import inbox_scan
from .models import Source
from .services import deliveries_ingest

logger = logging.getLogger("dateline.wire")


class FeedPollFailed(Exception):
    """A poll that got no usable answer; the message says why."""


class _Deadline:
    """The time one poll may take in all: connecting, the TLS handshake, the headers
    and the body. A socket timeout bounds each recv(2) only, so a server sending a
    byte every few seconds could hold the worker for hours. At the deadline a timer
    thread shuts the poll's sockets down, which wakes a recv(2) blocked in the
    polling thread (close(2) would not). It shuts duplicates of them, closed here
    only, so that it never touches a descriptor number the poll has closed and the
    process has given to another file since."""

    _polling = threading.local()  # the deadline of this thread's poll

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        self._polling.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()
        self._polling.deadline = None
        with self._lock:
            for duplicate in self._sockets:
                duplicate.close()

    @classmethod
    def watch(cls, sock: socket.socket) -> None:
        """Put a socket this thread's poll has just connected under its deadline."""
        deadline = getattr(cls._polling, "deadline", None)
        if deadline is None:
            return
        with deadline._lock:
            deadline._sockets.append(sock.dup())
            if deadline.expired:
                deadline._shut(deadline._sockets[-1])

    def _expire(self):
        with self._lock:
            self.expired = True
            for duplicate in self._sockets:
                self._shut(duplicate)

    @staticmethod
    def _shut(duplicate: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the peer closed it already
            duplicate.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _Deadline.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection, _WatchedHTTPConnection):
    """Its method order runs _WatchedHTTPConnection.connect inside HTTPSConnection's:
    the TCP socket is watched before the TLS handshake, which a server can drip too."""


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_WatchedHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_WatchedHTTPSConnection, req, context=self._context)


# HTTP and HTTPS only, redirects included (urllib's default opener also speaks ftp: and file:).
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    _HTTPHandler,
    _HTTPSHandler,
    urllib.request.HTTPRedirectHandler,
    urllib.request.HTTPDefaultErrorHandler,
    urllib.request.HTTPErrorProcessor,
):
    _OPENER.add_handler(_handler())


class _HTTPOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise urllib.error.HTTPError(
                newurl, code, "redirect to a non-HTTP URL refused", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER.add_handler(_HTTPOnlyRedirects())

# How long a scan may hold its source's lock at most (Redis frees it then).
INBOX_LOCK_SECONDS = 600


@task()
def inboxes_scan() -> dict:
    """Ingest the files waiting in every inbox source's folder, then remove them
    (their bytes are kept as raw deliveries); zip and tar archives member by member,
    as ``dateline ingest`` reads them. Hidden files, upload temporaries and files
    still being written are left for a later scan; folders, links and other
    non-files are left alone and named in a warning, as are files that cannot be
    read. A file whose bytes cannot all be kept (over the size limit) is moved to
    the folder's ``.refused/`` (its refusal is recorded). One source's trouble does
    not stop the others."""
    counts = {}
    for source in Source.objects.filter(is_active=True, delivery_method=Source.Method.INBOX):
        try:
            # A scan that outlasts its 15 s period would overlap the next one on
            # another worker: both would read and parse the same files.
            with locks.exclusive(f"inbox-scan:{source.slug}", timeout=INBOX_LOCK_SECONDS) as held:
                if not held:
                    counts["sources busy"] = counts.get("sources busy", 0) + 1
                    continue
                for status, number in inbox_scan(source).items():
                    counts[status] = counts.get(status, 0) + number
        except Exception:
            logger.exception("inbox of %s could not be scanned", source.slug)
            counts["failed sources"] = counts.get("failed sources", 0) + 1
    return counts


@task()
def feeds_poll() -> list[str]:
    """Queue a poll of every feed source, each its own task (``source_poll``): a slow
    or failing feed delays no other (workers poll feeds side by side), and a failed
    poll is retried on its own. Returns the slugs of the feeds queued."""
    sources = Source.objects.filter(is_active=True, delivery_method=Source.Method.POLL)
    queued = []
    for source_id, slug in sources.exclude(feed_url="").values_list("pk", "slug"):
        source_poll.enqueue(source_id)
        queued.append(slug)
    return queued


@task(takes_context=True)
def source_poll(context: TaskContext, source_id: int) -> str:
    """Poll one feed source (queued by ``feeds_poll``). A failed poll raises, and the
    worker tries it again with backoff (dateline/worker/schedule.py); a failure on the
    last attempt is logged and returned instead: the next period's poll is the retry
    then, and a dead letter for every period a feed is down would bury the ones that
    need someone."""
    polled = Source.objects.filter(is_active=True, delivery_method=Source.Method.POLL)
    source = polled.filter(pk=source_id).first()
    if source is None:
        return "not polled: no longer an active polled source"
    try:
        return feed_poll(source)
    except FeedPollFailed as failure:
        if context.attempt < max_attempts(source_poll.module_path):
            raise
        logger.error("%s; given up after %s attempts until the next poll", failure, context.attempt)
        return f"failed: {failure}"


@task()
def deliveries_pending_sweep() -> int:
    """Queue again the pushed deliveries still pending after a few minutes (their task
    was lost with a crash, or gave up): nothing received stays unprocessed."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import Delivery

    stale = Delivery.objects.filter(
        status=Delivery.Status.PENDING, received_at__lt=timezone.now() - timedelta(minutes=3)
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in stale[:1000]:
        delivery_process.enqueue(delivery_id)
        count += 1
    return count


def feed_poll(source: Source, *, timeout: float = 20.0) -> str:
    """Fetch ``source.feed_url`` unless unchanged (ETag / Last-Modified → 304) and
    ingest it. Returns what happened, for the task's result and the logs; raises
    FeedPollFailed, saying why, when the feed gave no usable answer within
    DATELINE_FEED_DEADLINE_SECONDS (``timeout`` bounds each network wait)."""
    if not source.feed_url.lower().startswith(("http://", "https://")):
        return "refused: only http and https feed URLs are polled"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        source.feed_url, headers={"User-Agent": "Dateline feed poller"}
    )
    if source.feed_etag:
        request.add_header("If-None-Match", source.feed_etag)
    if source.feed_last_modified:
        request.add_header("If-Modified-Since", source.feed_last_modified)
    if source.credentials and ":" in source.credentials:
        import base64

        token = base64.b64encode(source.credentials.encode()).decode()
        # Unredirected: the login never follows a redirect to another host.
        request.add_unredirected_header("Authorization", f"Basic {token}")
    limit = settings.DATELINE_WIRE_MAX_BYTES
    deadline = _Deadline(settings.DATELINE_FEED_DEADLINE_SECONDS)
    try:
        with deadline, _OPENER.open(request, timeout=min(timeout, deadline.seconds)) as response:
            body = response.read(limit + 1)
            etag, modified = (
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
            )
        failure = None
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return "not modified"
        failure = f"answered {error.code} {error.reason}"
    except (OSError, http.client.HTTPException) as error:
        failure = f"{type(error).__name__}: {error}"
    if deadline.expired:  # a body cut short by the shut socket may look complete
        failure = (
            f"no complete answer within {deadline.seconds:g} s (DATELINE_FEED_DEADLINE_SECONDS)"
        )
    if failure is not None:
        logger.warning("feed %s could not be polled: %s", source.slug, failure)
        raise FeedPollFailed(f"feed {source.slug} could not be polled: {failure}")
    results = deliveries_ingest(source=source, deliveries=[(source.feed_url, body)])
    Source.objects.filter(pk=source.pk).update(
        feed_etag=etag[:300], feed_last_modified=modified[:100]
    )
    statuses = sorted({r.status for r in results})
    return ", ".join(statuses)


@task()
def delivery_process(delivery_id: int) -> list[dict]:
    """Parse a received (pushed) delivery into the pool."""
    from .models import Delivery
    from .services import delivery_reprocess

    delivery = Delivery.objects.select_related("source").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == Delivery.Status.ACCEPTED:
        return []  # gone, or already done by an earlier run of this task
    return [result.as_dict() for result in delivery_reprocess(delivery=delivery)]

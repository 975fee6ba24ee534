"""Background tasks of the wire: inbox folders and polled feeds. Each is safe to
run twice: the same bytes again are a duplicate and change nothing."""

import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.tasks import task

from dateline.worker import locks

from .inbox import inbox_scan
from .models import Source
from .services import deliveries_ingest

logger = logging.getLogger("dateline.wire")

# HTTP and HTTPS only, redirects included (urllib's default opener also speaks ftp: and file:).
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.HTTPHandler,
    urllib.request.HTTPSHandler,
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
def feeds_poll() -> dict:
    """Poll every feed source, each with a conditional GET."""
    outcomes = {}
    sources = Source.objects.filter(is_active=True, delivery_method=Source.Method.POLL)
    for source in sources.exclude(feed_url=""):
        try:
            outcomes[source.slug] = feed_poll(source)
        except Exception as error:  # one feed's trouble does not stop the others
            logger.warning("feed %s could not be polled: %s", source.slug, error)
            outcomes[source.slug] = f"failed: {type(error).__name__}: {error}"
    return outcomes


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
    ingest it. Returns what happened, for the task's result and the logs."""
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
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read(limit + 1)
            etag, modified = (
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return "not modified"
        logger.warning("feed %s answered %s", source.slug, error.code)
        raise  # the worker retries with backoff
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

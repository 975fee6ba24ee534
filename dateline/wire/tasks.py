"""Background tasks of the wire: inbox folders and polled feeds. Each is safe to
run twice: the same bytes again are a duplicate and change nothing."""

import logging
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.tasks import task

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

# A file younger than this may still be being written by the agency's upload.
SETTLE_SECONDS = 2.0
BATCH = 200


def inbox_of(source: Source) -> Path:
    return Path(settings.DATELINE_INBOX_DIR) / source.slug


@task()
def inboxes_scan() -> dict:
    """Ingest the files waiting in every inbox source's folder, then remove them
    (their bytes are kept as raw deliveries). Hidden files and files still being
    written are left for the next scan."""
    counts = {}
    for source in Source.objects.filter(is_active=True, delivery_method=Source.Method.INBOX):
        folder = inbox_of(source)
        folder.mkdir(parents=True, exist_ok=True)
        now = time.time()
        ready = [
            path
            for path in sorted(folder.iterdir())
            if path.is_file() and not path.name.startswith(".")
            and now - path.stat().st_mtime >= SETTLE_SECONDS
        ]  # fmt: skip
        for start in range(0, len(ready), BATCH):
            chunk = ready[start : start + BATCH]
            deliveries = [(str(path), path.read_bytes()) for path in chunk]
            results = deliveries_ingest(source=source, deliveries=deliveries)
            for result in results:
                counts[result.status] = counts.get(result.status, 0) + 1
            for path in chunk:  # committed: the raw bytes are in the database
                path.unlink(missing_ok=True)
    return counts


@task()
def feeds_poll() -> dict:
    """Poll every feed source, each with a conditional GET."""
    return {
        source.slug: feed_poll(source)
        for source in Source.objects.filter(is_active=True, delivery_method=Source.Method.POLL)
        .exclude(feed_url="")
    }  # fmt: skip


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
        request.add_header("Authorization", f"Basic {token}")
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

"""The page cache's front door: a WSGI wrapper that answers cache hits before Django.

A GET or HEAD without a query string, for a host and path the page store holds, is
answered from the stored shell and fragments (assembled in this process and kept in
memory until the site's store generation changes), with the headers the page was
first sent with, an ETag and Last-Modified, and 304 for a matching conditional
request. Everything else goes to Django unchanged: a request with a query string or
a cookie-bound form, a host or path the store does not hold, a page missing a
fragment. This is safe before the middleware stack because a stored page is the same
for every reader (PageStoreMiddleware stores nothing that sets a cookie or varies).

Hits are counted (``dateline_page_cache_hits_total`` by status) but not written to
Django's request log, which would cost more than the hit itself: the app server's or
nginx's access log has them.
"""

import os
from email.utils import formatdate, parsedate_to_datetime

from dateline.ops.metrics import PAGE_CACHE_HITS
from dateline.promotions import counters

from . import regions
from .store import PageStore, host_ok, page_path_ok

_TYPES = {".html": "text/html", ".rss": "application/rss+xml", ".atom": "application/atom+xml"}
_TYPES |= {".xml": "application/xml", ".txt": "text/plain"}


class _Entry:
    __slots__ = ("generation", "status", "pieces", "variants", "headers", "etag", "last_modified")

    def __init__(self, generation, status, pieces, variants, headers, etag, last_modified):
        self.generation = generation
        self.status = status
        self.pieces = pieces  # the page between its promotion slots
        self.variants = variants  # per draw: (each slot's fragment, promotion ids, headers)
        self.headers = headers
        self.etag = etag
        self.last_modified = last_modified


# The counter's children, bound once: a hit costs one increment, not a label lookup.
_HITS = {status: PAGE_CACHE_HITS.labels(status=status) for status in ("200", "304", "410")}


class PageCache:
    def __init__(self, app, root, *, max_entries: int = 2000, https_only=None, proxy_header=None):
        from django.conf import settings

        self.app = app
        self.store = PageStore(root)
        self.max_entries = max_entries
        self.memo: dict[tuple[str, str], _Entry] = {}
        # Where Django redirects plain HTTP to HTTPS, so must we: such requests go to it.
        self.https_only = settings.SECURE_SSL_REDIRECT if https_only is None else https_only
        header = proxy_header if proxy_header is not None else settings.SECURE_PROXY_SSL_HEADER
        self.proxy_header = tuple(header) if header else None

    def _secure(self, environ) -> bool:
        if self.proxy_header:
            name, value = self.proxy_header
            return environ.get(name, "").split(",")[0].strip() == value
        return environ.get("wsgi.url_scheme") == "https"

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if (
            (method == "GET" or method == "HEAD")
            and not environ.get("QUERY_STRING")
            and (not self.https_only or self._secure(environ))
        ):
            host = environ.get("HTTP_HOST", "").split(":")[0].lower().rstrip(".")
            entry = self.lookup(host, environ.get("PATH_INFO", ""))
            if entry is not None:
                return self.serve(entry, environ, start_response, method)
        return self.app(environ, start_response)

    def lookup(self, host: str, path: str) -> _Entry | None:
        if not (host_ok(host) and page_path_ok(path)):
            return None
        generation = self.store.generation(host)
        if generation is None:
            return None
        key = (host, path)
        entry = self.memo.get(key)
        if entry is not None and entry.generation == generation:
            return entry
        entry = self._load(host, path, generation)
        if entry is None:
            self.memo.pop(key, None)
            return None
        if len(self.memo) >= self.max_entries:
            self.memo.clear()
        self.memo[key] = entry
        return entry

    def _load(self, host, path, generation) -> _Entry | None:
        found = self.store.find_page(host, path)
        if found is None:
            return None
        file, status = found
        headers = self.store.headers(host)
        content_type = _TYPES.get(os.path.splitext(file.name)[1], "application/octet-stream")
        if content_type not in headers:
            return None  # stored by a bake that recorded no headers yet: let Django answer
        try:
            shell = file.read_bytes()
            mtime = file.stat().st_mtime
            names = set()
            for variant in range(regions.variants()):
                names.update(regions.directive_names(shell, variant))
            fragments = {}
            for name in names:
                fragment_file = self.store.fragment_file(host, name)
                fragments[name] = fragment_file.read_bytes()
                mtime = max(mtime, fragment_file.stat().st_mtime)
        except (FileNotFoundError, ValueError):
            return None
        # The page split at its promotion slots: pieces[0] slot[0] pieces[1] slot[1] ...
        pieces, slots, last = [], [], 0
        filled = regions.shared_regions(shell, fragments)
        for match in regions.DIRECTIVE.finditer(filled):
            pieces.append(filled[last : match.start()])
            slots.append(match[1].decode())
            last = match.end()
        pieces.append(filled[last:])
        etag = regions.page_etag(filled)
        last_modified = formatdate(int(mtime), usegmt=True)
        stored = [(k, v) for k, v in headers[content_type] if k.lower() != "content-type"]
        page_headers = [
            ("Content-Type", dict(headers[content_type]).get("Content-Type", content_type)),
            *stored,
            ("ETag", etag),
            ("Last-Modified", last_modified),
        ]
        variants = []  # per draw: its fragments, the promotion ids shown, its headers
        for variant in range(regions.variants() if slots else 1):
            chosen = [fragments[slot.replace(regions.VARIANT, str(variant))] for slot in slots]
            ids = [i for fragment in chosen for i in regions.promotion_ids(fragment)]
            length = sum(map(len, pieces)) + sum(map(len, chosen))
            variants.append((chosen, ids, [*page_headers, ("Content-Length", str(length))]))
        return _Entry(
            generation, status, pieces, variants, page_headers, etag, last_modified
        )  # fmt: skip

    def serve(self, entry: _Entry, environ, start_response, method):
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and entry.status == 200 and _not_modified(environ, entry):
            _HITS["304"].inc()
            start_response("304 Not Modified", entry.headers[1:])
            return [b""]
        chosen, ids, headers = entry.variants[
            regions.pick_variant() if len(entry.variants) > 1 else 0
        ]
        if chosen:
            parts = [entry.pieces[0]]
            for fragment, piece in zip(chosen, entry.pieces[1:], strict=True):
                parts += (fragment, piece)
            body = b"".join(parts)
        else:
            body = entry.pieces[0]
        if ids:
            counters.count(ids, "impressions")
        _HITS["200" if entry.status == 200 else "410"].inc()
        start_response("200 OK" if entry.status == 200 else "410 Gone", headers)
        return [b"" if method == "HEAD" else body]


def _not_modified(environ, entry) -> bool:
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or entry.etag in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(entry.last_modified)
        except (TypeError, ValueError):
            return False
    return False

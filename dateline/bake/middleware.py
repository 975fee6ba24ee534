"""The page cache inside Django: pages leave as assembled HTML and are stored as shells.

``PageStoreMiddleware`` (near the top of MIDDLEWARE) notes the site's store generation
before the view reads anything and, on the way out, stores a cacheable page's shell
and the response headers it was sent with. ``PageAssemblyMiddleware`` (just below
ConditionalGetMiddleware) fills the shell's fragment directives
(dateline/bake/regions.py), rendering a missing fragment and storing it too, and gives
the page the ETag a cache hit gives it (``regions.page_etag``: the page and its shared
regions, not the promotion drawn). Cache hits never reach Django: see dateline/bake/wsgi.py.
"""

import contextlib
from functools import wraps

from dateline.promotions import counters

from . import regions
from .store import default_store, host_ok, page_path_ok

# Response headers that belong to one response, not to the page.
_NOT_STORED = {"content-length", "etag", "last-modified", "set-cookie", "vary", "date"}


def page_headers(response) -> tuple[str, list[list[str]]]:
    """The response's content type (without parameters) and the headers a stored copy
    of the page is served with."""
    content_type = response.get("Content-Type", "text/html").split(";")[0].strip()
    headers = [
        [name, value]
        for name, value in response.items()
        if name.lower() not in _NOT_STORED and not name.lower().startswith("x-request")
    ]
    return content_type, headers


def cached_page(view):
    """Mark a public view's responses as storable in the page cache (when they are a
    GET without a query string, status 200 or 410, and set no cookie)."""

    @wraps(view)
    def marked(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.dateline_cache = True
        return response

    return marked


def request_host(request) -> str:
    return request.META.get("HTTP_HOST", "").split(":")[0].lower().rstrip(".")


class PageStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        store = default_store()
        host = request_host(request)
        baking = request.META.get("dateline.bake")  # the baker writes what it renders
        if store is not None and host_ok(host) and request.method == "GET" and not baking:
            request.dateline_store = store
            # Read, never created here: any Host header reaches this line, and only a
            # site's own pages start a folder (PageStore.write_if_current).
            request.dateline_generation = store.generation(host)
        response = self.get_response(request)
        if store is not None and not baking and self._storable(request, response, host):
            self._store(request, response, host)
        return response

    def _storable(self, request, response, host) -> bool:
        site = getattr(request, "site", None)
        return (
            getattr(response, "dateline_cache", False)
            and request.method == "GET"
            and not request.META.get("QUERY_STRING")
            and response.status_code in (200, 410)
            and not response.cookies
            and not getattr(response, "streaming", False)
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            # A page that varies by cookie (a session was read) is not the same for everyone.
            and "cookie" not in response.get("Vary", "").lower()
            # A page with per-response CSP allowances (a Disqus embed) is not stored.
            and getattr(request, "_dateline_extra_csp", None) is None
            and site is not None
            and site.host == host
            and hasattr(request, "dateline_store")
            and page_path_ok(request.path_info)
            and (response.status_code == 200 or request.path_info.endswith("/"))
        )

    def _store(self, request, response, host) -> None:
        store, path = request.dateline_store, request.path_info
        content_type, headers = page_headers(response)
        shell = getattr(response, "dateline_shell", None) or response.content
        # _storable lets through only what has a target: a 200, or a 410 at a folder path.
        target, removes = store.page_target(host, path, response.status_code, content_type)
        stored = store.write_if_current(
            host, {target: shell}, request.dateline_generation, removes=removes
        )
        if stored is not None:
            store.headers_set(host, content_type, headers)


class PageAssemblyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.META.get("dateline.bake")  # the baker stores the shell as it is
            or getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or b"<!--# include" not in response.content
        ):
            return response
        site = getattr(request, "site", None)
        shell = response.content
        variant = regions.pick_variant()
        # Every draw of the page's promotion slots, so that the store holds them all.
        names = [
            name for n in range(regions.variants()) for name in regions.directive_names(shell, n)
        ]
        fragments = fragments_bytes(request, site, names)
        for name in regions.directive_names(shell, variant):
            if name.startswith("promotions/"):
                ids = regions.promotion_ids(fragments[name])
                if ids:
                    counters.count(ids, "impressions")
        # The shared regions once: the ETag is theirs, and the page is them plus the draw.
        shared = regions.shared_regions(shell, fragments)
        response.content = regions.assemble(shared, fragments, variant)
        response.dateline_shell = shell
        # The validator the page cache gives the same page (ConditionalGetMiddleware, above,
        # keeps an ETag it finds and answers If-None-Match with it).
        response["ETag"] = regions.page_etag(shared)
        return response


def fragments_bytes(request, site, names) -> dict[str, bytes]:
    """Fragments from the store, or rendered now (and stored when the store is on)."""
    names = list(dict.fromkeys(names))
    if site is None:
        return dict.fromkeys(names, b"")
    store = getattr(request, "dateline_store", None)
    host = request_host(request)
    stored = store is not None and site.host == host
    found, missing = {}, []
    for name in names:
        try:
            found[name] = store.fragment_file(host, name).read_bytes() if stored else None
        except (FileNotFoundError, ValueError):  # not stored yet, or not a storable name
            found[name] = None
        if found[name] is None:
            missing.append(name)
    if missing:
        rendered = regions.render_fragments(site, missing)
        writes = {}
        for name in missing:
            found[name] = (rendered[name] or "").encode()
            if stored and rendered[name] is not None:
                with contextlib.suppress(ValueError):  # else for this response only
                    writes[store.fragment_file(host, name)] = found[name]
        if writes:
            generation = store.write_if_current(host, writes, request.dateline_generation)
            if generation is not None:
                request.dateline_generation = generation
    return found

"""Choose the site by the request's host name. An unknown host never gets another
site's page: it gets a plain 404 that names no site."""

from django.http import Http404, HttpResponseNotFound

from .selectors import site_for_host

# Paths that work on any allowed host: the admin, the desk, what they need, agency pushes.
_HOSTLESS_PREFIXES = ("/admin/", "/desk/", "/static/", "/wire/")

UNKNOWN_HOST_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Not found</title>"
    "<h1>Not found</h1><p>No site of this network answers at this address.</p></html>"
)


class SiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = site_for_host(request.get_host())
        if request.site is None and not request.path_info.startswith(_HOSTLESS_PREFIXES):
            return HttpResponseNotFound(UNKNOWN_HOST_PAGE)
        return self.get_response(request)


def request_site(request):
    """The request's site, for a view of the public sites; 404 where there is none (the
    host-less paths such as /admin/ and /static/, or a request that never passed the
    middleware)."""
    site = getattr(request, "site", None)
    if site is None:
        raise Http404("No site at this host")
    return site

"""The operator's middleware, first in the stack.

- Answers the probes (/healthz, /readyz) and /metrics itself, before host
  validation and the TLS redirect: a load balancer or Prometheus calls them by
  address, over plain HTTP, without a site's host name.
- Gives every request an id (a sane ``X-Request-ID`` from the proxy, else a new
  one), puts it on every log line written while the request runs and echoes it in
  the response's ``X-Request-ID``.
- Records latency, status and unhandled exceptions by view for /metrics, and
  writes one log line per request: method, path without its query string (tokens
  travel there), view, status, duration. Never headers, cookies or addresses.
"""

import logging
import re
import time
import uuid

from django.conf import settings

from . import logs, metrics, views

logger = logging.getLogger("dateline.request")

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_OWN_PATHS = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}


def request_id_for(header: str | None) -> str:
    """The proxy's request id when it is a plain token; a new one otherwise (a
    hostile value must not reach the logs or the response headers)."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        if request.path_info.startswith(settings.STATIC_URL):
            return "static"  # answered by WhiteNoise before URL resolution
        return "unmatched"  # unknown host, no URL pattern: one label, not one per path
    return match.view_name or match.url_name or "unnamed"


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        own = _OWN_PATHS.get(request.path_info.rstrip("/") or "/")
        request.request_id = request_id_for(request.headers.get("X-Request-ID"))
        token = logs.request_id.set(request.request_id)
        try:
            if own is not None:
                response = own(request)
            else:
                started = time.perf_counter()
                response = self.get_response(request)
                elapsed = time.perf_counter() - started
                view = _view_label(request)
                metrics.HTTP_LATENCY.labels(view=view, method=request.method).observe(elapsed)
                metrics.HTTP_RESPONSES.labels(view=view, status=str(response.status_code)).inc()
                logger.info(
                    "%s %s %s %s %.1fms",
                    request.method, request.path, view, response.status_code, elapsed * 1000,
                    extra={
                        "method": request.method, "path": request.path, "view": view,
                        "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
                    },
                )  # fmt: skip
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            logs.request_id.reset(token)

    def process_exception(self, request, exception):
        metrics.HTTP_EXCEPTIONS.labels(view=_view_label(request)).inc()

"""Probes and metrics. OpsMiddleware calls these directly (no URL pattern, no site
host needed); they answer JSON or Prometheus text and never set cookies."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from . import health
from . import metrics as metrics_module

_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """The process answers. Touches nothing else: a load balancer restarting a
    process because its database is down would only make things worse."""
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request):
    """Ready to serve and to work: database, worker heartbeat, queue (see health.py).
    503 when any check fails, so a load balancer takes the instance out. The checks'
    details (worker names, queue figures) go only to operators, as /metrics does;
    anyone else gets the status alone."""
    ready, checks = health.readiness()
    body = health.report(ready, checks)
    if not operator_allowed(request):
        body = {"status": body["status"]}
    return _no_store(JsonResponse(body, status=200 if ready else 503))


def operator_allowed(request) -> bool:
    """A bearer token equal to DATELINE_METRICS_TOKEN, or a direct connection from
    DATELINE_METRICS_NETWORKS (loopback by default). A request that came through a
    proxy (it carries forwarding headers) is not "from loopback", whatever its
    REMOTE_ADDR: a proxy on the same machine would otherwise open /metrics to all."""
    token = getattr(settings, "DATELINE_METRICS_TOKEN", "")
    authorization = request.headers.get("Authorization", "")
    if token and authorization.startswith("Bearer "):
        return hmac.compare_digest(authorization[7:].strip().encode(), token.encode())
    if any(header in request.META for header in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    networks = getattr(settings, "DATELINE_METRICS_NETWORKS", ["127.0.0.1/32", "::1/128"])
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def metrics(request):
    if not operator_allowed(request):
        return _no_store(
            JsonResponse(
                {"error": "metrics are served to allowed networks or with the bearer token"},
                status=403,
            )
        )
    body, content_type = metrics_module.exposition()
    return _no_store(HttpResponse(body, content_type=content_type))

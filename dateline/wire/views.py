"""HTTP push: an agency POSTs a delivery to /wire/push/<source>/.

Authenticated per source with its shared secret, either as an HMAC-SHA256 of the
body (``X-Dateline-Signature: sha256=<hex>``) or as a bearer token. Answers 202
with the delivery's id once its bytes are kept; the background worker parses it
(``tasks.delivery_process``)."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dateline.ops.metrics import webhook_outcome

from .models import Source
from .services import delivery_receive

logger = logging.getLogger("dateline.wire")


def _authorised(request, body: bytes, secret: str) -> bool:
    signature = request.headers.get("X-Dateline-Signature", "")
    if signature.startswith("sha256="):
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature[7:].strip().lower().encode(), expected.encode())
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        return hmac.compare_digest(authorization[7:].strip().encode(), secret.encode())
    return False


_UNAUTHORISED = "unknown push source, or bad or missing signature or token"


def _refuse(status: int, message: str, source_slug: str, request, *, why: str = "") -> JsonResponse:
    # No secret, header value or body in the log: only who was refused and why.
    logger.warning(
        "push to %s refused (%s): %s", source_slug, status, why or message,
        extra={"remote_addr": request.META.get("REMOTE_ADDR")},
    )  # fmt: skip
    webhook_outcome("wire_push", "refused")
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        # RFC 9110 §15.5.2: a 401 carries a challenge; RFC 6750 §3 for the Bearer one.
        response["WWW-Authenticate"] = 'Bearer realm="wire push"'
    return response


@csrf_exempt  # a machine endpoint: authenticated by the source's secret, not a cookie
@require_POST
def push(request, source_slug):
    source = Source.objects.filter(slug=source_slug, is_active=True).first()
    takes_pushes = (
        source is not None and source.delivery_method == Source.Method.PUSH and source.push_secret
    )
    # A name that takes no pushes goes through the same checks as a known source and
    # gets the answer of a wrong secret: a 404 of its own would let anyone list the
    # sources' names by trying, and then try secrets against them. The log tells the
    # operator which it was.
    limit = settings.DATELINE_WIRE_MAX_BYTES
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.strip():
        # A chunked body (no Content-Length) is not handed to Django by every WSGI server:
        # refused, rather than answered 202 with the body lost.
        return _refuse(411, "send the body with a Content-Length header", source_slug, request)
    try:
        declared = int(length)
    except ValueError:
        return _refuse(400, "invalid Content-Length", source_slug, request)
    if declared <= 0:
        return _refuse(400, "empty body: nothing to ingest", source_slug, request)
    if declared > limit:
        return _refuse(413, f"over the {limit}-byte limit", source_slug, request)
    body = request.read(limit + 1)
    if len(body) > limit:
        return _refuse(413, f"over the {limit}-byte limit", source_slug, request)
    if not takes_pushes:
        why = "no active push source of this name with a push secret"
        return _refuse(401, _UNAUTHORISED, source_slug, request, why=why)
    if not _authorised(request, body, source.push_secret):
        why = "bad or missing signature or token"
        return _refuse(401, _UNAUTHORISED, source_slug, request, why=why)
    delivery, created = delivery_receive(source=source, data=body, origin=f"push:{source.slug}")
    webhook_outcome("wire_push", "accepted")
    return JsonResponse(
        {"delivery": delivery.pk, "status": delivery.status if created else "duplicate"}, status=202
    )

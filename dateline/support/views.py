"""Reader support pages: the support page, the checkout redirect, the pages readers come
back to, the monthly gift's stop page, and the providers' webhooks."""

import logging
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dateline.articles.views import site_page
from dateline.network.middleware import request_site
from dateline.ops.metrics import webhook_outcome
from dateline.ratelimit import RateLimit, client_ip

from . import selectors, services
from .models import Frequency, Subscription
from .providers import ProviderError, WebhookRefused, get_provider

logger = logging.getLogger("dateline.support")

# Webhook bodies larger than this are not events of ours.
MAX_WEBHOOK_BYTES = 256 * 1024


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


@require_safe
def support_page(request):
    site = request_site(request)
    appeal = selectors.appeal_for_site(site)
    return site_page(request, "support/support.html", {"appeal": appeal, "errors": []})


def _same_origin(request) -> bool:
    """The checkout form carries no CSRF token (it is on every article page, which must
    stay cacheable and bakeable), so we require what browsers send with every form POST:
    an Origin (or, failing that, a Referer) naming this very host."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.get_host().lower()


def parse_gift(appeal, data) -> tuple[dict | None, list[str]]:
    """The reader's choice from the form, or the errors to show. Amounts outside the
    appeal's bounds, unknown frequencies and providers that are off are refused."""
    errors = []
    frequency = data.get("frequency", Frequency.ONCE)
    if frequency not in appeal.frequencies:
        errors.append("Choose how often to give: once or monthly.")
    provider_name = data.get("provider", "")
    offered = {name for name, _ in appeal.providers_for(frequency)}
    if provider_name not in offered:
        if frequency == Frequency.MONTHLY and any(
            provider_name == name for name, _label, _f in appeal.providers
        ):
            errors.append("Monthly gifts cannot be made with this payment method; choose another.")
        else:
            errors.append("Choose a way to pay.")
    raw = (data.get("custom_amount") or "").strip() or (data.get("amount") or "").strip()
    raw = raw.lstrip("$€£¥").strip()
    if re.fullmatch(r"\d+,\d{1,2}", raw):  # "12,50": a decimal comma
        raw = raw.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):  # "1,000.00": thousands
        raw = raw.replace(",", "")
    try:
        amount = Decimal(raw) if raw and len(raw) <= 20 else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors.append("Enter the amount you wish to give, e.g. 5 or 12.50.")
    elif amount.as_tuple().exponent < -2:
        errors.append("Enter the amount with at most two decimals.")
    elif not (appeal.min_amount <= amount <= appeal.max_amount):
        errors.append(
            f"The amount must be between {appeal.min_amount} and {appeal.max_amount} "
            f"{appeal.currency}."
        )
    if errors:
        return None, errors
    return {"frequency": frequency, "provider_name": provider_name, "amount": amount}, []


def _over_checkout_limit(request) -> bool:
    """True when this reader's address started more checkouts than
    DATELINE_SUPPORT_CHECKOUTS_PER_HOUR (default 30; 0 switches the limit off): each one
    is a call to the provider, and a flood of them is refused before it reaches the
    provider. Behind the TLS proxy the address comes from X-Forwarded-For as
    DATELINE_TRUSTED_PROXIES allows (docs/operations.md)."""
    limit = int(getattr(settings, "DATELINE_SUPPORT_CHECKOUTS_PER_HOUR", 30))
    return RateLimit("support-checkout", limit, 3600).hit(client_ip(request))


@csrf_exempt
@require_POST
def checkout(request):
    site = request_site(request)
    if not _same_origin(request):
        return HttpResponse("Forms are accepted from this site's own pages only.", status=403)
    if _over_checkout_limit(request):
        logger.warning("support checkout refused: too many from one address")
        response = HttpResponse(
            "Too many payment attempts from your address; please try again in an hour.",
            status=429,
            content_type="text/plain",
        )
        response["Retry-After"] = "3600"
        return response
    appeal = selectors.appeal_for_site(site)
    gift, errors = parse_gift(appeal, request.POST)
    if gift is None:
        return site_page(
            request, "support/support.html", {"appeal": appeal, "errors": errors}, status=400
        )
    try:
        _checkout, url = services.checkout_start(
            site=site,
            currency=appeal.currency,
            return_url_for=lambda c: _absolute(
                request, reverse("support:return", kwargs={"token": c.token})
            ),
            cancel_url_for=lambda c: _absolute(
                request, reverse("support:cancelled", kwargs={"token": c.token})
            ),
            **gift,
        )
    except ProviderError as error:
        logger.warning("support checkout could not start: %s", error)
        return site_page(
            request,
            "support/support.html",
            {
                "appeal": appeal,
                "errors": ["The payment service is not answering; please try again shortly."],
            },
            status=502,
        )
    # 303: the browser follows with a GET to the provider's hosted page.
    response = HttpResponseRedirect(url, status=303)
    return response


def _checkout_or_404(request, token):
    checkout = selectors.checkout_for_token(token)
    if checkout is None or checkout.site_id != request_site(request).id:
        raise Http404("No such checkout")
    return checkout


@require_safe
def checkout_return(request, token):
    checkout = _checkout_or_404(request, token)
    try:
        services.checkout_return(checkout=checkout, query=request.GET)
    except ProviderError as error:
        logger.warning("support checkout %s return failed: %s", checkout.token, error)
        return site_page(
            request,
            "support/problem.html",
            {"message": "We could not confirm your payment with the payment service."},
            status=502,
        )
    return HttpResponseRedirect(reverse("support:thanks", kwargs={"token": checkout.token}))


@require_safe
def thanks(request, token):
    checkout = _checkout_or_404(request, token)
    appeal = selectors.appeal_for_site(checkout.site)
    response = site_page(request, "support/thanks.html", {"checkout": checkout, "appeal": appeal})
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def cancelled(request, token):
    checkout = _checkout_or_404(request, token)
    services.checkout_cancel(checkout=checkout)
    response = site_page(request, "support/cancelled.html", {"checkout": checkout})
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def stop_monthly(request, token):
    """The page a monthly supporter reaches from the link in their receipt."""
    subscription = services.subscription_from_cancel_token(token)
    if subscription is None or subscription.site_id != request_site(request).id:
        return site_page(
            request,
            "support/problem.html",
            {"message": "This link is not valid (or too old). Write to us and we will help."},
            status=404,
        )
    done = False
    if request.method == "POST":
        try:
            services.subscription_cancel(subscription=subscription)
        except ProviderError as error:
            logger.warning("support subscription %s cancel failed: %s", subscription.id, error)
            return site_page(
                request,
                "support/problem.html",
                {"message": "The payment service did not answer; please try again shortly."},
                status=502,
            )
        subscription.refresh_from_db()
        done = True
    response = site_page(
        request,
        "support/stop.html",
        {
            "subscription": subscription,
            "done": done,
            "already": not done and subscription.status == Subscription.Status.CANCELLED,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
@require_POST
def webhook(request, provider_name):
    """A provider's event: verified, applied once, answered 2xx; anything we cannot
    trust is refused with a 4xx, logged without personal data, and changes nothing."""
    try:
        provider = get_provider(provider_name)
    except Exception:
        raise Http404("No such provider") from None
    if not provider.is_enabled():
        logger.warning("support webhook refused: %s is switched off", provider_name)
        return HttpResponse("provider switched off", status=404)
    if len(request.body) > MAX_WEBHOOK_BYTES:
        logger.warning("support webhook refused: %s body too large", provider_name)
        return HttpResponse("too large", status=413)
    try:
        notice = provider.parse_webhook(body=request.body, headers=request.headers)
    except WebhookRefused as refusal:
        logger.warning("support webhook refused (%s): %s", provider_name, refusal.reason)
        webhook_outcome(f"payment_{provider_name}", "refused")
        return HttpResponse(refusal.reason, status=refusal.status, content_type="text/plain")
    except ProviderError as error:
        logger.warning("support webhook not verified (%s): %s", provider_name, error)
        return HttpResponse("verification unavailable", status=503)
    try:
        outcome = services.notice_apply(provider_name=provider_name, notice=notice)
    except services.NoticeDeferred as deferred:
        logger.info("support webhook %s %s deferred: %s", provider_name, notice.event_id, deferred)
        return HttpResponse("not yet", status=409)
    logger.info(
        "support webhook %s %s %s: %s", provider_name, notice.event_type, notice.event_id, outcome
    )
    webhook_outcome(f"payment_{provider_name}", "accepted")
    return HttpResponse(outcome, content_type="text/plain")

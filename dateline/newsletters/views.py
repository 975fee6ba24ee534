"""The reader's newsletter pages: signup (every site's newsletter on one page),
confirmation, preferences, one-click unsubscribe, and the archive of sent issues."""

from datetime import date as Date

from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from dateline.articles.views import site_page
from dateline.network.middleware import request_site
from dateline.ratelimit import RateLimit, client_ip

from . import selectors, services
from .forms import PreferencesForm, SignupForm
from .models import Issue, Subscription
from .tokens import TokenProblem, confirm_token_read, manage_token_read


def _signups_over_limit(request, email: str) -> bool:
    """Signups per hour from one reader's address (behind the proxy, the address
    DATELINE_TRUSTED_PROXIES lets X-Forwarded-For name) and for one e-mail address."""
    per_ip = RateLimit("newsletter-ip", settings.DATELINE_NEWSLETTER_SIGNUPS_PER_IP, 3600)
    per_address = RateLimit(
        "newsletter-address", settings.DATELINE_NEWSLETTER_SIGNUPS_PER_ADDRESS, 3600
    )
    # Both count, whichever is over: a flood from one IP also uses up its addresses' limit.
    over_ip = per_ip.hit(client_ip(request))
    over_address = per_address.hit(email)
    return over_ip or over_address


def _link_problem(request, problem: TokenProblem, *, what: str):
    status = 410 if problem.reason == "expired" else 400
    return site_page(
        request,
        "newsletters/link_problem.html",
        {"problem": problem.reason, "what": what},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """One page for every newsletter of the network; the current site's is ticked."""
    site = request_site(request)
    newsletters = services.newsletters_ensure(network=site.network)
    context = {"newsletters": newsletters, "errors": [], "email": "", "chosen": set()}
    preselect = request.GET.get("site", site.slug)
    context["chosen"] = {n.id for n in newsletters if n.site.slug == preselect}
    if request.method != "POST":
        return site_page(request, "newsletters/signup.html", context)

    form = SignupForm(request.POST, newsletters=newsletters)
    context["email"] = request.POST.get("email", "")[:254]
    context["chosen"] = {v for v in request.POST.getlist("newsletters") if v.isdigit()}
    context["chosen"] = {int(v) for v in context["chosen"]}
    if not form.is_valid():
        context["errors"] = [e for errors in form.errors.values() for e in errors]
        return site_page(request, "newsletters/signup.html", context, status=400)
    if form.cleaned_data["website"]:
        # A bot filled in the hidden field: it sees success, nothing is stored or sent.
        return site_page(request, "newsletters/check_inbox.html", {})
    if _signups_over_limit(request, services.normalize_email(form.cleaned_data["email"])):
        return site_page(request, "newsletters/too_many.html", {}, status=429)
    chosen = [n for n in newsletters if n.id in set(form.cleaned_data["newsletters"])]
    services.subscription_request(
        email=form.cleaned_data["email"],
        newsletters=chosen,
        source=f"{site.base_url}/newsletters/ (signup form)",
        site=site,
    )
    # The same answer whatever the address's state: the page tells nobody who subscribes.
    return site_page(request, "newsletters/check_inbox.html", {})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The link of the confirmation mail. GET asks for a click (mail scanners follow
    links; only a person's POST confirms)."""
    site = request_site(request)
    subscriber = confirm_token_read(token)
    if isinstance(subscriber, TokenProblem):
        return _link_problem(request, subscriber, what="confirmation")
    if request.method == "POST":
        confirmed = services.subscriber_confirm(
            subscriber=subscriber,
            source=f"{site.base_url}/newsletters/confirm/ (confirmation link)",
        )
        subscriptions = subscriber.subscriptions.filter(
            status=Subscription.Status.CONFIRMED
        ).select_related("newsletter__site")
        return site_page(
            request,
            "newsletters/confirmed.html",
            {"subscriptions": subscriptions, "newly": len(confirmed)},
        )
    pending = subscriber.subscriptions.filter(status=Subscription.Status.PENDING).select_related(
        "newsletter__site"
    )
    return site_page(
        request, "newsletters/confirm.html", {"pending": pending, "email": subscriber.email}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    site = request_site(request)
    found = manage_token_read(token)
    if isinstance(found, TokenProblem):
        return _link_problem(request, found, what="preferences")
    subscriber, _issue_id = found
    newsletters = services.newsletters_ensure(network=site.network)
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST, newsletters=newsletters)
        if not form.is_valid():
            return site_page(
                request,
                "newsletters/preferences.html",
                {"newsletters": newsletters, "chosen": set(), "email": subscriber.email,
                 "errors": ["Choose among the newsletters listed."], "saved": False},
                status=400,
            )  # fmt: skip
        services.subscriptions_set(
            subscriber=subscriber,
            newsletters=newsletters,
            chosen=set(form.cleaned_data["newsletters"]),
            source=f"{site.base_url}/newsletters/preferences/ (preferences page)",
        )
        saved = True
    chosen = set(
        subscriber.subscriptions.filter(status=Subscription.Status.CONFIRMED).values_list(
            "newsletter_id", flat=True
        )
    )
    return site_page(
        request,
        "newsletters/preferences.html",
        {"newsletters": newsletters, "chosen": chosen, "email": subscriber.email,
         "errors": [], "saved": saved},
    )  # fmt: skip


# RFC 8058 §3.1: the mail client POSTs "List-Unsubscribe=One-Click" to the URI with no
# cookies and no other context, so no CSRF token can come with it; the signed token
# in the URI is the authority. §3.2: the answer is the result, not a redirect.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    request_site(request)
    found = manage_token_read(token)
    if isinstance(found, TokenProblem):
        return _link_problem(request, found, what="unsubscribe")
    subscriber, issue_id = found
    issue = (
        Issue.objects.select_related("newsletter__site").filter(pk=issue_id).first()
        if issue_id
        else None
    )
    context = {"issue": issue, "email": subscriber.email, "token": token}
    if request.method == "POST":
        if issue is None:  # a link from a mail that is not an issue: every newsletter
            services.subscriptions_set(
                subscriber=subscriber,
                newsletters=services.newsletters_ensure(network=request.site.network),
                chosen=set(),
                source="unsubscribe link",
            )
        else:
            services.subscription_unsubscribe(
                subscriber=subscriber, newsletter=issue.newsletter, issue=issue
            )
        return site_page(request, "newsletters/unsubscribed.html", context)
    return site_page(request, "newsletters/unsubscribe.html", context)


@require_safe
def archive(request):
    site = request_site(request)
    return site_page(
        request, "newsletters/archive.html", {"issues": selectors.archive_issues(site)}
    )


@require_safe
def archive_issue(request, day):
    site = request_site(request)
    try:
        the_day = Date.fromisoformat(day)
    except ValueError:
        raise Http404("Not a date") from None
    issue = selectors.archive_issue(site, the_day)
    if issue is None:
        raise Http404("No issue that day")
    return site_page(request, "newsletters/archive_issue.html", {"issue": issue})

"""The reader's side of comments: write (and verify by e-mail), report, and the
Mastodon share page. The article page itself carries no form and sets no cookie,
so it stays cacheable; the forms live on their own small pages."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.http import require_http_methods, require_safe

from dateline.articles.models import Story
from dateline.articles.views import site_page
from dateline.network.middleware import request_site
from dateline.network.models import Site
from dateline.ratelimit import client_ip, keyed_hash

from . import selectors, services
from .forms import CommentForm, MastodonForm, ReportForm
from .models import Comment, SiteComments
from .share import mastodon_share_url
from .spam import rate_limit

COMMENTER_COOKIE = "dateline_commenter"
COMMENTER_SALT = "dateline.comments.commenter"
NOINDEX = {"noindex": True}


def _social_email(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.email:
        return user.email.strip().lower()
    return None


def _cookie_verified(request, email: str) -> bool:
    value = request.get_signed_cookie(
        COMMENTER_COOKIE,
        default=None,
        salt=COMMENTER_SALT,
        max_age=settings.DATELINE_COMMENTS_COOKIE_DAYS * 86400,
    )
    return value is not None and value == keyed_hash(email)


def _remember(response, email: str):
    """The signed cookie that spares a verified reader the e-mail next time. It holds a
    keyed hash of the address, not the address."""
    response.set_signed_cookie(
        COMMENTER_COOKIE,
        keyed_hash(email),
        salt=COMMENTER_SALT,
        max_age=settings.DATELINE_COMMENTS_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _form_action_allows(sources_for):
    """Widen this view's CSP ``form-action`` with ``sources_for(request)``: browsers
    check form-action on the redirects that follow a form (CSP Level 3 §6.3.1), so a
    form that leads to another site (a login provider, a Mastodon server) needs it."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            extra = sources_for(request)
            if extra:
                policy = {key: list(value) for key, value in settings.SECURE_CSP.items()}
                policy["form-action"] = [*policy.get("form-action", [CSP.SELF]), *extra]
                response._csp_config = policy
            return response

        return wrapped

    return decorator


def _login_provider_origins(request) -> list[str]:
    """Where the social login forms lead: any https site (providers' authorization
    endpoints), plus the configured providers' own origins (an http one in tests)."""
    from allauth.socialaccount.adapter import get_adapter

    origins = set()
    for app in get_adapter().list_apps(request):
        server = urlsplit((app.settings or {}).get("server_url", ""))
        if server.scheme in {"http", "https"} and server.netloc:
            origins.add(f"{server.scheme}://{server.netloc}")
    return ["https:", *sorted(origins)] if origins else []


def _commentable(request, placement_id: int):
    site = request_site(request)
    placement = selectors.live_placement(site=site, placement_id=placement_id)
    if placement is None or placement.story.status != Story.Status.PUBLISHED:
        raise Http404("No such article")
    site_settings = selectors.comment_settings_for(site)
    if site_settings.mode != SiteComments.Mode.BUILTIN:
        raise Http404("This site takes no comments here")
    return site, placement, site_settings


def _social_providers(request, next_url: str) -> list[tuple[str, str]]:
    """(name, login URL) of each social login the operator configured."""
    from allauth.socialaccount.adapter import get_adapter

    return [
        (provider.name, provider.get_login_url(request, next=next_url, process="login"))
        for provider in get_adapter().list_providers(request)
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@_form_action_allows(_login_provider_origins)
def write(request, placement_id: int):
    site, placement, site_settings = _commentable(request, placement_id)
    raw_parent = request.POST.get("reply_to") or request.GET.get("reply_to")
    parent = None
    if raw_parent:
        parent = (
            selectors.visible_comment(site=site, comment_id=int(raw_parent))
            if raw_parent.isdigit()
            else None
        )
        if parent is None or parent.story_id != placement.story_id:
            raise Http404("No such comment to reply to")
    social_email = _social_email(request)
    write_url = request.path + (f"?reply_to={parent.id}" if parent else "")
    context = {
        "placement": placement,
        "story": placement.story,
        "parent": parent,
        "social_email": social_email,
        "providers": [] if social_email else _social_providers(request, write_url),
        "pre_moderated": site_settings.moderation == SiteComments.Moderation.PRE,
        **NOINDEX,
    }
    form_kwargs = {"max_links": site_settings.max_links, "identity_email": social_email}

    if request.method != "POST":
        initial = {"reply_to": parent.id if parent else None}
        if social_email:
            initial["name"] = request.user.get_full_name() or request.user.get_username()
        context["form"] = CommentForm(initial=initial, **form_kwargs)
        return site_page(request, "comments/write.html", context)

    form = CommentForm(request.POST, **form_kwargs)
    context["form"] = form
    if form.is_bot:
        # Tell a bot nothing; store nothing.
        return site_page(request, "comments/thanks.html", {"state": "check-email", **NOINDEX})
    if rate_limit("ip").hit(client_ip(request)):
        context["throttled"] = rate_limit("ip").minutes
        return site_page(request, "comments/write.html", context, status=429)
    if not form.is_valid():
        return site_page(request, "comments/write.html", context, status=400)
    email = social_email or form.cleaned_data["email"].strip().lower()
    if rate_limit("address").hit(email):
        context["throttled"] = rate_limit("address").minutes
        return site_page(request, "comments/write.html", context, status=429)
    if selectors.is_banned(email):
        context["banned"] = True
        return site_page(request, "comments/write.html", context, status=403)
    verified = bool(social_email) or _cookie_verified(request, email)
    comment = services.comment_submit(
        site=site,
        story_id=placement.story_id,
        parent=parent,
        author_name=form.cleaned_data["name"],
        author_email=email,
        body=form.cleaned_data["body"],
        verified=verified,
        user=request.user if social_email else None,
        ip_address=client_ip(request) or None,
        user_agent=request.headers.get("user-agent", ""),
        permalink=site.base_url + placement.path,
    )
    if comment.status == Comment.Status.UNVERIFIED:
        if not rate_limit("verify_mail").hit(email):
            token = services.verification_token(comment)
            services.verification_send(
                comment=comment,
                verify_url=site.base_url + reverse("comments:verify", args=[token]),
                article_title=placement.story.headline,
            )
        state = "check-email"
    else:
        state = _state(comment)
    return HttpResponseRedirect(reverse("comments:thanks", args=[placement.id]) + f"?state={state}")


def _state(comment: Comment) -> str:
    if comment.status == Comment.Status.APPROVED:
        return "published"
    if comment.status == Comment.Status.UNVERIFIED:
        return "check-email"
    return "queued"


@require_safe
def thanks(request, placement_id: int):
    site = request_site(request)
    placement = selectors.live_placement(site=site, placement_id=placement_id)
    if placement is None:
        raise Http404("No such article")
    state = request.GET.get("state", "")
    if state not in {"published", "queued", "check-email", "reported"}:
        state = "queued"
    return site_page(
        request,
        "comments/thanks.html",
        {"state": state, "placement": placement, "story": placement.story, **NOINDEX},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request, token: str):
    """The magic link. GET shows the comment and a button; only the POST verifies, so
    a mail scanner that follows links publishes nothing."""
    site = request_site(request)
    comment_id = services.verification_comment_id(token)
    comment = (
        Comment.objects.select_related("site").filter(pk=comment_id, site=site).first()
        if comment_id
        else None
    )
    taken_down = {Comment.Status.REJECTED, Comment.Status.DELETED, Comment.Status.SPAM}
    if comment is None or comment.status in taken_down:
        return site_page(request, "comments/verify.html", {"invalid": True, **NOINDEX}, status=400)
    placement = selectors.live_placement_of_story(site=site, story_id=comment.story_id)
    if request.method != "POST":
        return site_page(
            request,
            "comments/verify.html",
            {"comment": comment, "placement": placement, "token": token, **NOINDEX},
        )
    comment = services.comment_verify(comment=comment)
    if comment.status in taken_down:
        return site_page(request, "comments/verify.html", {"invalid": True, **NOINDEX}, status=400)
    target = (
        reverse("comments:thanks", args=[placement.id]) + f"?state={_state(comment)}"
        if placement
        else "/"
    )
    return _remember(HttpResponseRedirect(target), comment.author_email)


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, comment_id: int):
    site = request_site(request)
    comment = selectors.visible_comment(site=site, comment_id=comment_id)
    if comment is None:
        raise Http404("No such comment")
    placement = selectors.live_placement_of_story(site=site, story_id=comment.story_id)
    context = {"comment": comment, "placement": placement, **NOINDEX}
    if request.method != "POST":
        context["form"] = ReportForm()
        return site_page(request, "comments/report.html", context)
    form = ReportForm(request.POST)
    context["form"] = form
    if rate_limit("report").hit(client_ip(request)):
        context["throttled"] = rate_limit("report").minutes
        return site_page(request, "comments/report.html", context, status=429)
    if not form.is_valid():
        return site_page(request, "comments/report.html", context, status=400)
    services.comment_report(
        comment=comment,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        reporter_key=keyed_hash(client_ip(request) or "unknown"),
    )
    if placement is None:
        return HttpResponseRedirect("/")
    return HttpResponseRedirect(reverse("comments:thanks", args=[placement.id]) + "?state=reported")


@require_safe
@_form_action_allows(lambda request: ["https:"])
def mastodon(request):
    """Ask for the reader's Mastodon server, then send them to its share page. Only
    addresses of this network's sites can be shared this way (no open redirect)."""
    request_site(request)
    url = request.GET.get("url", "")
    text = request.GET.get("text", "")[:300]
    parts = urlsplit(url)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or not Site.objects.filter(host=parts.hostname).exists()
    ):
        return site_page(
            request, "comments/mastodon.html", {"bad_url": True, **NOINDEX}, status=400
        )
    if "instance" not in request.GET:
        form = MastodonForm()
        return site_page(
            request, "comments/mastodon.html", {"form": form, "url": url, "text": text, **NOINDEX}
        )
    form = MastodonForm(request.GET)
    if not form.is_valid():
        return site_page(
            request,
            "comments/mastodon.html",
            {"form": form, "url": url, "text": text, **NOINDEX},
            status=400,
        )
    return HttpResponseRedirect(
        mastodon_share_url(instance=form.cleaned_data["instance"], url=url, text=text)
    )

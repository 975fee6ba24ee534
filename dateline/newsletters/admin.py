"""The desk's newsletter screens. Editors preview an issue and send a test to
themselves (permission ``newsletters.send_test_issue``); subscribers' personal data
is for those with ``view_subscriber`` (export: ``export_subscriber``; erase:
``delete_subscriber``). Every write goes through the services."""

import json
import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from . import selectors, services
from .digest import issue_contents, issue_html
from .models import CaughtMail, Issue, Newsletter, Subscriber, Subscription
from .sending import issue_send_test

# The preview is the e-mail's own HTML, inline styles and all: it gets a policy of
# its own that allows those styles and nothing else (no script, no form, sandboxed).
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "https:"],
    "sandbox": [""],
    "frame-ancestors": ["'self'"],
}


def _next_contents(newsletter: Newsletter) -> dict:
    """What the next issue would hold if it were built now."""
    now = timezone.now()
    import zoneinfo

    day = now.astimezone(zoneinfo.ZoneInfo(newsletter.site.time_zone)).date()
    start = services.issue_window_start(newsletter, now)
    return issue_contents(newsletter=newsletter, start=start, end=now, date=day)


class PreviewMixin:
    def _require_test_permission(self, request):
        if not request.user.has_perm("newsletters.send_test_issue"):
            raise PermissionDenied

    def _preview_response(self, request, newsletter, contents):
        self._require_test_permission(request)
        html = issue_html(contents, network=newsletter.site.network)
        response = HttpResponse(html)
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def _send_test(self, request, newsletter, contents, back):
        self._require_test_permission(request)
        if not request.user.email:
            self.message_user(
                request,
                "Your account has no e-mail address: add one (Users, or ask an admin) to "
                "receive tests.",
                messages.ERROR,
            )
            return redirect(back)
        issue_send_test(
            issue_contents=contents,
            newsletter=newsletter,
            subject=contents["subject"],
            to=request.user.email,
        )
        self.message_user(request, f"Test sent to {request.user.email}.", messages.SUCCESS)
        return redirect(back)


@admin.register(Newsletter)
class NewsletterAdmin(PreviewMixin, admin.ModelAdmin):
    list_display = ["__str__", "is_active", "send_time", "time_zone", "confirmed", "links"]
    fields = ["site", "is_active", "send_time", "description", "max_stories"]

    def get_queryset(self, request):
        services.newsletters_ensure()
        return super().get_queryset(request).select_related("site")

    @admin.display(description="time zone")
    def time_zone(self, newsletter):
        return newsletter.site.time_zone

    @admin.display(description="confirmed subscribers")
    def confirmed(self, newsletter):
        return newsletter.subscriptions.filter(status=Subscription.Status.CONFIRMED).count()

    @admin.display(description="next issue")
    def links(self, newsletter):
        return format_html(
            '<a href="{}">preview</a>',
            reverse("admin:newsletters_newsletter_preview", args=[newsletter.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(csp_override(PREVIEW_CSP)(self.preview)),
                name="newsletters_newsletter_preview",
            ),
            path(
                "<int:pk>/send-test/",
                self.admin_site.admin_view(require_POST(self.send_test)),
                name="newsletters_newsletter_send_test",
            ),
            *super().get_urls(),
        ]

    def preview(self, request, pk):
        newsletter = get_object_or_404(Newsletter.objects.select_related("site__network"), pk=pk)
        return self._preview_response(request, newsletter, _next_contents(newsletter))

    def send_test(self, request, pk):
        newsletter = get_object_or_404(Newsletter.objects.select_related("site__network"), pk=pk)
        back = reverse("admin:newsletters_newsletter_change", args=[pk])
        return self._send_test(request, newsletter, _next_contents(newsletter), back)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["test_tools"] = request.user.has_perm("newsletters.send_test_issue")
        extra_context["preview_url"] = reverse(
            "admin:newsletters_newsletter_preview", args=[object_id]
        )
        extra_context["send_test_url"] = reverse(
            "admin:newsletters_newsletter_send_test", args=[object_id]
        )
        return super().change_view(request, object_id, form_url, extra_context)

    change_form_template = "admin/newsletters/change_form_with_tests.html"


@admin.register(Issue)
class IssueAdmin(PreviewMixin, admin.ModelAdmin):
    list_display = [
        "__str__", "status", "story_count", "sent", "failed", "bounced", "unsubscribed",
        "uncertain", "pending",
    ]  # fmt: skip
    list_filter = ["status", "newsletter"]
    date_hierarchy = "date"
    readonly_fields = [
        "newsletter", "date", "status", "subject", "window_start", "window_end", "story_count",
        "created_at", "send_started_at", "send_finished_at", "counts",
    ]  # fmt: skip
    exclude = ["contents"]
    change_form_template = "admin/newsletters/change_form_with_tests.html"

    def get_queryset(self, request):
        return selectors.issue_counts(super().get_queryset(request)).select_related(
            "newsletter__site"
        )

    def has_add_permission(self, request):
        return False  # issues are built by the schedule (or `dateline newsletters build`)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(ordering="sent_count")
    def sent(self, issue):
        return issue.sent_count

    @admin.display(ordering="failed_count")
    def failed(self, issue):
        return issue.failed_count

    @admin.display(ordering="bounced_count")
    def bounced(self, issue):
        return issue.bounced_count

    @admin.display(ordering="unsubscribed_count")
    def unsubscribed(self, issue):
        return issue.unsubscribed_count

    @admin.display(ordering="uncertain_count")
    def uncertain(self, issue):
        return issue.uncertain_count

    @admin.display(ordering="pending_count")
    def pending(self, issue):
        return issue.pending_count

    @admin.display(description="deliveries")
    def counts(self, issue):
        return (
            f"sent {issue.sent_count}, failed {issue.failed_count}, bounced "
            f"{issue.bounced_count}, unsubscribed {issue.unsubscribed_count}, uncertain "
            f"{issue.uncertain_count}, pending {issue.pending_count}"
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(csp_override(PREVIEW_CSP)(self.preview)),
                name="newsletters_issue_preview",
            ),
            path(
                "<int:pk>/send-test/",
                self.admin_site.admin_view(require_POST(self.send_test)),
                name="newsletters_issue_send_test",
            ),
            *super().get_urls(),
        ]

    def preview(self, request, pk):
        issue = get_object_or_404(Issue.objects.select_related("newsletter__site__network"), pk=pk)
        return self._preview_response(request, issue.newsletter, issue.contents)

    def send_test(self, request, pk):
        issue = get_object_or_404(Issue.objects.select_related("newsletter__site__network"), pk=pk)
        back = reverse("admin:newsletters_issue_change", args=[pk])
        return self._send_test(request, issue.newsletter, issue.contents, back)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["test_tools"] = request.user.has_perm("newsletters.send_test_issue")
        extra_context["preview_url"] = reverse("admin:newsletters_issue_preview", args=[object_id])
        extra_context["send_test_url"] = reverse(
            "admin:newsletters_issue_send_test", args=[object_id]
        )
        return super().change_view(request, object_id, form_url, extra_context)


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fk_name = "subscriber"
    fields = [
        "newsletter", "status", "requested_at", "requested_from", "confirmed_at",
        "confirmed_from", "unsubscribed_at", "unsubscribed_issue",
    ]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "suppressed", "export_link"]
    list_filter = ["suppressed", "subscriptions__status", "subscriptions__newsletter"]
    search_fields = ["email"]
    readonly_fields = ["email", "created_at", "suppressed_at"]
    fields = ["email", "created_at", "suppressed", "suppressed_at"]
    inlines = [SubscriptionInline]

    def has_add_permission(self, request):
        return False  # addresses come only through the double opt-in

    @admin.display(description="export")
    def export_link(self, subscriber):
        return format_html(
            '<a href="{}">JSON</a>',
            reverse("admin:newsletters_subscriber_export", args=[subscriber.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export),
                name="newsletters_subscriber_export",
            ),
            *super().get_urls(),
        ]

    def export(self, request, pk):
        if not request.user.has_perm("newsletters.export_subscriber"):
            raise PermissionDenied
        subscriber = get_object_or_404(Subscriber, pk=pk)
        response = HttpResponse(
            json.dumps(selectors.subscriber_export(subscriber), indent=2),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="subscriber-{pk}.json"'
        return response

    def save_model(self, request, obj, form, change):
        # Only the suppression can be edited (e.g. lifted after a bounce was resolved).
        if "suppressed" in form.changed_data:
            obj.suppressed_at = timezone.now() if obj.suppressed else None
        obj.save(update_fields=["suppressed", "suppressed_at"])

    def delete_model(self, request, obj):
        services.subscriber_erase(subscriber=obj)

    def delete_queryset(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_erase(subscriber=subscriber)


_URL = re.compile(r"https?://[^\s<>\"']+")


@admin.register(CaughtMail)
class CaughtMailAdmin(admin.ModelAdmin):
    """The demo's caught mail: follow a signup to its confirmation link."""

    list_display = ["received_at", "recipients", "subject"]
    search_fields = ["recipients", "subject"]
    fields = ["received_at", "mail_from", "recipients", "subject", "text_with_links"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="text")
    def text_with_links(self, mail):
        from email import message_from_bytes, policy

        message = message_from_bytes(bytes(mail.raw), policy=policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else ""
        pieces, last = [], 0
        for match in _URL.finditer(text):
            pieces.append(escape(text[last : match.start()]))
            url = match.group(0)
            pieces.append(format_html('<a href="{}">{}</a>', url, url))
            last = match.end()
        pieces.append(escape(text[last:]))
        return mark_safe(f'<pre class="caught-mail">{"".join(pieces)}</pre>')  # noqa: S308 - every piece escaped

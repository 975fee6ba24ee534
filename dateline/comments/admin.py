"""The moderators' screens: the queue, every comment, reports, banned addresses and
each site's comment settings. Every action goes through the services and needs
``comments.moderate_comment``."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from . import services
from .models import BannedAddress, Comment, CommentReport, QueuedComment, SiteComments


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    fields = ["reason", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _moderation_action(service, verb: str, description: str):
    def action(modeladmin, request, queryset):
        done = 0
        for comment in queryset:
            service(comment=comment, by=request.user)
            done += 1
        modeladmin.message_user(request, f"{done} comment(s) {verb}.", messages.SUCCESS)

    action.__name__ = f"action_{verb.replace(' ', '_')}"
    return admin.action(description=description, permissions=["moderate"])(action)


class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "short_text",
        "author_name",
        "site",
        "story_link",
        "status",
        "report_count",
        "created_at",
    ]
    list_filter = ["status", "site", "spam_verdict"]
    search_fields = ["author_name", "author_email", "body_source"]
    date_hierarchy = "created_at"
    list_select_related = ["site", "story"]
    inlines = [CommentReportInline]
    fields = [
        "site",
        "story",
        "parent",
        "author_name",
        "author_email",
        "user",
        "status",
        "body_source",
        "shown_as",
        "created_at",
        "published_at",
        "moderated_at",
        "moderated_by",
        "ip_address",
        "user_agent",
        "report_count",
        "spam_verdict",
    ]
    readonly_fields = fields
    actions = [
        _moderation_action(services.comment_approve, "approved", "Approve and publish"),
        _moderation_action(services.comment_reject, "rejected", "Reject"),
        _moderation_action(services.comment_mark_spam, "marked spam", "Mark as spam"),
        _moderation_action(services.comment_delete, "deleted", "Delete (take down)"),
        "ban_addresses",
    ]

    @admin.display(description="comment")
    def short_text(self, comment):
        text = comment.body_source
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="story")
    def story_link(self, comment):
        return comment.story.headline

    @admin.display(description="shown to readers as")
    def shown_as(self, comment):
        # The sanitised HTML, as escaped text: moderators see the markup, nothing runs.
        return format_html("<code>{}</code>", comment.body_html)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Taking down goes through the "Delete" action (the record stays).
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request) or super().has_view_permission(request, obj)

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    @admin.action(description="Ban the authors' addresses", permissions=["moderate"])
    def ban_addresses(self, request, queryset):
        emails = sorted({comment.author_email for comment in queryset})
        for email in emails:
            services.address_ban(
                email=email, reason="Banned from the moderation queue", by=request.user
            )
        self.message_user(request, f"{len(emails)} address(es) banned.", messages.SUCCESS)


admin.site.register(Comment, CommentAdmin)


@admin.register(QueuedComment)
class QueuedCommentAdmin(CommentAdmin):
    """Waiting for a moderator, or published and reported by readers."""

    list_filter = ["status", "site"]
    date_hierarchy = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                Q(status=Comment.Status.PENDING)
                | Q(status=Comment.Status.APPROVED, report_count__gt=0)
            )
        )

    def has_view_permission(self, request, obj=None):
        return self.has_moderate_permission(request)


@admin.register(BannedAddress)
class BannedAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "created_at", "created_by"]
    search_fields = ["email"]
    fields = ["email", "reason"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            ban = services.address_ban(email=obj.email, reason=obj.reason, by=request.user)
            obj.pk = ban.pk


@admin.register(SiteComments)
class SiteCommentsAdmin(admin.ModelAdmin):
    list_display = ["site", "mode", "moderation", "disqus_shortname", "max_links"]

    def save_model(self, request, obj, form, change):
        services.site_comments_save(site_comments=obj)

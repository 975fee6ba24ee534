from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from . import services
from .models import Delivery, RawDelivery, Source, WireItem
from .storage import raw_read


class SourceForm(forms.ModelForm):
    """Secrets are write-only: the form never shows them, and an empty field keeps
    the stored value. A new feed URL starts without the old one's validators."""

    new_push_secret = forms.CharField(
        required=False, widget=forms.PasswordInput, label="Push secret",
        help_text="Shared with the agency for HTTP push (HMAC signature or bearer token). "
        "Leave empty to keep the current one.",
    )  # fmt: skip
    new_credentials = forms.CharField(
        required=False, widget=forms.PasswordInput, label="Credentials",
        help_text="user:password for the agency's feed. Leave empty to keep the current one.",
    )  # fmt: skip
    clear_secrets = forms.BooleanField(required=False, help_text="Remove both stored secrets.")

    class Meta:
        model = Source
        fields = [
            "name", "slug", "agency", "is_active", "desk_hints", "format", "delivery_method",
            "feed_url", "rights_full_text_feeds", "rights_full_text_api", "rights_newsletters",
            "takedown_after_days",
        ]  # fmt: skip

    def save(self, commit=True):
        source = super().save(commit=False)
        if "feed_url" in self.changed_data:
            # An ETag or a date is only meaningful to the server that sent it (RFC 9110
            # §8.8): sent to the new URL, it could be answered 304 Not Modified forever.
            source.feed_etag = source.feed_last_modified = ""
        if self.cleaned_data.get("clear_secrets"):
            source.push_secret = source.credentials = ""
        if self.cleaned_data.get("new_push_secret"):
            source.push_secret = self.cleaned_data["new_push_secret"]
        if self.cleaned_data.get("new_credentials"):
            source.credentials = self.cleaned_data["new_credentials"]
        if commit:
            source.save()
        return source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = ["name", "slug", "agency", "format", "delivery_method", "is_active"]
    list_filter = ["format", "delivery_method", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "agency", "is_active", "desk_hints"]}),
        (
            "Delivery",
            {
                "fields": [
                    "format",
                    "delivery_method",
                    "feed_url",
                    "new_push_secret",
                    "new_credentials",
                    "clear_secrets",
                ]
            },
        ),
        (
            "Usage rights",
            {
                "fields": [
                    "rights_full_text_feeds",
                    "rights_full_text_api",
                    "rights_newsletters",
                    "takedown_after_days",
                ]
            },
        ),
    ]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id", "origin", "source", "status", "reason_short", "format", "item_count", "received_at",
    ]  # fmt: skip
    list_filter = ["status", "source", "format"]
    search_fields = ["origin", "sha256", "reason"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["rerun"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="reason")
    def reason_short(self, delivery):
        return Truncator(delivery.reason).chars(120)

    @admin.display(description="raw bytes")
    def raw_link(self, delivery):
        if not RawDelivery.objects.filter(sha256=delivery.sha256).exists():
            return "not kept (over the size limit)"
        url = reverse("admin:wire_delivery_raw", args=[delivery.pk])
        return format_html('<a href="{}">download ({} bytes)</a>', url, delivery.size)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "raw_link"]

    def get_urls(self):
        raw = path(
            "<int:delivery_id>/raw/",
            self.admin_site.admin_view(self.raw_view),
            name="wire_delivery_raw",
        )
        return [raw, *super().get_urls()]

    def raw_view(self, request, delivery_id):
        """The delivery's bytes exactly as they arrived, as a download (never rendered:
        they may be hostile)."""
        delivery = get_object_or_404(Delivery, pk=delivery_id)
        if not self.has_view_permission(request, delivery):
            raise PermissionDenied
        try:
            data = raw_read(delivery.sha256)
        except RawDelivery.DoesNotExist:
            raise Http404("Its bytes were over the size limit and were not kept.") from None
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="delivery-{delivery.pk}.raw"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.action(description="Re-run quarantined deliveries (after a parser fix)")
    def rerun(self, request, queryset):
        refused = (Delivery.Status.QUARANTINED, Delivery.Status.PARTIAL)
        for delivery in queryset.filter(status__in=refused):
            results = services.delivery_rerun(delivery=delivery)
            level = messages.WARNING if results[0].status == "quarantined" else messages.SUCCESS
            summary = ", ".join(sorted({r.status for r in results}))
            self.message_user(request, f"Delivery {delivery.pk}: {summary}", level)


@admin.register(WireItem)
class WireItemAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "source",
        "guid",
        "version",
        "is_current",
        "urgency",
        "pub_status",
        "received_at",
    ]
    list_filter = ["is_current", "source", "pub_status", "format"]
    search_fields = ["headline", "guid"]
    readonly_fields = [f.name for f in WireItem._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

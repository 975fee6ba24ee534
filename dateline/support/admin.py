"""The support app in the admin: the appeal (network and per-site), supporters,
contributions and subscriptions (read-only: they come from the providers), and the
monthly chart. Names and e-mail addresses show only to those with
``support.view_supporter_personal_data``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import selectors, services
from .chart import revenue_chart_svg
from .emails import receipt_send
from .models import (
    AppealConfig,
    Contribution,
    ProviderEvent,
    Subscription,
    SubscriptionEvent,
    Supporter,
)

PERSONAL = "support.view_supporter_personal_data"


def _may_see_personal(request) -> bool:
    return request.user.has_perm(PERSONAL)


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


class ReadOnlyMixin:
    """Records written by provider events only: viewable, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppealConfig)
class AppealConfigAdmin(admin.ModelAdmin):
    list_display = ["__str__", "currency", "preset_amounts", "min_amount", "max_amount"]
    fieldsets = [
        (None, {"fields": ["network", "site"]}),
        ("Text", {"fields": ["heading", "text", "thank_you_text"]}),
        (
            "Amounts",
            {"fields": ["currency", "preset_amounts", "min_amount", "max_amount"]},
        ),
        ("Frequencies", {"fields": ["allow_once", "allow_monthly"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.appeal_save(appeal=obj)


class ContributionInline(ReadOnlyMixin, admin.TabularInline):
    model = Contribution
    fields = [
        "receipt_number",
        "received_at",
        "amount",
        "currency",
        "frequency",
        "provider",
        "site",
    ]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class SubscriptionInline(ReadOnlyMixin, admin.TabularInline):
    model = Subscription
    fields = ["provider", "amount", "currency", "status", "started_at", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Supporter)
class SupporterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    date_hierarchy = "created_at"
    inlines = [SubscriptionInline, ContributionInline]

    # The admin object serves every request: what a user may see is chosen per request
    # (list_display, fields), never stored on it.
    def get_list_display(self, request):
        if _may_see_personal(request):
            return ["id", "name", "email", "created_at", "gifts"]
        return ["id", "email_masked", "created_at", "gifts"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(gift_count=Count("contributions"))

    def get_search_fields(self, request):
        return ["email", "name"] if _may_see_personal(request) else []

    def get_fields(self, request, obj=None):
        if _may_see_personal(request):
            return ["name", "email", "created_at"]
        return ["email_masked", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="gifts", ordering="gift_count")
    def gifts(self, supporter):
        return supporter.gift_count

    @admin.display(description="e-mail")
    def email_masked(self, supporter):
        return _masked(supporter.email)


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "receipt_number",
        "received_at",
        "amount",
        "currency",
        "frequency",
        "provider",
        "site",
        "supporter_link",
    ]
    list_filter = ["provider", "frequency", "currency", "site"]
    date_hierarchy = "received_at"
    fields = [
        "receipt_number",
        "received_at",
        "amount",
        "currency",
        "frequency",
        "provider",
        "provider_ref",
        "site",
        "subscription",
        "supporter_link",
    ]
    readonly_fields = fields
    actions = ["send_receipt_again"]

    @admin.display(description="supporter")
    def supporter_link(self, contribution):
        """Links by number: addresses are on the supporter's page, behind its permission."""
        url = reverse("admin:support_supporter_change", args=[contribution.supporter_id])
        return format_html('<a href="{}">Supporter {}</a>', url, contribution.supporter_id)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supporter", "site")

    @admin.action(description="Send the receipt again", permissions=["send_receipt"])
    def send_receipt_again(self, request, queryset):
        sent = 0
        for contribution_id in queryset.values_list("id", flat=True):
            try:
                receipt_send(contribution_id=contribution_id)
                sent += 1
            except Exception as error:  # the mail server's answer, shown to the operator
                self.message_user(request, f"Not sent: {error}", messages.ERROR)
        if sent:
            self.message_user(request, f"{sent} receipt(s) sent.", messages.SUCCESS)

    def has_send_receipt_permission(self, request):
        return request.user.has_perm("support.send_receipt")

    def get_urls(self):
        return [
            path(
                "chart/",
                self.admin_site.admin_view(self.chart_view),
                name="support_contribution_chart",
            ),
            *super().get_urls(),
        ]

    def chart_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        months = selectors.monthly_figures(months=12)
        currencies = sorted({c for m in months for c in m.revenue}) or ["USD"]
        currency = request.GET.get("currency", currencies[0])
        if currency not in currencies:
            currency = currencies[0]
        context = {
            **self.admin_site.each_context(request),
            "title": "Revenue and active supporters by month",
            "opts": self.model._meta,
            "rows": [
                (
                    m.month,
                    [m.revenue.get(c, "") for c in currencies],
                    m.contributions,
                    m.active_supporters,
                )
                for m in months
            ],
            "currencies": currencies,
            "currency": currency,
            "svg": mark_safe(revenue_chart_svg(months, currency=currency)),  # noqa: S308 - built by us, every text escaped
            "active_subscriptions": selectors.active_subscriptions_count(),
        }
        return TemplateResponse(request, "admin/support/chart.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "chart_url": reverse("admin:support_contribution_chart"),
        }
        return super().changelist_view(request, extra_context)


class SubscriptionEventInline(ReadOnlyMixin, admin.TabularInline):
    model = SubscriptionEvent
    fields = ["kind", "occurred_at", "event_id"]
    readonly_fields = fields
    extra = 0


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "provider",
        "amount",
        "currency",
        "status",
        "started_at",
        "cancelled_at",
        "site",
    ]
    list_filter = ["status", "provider", "site"]
    fields = [
        "provider",
        "provider_ref",
        "amount",
        "currency",
        "status",
        "status_at",
        "started_at",
        "cancelled_at",
        "site",
        "supporter",
    ]
    readonly_fields = fields
    inlines = [SubscriptionEventInline, ContributionInline]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "provider", "event_type", "event_id", "occurred_at"]
    list_filter = ["provider", "event_type"]
    search_fields = ["event_id"]

"""The desk in the admin: routing rules (chief editors), the audit log (read only),
and the trained suggestion models. The desk screen itself is at /desk/."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .models import AuditEntry, DeskEntry, Rule, SuggestionModel


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "section", "auto_publish", "daily_cap", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "auto_publish", "section__site"]
    filter_horizontal = ["sources"]
    autocomplete_fields = ["section"]
    search_fields = ["name", "keywords", "subjects"]

    def save_model(self, request, obj, form, change):
        services.rule_save(rule=obj, user=request.user, change=change)

    def delete_model(self, request, obj):
        services.rule_delete(rule=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            services.rule_delete(rule=rule, user=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "story_link", "detail"]
    list_filter = ["action"]
    search_fields = ["actor", "detail"]
    date_hierarchy = "at"

    @admin.display(description="story")
    def story_link(self, entry):
        if entry.story_id is None:
            return ""
        url = reverse("admin:articles_story_change", args=[entry.story_id])
        return format_html('<a href="{}">{}</a>', url, entry.story_id)


@admin.register(DeskEntry)
class DeskEntryAdmin(ReadOnlyAdmin):
    list_display = ["guid", "source", "status", "received_at", "suggested_section", "rule"]
    list_filter = ["status", "source"]
    search_fields = ["guid"]
    list_select_related = ["source", "suggested_section__site", "rule"]
    show_full_result_count = False

    def view_on_site(self, entry):
        return reverse("desk:item", args=[entry.pk])


@admin.register(SuggestionModel)
class SuggestionModelAdmin(ReadOnlyAdmin):
    list_display = ["trained_at", "sample_count", "class_count"]
    exclude = ["data"]

"""Editors manage stories and where they are placed. Every write goes through
the services, so the admin refreshes the same pages a script or the desk would."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from . import services
from .models import PathRedirect, Placement, Story


class PlacementInline(admin.TabularInline):
    model = Placement
    fields = ["section", "slug", "is_canonical", "path", "is_live"]
    readonly_fields = ["path", "is_live"]
    autocomplete_fields = ["section"]
    extra = 0
    min_num = 1
    validate_min = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["slug"].required = False
        formset.form.base_fields["slug"].help_text = "Leave empty to derive it from the headline."
        return formset


class StoryForm(forms.ModelForm):
    mark_updated = forms.BooleanField(
        required=False, help_text="Show readers that this published story was updated now."
    )

    class Meta:
        model = Story
        fields = [
            "headline", "byline", "dateline_place", "agency", "status", "published_at",
            "body", "signoff", "teaser", "withdrawn_notice",
        ]  # fmt: skip
        help_texts = {
            "published_at": "Leave empty to publish now. For a scheduled story: when it goes live.",
        }

    def clean(self):
        data = super().clean()
        status, when = data.get("status"), data.get("published_at")
        if status == Story.Status.PUBLISHED and when is None:
            data["published_at"] = timezone.now()  # "publish" with no time means now
        if status == Story.Status.SCHEDULED and (when is None or when <= timezone.now()):
            self.add_error(
                "published_at", "A scheduled story needs a publication time in the future."
            )
        return data


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    form = StoryForm
    inlines = [PlacementInline]
    fieldsets = [
        (None, {"fields": ["headline", ("byline", "dateline_place", "agency")]}),
        ("Text", {"fields": ["teaser", "body", "signoff"]}),
        (
            "Publication",
            {"fields": [("status", "published_at"), "mark_updated", "withdrawn_notice"]},
        ),
    ]
    list_display = ["headline", "agency", "status", "published_at", "placed_on"]
    list_filter = ["status", "agency", "placements__site"]
    list_select_related = ["agency"]
    search_fields = ["headline", "dateline_place", "byline"]
    date_hierarchy = "published_at"
    show_full_result_count = False
    actions = ["publish_now", "withdraw"]

    @admin.display(description="Placed on")
    def placed_on(self, story):
        return ", ".join(p.section.name for p in story.placements.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("placements__section")

    def save_model(self, request, obj, form, change):
        # Status changes are applied in save_related, once placements exist.
        request._dateline_status = (form.initial.get("status", Story.Status.DRAFT), obj.status)
        obj.status = (
            form.initial.get("status", Story.Status.DRAFT) if change else Story.Status.DRAFT
        )
        services.story_save(story=obj, mark_updated=form.cleaned_data.get("mark_updated", False))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Placement:
            return super().save_formset(request, form, formset, change)
        story = form.instance
        # The admin's change message reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                formset.deleted_objects.append(deleted.instance)
                services.placement_remove(placement=deleted.instance)
        for placement_form in formset.forms:
            if placement_form in formset.deleted_forms or not placement_form.has_changed():
                continue
            data = placement_form.cleaned_data
            if not data:
                continue
            existing = placement_form.instance if placement_form.instance.pk else None
            if existing is None:
                placement = services.placement_add(
                    story=story, section=data["section"], canonical=data.get("is_canonical", False)
                )
                if data.get("slug"):
                    services.placement_move(placement=placement, slug=data["slug"])
                formset.new_objects.append(placement)
            else:
                original = Placement.objects.get(pk=existing.pk)
                services.placement_move(
                    placement=original,
                    section=data["section"] if data["section"] != original.section else None,
                    slug=data["slug"]
                    if data.get("slug") and data["slug"] != original.slug
                    else None,
                )
                if data.get("is_canonical") and not original.is_canonical:
                    services.placement_set_canonical(placement=original)
                formset.changed_objects.append((original, placement_form.changed_data))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        story = form.instance
        before, wanted = getattr(request, "_dateline_status", (None, story.status))
        story.refresh_from_db()
        when = form.cleaned_data.get("published_at")
        if wanted == Story.Status.PUBLISHED and (before != wanted or when != story.published_at):
            services.story_publish(story=story, published_at=when)
        elif wanted == Story.Status.SCHEDULED:
            services.story_schedule(story=story, publish_at=when)
        elif wanted == Story.Status.WITHDRAWN and before != wanted:
            services.story_withdraw(
                story=story, notice=form.cleaned_data.get("withdrawn_notice", "")
            )
        elif wanted == Story.Status.DRAFT and before != wanted:
            services.story_unpublish(story=story)

    @admin.action(description="Publish now")
    def publish_now(self, request, queryset):
        count = 0
        for story in queryset:
            try:
                services.story_publish(story=story, published_at=story.published_at)
            except ValueError as error:
                self.message_user(request, f"Not published: {error}", messages.ERROR)
            else:
                count += 1
        self.message_user(request, f"Published {count} stories.", messages.SUCCESS)

    @admin.action(description="Withdraw (pages answer 410)")
    def withdraw(self, request, queryset):
        for story in queryset:
            services.story_withdraw(story=story)
        self.message_user(request, f"Withdrew {queryset.count()} stories.", messages.SUCCESS)


@admin.register(PathRedirect)
class PathRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "site", "placement"]
    list_filter = ["site"]
    search_fields = ["old_path"]
    raw_id_fields = ["placement"]

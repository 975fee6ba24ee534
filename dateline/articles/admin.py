"""Editors manage stories and where they are placed. Every write goes through
the services, so the admin refreshes the same pages a script or the desk would."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from . import services
from .html import BodyTooDeep, body_depth_check
from .models import PathRedirect, Placement, Story


class PlacementForm(forms.ModelForm):
    # Not the model field: Django would check the one-canonical constraint against
    # the database before the service moves the mark from the other placement.
    canonical = forms.BooleanField(required=False, help_text="The URL every copy names.")

    class Meta:
        model = Placement
        fields = ["section", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Leave empty to derive it from the headline."
        self.fields["canonical"].initial = self.instance.is_canonical

    def clean_section(self):
        section = self.cleaned_data["section"]
        if self.instance.pk and section.site_id != self.instance.site_id:
            raise ValidationError(
                "A placement moves within its site; add a new placement for another site."
            )
        return section


class PlacementFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if sum(bool(f.cleaned_data.get("canonical")) for f in kept) > 1:
            raise ValidationError("Mark one placement as canonical, not several.")


class PlacementInline(admin.TabularInline):
    model = Placement
    form = PlacementForm
    formset = PlacementFormSet
    fields = ["section", "slug", "canonical", "path", "is_live"]
    readonly_fields = ["path", "is_live"]
    autocomplete_fields = ["section"]
    extra = 0
    min_num = 1
    validate_min = True


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
            "published_at": (
                "Published: leave empty for now. Scheduled: the future time it goes live "
                "(published by the background worker, see docs/architecture.md)."
            ),
            "body": (
                "Plain text (blank lines between paragraphs; a line like - 'Sub head' - "
                "becomes a subhead) or HTML: paragraphs, subheads, lists, links."
            ),
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            body_depth_check(body)
        except BodyTooDeep as error:
            raise ValidationError(str(error)) from None
        return body

    def clean(self):
        data = super().clean()
        status, when = data.get("status"), data.get("published_at")
        now = timezone.now()
        if status == Story.Status.PUBLISHED and when is None:
            data["published_at"] = now  # "publish" with no time means now
        elif status == Story.Status.PUBLISHED and when > now + timedelta(minutes=1):
            self.add_error("published_at", "A future time needs the status Scheduled.")
        if status == Story.Status.SCHEDULED and (when is None or when <= now):
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
        # Status and publication time change in save_related, through the services,
        # once the placements exist; the text is saved here with the old ones.
        wanted = (obj.status, obj.published_at)
        if change:
            obj.status = form.initial.get("status", Story.Status.DRAFT)
            obj.published_at = form.initial.get("published_at")
        else:
            obj.status, obj.published_at = Story.Status.DRAFT, None
        request._dateline_wanted = wanted
        if change and obj.status != wanted[0]:
            if wanted[0] in (Story.Status.WITHDRAWN, Story.Status.DRAFT):
                _check_withdraw(request, obj)  # both take a story off the site
            elif obj.status == Story.Status.WITHDRAWN:
                _check_revive(request, obj)
        services.story_save(story=obj, mark_updated=form.cleaned_data.get("mark_updated", False))
        from dateline.desk.services import same_text  # the desk imports this app

        text_changed = [
            name for name in ("headline", "teaser", "body", "byline", "dateline_place")
            if name in form.changed_data
            and not same_text(name, str(form.initial.get(name) or ""), getattr(obj, name))
        ]  # fmt: skip
        if change and text_changed:
            _audit(request, "edit", obj, ", ".join(text_changed))
            # Later wire versions of this story now wait for the desk (see the desk app).
            from dateline.desk.models import DeskEntry

            DeskEntry.objects.filter(story=obj).update(text_edited=True)

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
            if placement_form.instance.pk is None:
                placement = services.placement_add(
                    story=story,
                    section=data["section"],
                    canonical=data.get("canonical", False),
                    slug=data.get("slug") or None,
                )
                formset.new_objects.append(placement)
                continue
            original = Placement.objects.get(pk=placement_form.instance.pk)
            section = data["section"] if data["section"] != original.section else None
            slug = data["slug"] if data.get("slug") and data["slug"] != original.slug else None
            if section or slug:
                services.placement_move(placement=original, section=section, slug=slug)
            if data.get("canonical") and not original.is_canonical:
                services.placement_set_canonical(placement=original)
            formset.changed_objects.append((original, placement_form.changed_data))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        story = form.instance
        story.refresh_from_db()
        wanted, when = getattr(request, "_dateline_wanted", (story.status, story.published_at))
        if wanted == Story.Status.PUBLISHED:
            if story.status != wanted or when != story.published_at:
                services.story_publish(story=story, published_at=when)
                _audit(request, "publish", story, "in the admin")
        elif wanted == Story.Status.SCHEDULED:
            if story.status != wanted or when != story.published_at:
                services.story_schedule(story=story, publish_at=when)
                _audit(request, "schedule", story, f"for {when.isoformat()}")
        elif wanted == Story.Status.WITHDRAWN and story.status != wanted:
            notice = form.cleaned_data.get("withdrawn_notice", "")
            services.story_withdraw(story=story, notice=notice)
            _audit(request, "withdraw", story, notice)
        elif wanted == Story.Status.DRAFT and story.status != wanted:
            services.story_unpublish(story=story)
            _audit(request, "unpublish", story, "")

    def delete_model(self, request, obj):
        _audit(request, "delete", obj, obj.headline)
        services.story_delete(story=obj)

    def delete_queryset(self, request, queryset):
        for story in queryset:
            _audit(request, "delete", story, story.headline)
            services.story_delete(story=story)

    @admin.action(description="Publish now")
    def publish_now(self, request, queryset):
        count = 0
        now = timezone.now()
        for story in queryset:
            if story.status == Story.Status.PUBLISHED:
                continue  # live already
            if story.status == Story.Status.WITHDRAWN:
                try:
                    _check_revive(request, story)
                except PermissionDenied as refusal:
                    self.message_user(request, f"Not published: {refusal}", messages.ERROR)
                    continue
            # A story that was live keeps its time; a draft or scheduled one goes out now.
            keep = story.status in (Story.Status.PUBLISHED, Story.Status.WITHDRAWN)
            when = story.published_at if keep and story.published_at else now
            try:
                services.story_publish(story=story, published_at=when)
            except ValueError as error:
                self.message_user(request, f"Not published: {error}", messages.ERROR)
            else:
                _audit(request, "publish", story, "in the admin")
                count += 1
        self.message_user(request, f"Published {count} stories.", messages.SUCCESS)

    @admin.action(description="Withdraw (pages answer 410)")
    def withdraw(self, request, queryset):
        from dateline.desk.roles import can_withdraw

        count = 0
        for story in queryset:
            if not can_withdraw(request.user, story):
                self.message_user(
                    request,
                    f"Not withdrawn: “{story.headline}” (editors withdraw what they published).",
                    messages.ERROR,
                )
                continue
            services.story_withdraw(story=story)
            _audit(request, "withdraw", story, "in the admin")
            count += 1
        self.message_user(request, f"Withdrew {count} stories.", messages.SUCCESS)


def _audit(request, action, story, detail):
    # The desk's audit log records every publish, edit and withdraw, wherever made.
    from dateline.desk.services import audit_record

    audit_record(user=request.user, action=action, story=story, detail=detail)


def _check_revive(request, story):
    """A withdrawn story comes back only by a chief editor, and never one the agency killed."""
    from dateline.desk.models import DeskEntry

    if DeskEntry.objects.filter(story=story, status=DeskEntry.Status.KILLED).exists():
        raise PermissionDenied(f"“{story.headline}” was killed by its agency: it cannot run again.")
    if not request.user.has_perm("desk.withdraw_any"):
        raise PermissionDenied("Only a chief editor brings a withdrawn story back.")


def _check_withdraw(request, story):
    from dateline.desk.roles import can_withdraw

    if not can_withdraw(request.user, story):
        raise PermissionDenied("Editors withdraw the stories they published; ask a chief editor.")


@admin.register(PathRedirect)
class PathRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "site", "placement"]
    list_filter = ["site"]
    search_fields = ["old_path"]
    raw_id_fields = ["placement"]

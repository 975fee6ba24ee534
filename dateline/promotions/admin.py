"""The desk's screens for promotions (with their counters) and each site's ads.txt."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.html import format_html

from . import services
from .adstxt import ads_txt_errors
from .models import AdsTxt, Promotion, PromotionDailyStats


class PromotionForm(forms.ModelForm):
    image_upload = forms.FileField(
        required=False,
        label="Image",
        help_text="PNG, JPEG, GIF or WebP, at most 512 KB. Leave empty to keep the current one.",
    )

    class Meta:
        model = Promotion
        fields = [
            "name", "slot", "kind", "headline", "text", "url", "sponsor", "image_upload",
            "image_alt", "weight", "starts_at", "ends_at", "sites", "is_active",
        ]  # fmt: skip

    def clean_image_upload(self):
        upload = self.cleaned_data.get("image_upload")
        if not upload:
            return None
        if upload.size > services.MAX_IMAGE_BYTES:
            raise ValidationError(f"The image is {upload.size // 1024} KB; the limit is 512 KB.")
        data = upload.read()
        if services.image_type(data) is None:
            raise ValidationError("Upload a PNG, JPEG, GIF or WebP image (SVG is not accepted).")
        return data

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must come after the start.")
        if cleaned.get("kind") == Promotion.Kind.IMAGE:
            if not cleaned.get("image_upload") and not (self.instance.pk and self.instance.image):
                self.add_error("image_upload", "An image promotion needs an image.")
            if not cleaned.get("image_alt"):
                self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        return cleaned


class PromotionDailyStatsInline(admin.TabularInline):
    model = PromotionDailyStats
    fields = ["day", "impressions", "clicks"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = PromotionForm
    list_display = [
        "name", "slot", "kind", "weight", "starts_at", "ends_at", "is_active",
        "impressions", "clicks", "click_rate", "preview",
    ]  # fmt: skip
    list_filter = ["slot", "kind", "is_active", "sites"]
    search_fields = ["name", "headline", "url"]
    inlines = [PromotionDailyStatsInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("image")
            .annotate(total_impressions=Sum("daily_stats__impressions"))
            .annotate(total_clicks=Sum("daily_stats__clicks"))
        )

    @admin.display(ordering="total_impressions")
    def impressions(self, promotion):
        return promotion.total_impressions or 0

    @admin.display(ordering="total_clicks")
    def clicks(self, promotion):
        return promotion.total_clicks or 0

    @admin.display(description="CTR")
    def click_rate(self, promotion):
        if not promotion.total_impressions:
            return "-"
        return f"{100 * (promotion.total_clicks or 0) / promotion.total_impressions:.2f} %"

    @admin.display(description="image")
    def preview(self, promotion):
        if promotion.kind != Promotion.Kind.IMAGE:
            return ""
        return format_html('<img src="/promo/{}/image/" alt="" height="32">', promotion.id)

    def save_model(self, request, obj, form, change):
        # The sites are saved with the promotion, in save_related below.
        self._image = form.cleaned_data.get("image_upload")
        services.promotion_save(promotion=obj, image=self._image)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.promotion_save(promotion=form.instance, sites=form.cleaned_data["sites"])

    def delete_model(self, request, obj):
        services.promotion_delete(promotion=obj)


class AdsTxtForm(forms.ModelForm):
    class Meta:
        model = AdsTxt
        fields = ["site", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 16, "cols": 90, "spellcheck": "false"})}

    def clean_content(self):
        content = self.cleaned_data["content"]
        errors = ads_txt_errors(content)
        if errors:
            raise ValidationError(errors)
        return content


@admin.register(AdsTxt)
class AdsTxtAdmin(admin.ModelAdmin):
    form = AdsTxtForm
    list_display = ["site", "updated_at"]

    def save_model(self, request, obj, form, change):
        services.ads_txt_save(ads_txt=obj)

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import Agency, Network, RelatedLink, Section, Site


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "first_year"]

    def save_model(self, request, obj, form, change):
        services.network_save(network=obj)


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["site", "name", "slug", "order"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if self.instance.pk and slug != Section.objects.get(pk=self.instance.pk).slug:
            raise ValidationError(
                "A section's slug is part of every URL of its stories and cannot change; "
                "rename the section instead (the name is free)."
            )
        return slug


class SectionInline(admin.TabularInline):
    model = Section
    form = SectionForm
    fields = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "tagline", "order", "time_zone"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectionInline]

    def save_model(self, request, obj, form, change):
        services.site_save(site=obj)

    def delete_model(self, request, obj):
        services.site_delete(site=obj)

    def delete_queryset(self, request, queryset):
        for site in queryset:
            services.site_delete(site=site)

    def save_formset(self, request, form, formset, change):
        for section in formset.save(commit=False):
            services.section_save(section=section)
        for section in formset.deleted_objects:
            services.section_delete(section=section)
        formset.save_m2m()


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fields = ["title", "url", "order"]
    extra = 1


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionForm
    list_display = ["name", "site", "slug", "order"]
    list_filter = ["site"]
    list_select_related = ["site"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RelatedLinkInline]

    def save_model(self, request, obj, form, change):
        services.section_save(section=obj)

    def delete_model(self, request, obj):
        services.section_delete(section=obj)

    def delete_queryset(self, request, queryset):
        for section in queryset:
            services.section_delete(section=section)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "copyright_holder"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        services.agency_save(agency=obj)

    def delete_model(self, request, obj):
        services.agency_delete(agency=obj)

    def delete_queryset(self, request, queryset):
        for agency in queryset:
            services.agency_delete(agency=agency)

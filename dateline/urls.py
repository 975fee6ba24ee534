from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

if settings.DATELINE_STAFF_2FA:
    # Staff sign in with a password and a TOTP code (django-otp's documented switch).
    admin.site.__class__ = OTPAdminSite

admin.site.site_header = "Dateline"
admin.site.site_title = "Dateline"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("desk/", include("dateline.desk.urls")),
    path("wire/", include("dateline.wire.urls")),
    path("", include("dateline.syndication.urls")),
    path("api/", include("dateline.api.urls")),
    path("", include("dateline.search.urls")),
    path("", include("dateline.articles.urls")),
]

handler404 = "dateline.articles.views.not_found"

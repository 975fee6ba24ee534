from django.contrib import admin
from django.urls import include, path

from dateline.desk.auth import admin_site_secure

# Staff sign in with a password and a TOTP code; see dateline/desk/auth.py.
admin_site_secure(admin.site)

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
    path("", include("dateline.comments.urls")),
    path("", include("dateline.promotions.urls")),
    path("accounts/", include("dateline.comments.accounts_urls")),
    path("support/", include("dateline.support.urls")),
    path("", include("dateline.newsletters.urls")),
    path("", include("dateline.articles.urls")),
]

handler404 = "dateline.articles.views.not_found"

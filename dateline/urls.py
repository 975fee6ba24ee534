from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Dateline"
admin.site.site_title = "Dateline"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("wire/", include("dateline.wire.urls")),
    path("", include("dateline.syndication.urls")),
    path("api/", include("dateline.api.urls")),
    path("", include("dateline.search.urls")),
    path("", include("dateline.newsletters.urls")),
    path("", include("dateline.articles.urls")),
]

handler404 = "dateline.articles.views.not_found"

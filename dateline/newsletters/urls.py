from django.urls import include, path, re_path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("newsletters/", views.signup, name="signup"),
    path("newsletters/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletters/preferences/<str:token>/", views.preferences, name="preferences"),
    path("newsletters/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletters/archive/", views.archive, name="archive"),
    re_path(
        r"^newsletters/archive/(?P<day>\d{4}-\d{2}-\d{2})/$",
        views.archive_issue,
        name="archive-issue",
    ),
    # E-mail services' tracking webhooks (django-anymail checks their signatures):
    # /newsletters/webhooks/<service>/tracking/
    path("newsletters/webhooks/", include("anymail.urls")),
]

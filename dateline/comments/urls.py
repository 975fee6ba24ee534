from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("comments/<int:placement_id>/write/", views.write, name="write"),
    path("comments/<int:placement_id>/thanks/", views.thanks, name="thanks"),
    path("comments/verify/<str:token>/", views.verify, name="verify"),
    path("comments/report/<int:comment_id>/", views.report, name="report"),
    path("share/mastodon/", views.mastodon, name="mastodon"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("push/<slug:source_slug>/", views.push, name="wire-push"),
]

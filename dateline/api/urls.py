from django.urls import path

from . import views

urlpatterns = [
    path("v1/articles", views.articles, name="api-articles"),
    path("v1/articles/<int:story_id>", views.article, name="api-article"),
    path("v1/openapi.json", views.openapi, name="api-openapi"),
]

"""A URLconf with a view that raises, for the exception metrics test."""

from django.urls import path


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom, name="boom")]

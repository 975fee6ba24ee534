"""The project's URLs plus one reference view: the same bytes, no work."""

from django.http import HttpResponse
from django.urls import include, path

REFERENCE_BODY = {"bytes": b""}


def same_bytes(request):
    return HttpResponse(REFERENCE_BODY["bytes"], content_type="text/html; charset=utf-8")


urlpatterns = [
    path("__bench__/same-bytes/", same_bytes),
    path("", include("dateline.urls")),
]

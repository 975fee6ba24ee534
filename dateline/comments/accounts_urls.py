"""django-allauth's URLs, minus local accounts: readers sign in with a social login
only, and staff keep the admin's own login. The password pages answer 404."""

from django.http import Http404
from django.urls import include, path


def closed(request, *args, **kwargs):
    raise Http404("Readers sign in with a social login; staff sign in at /admin/.")


urlpatterns = [
    path("login/", closed, name="account_login"),
    path("signup/", closed, name="account_signup"),
    path("password/<path:rest>", closed),
    path("email/", closed),
    path("login/code/", closed),
    path("reauthenticate/", closed),
    path("", include("allauth.urls")),
]

from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views

app_name = "newsletters"


def _webhook(view):
    """An e-mail service's tracking webhook, answered only once a webhook secret is
    configured: without it, services that authenticate by basic auth alone would
    accept forged events (and anyone could suppress any address)."""

    @csrf_exempt
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
            raise Http404("E-mail service webhooks are off (set ANYMAIL_WEBHOOK_SECRET).")
        return view(request, *args, **kwargs)

    return guarded


# django-anymail's tracking webhooks only (bounces, complaints), at
# /newsletters/webhooks/<service>/tracking/; anymail checks each service's signature.
_tracking = [
    URLPattern(p.pattern, _webhook(p.callback), p.default_args, p.name)
    for p in anymail_urls.urlpatterns
    if p.name and p.name.endswith("_tracking_webhook")
]

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
    path("newsletters/webhooks/", include(_tracking)),
]

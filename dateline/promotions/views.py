"""Promotion clicks and images, and /ads.txt."""

from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from dateline.network.middleware import request_site

from . import counters, selectors
from .models import Promotion


@require_safe
@never_cache
def click(request, promotion_id: int):
    """Count the click and go to the promotion's stored URL, and nowhere else: the
    link takes no parameter, so it cannot be turned into an open redirect."""
    site = request_site(request)
    if request.GET:
        return HttpResponseBadRequest(
            "A promotion link takes no parameters.", content_type="text/plain"
        )
    promotion = selectors.promotion_for_click(site=site, promotion_id=promotion_id)
    if promotion is None:
        raise Http404("No such promotion")
    counters.count([promotion.id], "clicks")
    response = HttpResponseRedirect(promotion.url)
    response["Referrer-Policy"] = "origin"
    return response


@require_safe
@cache_control(public=True, max_age=86400)
def image(request, promotion_id: int):
    row = (
        Promotion.objects.filter(pk=promotion_id, kind=Promotion.Kind.IMAGE)
        .exclude(image_type="")
        .values_list("image", "image_type")
        .first()
    )
    if row is None or not row[0]:
        raise Http404("No such image")
    return HttpResponse(bytes(row[0]), content_type=row[1])


@require_safe
def ads_txt(request):
    content = selectors.site_ads_txt(request_site(request))
    if content is None:
        raise Http404("This site has no ads.txt")
    return HttpResponse(content, content_type="text/plain; charset=utf-8")

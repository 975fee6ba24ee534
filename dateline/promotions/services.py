"""State changes of promotions and ads.txt."""

from django.core.cache import cache
from django.db import transaction

from dateline.bake.pages import Targets
from dateline.bake.regions import promotion_fragment_names
from dateline.bake.services import pages_changed
from dateline.network.models import Site

from .models import AdsTxt, Promotion
from .selectors import cache_key

# What an uploaded creative may be: the formats browsers show as <img>, by their
# magic bytes. SVG is refused: it can carry script.
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_IMAGE_BYTES = 512 * 1024


def image_type(data: bytes) -> str | None:
    """The MIME type of a PNG, JPEG, GIF or WebP image; None for anything else."""
    for signature, mime in IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _forget_cached_creatives():
    keys = [cache_key(site_id) for site_id in Site.objects.values_list("id", flat=True)]
    transaction.on_commit(lambda: cache.delete_many(keys))
    # Then the promotion fragments in the page store (drawn again on the next view).
    targets = Targets()
    for host in Site.objects.values_list("host", flat=True):
        targets.fragments[host] |= set(promotion_fragment_names())
    pages_changed(targets)


@transaction.atomic
def promotion_save(*, promotion: Promotion, image: bytes | None = None, sites=None) -> Promotion:
    """Save a promotion (with a new image, and its target sites when given); pages
    show the change within this process at once, in others within the cache time."""
    if image is not None:
        promotion.image = image
        promotion.image_type = image_type(image) or ""
    promotion.save()
    if sites is not None:
        promotion.sites.set(sites)
    _forget_cached_creatives()
    return promotion


@transaction.atomic
def promotion_delete(*, promotion: Promotion) -> None:
    promotion.delete()
    _forget_cached_creatives()


@transaction.atomic
def ads_txt_save(*, ads_txt: AdsTxt) -> AdsTxt:
    ads_txt.content = (
        "\n".join(line.rstrip() for line in ads_txt.content.splitlines()).strip() + "\n"
    )
    ads_txt.save()
    return ads_txt

"""Article URLs: ``/<section>/<yyyy>/<mm>/<dd>/<slug>/``, dated in the site's zone.

Readable, stable, and a plain file path when pages are baked to static files."""

import zoneinfo
from datetime import datetime

from django.utils.text import slugify

SLUG_MAX = 80


def slug_from_headline(headline: str) -> str:
    """A lowercase ASCII slug of at most SLUG_MAX characters, cut at a word boundary."""
    slug = slugify(headline)[: SLUG_MAX + 1]
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0]
    return slug.strip("-") or "story"


def article_path(*, section_slug: str, slug: str, published_at: datetime, time_zone: str) -> str:
    local = published_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"/{section_slug}/{local:%Y/%m/%d}/{slug}/"

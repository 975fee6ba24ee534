"""Article URLs: ``/<section>/<yyyy>/<mm>/<dd>/<slug>/``, dated in the site's zone.

Readable, stable, and a plain file path when pages are baked to static files."""

import re
import zoneinfo
from datetime import datetime

from django.utils.text import slugify

SLUG_MAX = 80
_PATH = re.compile(r"^/[a-z0-9-]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$")


def slug_from_headline(headline: str) -> str:
    """A lowercase ASCII slug of at most SLUG_MAX characters, cut at a word boundary."""
    slug = slugify(headline)[: SLUG_MAX + 1]
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0]
    return slug.strip("-") or "story"


def article_path(*, section_slug: str, slug: str, published_at: datetime, time_zone: str) -> str:
    local = published_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"/{section_slug}/{local:%Y/%m/%d}/{slug}/"


def looks_like_article_path(path: str) -> bool:
    return bool(_PATH.match(path))

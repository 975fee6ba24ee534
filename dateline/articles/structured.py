"""schema.org NewsArticle as JSON-LD for article pages (Google's recommended
properties: headline, datePublished, dateModified, author, publisher with logo,
image where there is one; plus isAccessibleForFree: there is no paywall)."""

import json

from django.templatetags.static import static

from dateline.network.models import Site


def news_article(site: Site, article, canonical_url: str) -> str:
    if article.byline and article.byline.lower() != "staff writers":
        author = {"@type": "Person", "name": article.byline}
    else:
        author = {
            "@type": "Organization",
            "name": article.agency_code if article.byline == "" else article.byline,
        }
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url},
        "headline": article.headline[:110],
        "datePublished": article.published_at.isoformat(timespec="seconds"),
        "dateModified": (article.updated_at or article.published_at).isoformat(timespec="seconds"),
        "author": [author],
        "publisher": {
            "@type": "Organization",
            "name": site.name,
            "logo": {"@type": "ImageObject", "url": site.base_url + static("dateline/favicon.svg")},
        },
        "articleSection": article.section.name,
        "isAccessibleForFree": True,
    }
    if article.place:
        data["dateline"] = f"{article.place} ({article.agency_code})"
    if article.teaser:
        data["description"] = article.teaser
    # Escape "<" so that no text of the story can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")

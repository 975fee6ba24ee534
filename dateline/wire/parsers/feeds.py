"""RSS 2.0 and Atom 1.0 through feedparser. A feed carries no versions: the pool
treats changed content under a known guid as the next version."""

import feedparser
from lxml import etree

from .base import ParsedItem, ParseError, Parser, clean_text, finish_body, parse_time, register


@register("feed")
class FeedParser(Parser):
    format = "feed"
    priority = 40

    def sniff(self, data, root):
        if root is None:
            return False
        name = etree.QName(root)
        return name.localname == "rss" or (
            name.localname == "feed" and name.namespace == "http://www.w3.org/2005/Atom"
        )

    def parse(self, data, root):
        # The document already passed the hardened XML check; feedparser reads it
        # from bytes (it never fetches a URL given bytes).
        parsed = feedparser.parse(data)
        language = parsed.feed.get("language", "")
        items = []
        for entry in parsed.entries:
            guid = entry.get("id") or entry.get("link")
            if not guid:
                raise ParseError(f"feed entry {entry.get('title', '')!r} has neither guid nor link")
            content = entry.get("content")
            html = content[0].value if content else entry.get("summary", "")
            body_html, signoff = finish_body(html or "")
            published = entry.get("published") or entry.get("updated")
            items.append(
                ParsedItem(
                    guid=guid,
                    version=None,
                    headline=clean_text(entry.get("title", "")),
                    byline=clean_text(entry.get("author", "")),
                    dateline_at=parse_time(_rfc822_to_iso(entry, published)),
                    language=language,
                    keywords=[t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
                    body_html=body_html,
                    signoff=signoff,
                )
            )
        if not items:
            raise ParseError("feed has no items")
        return items


def _rfc822_to_iso(entry, fallback):
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}+00:00".format(*parsed[:6])
    return fallback

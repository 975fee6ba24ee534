"""RSS 2.0 and Atom 1.0 through feedparser. A feed carries no versions: the pool
treats changed content under a known guid as the next version."""

import re

import feedparser

from dateline.articles.html import html_to_text

from .base import (
    ParsedItem,
    ParseError,
    Parser,
    clean_text,
    finish_body,
    local_name,
    parse_time,
    register,
)


@register("feed")
class FeedParser(Parser):
    format = "feed"
    priority = 40

    def sniff(self, data, root):
        if root is None:
            return False
        return local_name(root) == "rss" or root.tag == "{http://www.w3.org/2005/Atom}feed"

    def parse(self, data, root):
        # The document already passed the hardened XML check; feedparser reads it
        # from bytes (it never fetches a URL given bytes).
        parsed = feedparser.parse(data)
        language = parsed.feed.get("language", "")
        items = []
        for entry in parsed.entries:
            guid = entry.get("id") or entry.get("link")
            if not guid:
                # Refused alone: the feed's other entries still come in.
                title = entry.get("title", "")
                items.append(ParseError(f"feed entry {title!r} has neither guid nor link"))
                continue
            content = entry.get("content")
            html = content[0].value if content else entry.get("summary", "")
            if html and not _BLOCK.search(html):
                html = f"<p>{html}</p>"  # a one-paragraph summary, as every body is written
            body_html, signoff = finish_body(html or "")
            published = entry.get("published") or entry.get("updated")
            items.append(
                ParsedItem(
                    guid=guid,
                    version=None,
                    headline=_headline(entry),
                    byline=clean_text(entry.get("author", "")),
                    dateline_at=parse_time(
                        _entry_time_iso(
                            entry, "published_parsed", "updated_parsed", fallback=published
                        )
                    ),
                    language=language,
                    keywords=[t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
                    body_html=body_html,
                    signoff=signoff,
                    version_created=parse_time(
                        _entry_time_iso(entry, "updated_parsed", "published_parsed")
                    ),
                )
            )
        if not items:
            raise ParseError("feed has no items")
        return items


_BLOCK = re.compile(r"<(p|h[1-6]|ul|ol|blockquote|figure|div|table|pre)[\s>]", re.I)


def _headline(entry) -> str:
    """The entry's title as text: feedparser hands an HTML title (Atom type="html" or
    "xhtml", RSS titles with markup) as HTML, tags and entities included."""
    title = entry.get("title", "")
    if "html" in entry.get("title_detail", {}).get("type", ""):
        title = html_to_text(title)
    return clean_text(title)


def _entry_time_iso(entry, *names, fallback=None):
    """The first of the entry's parsed times ``names`` present, as ISO 8601 UTC."""
    for name in names:
        # dict.get: feedparser's own get() maps a missing "updated_parsed" to
        # "published_parsed" with a deprecation warning; the fallbacks here are explicit.
        parsed = dict.get(entry, name)
        if parsed:
            return "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}+00:00".format(*parsed[:6])
    return fallback

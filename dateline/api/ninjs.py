"""Articles as IPTC ninjs 2.0 JSON (https://iptc.org/std/ninjs/, schema
``http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json``, approved October 2021).

ninjs 2.0 forbids any property it does not define, at the top level and inside its
objects (``additionalProperties: false``), so every property here is one of the
standard's, in its 2.0 shape: ``headlines``, ``descriptions`` and ``bodies`` are
arrays of ``{role, contenttype, value}``, ``altids`` an array of ``{role, value}``.
Full text (``bodies``) only where the story's source allows it in the API (the
network's own stories always); otherwise the item is a ``partial`` representation
with the teaser as its only text."""

import re
from html import unescape

NINJS_STANDARD = {
    "name": "ninjs",
    "version": "2.0",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json",
}
USAGE_TERMS = "Linking is welcome; republishing needs the copyright holder's permission."

# Tags that end a run of text (a paragraph, a subhead, a list item): a space, so that
# words on either side are not run together when counting.
_BLOCK_TAG = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|blockquote|div|br|hr|table|tr|td|th|figure|figcaption)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")


def _text_counts(body_html: str) -> tuple[int, int]:
    """(charcount, wordcount) of the body's text: ninjs 2.0 ``bodies[].charcount`` and
    ``wordcount`` (NewsML-G2 ``charcount``/``wordcount``) count text, not markup.
    Whitespace runs count as one character. The body is our own sanitised HTML, so
    removing tags by pattern is exact enough for a count."""
    words = unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub(" ", body_html))).split()
    return len(" ".join(words)), len(words)


def _body(body_html: str) -> dict:
    charcount, wordcount = _text_counts(body_html)
    return {
        "role": "main",
        "contenttype": "text/html",
        "charcount": charcount,
        "wordcount": wordcount,
        "value": body_html,
    }


def article_ninjs(entry, *, site, canonical_url: str) -> dict:
    """One published placement of ``site`` (a syndication ``Entry``) as a ninjs 2.0
    news item. ``canonical_url`` is the story's canonical page: this placement's own
    unless the story is also on another section or site and that copy is canonical."""
    full_text = entry.full_text_api
    document = {
        "uri": f"urn:dateline:story:{entry.story_id}",
        "standard": NINJS_STANDARD,
        "type": "text",
        # ninjs 2.0: "partial" says the item leaves content out (here the body, which
        # the source's contract keeps out of the API).
        "representationtype": "full" if full_text else "partial",
        "version": "1",
        "firstcreated": entry.published_at.isoformat(timespec="seconds"),
        "versioncreated": (entry.updated_at or entry.published_at).isoformat(timespec="seconds"),
        "pubstatus": "usable",
        "language": site.language or "en",
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": entry.headline}],
    }
    if entry.byline:
        document["by"] = entry.byline
    if entry.place:
        document["located"] = entry.place
    if entry.teaser:
        document["descriptions"] = [
            {"role": "summary", "contenttype": "text/plain", "value": entry.teaser}
        ]
    if full_text:
        document["bodies"] = [_body(entry.body)]
    document["subjects"] = [
        {
            "name": entry.section_name,
            "uri": f"{site.base_url}/{entry.section_slug}/",
            "literal": entry.section_slug,
        }
    ]
    document["infosources"] = [{"name": entry.agency_name, "literal": entry.agency_code}]
    document["copyrightholder"] = entry.agency_name
    document["usageterms"] = USAGE_TERMS
    document["altids"] = [
        {"role": "url", "value": site.base_url + entry.path},
        {"role": "canonical-url", "value": canonical_url},
    ]
    return document

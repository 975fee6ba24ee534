"""Story bodies are stored as sanitised HTML: the tags a news story needs, nothing
that runs. nh3 (Ammonia) does the sanitising; we only choose the allow-list."""

import html
import re

import nh3

BODY_TAGS = {
    "p", "h2", "h3", "ul", "ol", "li", "a", "em", "strong", "i", "b", "blockquote",
    "br", "figure", "figcaption", "sub", "sup",
}  # fmt: skip
BODY_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

# An agency's inline subhead as wire copy carries it: "- 'Days now numbered' -".
_WIRE_SUBHEAD = re.compile(r"^\s*-\s+(.+?)\s+-\s*$")


def body_sanitise(body_html: str) -> str:
    """Keep paragraphs, subheads, lists and safe links; drop scripts, styles, event
    handlers and ``javascript:`` URLs. Links get ``rel="noopener"``."""
    return nh3.clean(
        body_html,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    ).strip()


_BLOCK_TAG = re.compile(r"<(p|h[1-6]|ul|ol|blockquote|figure|div)[\s>]", re.I)
_SUBHEAD_PARAGRAPH = re.compile(r"<p>\s*-\s+([^<]{2,160}?)\s+-\s*</p>")


def body_normalise(body: str) -> str:
    """What editors and agencies type, as stored body HTML: plain text becomes
    paragraphs (blank lines between them), wire subheads become ``<h2>``, and the
    result is sanitised."""
    if not _BLOCK_TAG.search(body or ""):
        body = paragraphs_to_html(re.split(r"\r?\n\s*\r?\n", body or ""))
    return _SUBHEAD_PARAGRAPH.sub(r"<h2>\1</h2>", body_sanitise(body))


def paragraphs_to_html(paragraphs) -> str:
    """Plain-text paragraphs to body HTML. A paragraph starting with ``## `` or shaped
    like a wire subhead (``- 'Days now numbered' -``) becomes an ``<h2>``."""
    parts = []
    for paragraph in paragraphs:
        text = paragraph.strip()
        if not text:
            continue
        if text.startswith("## "):
            parts.append(f"<h2>{html.escape(text[3:].strip(), quote=False)}</h2>")
            continue
        subhead = _WIRE_SUBHEAD.match(text)
        if subhead:
            parts.append(f"<h2>{html.escape(subhead.group(1), quote=False)}</h2>")
        else:
            parts.append(f"<p>{html.escape(text, quote=False)}</p>")
    return "\n".join(parts)


def html_to_text(body_html: str) -> str:
    """Visible text of a body, for teasers and descriptions."""
    text = nh3.clean(body_html, tags=set())
    return html.unescape(re.sub(r"\s+", " ", text)).strip()


def teaser_from_body(body_html: str, limit: int = 280) -> str:
    """The first paragraph, cut at a word boundary when longer than ``limit``."""
    match = re.search(r"<p>(.*?)</p>", body_html, re.S)
    text = html_to_text(match.group(1) if match else body_html)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " ..."

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


class BodyTooDeep(ValueError):
    """Body HTML nested deeper than any article is: refused before it is sanitised."""


# At most this many elements open inside one another. Articles nest a handful; the
# HTML5 tree builder (nh3's html5ever) takes time quadratic in the depth of nested
# block elements (<div>, <ul>, <blockquote>, misnested <b><div>...</b>): 20,000
# <div>s cost it 3 s, 240,000 (1.2 MB) several minutes.
MAX_BODY_DEPTH = 200
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Void elements never hold others, and these close themselves when a sibling opens
# (HTML Living Standard §13.1.2.4, optional end tags): neither deepens the tree.
_NOT_NESTING = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rt", "rp",
})  # fmt: skip

_FORMATTING = frozenset({
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
})  # fmt: skip


def body_depth_check(body_html: str, limit: int = MAX_BODY_DEPTH) -> None:
    """Raise ``BodyTooDeep`` when ``body_html`` nests more than ``limit`` elements, as
    an HTML parser would build them: an end tag closes its element and those opened
    inside it (a formatting element's only when innermost), and an end tag with
    nothing of its name open is ignored. Linear: the
    stack it searches never grows past ``limit``."""
    if body_html.count("<") <= limit:
        return  # too few tags to nest that deep
    open_names: list[str] = []
    for match in _TAG_TOKEN.finditer(body_html):
        name = match.group(2).lower()
        if name in _NOT_NESTING:
            continue
        if not match.group(1):
            open_names.append(name)
            if len(open_names) > limit:
                raise BodyTooDeep(
                    f"the body's HTML nests elements more than {limit} deep (at offset "
                    f"{match.start()}); no article does, and sanitising it would take "
                    "minutes: send it with its elements closed"
                )
        elif name in _FORMATTING:
            # The adoption agency algorithm (§13.2.6.4.7) keeps the blocks opened
            # inside a formatting element open: it closes only when it is innermost.
            if open_names and open_names[-1] == name:
                open_names.pop()
        elif name in open_names:
            del open_names[len(open_names) - 1 - open_names[::-1].index(name) :]


def body_sanitise(body_html: str) -> str:
    """Keep paragraphs, subheads, lists and safe links; drop scripts, styles, event
    handlers and ``javascript:`` URLs. Links get ``rel="noopener"``. Raises
    ``BodyTooDeep`` (a ValueError) for HTML nested deeper than MAX_BODY_DEPTH."""
    body_depth_check(body_html)
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
    body_depth_check(body_html)
    text = nh3.clean(body_html, tags=set())
    return html.unescape(re.sub(r"\s+", " ", text)).strip()


def teaser_from_body(body_html: str, limit: int = 280) -> str:
    """The first paragraph, cut at a word boundary when longer than ``limit``."""
    match = re.search(r"<p>(.*?)</p>", body_html, re.S)
    text = html_to_text(match.group(1) if match else body_html)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " ..."

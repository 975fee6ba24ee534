"""What readers type, as the HTML other readers see: paragraphs and links only.

nh3 (Ammonia) does the sanitising; we choose the allow-list. Links get
``rel="nofollow ugc"`` (Google's user-generated-content hint), so comment spam
earns no ranking. The text as typed is kept beside the HTML, so a hostile payload
is stored (for the moderators to see) and shown inert."""

import re

import nh3

COMMENT_TAGS = {"p", "a"}
COMMENT_ATTRIBUTES = {"a": {"href"}}
COMMENT_URL_SCHEMES = {"http", "https"}

_PARAGRAPH_BREAK = re.compile(r"\r?\n\s*\r?\n")
# A bare web address that is not already an attribute value or a link's text.
_BARE_URL = re.compile(r"(?<![\"'=>/\w])https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_LINK = re.compile(r"<a\s", re.I)


def comment_html(source: str) -> str:
    """Blank lines separate paragraphs; bare web addresses become links; anything
    else that is markup is dropped (scripts with their content)."""
    parts = [part.strip() for part in _PARAGRAPH_BREAK.split(source or "") if part.strip()]
    marked = "".join(f"<p>{_BARE_URL.sub(_as_link, part)}</p>" for part in parts)
    return nh3.clean(
        marked,
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes=COMMENT_URL_SCHEMES,
        link_rel="nofollow ugc",
        strip_comments=True,
    ).strip()


def _as_link(match: re.Match) -> str:
    url = match.group(0)
    return f'<a href="{url}">{url}</a>'


def link_count(html: str) -> int:
    """How many links the sanitised HTML holds."""
    return len(_LINK.findall(html))


def plain_text(html: str) -> str:
    """The sanitised HTML without its tags (for previews and the spam check)."""
    return nh3.clean(html, tags=set()).strip()

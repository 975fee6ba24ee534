"""Share links: plain links to each network's own share page. No third-party
script, no tracker, no counter; the browser goes there only when the reader clicks."""

from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode


@dataclass(frozen=True)
class ShareLink:
    key: str
    label: str
    href: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """Links that share ``url`` (the canonical URL) with ``title``."""
    # Each value quoted once, as urlencode() would quote it (quote_plus, nothing safe):
    # every article page has these links, and the bake renders 100,000 of them.
    url_q, title_q = quote_plus(url, safe=""), quote_plus(title, safe="")
    text_q = quote_plus(f"{title} {url}", safe="")
    return [
        ShareLink("reddit", "Reddit", f"https://www.reddit.com/submit?url={url_q}&title={title_q}"),
        ShareLink("x", "X", f"https://x.com/intent/post?url={url_q}&text={title_q}"),
        ShareLink("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={url_q}"),
        ShareLink(
            "linkedin", "LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={url_q}"
        ),
        ShareLink("bluesky", "Bluesky", f"https://bsky.app/intent/compose?text={text_q}"),
        # Mastodon has no central site: our own page asks for the reader's server.
        ShareLink("mastodon", "Mastodon", f"/share/mastodon/?url={url_q}&text={title_q}"),
        ShareLink("email", "E-mail", f"mailto:?subject={quote(title)}&body={quote(url, safe='')}"),
        ShareLink("copy", "Copy link", url),
    ]


def mastodon_share_url(*, instance: str, url: str, text: str) -> str:
    """The share page of a Mastodon server (``/share?text=``, Mastodon 1.x and later)."""
    return f"https://{instance}/share?" + urlencode({"text": f"{text} {url}".strip()})

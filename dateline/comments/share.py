"""Share links: plain links to each network's own share page. No third-party
script, no tracker, no counter; the browser goes there only when the reader clicks."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class ShareLink:
    key: str
    label: str
    href: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """Links that share ``url`` (the canonical URL) with ``title``."""
    text = f"{title} {url}"
    return [
        ShareLink(
            "reddit",
            "Reddit",
            "https://www.reddit.com/submit?" + urlencode({"url": url, "title": title}),
        ),
        ShareLink("x", "X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        ShareLink(
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink(
            "bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text})
        ),
        # Mastodon has no central site: our own page asks for the reader's server.
        ShareLink(
            "mastodon", "Mastodon", "/share/mastodon/?" + urlencode({"url": url, "text": title})
        ),
        ShareLink("email", "E-mail", f"mailto:?subject={quote(title)}&body={quote(url, safe='')}"),
        ShareLink("copy", "Copy link", url),
    ]


def mastodon_share_url(*, instance: str, url: str, text: str) -> str:
    """The share page of a Mastodon server (``/share?text=``, Mastodon 1.x and later)."""
    return f"https://{instance}/share?" + urlencode({"text": f"{text} {url}".strip()})

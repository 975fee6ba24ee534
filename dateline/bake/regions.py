"""The shared regions of the public pages, as fragments that pages include.

A page is rendered as a *shell*: where a shared region goes it holds an nginx SSI
directive, ``<!--# include virtual="/_fragments/<name>" -->``. nginx fills them from
the baked fragment files; our WSGI front and Django's own responses fill them with
:func:`assemble`. Promotions rotate: each slot is baked in
``DATELINE_PROMOTION_VARIANTS`` draws and every response includes one at random
(nginx picks by ``split_clients`` on the request id into ``$dateline_variant``).

Fragment names: ``footer.html``, ``headlines/<section>.html``,
``promotions/<slot>.<n>.html``.
"""

import hashlib
import random
import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.http import quote_etag
from markupsafe import Markup

VARIANT = "$dateline_variant"
# Promotion slots and how many promotions each shows.
SLOTS = {"sidebar": 2, "after_article": 1, "footer": 4}

DIRECTIVE = re.compile(rb'<!--# include virtual="/_fragments/([A-Za-z0-9_./$-]+)" -->')
_PROMOTION_IDS = re.compile(rb'href="/promo/(\d+)/click/"')


def variants() -> int:
    return max(1, int(getattr(settings, "DATELINE_PROMOTION_VARIANTS", 4)))


def include(name: str) -> Markup:
    """The directive that includes fragment ``name`` (Jinja global ``fragment``)."""
    return Markup(f'<!--# include virtual="/_fragments/{name}" -->')  # noqa: S704 - our names only


def promotion_slot(slot: str) -> Markup:
    """The directive of a promotion slot: one of its variants per response."""
    if slot not in SLOTS:
        raise ValueError(f"unknown promotion slot {slot!r}; slots are {', '.join(SLOTS)}")
    return include(f"promotions/{slot}.{VARIANT}.html")


def promotion_fragment_names() -> list[str]:
    """Every draw of every promotion slot."""
    return [f"promotions/{slot}.{n}.html" for slot in SLOTS for n in range(variants())]


def fragment_names(site, sections) -> list[str]:
    """Every fragment a site's pages can include (for a full bake)."""
    names = ["footer.html"]
    names += [f"headlines/{section.slug}.html" for section in sections]
    return names + promotion_fragment_names()


def render_fragments(site, names) -> dict[str, str | None]:
    """The HTML of each fragment of ``site`` named (None for a name that is no fragment
    of the site). Headline blocks and the footer come from the fragment table
    (dateline/articles/fragments.py) in one query when they are fresh."""
    from dateline.articles import views as article_views
    from dateline.articles.fragments import footer_key, fragments_get, headlines_key
    from dateline.articles.selectors import site_sections
    from dateline.promotions.selectors import slot_choice

    result: dict[str, str | None] = {}
    renderers, keys = {}, {}
    sections = None
    for name in names:
        result[name] = None
        if name == "footer.html":
            keys[name] = footer_key(site.network_id)
            renderers[keys[name]] = article_views.footer_renderer(site)
        elif match := re.fullmatch(r"headlines/([A-Za-z0-9_-]+)\.html", name):
            sections = sections if sections is not None else site_sections(site)
            section = next((s for s in sections if s.slug == match[1]), None)
            if section is not None:
                keys[name] = headlines_key(section.id)
                renderers[keys[name]] = article_views.headlines_renderer(site, section)
        elif match := re.fullmatch(r"promotions/([a-z_]+)\.(\d+)\.html", name):
            slot = match[1]
            if slot in SLOTS and int(match[2]) < variants():
                promos = slot_choice(site, slot, size=SLOTS[slot])
                result[name] = render_to_string(
                    f"promotions/{slot}.html", {"site": site, "promos": promos}
                )
    if renderers:
        html = fragments_get(renderers)
        for name, key in keys.items():
            result[name] = html[key]
    return result


def promotion_ids(fragment_html: bytes) -> list[int]:
    return [int(i) for i in _PROMOTION_IDS.findall(fragment_html)]


def directive_names(shell: bytes, variant: int) -> list[str]:
    return [m.decode().replace(VARIANT, str(variant)) for m in DIRECTIVE.findall(shell)]


def assemble(shell: bytes, fragments: dict[str, bytes], variant: int) -> bytes:
    """The page: the shell with each directive replaced by its fragment."""

    def fill(match):
        return fragments[match[1].decode().replace(VARIANT, str(variant))]

    return DIRECTIVE.sub(fill, shell)


def shared_regions(shell: bytes, fragments: dict[str, bytes]) -> bytes:
    """The shell with its shared regions filled and its promotion slots left as directives:
    the part of a page that is the same for every reader."""
    return DIRECTIVE.sub(
        lambda m: m[0] if m[1].startswith(b"promotions/") else fragments[m[1].decode()], shell
    )


def page_etag(shared: bytes) -> str:
    """The ETag of a page, from ``shared_regions``: it changes with the page and its shared
    regions, not with the promotion drawn, so that the page cache's hits and Django's own
    responses give one page the same validator. Django's own algorithm, so that a page
    without regions (a feed, a sitemap) has the ETag ConditionalGetMiddleware gives it."""
    return quote_etag(hashlib.md5(shared, usedforsecurity=False).hexdigest())


def pick_variant() -> int:
    return random.randrange(variants())  # noqa: S311 - rotation, not security

"""The Jinja2 environment of the public pages."""

import functools
import re
import zoneinfo

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, nodes
from jinja2.ext import Extension


@functools.lru_cache(maxsize=512)
def static_url(path: str) -> str:
    """``static`` remembered per process: the manifest storage's names are fixed once the
    process has loaded it, and every page asks for the same four files (the bake renders
    100,000 pages)."""
    return static(path)


def local_time(value, time_zone: str):
    return value.astimezone(zoneinfo.ZoneInfo(time_zone))


def dateline_date(value, time_zone: str) -> str:
    """``Nov 17, 2017``: the date as the agency's dateline prints it, in the site's zone."""
    return f"{local_time(value, time_zone):%b %d, %Y}"


def paragraphs(text: str) -> list[str]:
    """Text typed in the admin (CRLF or LF, blank lines between paragraphs) as paragraphs."""
    return [part.strip() for part in re.split(r"\r?\n\s*\r?\n", text or "") if part.strip()]


def iso(value) -> str:
    return value.isoformat(timespec="seconds")


def _reader_regions() -> dict:
    """The comments regions of the article page, and the directives that include shared
    fragments and rotating promotions (dateline/bake/regions.py)."""
    from dateline.bake.regions import include, promotion_slot
    from dateline.comments.regions import comment_count, comments_region, share_region

    return {
        "comments_region": comments_region,
        "comment_count": comment_count,
        "share_links": share_region,
        "fragment": include,
        "promotion_slot": promotion_slot,
    }


def support_appeal(site):
    """The support appeal a site shows (region 8); see dateline/support/selectors.py."""
    from dateline.support.selectors import appeal_for_site

    return appeal_for_site(site)


class SharedRegions(Extension):
    """``{% shared key, ... %}...{% endshared %}``: a region of a page that is the same on
    every page for which the key is the same (the masthead and navigation for a site and
    section, the headline blocks beside a section's articles). The key names every value
    the region reads; lists in it compare by their items.

    A page renders its regions as usual. A render whose context holds ``shared_regions``
    (a dict, which the baker passes for the thousands of article pages it renders) renders
    each region once per key and reuses the HTML, so the bytes are the same either way.
    """

    tags = {"shared"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = parser.parse_tuple(simplified=False)
        if not isinstance(key, nodes.Tuple):
            key = nodes.Tuple([key], "load", lineno=lineno)
        body = parser.parse_statements(("name:endshared",), drop_needle=True)
        call = self.call_method("_shared", [nodes.ContextReference(), key])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    @staticmethod
    def _shared(context, key, caller):
        regions = context.get("shared_regions")
        if regions is None:
            return caller()
        key = tuple(tuple(value) if isinstance(value, list) else value for value in key)
        html = regions.get(key)
        if html is None:
            html = regions[key] = caller()
        return html


def environment(**options):
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.add_extension(SharedRegions)
    env.globals.update(static=static_url, url=reverse, support_appeal=support_appeal)
    env.globals.update(_reader_regions())
    env.filters.update(
        dateline_date=dateline_date, local_time=local_time, iso=iso, paragraphs=paragraphs
    )
    return env

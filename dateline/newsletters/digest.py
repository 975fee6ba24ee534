"""A day's digest: which stories, and how the issue reads in a mail client.

The HTML is a table layout (the one thing every mail client lays out alike) with
one stylesheet in the template, inlined into style attributes by css-inline (a
Rust inliner, ~100x premailer's speed); the @media rules for narrow screens stay
in a <style> element for the clients that honour them. The plain-text part says
the same in words."""

import zoneinfo
from datetime import date as Date
from datetime import datetime

import css_inline
from django.conf import settings
from django.db.models import Q
from django.template import engines
from django.utils import timezone

from dateline.articles.models import Placement

from .mail import PREFERENCES_HOLE, UNSUBSCRIBE_HOLE
from .models import Newsletter

_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def _dateline(place: str, agency: str, when: datetime, time_zone: str) -> str:
    day = when.astimezone(zoneinfo.ZoneInfo(time_zone))
    stamp = f"{day:%b %d, %Y}"
    return f"{place} ({agency}) {stamp}" if place else f"({agency}) {stamp}"


def issue_contents(*, newsletter: Newsletter, start: datetime, end: datetime, date: Date) -> dict:
    """The stories placed on the newsletter's site in (start, end], grouped by section
    in the site's section order, newest first within a section; a story placed in two
    sections appears once. Only stories whose source allows newsletters (the
    network's own stories always do)."""
    site = newsletter.site
    placements = (
        Placement.objects.filter(
            site=site, is_live=True, published_at__gt=start, published_at__lte=end
        )
        .filter(Q(story__source__isnull=True) | Q(story__source__rights_newsletters=True))
        .select_related("story__agency", "section")
        .order_by("section__order", "section__name", "-published_at", "-id")
    )
    base = site.base_url
    placements = list(placements)
    # A story on two sections of the site appears once: under its canonical
    # placement's section, else under the section it was first placed in.
    chosen = {}
    for placement in sorted(placements, key=lambda p: (not p.is_canonical, p.id)):
        chosen.setdefault(placement.story_id, placement.id)
    sections, count = {}, 0
    for placement in placements:
        if chosen[placement.story_id] != placement.id:
            continue
        count += 1
        if count > newsletter.max_stories:
            break
        story = placement.story
        section = sections.setdefault(
            placement.section_id,
            {
                "name": placement.section.name,
                "url": f"{base}/{placement.section.slug}/",
                "stories": [],
            },
        )
        section["stories"].append(
            {
                "headline": story.headline,
                "dateline": _dateline(
                    story.dateline_place, story.agency.code, placement.published_at, site.time_zone
                ),
                "teaser": story.teaser,
                "url": base + placement.path,
            }
        )
    sections = list(sections.values())
    count = sum(len(s["stories"]) for s in sections)
    lead = next((s["stories"][0]["headline"] for s in sections if s["stories"]), "")
    subject = f"{site.name} daily, {date:%b %d, %Y}" + (f": {lead}" if lead else "")
    if len(subject) > 200:
        subject = subject[:199] + "…"
    return {
        "site": {"name": site.name, "tagline": site.tagline, "base_url": base},
        "date": date.isoformat(),
        "date_label": f"{date:%b %d, %Y}",
        "subject": subject,
        "story_count": count,
        "sections": sections,
    }


def _context(contents: dict, network) -> dict:
    return {
        "issue": contents,
        "preferences_url": PREFERENCES_HOLE,
        "unsubscribe_url": UNSUBSCRIBE_HOLE,
        "archive_url": f"{contents['site']['base_url']}/newsletters/archive/{contents['date']}/",
        "network": network,
        "years": f"{network.first_year}-{timezone.now().year}" if network else "",
    }


def issue_html(contents: dict, *, network) -> str:
    """The issue's HTML part, CSS inlined, with the per-recipient links as holes."""
    template = engines["jinja2"].get_template("newsletters/email/issue.html")
    return _INLINER.inline(template.render(_context(contents, network)))


def issue_text(contents: dict, *, network) -> str:
    template = engines["jinja2"].get_template("newsletters/email/issue.txt")
    return template.render(_context(contents, network))


def from_address(newsletter: Newsletter) -> tuple[str, str]:
    """(display name, address) the site's issues come from."""
    return (f"{newsletter.site.name}", settings.DATELINE_NEWSLETTER_FROM)

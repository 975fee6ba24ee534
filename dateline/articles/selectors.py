"""Queries behind the public pages. Each page costs a small, fixed number of
queries whatever the archive's size: fronts read the placement indexes newest
first and page by cursor, never by offset."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from dateline.network.models import RelatedLink, Section, Site

from .models import PathRedirect, Placement, Story

_LISTING_FIELDS = (
    "id",
    "path",
    "published_at",
    "section_id",
    "story__headline",
    "story__teaser",
    "story__dateline_place",
    "story__updated_at",
    "story__agency__code",
)


@dataclass(frozen=True)
class Cursor:
    """A position in a newest-first listing: the page shows what comes strictly after."""

    published_at: datetime
    placement_id: int

    def encode(self) -> str:
        return f"{self.published_at.strftime('%Y%m%dT%H%M%S.%fZ')}-{self.placement_id}"

    @classmethod
    def decode(cls, token: str) -> "Cursor | None":
        """A cursor from a query string, or None when it is not one of ours."""
        stamp, _, ident = (token or "").partition("-")
        try:
            when = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=timezone.UTC)
            return cls(when, int(ident))
        except ValueError:
            return None


@dataclass(frozen=True)
class Page:
    items: list
    older: Cursor | None


def _live():
    return Q(is_live=True, published_at__lte=timezone.now())


def _listing(queryset):
    return queryset.select_related("story", "story__agency", "section").only(*_LISTING_FIELDS)


def _page(queryset, *, before: Cursor | None, size: int) -> Page:
    if before is not None:
        queryset = queryset.filter(
            Q(published_at__lt=before.published_at)
            | Q(published_at=before.published_at, id__lt=before.placement_id)
        )
    items = list(_listing(queryset).order_by("-published_at", "-id")[: size + 1])
    older = None
    if len(items) > size:
        items = items[:size]
        older = Cursor(items[-1].published_at, items[-1].id)
    return Page(items, older)


def section_front(section: Section, *, before: Cursor | None = None, size: int) -> Page:
    return _page(Placement.objects.filter(_live(), section=section), before=before, size=size)


def site_latest(site: Site, *, size: int, before: Cursor | None = None) -> Page:
    return _page(Placement.objects.filter(_live(), site=site), before=before, size=size)


def site_day(site: Site, *, start: datetime, before: Cursor | None = None, size: int) -> Page:
    """Stories of one local day on ``site`` (``start`` is local midnight, aware)."""
    day = Placement.objects.filter(
        _live(), site=site, published_at__gte=start, published_at__lt=start + timedelta(days=1)
    )
    return _page(day, before=before, size=size)


def site_days_with_stories(site: Site, *, start: datetime, end: datetime) -> list[datetime]:
    """Publication times of the site's stories in [start, end), for an archive month."""
    return list(
        Placement.objects.filter(
            _live(), site=site, published_at__gte=start, published_at__lt=end
        ).values_list("published_at", flat=True)
    )


def site_first_published(site: Site) -> datetime | None:
    first = (
        Placement.objects.filter(_live(), site=site)
        .order_by("published_at")
        .values_list("published_at", flat=True)[:1]
    )
    return first[0] if first else None


def headline_block(section: Section, *, size: int) -> list[Placement]:
    return list(
        _listing(Placement.objects.filter(_live(), section=section)).order_by(
            "-published_at", "-id"
        )[:size]
    )


def site_sections(site: Site) -> list[Section]:
    return list(Section.objects.filter(site=site).order_by("order", "name"))


def placement_at(site: Site, path: str) -> Placement | None:
    """The placement at ``path`` with its story, agency and section, whatever its status."""
    return (
        Placement.objects.select_related("story", "story__agency", "section")
        .filter(site=site, path=path)
        .first()
    )


def placement_is_public(placement: Placement) -> bool:
    story = placement.story
    return (
        story.status == Story.Status.PUBLISHED
        and story.published_at is not None
        and story.published_at <= timezone.now()
    )


def redirect_target(site: Site, path: str) -> str | None:
    return (
        PathRedirect.objects.filter(site=site, old_path=path)
        .values_list("placement__path", flat=True)
        .first()
    )


def canonical_location(placement: Placement) -> tuple[str, str]:
    """(host, path) of the story's canonical placement: its own when it is canonical,
    otherwise the one on another section or site of the network."""
    if placement.is_canonical:
        return placement.section.site.host, placement.path
    canonical = (
        Placement.objects.filter(story_id=placement.story_id, is_canonical=True)
        .values_list("site__host", "path")
        .first()
    )
    return canonical or (placement.section.site.host, placement.path)


def previous_in_section(placement: Placement) -> Placement | None:
    """The story published just before this one in the same section."""
    queryset = Placement.objects.filter(_live(), section_id=placement.section_id).filter(
        Q(published_at__lt=placement.published_at)
        | Q(published_at=placement.published_at, id__lt=placement.id)
    )
    return _listing(queryset).order_by("-published_at", "-id").first()


def related_links(section: Section) -> list[RelatedLink]:
    return list(RelatedLink.objects.filter(section=section).order_by("order", "id"))

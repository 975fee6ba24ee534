"""State changes of stories and placements. Views, the admin and commands call these;
side effects (refreshing shared fragments) run after commit."""

import contextlib
import functools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dateline.network.models import Agency, Section

from . import fragments
from .html import body_normalise, teaser_from_body
from .models import PathRedirect, Placement, Story
from .paths import article_path, slug_from_headline


def _unique_path(*, site_id, section_slug, slug, published_at, time_zone, exclude_id=None):
    """The article path for ``slug``, with ``-2``, ``-3``... when another placement of
    the site already has it (two stories with one headline on one day)."""
    candidate_slug, n = slug, 1
    while True:
        path = article_path(
            section_slug=section_slug,
            slug=candidate_slug,
            published_at=published_at,
            time_zone=time_zone,
        )
        clash = Placement.objects.filter(site_id=site_id, path=path)
        if exclude_id:
            clash = clash.exclude(id=exclude_id)
        # An old URL of another placement stays reserved; our own may be taken back.
        redirects = PathRedirect.objects.filter(site_id=site_id, old_path=path)
        if exclude_id:
            redirects = redirects.exclude(placement_id=exclude_id)
        taken = clash.exists() or redirects.exists()
        if not taken:
            return candidate_slug, path
        n += 1
        candidate_slug = f"{slug}-{n}"


def _placement_refresh_path(placement: Placement, *, keep_redirect: bool):
    story = placement.story
    when = story.published_at or timezone.now()
    section = placement.section
    slug, path = _unique_path(
        site_id=placement.site_id,
        section_slug=section.slug,
        slug=placement.slug,
        published_at=when,
        time_zone=section.site.time_zone,
        exclude_id=placement.id,
    )
    if path == placement.path:
        return
    if keep_redirect and placement.path:
        # The old URL keeps answering with a 301 to the new one.
        PathRedirect.objects.update_or_create(
            site_id=placement.site_id, old_path=placement.path, defaults={"placement": placement}
        )
    # A redirect that pointed at the new path is now the page itself.
    PathRedirect.objects.filter(site_id=placement.site_id, old_path=path).delete()
    placement.slug, placement.path = slug, path


def _affected_fragment_keys(story: Story) -> list[str]:
    section_ids = story.placements.values_list("section_id", flat=True)
    return [fragments.headlines_key(section_id) for section_id in section_ids]


def _invalidate_after_commit(keys, story_ids=()):
    keys = list(keys)
    transaction.on_commit(lambda: fragments.fragments_invalidate(keys))
    _reindex_after_commit(story_ids)


@contextlib.contextmanager
def _pages_touched(story_id):
    """Purge (or re-bake) the stored pages that show the story before and after the
    change in the ``with`` block (dateline/bake/)."""
    from django.conf import settings

    if not story_id or not getattr(settings, "DATELINE_PAGE_DIR", ""):
        yield
        return
    from dateline.bake.pages import story_targets
    from dateline.bake.services import pages_changed

    before = story_targets(story_id)
    yield
    pages_changed(before.update(story_targets(story_id)))


def _touches_pages(func):
    """The service changes what pages show about the story of its ``story`` or
    ``placement`` argument (keyword-only, like every service)."""

    @functools.wraps(func)
    def wrapper(**kwargs):
        story = kwargs.get("story")
        story_id = story.pk if story is not None else kwargs["placement"].story_id
        with _pages_touched(story_id):
            return func(**kwargs)

    return wrapper


def _reindex_after_commit(story_ids):
    story_ids = [s for s in story_ids if s]
    if story_ids:
        from dateline.search.services import search_reindex_stories

        transaction.on_commit(lambda: search_reindex_stories(story_ids))


@transaction.atomic
def story_create(
    *,
    headline: str,
    agency: Agency,
    body: str,
    sections: list[Section],
    byline: str = "",
    dateline_place: str = "",
    signoff: str = "",
    teaser: str = "",
    canonical_section: Section | None = None,
    source=None,
    publish: bool = False,
) -> Story:
    """A draft story placed on ``sections`` (the first is canonical unless
    ``canonical_section`` says otherwise). Publish it with ``story_publish``, or
    create it published now with ``publish=True`` (one step: the desk's fast path)."""
    clean_body = body_normalise(body)
    now = timezone.now() if publish else None
    story = Story.objects.create(
        status=Story.Status.PUBLISHED if publish else Story.Status.DRAFT,
        published_at=now,
        first_published_at=now,
        headline=headline.strip(),
        byline=byline.strip(),
        dateline_place=dateline_place.strip(),
        agency=agency,
        source=source,
        body=clean_body,
        signoff=signoff.strip(),
        teaser=teaser.strip() or teaser_from_body(clean_body),
    )
    canonical = canonical_section or (sections[0] if sections else None)
    for section in dict.fromkeys(sections):
        placement_add(story=story, section=section, canonical=section == canonical)
    return story


@transaction.atomic
@_touches_pages
def placement_add(
    *, story: Story, section: Section, canonical: bool = False, slug: str | None = None
) -> Placement:
    """Place ``story`` on another section (of any site of the network)."""
    existing = story.placements.exists()
    if canonical and existing:
        story.placements.filter(is_canonical=True).update(is_canonical=False)
    placement = Placement(
        story=story,
        site_id=section.site_id,
        section=section,
        slug=slug_from_headline(slug or story.headline),
        is_canonical=canonical or not existing,
        published_at=story.published_at,
        is_live=story.status == Story.Status.PUBLISHED,
    )
    _placement_refresh_path(placement, keep_redirect=False)
    placement.save()
    if placement.is_live:
        _invalidate_after_commit([fragments.headlines_key(section.id)], [story.pk])
    return placement


@transaction.atomic
@_touches_pages
def placement_set_canonical(*, placement: Placement) -> None:
    Placement.objects.filter(story_id=placement.story_id, is_canonical=True).exclude(
        id=placement.id
    ).update(is_canonical=False)
    Placement.objects.filter(id=placement.id).update(is_canonical=True)
    placement.is_canonical = True


@transaction.atomic
@_touches_pages
def placement_move(
    *, placement: Placement, section: Section | None = None, slug: str | None = None
) -> Placement:
    """Change a placement's section (on the same site) or slug. A live URL that
    changes keeps answering with a 301 to the new one."""
    old_section_id = placement.section_id
    if section is not None:
        if section.site_id != placement.site_id:
            raise ValueError("Move a placement within its site; add a placement for another site.")
        placement.section = section
    if slug is not None:
        placement.slug = slug_from_headline(slug)
    was_public = placement.story.published_at is not None and placement.story.status != "draft"
    _placement_refresh_path(placement, keep_redirect=was_public)
    placement.save()
    _invalidate_after_commit(
        {fragments.headlines_key(old_section_id), fragments.headlines_key(placement.section_id)},
        [placement.story_id],
    )
    return placement


@transaction.atomic
@_touches_pages
def story_update(*, story: Story, mark_updated: bool = False, **fields) -> Story:
    """Change a story's text fields. ``mark_updated`` stamps a substantive update
    of a published story (shown to readers)."""
    allowed = {"headline", "byline", "dateline_place", "agency", "body", "signoff", "teaser"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"story_update() cannot change {', '.join(sorted(unknown))}")
    if "body" in fields:
        fields["body"] = body_normalise(fields["body"])
    for name, value in fields.items():
        setattr(story, name, value.strip() if isinstance(value, str) else value)
    if not story.teaser:
        story.teaser = teaser_from_body(story.body)
    if mark_updated and story.status == Story.Status.PUBLISHED:
        story.updated_at = timezone.now()
    story.save()
    _invalidate_after_commit(_affected_fragment_keys(story), [story.pk])
    return story


@transaction.atomic
@_touches_pages
def story_save(*, story: Story, mark_updated: bool = False) -> Story:
    """Save a story edited in a form (new or changed text; status changes go through
    ``story_publish``, ``story_schedule``, ``story_withdraw`` and ``story_unpublish``)."""
    story.body = body_normalise(story.body)
    if not story.teaser.strip():
        story.teaser = teaser_from_body(story.body)
    if mark_updated and story.status == Story.Status.PUBLISHED:
        story.updated_at = timezone.now()
    story.save()
    if story.pk:
        _invalidate_after_commit(_affected_fragment_keys(story), [story.pk])
    return story


@transaction.atomic
@_touches_pages
def story_publish(*, story: Story, published_at=None) -> Story:
    """Make the story public on all its placements, dated ``published_at`` (default:
    the time it was first given, else now); article URLs carry that date."""
    if not story.placements.exists():
        raise ValueError(f"Story {story.pk} has no placement: place it on a section first.")
    if published_at is not None and published_at > timezone.now() + timedelta(minutes=1):
        raise ValueError("A future publication time is a schedule: use story_schedule().")
    # A URL that readers may have seen keeps answering (301) if the date changes.
    was_public = story.first_published_at is not None
    if published_at is not None:
        story.published_at = published_at
    elif story.published_at is None:
        story.published_at = timezone.now()
    story.status = Story.Status.PUBLISHED
    story.withdrawn_notice = ""
    if story.first_published_at is None:
        story.first_published_at = timezone.now()
    story.save()
    for placement in story.placements.select_related("section__site"):
        placement.story = story
        placement.published_at = story.published_at
        placement.is_live = True
        _placement_refresh_path(placement, keep_redirect=was_public)
        placement.save()
    _invalidate_after_commit(_affected_fragment_keys(story), [story.pk])
    return story


@transaction.atomic
@_touches_pages
def story_withdraw(*, story: Story, notice: str = "") -> Story:
    """Take the story down everywhere: its pages answer 410 with ``notice``."""
    story.status = Story.Status.WITHDRAWN
    story.withdrawn_notice = notice.strip()
    story.save()
    story.placements.update(is_live=False)
    _invalidate_after_commit(_affected_fragment_keys(story), [story.pk])
    return story


@transaction.atomic
@_touches_pages
def story_schedule(*, story: Story, publish_at) -> Story:
    """Hold the story until ``publish_at``; the background worker publishes it then."""
    story.status = Story.Status.SCHEDULED
    story.published_at = publish_at
    story.save()
    story.placements.update(is_live=False, published_at=publish_at)
    _invalidate_after_commit(_affected_fragment_keys(story), [story.pk])
    transaction.on_commit(lambda: _publish_due_at(publish_at))
    return story


def _publish_due_at(when) -> None:
    # On time to the second: a task deferred to the story's time (the worker's
    # ten-second sweep of due stories is the safety net).
    from .tasks import stories_publish_due

    stories_publish_due.using(run_after=when).enqueue()


@transaction.atomic
@_touches_pages
def story_unpublish(*, story: Story) -> Story:
    """Back to draft: off every page (404, not 410: it may come back)."""
    story.status = Story.Status.DRAFT
    story.save()
    story.placements.update(is_live=False)
    _invalidate_after_commit(_affected_fragment_keys(story), [story.pk])
    return story


@transaction.atomic
@_touches_pages
def placement_remove(*, placement: Placement) -> None:
    """Take a story off one section. Its canonical mark moves to another placement."""
    story_id, section_id = placement.story_id, placement.section_id
    was_canonical = placement.is_canonical
    placement.delete()
    if was_canonical:
        successor = Placement.objects.filter(story_id=story_id).order_by("id").first()
        if successor is not None:
            placement_set_canonical(placement=successor)
    _invalidate_after_commit([fragments.headlines_key(section_id)], [story_id])


@transaction.atomic
@_touches_pages
def story_delete(*, story: Story) -> None:
    """Delete a story for good (its URLs answer 404); prefer withdrawing a published one."""
    keys, story_id = _affected_fragment_keys(story), story.pk
    story.delete()
    _invalidate_after_commit(keys, [story_id])

"""The desk's state changes: publish an item, edit, spike, schedule, pin, withdraw,
accept or ignore a wire update, choose which item of a cluster runs. Each records
who did it in the audit log; page refreshes run after commit (articles.services).

Views and commands check permissions (see dateline/desk/roles.py) and parse input;
these functions raise ``DeskError`` with a message for the editor when an action
does not apply (a killed item, an embargo, a story without a section)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dateline.articles import services as articles
from dateline.articles.html import BodyTooDeep, body_depth_check, body_normalise, teaser_from_body
from dateline.articles.models import FrontPin, Placement, Story
from dateline.bake.pages import front_targets
from dateline.bake.services import pages_changed
from dateline.network.models import Section, Site
from dateline.wire.models import Source, WireItem

from .models import AuditEntry, DeskEntry, Rule

KILL_NOTICE = "This story has been withdrawn by the agency that supplied it."
TAKEDOWN_NOTICE = (
    "This story was available for a limited time under the terms of the agency that "
    "supplied it, and has been taken down."
)


class DeskError(Exception):
    """An action that does not apply to this item; the message says why and what to do."""


def audit_record(*, user=None, actor: str = "", action: str, story=None, entry=None, detail=""):
    """One line of the audit log. ``actor`` names a non-user actor (a rule, the wire)."""
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        actor=(actor or (user.get_username() if user is not None else "system"))[:160],
        action=action,
        story=story,
        entry=entry,
        detail=str(detail)[:4000],
    )


def _locked(entry: DeskEntry) -> DeskEntry:
    """The entry re-read under a row lock (PostgreSQL; SQLite serialises writers)."""
    return DeskEntry.objects.select_for_update(of=("self",)).select_related("item").get(pk=entry.pk)


def _wire_text(item: WireItem) -> dict:
    body = body_normalise(item.body_html)
    return {
        "headline": (item.headline or "").strip()[:255] or "(no headline)",
        "byline": (item.byline or "")[:160],
        "dateline_place": (item.dateline_place or "")[:120],
        "body": body,
        "signoff": (item.signoff or "")[:80],
        "teaser": teaser_from_body(body),
    }


def _check_publishable(entry: DeskEntry, publish_at: datetime | None) -> None:
    item = entry.item
    if entry.status == DeskEntry.Status.KILLED or item.pub_status == WireItem.PubStatus.CANCELED:
        raise DeskError(f"{entry}: the agency killed this story; it cannot run.")
    if item.pub_status == WireItem.PubStatus.WITHHELD:
        raise DeskError(f"{entry}: the agency withheld this version; wait for a usable one.")
    embargoed = item.embargo_until is not None and item.embargo_until > timezone.now()
    if embargoed and (publish_at is None or publish_at < item.embargo_until):
        when = item.embargo_until.isoformat(timespec="minutes")
        raise DeskError(f"{entry}: embargoed until {when}; schedule it for then or later.")
    if entry.source.agency_id is None:
        raise DeskError(
            f"Source {entry.source.slug} credits no agency: set its agency in the admin first."
        )


LIMITS = {"headline": 255, "teaser": 600}


def same_text(name: str, a: str, b: str) -> bool:
    """Whether two versions of a story field say the same (whitespace and line ends aside)."""
    # Browsers send textarea line ends as CRLF; bodies compare as stored HTML.
    if name == "body":
        return body_normalise(a.replace("\r\n", "\n")) == body_normalise(b.replace("\r\n", "\n"))
    return " ".join(a.split()) == " ".join(b.split())


def text_edits(current: dict, **fields) -> dict:
    """The fields given that really differ from ``current`` (whitespace and line ends
    aside), checked against the lengths the story allows."""
    edits = {}
    for name, value in fields.items():
        if value is None or not value.strip():
            continue
        if name == "body":
            try:
                body_depth_check(value)
            except BodyTooDeep as error:
                raise DeskError(f"The body cannot be used: {error}.") from None
        if same_text(name, value, current.get(name) or ""):
            continue
        value = value.replace("\r\n", "\n").strip()
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            raise DeskError(f"The {name} is {len(value)} characters; at most {limit}.")
        edits[name] = value
    return edits


@transaction.atomic
def entry_publish(
    *,
    entry: DeskEntry,
    sections: list[Section],
    user=None,
    actor: str = "",
    headline: str | None = None,
    teaser: str | None = None,
    body: str | None = None,
    publish_at: datetime | None = None,
    pin: bool = False,
) -> Story:
    """Publish the item on ``sections`` (any sites; the first is canonical), with the
    desk's headline, teaser and body where given, now or at ``publish_at``. An item
    that already runs gets the new sections added."""
    entry = (
        DeskEntry.objects.select_for_update(of=("self",))
        .select_related("item", "source")
        .get(pk=entry.pk)
    )
    if not sections:
        raise DeskError("Choose at least one section to publish to.")
    _check_publishable(entry, publish_at)
    text = _wire_text(entry.item)
    edits = text_edits(text, headline=headline, teaser=teaser, body=body)
    story = entry.story
    later = publish_at is not None and publish_at > timezone.now()
    if later and story is not None and story.status == Story.Status.PUBLISHED:
        raise DeskError(
            f"Story {story.pk} is live already: a time would take it off the site. "
            "Publish without a time to add sections."
        )
    if story is None or story.status == Story.Status.WITHDRAWN:
        story = articles.story_create(
            agency=entry.source.agency,
            source=entry.source,
            sections=list(sections),
            publish=not later,
            **{**text, **edits},
        )
        entry.story_version = entry.item.version
        created = True
    else:
        created = False
    if not created:
        placed = set(story.placements.values_list("section_id", flat=True))
        for section in sections:
            if section.pk not in placed:
                articles.placement_add(story=story, section=section)
        if edits:
            articles.story_update(story=story, **edits)
    if later:
        articles.story_schedule(story=story, publish_at=publish_at)
        action = "schedule"
    elif created:
        action = "publish"
    elif story.status != Story.Status.PUBLISHED:
        # Now, not the time a schedule had set (a draft or scheduled story goes out now).
        articles.story_publish(story=story, published_at=timezone.now())
        action = "publish"
    else:
        action = "place"
    entry.status = DeskEntry.Status.PUBLISHED
    entry.story = story
    entry.text_edited = entry.text_edited or bool(edits)
    entry.decided_by = user if user is not None and user.is_authenticated else None
    entry.decided_at = timezone.now()
    entry.save()
    where = ", ".join(f"{s.site.slug}/{s.slug}" for s in sections)
    detail = f"{where}" + (f" at {publish_at.isoformat()}" if action == "schedule" else "")
    audit_record(user=user, actor=actor, action=action, story=story, entry=entry, detail=detail)
    if pin:
        front_pin(story=story, site=sections[0].site, section=sections[0], user=user)
    return story


@transaction.atomic
def story_edit(*, story: Story, user=None, **fields) -> Story:
    """The desk's edit of a story's text (headline, teaser, body...). A published
    story shows readers it was updated; later wire versions wait for the desk."""
    changed = text_edits({k: getattr(story, k) for k in fields}, **fields)
    if not changed:
        return story
    articles.story_update(
        story=story, mark_updated=story.status == Story.Status.PUBLISHED, **changed
    )
    DeskEntry.objects.filter(story=story).update(text_edited=True)
    audit_record(user=user, action="edit", story=story, detail=", ".join(sorted(changed)))
    return story


@transaction.atomic
def entry_spike(*, entry: DeskEntry, user=None) -> DeskEntry:
    """Decide not to run the item: it leaves the queue but stays in the pool."""
    entry = _locked(entry)
    if entry.status != DeskEntry.Status.NEW:
        raise DeskError(f"{entry} is {entry.get_status_display().lower()}; only new items spike.")
    entry.status = DeskEntry.Status.SPIKED
    entry.decided_by = user if user is not None and user.is_authenticated else None
    entry.decided_at = timezone.now()
    entry.save(update_fields=["status", "decided_by", "decided_at", "changed_at"])
    audit_record(user=user, action="spike", entry=entry, detail=entry.item.headline[:200])
    return entry


@transaction.atomic
def entry_unspike(*, entry: DeskEntry, user=None) -> DeskEntry:
    entry = _locked(entry)
    if entry.status != DeskEntry.Status.SPIKED:
        raise DeskError(f"{entry} is not spiked.")
    entry.status = DeskEntry.Status.NEW
    entry.save(update_fields=["status", "changed_at"])
    audit_record(user=user, action="unspike", entry=entry, detail=entry.item.headline[:200])
    return entry


@transaction.atomic
def story_withdraw(*, story: Story, user=None, actor: str = "", notice: str = "") -> Story:
    """Take a story down everywhere (410 with ``notice``), off fronts, blocks and feeds."""
    articles.story_withdraw(story=story, notice=notice)
    FrontPin.objects.filter(story=story).delete()
    audit_record(user=user, actor=actor, action="withdraw", story=story, detail=notice[:500])
    return story


def stories_take_down_expired(*, now=None) -> int:
    """Withdraw the published stories of sources whose contract limits how long a
    story stays online (``Source.takedown_after_days``) once that many days have
    passed since readers first saw it. Returns how many came down; running it
    again takes down nothing more."""
    now = now or timezone.now()
    count = 0
    for source in Source.objects.filter(takedown_after_days__isnull=False):
        cutoff = now - timedelta(days=source.takedown_after_days)
        expired = (
            DeskEntry.objects.filter(
                source=source,
                story__status=Story.Status.PUBLISHED,
                story__first_published_at__lte=cutoff,
            )
            .select_related("story")
            .order_by("id")
        )
        for entry in expired:
            with transaction.atomic():
                story_withdraw(
                    story=entry.story, actor=f"contract of {source.slug}", notice=TAKEDOWN_NOTICE
                )
            count += 1
    return count


@transaction.atomic
def update_accept(*, entry: DeskEntry, user=None) -> Story:
    """Replace the story's text with the newer wire version the desk was shown."""
    entry = (
        DeskEntry.objects.select_for_update(of=("self",))
        .select_related("pending_item")
        .get(pk=entry.pk)
    )
    if entry.pending_item is None or entry.story is None:
        raise DeskError(f"{entry} has no wire update waiting.")
    _story_apply_version(entry, entry.pending_item)
    entry.text_edited = False
    entry.save()
    audit_record(user=user, action="update_accept", story=entry.story, entry=entry,
                 detail=f"version {entry.story_version}")  # fmt: skip
    return entry.story


@transaction.atomic
def update_ignore(*, entry: DeskEntry, user=None) -> DeskEntry:
    """Keep the desk's text; this wire version is not offered again."""
    entry = (
        DeskEntry.objects.select_for_update(of=("self",))
        .select_related("pending_item")
        .get(pk=entry.pk)
    )
    if entry.pending_item is None:
        raise DeskError(f"{entry} has no wire update waiting.")
    entry.story_version = entry.pending_item.version
    entry.pending_item = None
    entry.save()
    audit_record(user=user, action="update_ignore", story=entry.story, entry=entry,
                 detail=f"version {entry.story_version}")  # fmt: skip
    return entry


def _story_apply_version(entry: DeskEntry, item: WireItem) -> None:
    text = _wire_text(item)
    articles.story_update(story=entry.story, mark_updated=True, **text)
    entry.story_version = item.version
    entry.pending_item = None


@transaction.atomic
def cluster_choose(*, entry: DeskEntry, user=None) -> Story:
    """Run this item instead of the one of its cluster that runs now: the story keeps
    its URLs and takes this item's text and credit; the other item goes back to the pool
    as spiked."""
    entry = (
        DeskEntry.objects.select_for_update(of=("self",))
        .select_related("item", "source")
        .get(pk=entry.pk)
    )
    running = (
        DeskEntry.objects.select_for_update(of=("self",))
        .filter(cluster_key=entry.cluster_key, status=DeskEntry.Status.PUBLISHED)
        .exclude(pk=entry.pk)
        .exclude(story=None)
        .select_related("story")
        .first()
    )
    if not entry.cluster_key or running is None:
        raise DeskError(f"No other item of {entry}'s story cluster runs: publish this one.")
    if entry.story_id is not None and entry.status == DeskEntry.Status.PUBLISHED:
        raise DeskError(
            f"{entry} runs already (story {entry.story_id}); withdraw one of the two instead."
        )
    _check_publishable(entry, None)
    story = running.story
    text = _wire_text(entry.item)
    articles.story_update(story=story, mark_updated=True, agency=entry.source.agency, **text)
    Story.objects.filter(pk=story.pk).update(source=entry.source)
    running.status, running.story = DeskEntry.Status.SPIKED, None
    running.save(update_fields=["status", "story", "changed_at"])
    entry.status, entry.story, entry.story_version = (
        DeskEntry.Status.PUBLISHED, story, entry.item.version,
    )  # fmt: skip
    entry.text_edited = False
    entry.decided_by = user if user is not None and user.is_authenticated else None
    entry.decided_at = timezone.now()
    entry.save()
    audit_record(user=user, action="cluster_choose", story=story, entry=entry,
                 detail=f"instead of {running}")  # fmt: skip
    return story


@transaction.atomic
def front_pin(*, story: Story, site: Site, section: Section | None = None, user=None) -> FrontPin:
    """Make ``story`` the lead of the home page (no section) or of a section front.
    The story must run on that front."""
    if story.status not in (Story.Status.PUBLISHED, Story.Status.SCHEDULED):
        raise DeskError(f"Story {story.pk} is {story.get_status_display().lower()}: not a lead.")
    placements = Placement.objects.filter(story=story, site=site)
    if section is not None:
        placements = placements.filter(section=section)
    if not placements.exists():
        where = f"{site.slug}/{section.slug}" if section else site.slug
        raise DeskError(f"Story {story.pk} is not placed on {where}: place it there first.")
    pin, _ = FrontPin.objects.update_or_create(
        site=site, section=section, defaults={"story": story, "pinned_by": user}
    )
    where = f"{site.slug}/{section.slug}" if section else f"{site.slug} home"
    audit_record(user=user, action="pin", story=story, detail=where)
    pages_changed(front_targets(site, section))
    return pin


@transaction.atomic
def front_unpin(*, site: Site, section: Section | None = None, user=None) -> None:
    pins = FrontPin.objects.filter(site=site, section=section)
    for pin in pins:
        audit_record(user=user, action="unpin", story=pin.story, detail=str(pin))
    pins.delete()
    pages_changed(front_targets(site, section))


@transaction.atomic
def rule_save(*, rule: Rule, user=None, change: bool) -> Rule:
    rule.save()
    audit_record(user=user, action="rule_change" if change else "rule_create",
                 detail=_rule_summary(rule))  # fmt: skip
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule, user=None) -> None:
    audit_record(user=user, action="rule_delete", detail=_rule_summary(rule))
    rule.delete()


def _rule_summary(rule: Rule) -> str:
    parts = [f"{rule.name!r} -> {rule.section.site.slug}/{rule.section.slug}"]
    if rule.keywords.strip():
        parts.append("keywords: " + ", ".join(rule.keyword_list()))
    if rule.subjects.strip():
        parts.append("subjects: " + ", ".join(rule.subject_list()))
    if rule.urgency_at_most:
        parts.append(f"urgency <= {rule.urgency_at_most}")
    if rule.auto_publish:
        parts.append(f"auto-publish, cap {rule.daily_cap}/day")
    if not rule.is_active:
        parts.append("inactive")
    return "; ".join(parts)

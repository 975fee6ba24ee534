"""From pool to desk: every new version of an agency story gets its desk entry in the
ingest's own transaction; right after commit the entry is routed: a kill withdraws
what runs, a wire update of a published story updates it (or waits for the desk when
the desk edited the text), and a new item gets its suggestion from the first routing
rule that matches (perhaps publishing it) or from the learned classifier.

Routing runs after commit so that a fault in it can never lose an arrival; entries not
routed yet are caught up by ``entries_route_pending`` (scheduled in the worker)."""

import logging
import re
from datetime import datetime
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from dateline.articles.models import Story
from dateline.sql import aware, fetch_in, fetch_rows, insert_rows
from dateline.wire.models import Source, WireItem

from . import services, suggest
from .models import AuditEntry, DeskEntry, Rule

logger = logging.getLogger("dateline.desk")

_CHUNK = 400


_VERSIONS_SQL = (
    "SELECT id, guid, received_at, cluster_key, pub_status, is_current FROM wire_wireitem"
    " WHERE source_id = %s AND guid IN ({})"
)
_ENTRY_IDS_SQL = "SELECT guid, id FROM desk_deskentry WHERE source_id = %s AND guid IN ({})"
# Is there anything to route to: an active rule or a trained suggestion model
# (plain SQL: the two ORM exists() cost more than a batch's other desk queries).
_ROUTING_EXISTS_SQL = (
    "SELECT 1 FROM desk_rule WHERE is_active = %s"
    " UNION ALL SELECT 1 FROM desk_suggestionmodel LIMIT 1"
)


def pool_updated(*, source: Source, guids: list[str]) -> None:
    """The wire's pool listener (settings.DATELINE_POOL_LISTENERS): point each guid's
    desk entry at its current version, creating entries for new stories. A new story
    that is not killed, when no rule is active and no suggestion model is trained, has
    nothing to be routed to: its entry is made routed; the rest is routed after commit."""
    nothing_to_route = not fetch_rows(_ROUTING_EXISTS_SQL, [True])
    entry_ids = []
    for start in range(0, len(guids), _CHUNK):
        chunk = guids[start : start + _CHUNK]
        # Every version of the guids, the current ones picked here: asked for current
        # items (or in date order), SQLite walks the pool's (is_current, received_at)
        # index, every current item of the pool, instead of looking the guids up.
        # Plain SQL: building these ORM queries cost more than running them.
        items = [row[:5] for row in fetch_in(_VERSIONS_SQL, [source.pk], chunk) if row[5]]
        existing = dict(fetch_in(_ENTRY_IDS_SQL, [source.pk], chunk))
        fresh, moved = [], []
        for item_id, guid, received_at, cluster_key, pub_status in items:
            if guid in existing:
                moved.append((item_id, received_at, cluster_key or "", existing[guid]))
            else:
                entry = _new_entry(source, guid, item_id, aware(received_at), cluster_key or "")
                entry.routed = nothing_to_route and pub_status != WireItem.PubStatus.CANCELED
                fresh.append(entry)
        insert_rows(DeskEntry, fresh)
        if moved:
            adapt = connection.ops.adapt_datetimefield_value
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE desk_deskentry SET item_id = %s, received_at = %s, cluster_key = %s,"
                    " routed = %s WHERE id = %s",
                    [(i, adapt(aware(r)), c, False, pk) for i, r, c, pk in moved],
                )
        entry_ids.extend(existing.values())
        unrouted = [e.guid for e in fresh if not e.routed]
        if unrouted:
            entry_ids.extend(
                entry_id for _guid, entry_id in fetch_in(_ENTRY_IDS_SQL, [source.pk], unrouted)
            )
    if entry_ids:
        transaction.on_commit(lambda: _route_quietly(entry_ids))


def _new_entry(source, guid, item_id, received_at, cluster_key) -> SimpleNamespace:
    """A new entry's row for ``insert_rows`` (model instances and ``bulk_create``
    cost more than the insert at backfill rates); the model's defaults otherwise."""
    return SimpleNamespace(
        source_id=source.pk, guid=guid, item_id=item_id, received_at=received_at,
        first_received_at=received_at, status=DeskEntry.Status.NEW, cluster_key=cluster_key,
        story_id=None, story_version=None, text_edited=False, pending_item_id=None,
        suggested_section_id=None, suggestion_confidence=None, suggestions=[], rule_id=None,
        decided_by_id=None, decided_at=None, routed=False, changed_at=None,
    )  # fmt: skip


def _route_quietly(entry_ids: list[int]) -> None:
    try:
        entries_route(entry_ids)
    except Exception:  # the sweep routes them later; the arrival itself is safe
        logger.exception("routing %d desk entries failed; the sweep will retry", len(entry_ids))


def entries_route_pending(limit: int = 2000) -> int:
    """Route entries left unrouted (a crash between ingest and routing)."""
    ids = list(
        DeskEntry.objects.filter(routed=False).order_by("id").values_list("id", flat=True)[:limit]
    )
    entries_route(ids)
    return len(ids)


def entries_route(entry_ids: list[int]) -> None:
    """Apply kills, wire updates, rules and suggestions to these entries."""
    for start in range(0, len(entry_ids), _CHUNK):
        chunk = entry_ids[start : start + _CHUNK]
        rules = list(
            Rule.objects.filter(is_active=True)
            .select_related("section__site")
            .prefetch_related("sources")
        )
        if rules or suggest.model_exists():
            entries = _entries_load(chunk)
            routed_ids = [entry.pk for entry in entries]
        else:
            # No rule and no model: a new item that was not killed has nothing to be
            # routed to, so only kills and updates of the desk's stories load whole.
            states = DeskEntry.objects.filter(id__in=chunk, routed=False).values_list(
                "id", "status", "item__pub_status"
            )
            routed_ids, changing_ids = [], []
            for entry_id, status, pub_status in states:
                routed_ids.append(entry_id)
                if status != DeskEntry.Status.NEW or pub_status == WireItem.PubStatus.CANCELED:
                    changing_ids.append(entry_id)
            entries = _entries_load(changing_ids) if changing_ids else []
        to_suggest = [entry for entry in entries if _route_one(entry, rules)]
        with transaction.atomic():  # one commit for the suggestions and the flags
            _suggest(to_suggest)
            DeskEntry.objects.filter(id__in=routed_ids).update(routed=True)


def _entries_load(entry_ids: list[int]) -> list[DeskEntry]:
    # Only what routing reads (instantiating whole rows was half of its cost at
    # backfill rates); stories and sources load when an entry needs them.
    return list(
        DeskEntry.objects.filter(id__in=entry_ids, routed=False)
        .select_related("item")
        .only(
            "id",
            "status",
            "source_id",
            "story_id",
            "story_version",
            "text_edited",
            "item__id",
            "item__version",
            "item__pub_status",
            "item__headline",
            "item__body_html",
            "item__subjects",
            "item__keywords",
            "item__urgency",
            "item__embargo_until",
        )  # fmt: skip
    )


def _route_one(entry: DeskEntry, rules: list[Rule]) -> bool:
    """Route one entry; True when it still needs a learned suggestion. What it
    changes, it changes in a transaction of its own (a new item that no rule matches,
    the common case, changes nothing here)."""
    item = entry.item
    if entry.status == DeskEntry.Status.NEW and item.pub_status != WireItem.PubStatus.CANCELED:
        rule = next((r for r in rules if rule_matches(r, entry)), None)
        if rule is None:
            return True
    with transaction.atomic():
        return _route_changing(entry, rules)


def _route_changing(entry: DeskEntry, rules: list[Rule]) -> bool:
    # Re-read under a lock: an editor may have published, edited or spiked it since
    # the batch was read.
    entry = (
        DeskEntry.objects.select_for_update(of=("self",))
        .select_related("item", "story", "source")
        .get(pk=entry.pk)
    )
    item = entry.item
    if item.pub_status == WireItem.PubStatus.CANCELED:
        _kill(entry)
        return False
    if entry.status == DeskEntry.Status.PUBLISHED and entry.story is not None:
        if entry.story_version is not None and item.version > entry.story_version:
            if entry.text_edited:
                entry.pending_item = item
                entry.save(update_fields=["pending_item", "changed_at"])
                services.audit_record(
                    actor="wire", action="update_waiting", story=entry.story, entry=entry,
                    detail=f"version {item.version} waits for the desk (text edited)",
                )  # fmt: skip
            else:
                services._story_apply_version(entry, item)
                entry.save()
                services.audit_record(
                    actor="wire", action="update_applied", story=entry.story, entry=entry,
                    detail=f"version {item.version}",
                )  # fmt: skip
        return False
    if entry.status != DeskEntry.Status.NEW:
        return False
    rule = next((r for r in rules if rule_matches(r, entry)), None)
    if rule is None:
        return True
    entry.rule = rule
    entry.suggested_section = rule.section
    entry.suggestion_confidence = 1.0
    entry.suggestions = [[rule.section_id, 1.0]]
    entry.save(
        update_fields=[
            "rule",
            "suggested_section",
            "suggestion_confidence",
            "suggestions",
            "changed_at",
        ]
    )
    if rule.auto_publish:
        _auto_publish(entry, rule)
    return False


def _kill(entry: DeskEntry) -> None:
    was = entry.status
    entry.status = DeskEntry.Status.KILLED
    entry.pending_item = None
    entry.save(update_fields=["status", "pending_item", "changed_at"])
    story = entry.story
    if story is not None and story.status != Story.Status.WITHDRAWN:
        services.story_withdraw(story=story, actor="wire kill", notice=services.KILL_NOTICE)
    services.audit_record(
        actor="wire kill", action="kill", story=story, entry=entry,
        detail=f"killed by {entry.source.slug} (was {was})",
    )  # fmt: skip


def _auto_publish(entry: DeskEntry, rule: Rule) -> None:
    site = rule.section.site
    start = _day_start(site.time_zone)
    # Counted by the rule itself (renaming it does not reset its cap).
    published_today = AuditEntry.objects.filter(
        entry__rule=rule, user=None, action__in=("publish", "schedule"), at__gte=start
    ).count()
    if published_today >= rule.daily_cap:
        services.audit_record(
            actor=_rule_actor(rule), action="cap_reached", entry=entry,
            detail=f"daily cap of {rule.daily_cap} reached; left for the desk",
        )  # fmt: skip
        return
    embargo = entry.item.embargo_until
    publish_at = embargo if embargo and embargo > timezone.now() else None
    try:
        with transaction.atomic():
            services.entry_publish(
                entry=entry, sections=[rule.section], actor=_rule_actor(rule),
                publish_at=publish_at,
            )  # fmt: skip
    except services.DeskError as error:
        services.audit_record(
            actor=_rule_actor(rule), action="auto_publish_refused", entry=entry, detail=str(error)
        )
    entry.refresh_from_db()


def _rule_actor(rule: Rule) -> str:
    return f"rule: {rule.name}"


def _day_start(time_zone: str) -> datetime:
    from zoneinfo import ZoneInfo

    local = timezone.now().astimezone(ZoneInfo(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def rule_matches(rule: Rule, entry: DeskEntry) -> bool:
    """Every condition the rule gives holds for the entry's current version."""
    item = entry.item
    source_ids = {s.pk for s in rule.sources.all()}
    if source_ids and entry.source_id not in source_ids:
        return False
    if rule.urgency_at_most is not None and (
        item.urgency is None or item.urgency > rule.urgency_at_most
    ):
        return False
    subjects = rule.subject_list()
    if subjects:
        have = set()
        for subject in item.subjects or []:
            if isinstance(subject, dict):
                have.update(str(v).lower() for v in (subject.get("code"), subject.get("name")) if v)
            else:
                have.add(str(subject).lower())
        if not have & set(subjects):
            return False
    keywords = rule.keyword_list()
    if keywords:
        text = f"{item.headline}\n{_plain(item.body_html)}\n{' '.join(map(str, item.keywords))}"
        if not any(_keyword_pattern(k).search(text) for k in keywords):
            return False
    return True


_TAG = re.compile(r"<[^>]+>")


def _plain(html: str) -> str:
    return _TAG.sub(" ", html or "")


def _keyword_pattern(keyword: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", re.IGNORECASE)


def _suggest(entries: list[DeskEntry]) -> None:
    if not entries or not suggest.model_exists():
        return  # no model trained yet: no texts to build
    ranked = suggest.suggest_many([suggest.item_text(e.item) for e in entries])
    if ranked is None:
        return  # no model trained yet
    now = timezone.now()
    for entry, top in zip(entries, ranked, strict=True):
        entry.changed_at = now
        entry.suggestions = [[section_id, round(p, 4)] for section_id, p in top]
        entry.suggested_section_id = top[0][0] if top else None
        entry.suggestion_confidence = round(top[0][1], 4) if top else None
    DeskEntry.objects.bulk_update(
        entries,
        ["suggestions", "suggested_section", "suggestion_confidence", "changed_at"],
        batch_size=_CHUNK,
    )

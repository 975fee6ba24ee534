"""The desk screen: the pool newest first, refreshing itself by polling a small JSON
endpoint, and the actions on an item. Staff only (desk.use_desk); every POST is
CSRF-checked and goes through dateline/desk/services.py."""

import difflib
import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dateline.articles.models import Placement, Story
from dateline.network.models import Section, Site
from dateline.wire.models import Source, WireItem

from . import selectors, services
from .auth import staff_required
from .models import DeskEntry
from .roles import can_withdraw

desk_required = staff_required("desk.use_desk")
_TAG = re.compile(r"<[^>]+>")


def _context(request, **extra):
    return {
        "sources": Source.objects.order_by("name").only("id", "name"),
        "sites": Site.objects.order_by("order", "name").only("id", "name"),
        "section_labels": selectors.section_labels(),
        "statuses": DeskEntry.Status.choices,
        "messages": get_messages(request),
        "user": request.user,
        **extra,
    }


@desk_required
@require_GET
def pool(request):
    flt = selectors.PoolFilter.from_query(request.GET)
    now_iso = timezone.now().isoformat()
    rows = selectors.pool_page(flt, before=request.GET.get("before", ""))
    return TemplateResponse(
        request,
        "desk/pool.html",
        _context(request, rows=rows, flt=flt, query=request.GET, now_iso=now_iso),
    )


@desk_required
@require_GET
def pool_updates(request):
    """What arrived since the screen's newest row: rendered rows and the new cursor.
    Polled every few seconds by desk.js; answers at once (no long-held connection)."""
    flt = selectors.PoolFilter.from_query(request.GET)
    after = request.GET.get("after", "")
    asked_at = timezone.now()
    rows = selectors.pool_page(flt, after=after) if after else []
    since = _since(request.GET.get("since", ""))
    changed = selectors.pool_page(flt, changed_since=since, limit=100) if since else []
    labels = selectors.section_labels() if rows or changed else {}

    def rendered(listed):
        context = {"section_labels": labels}
        return [render_to_string("desk/row.html", {**context, "row": r}, request) for r in listed]

    # Oldest first: the newest row of this answer is where the next poll starts. Rows
    # changed since the last poll replace those on screen (a second's overlap: a
    # change committed while this poll ran is sent again rather than missed).
    return JsonResponse(
        {
            "rows": rendered(rows),
            "cursor": rows[-1].cursor if rows else after,
            "count": len(rows),
            "changed": rendered(changed),
            "since": (asked_at - timedelta(seconds=1)).isoformat(),
        }
    )


def _since(value: str):
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _entry(entry_id) -> DeskEntry:
    return get_object_or_404(
        DeskEntry.objects.select_related("item", "source__agency", "story", "pending_item"),
        pk=entry_id,
    )


@desk_required
@require_GET
def item(request, entry_id):
    entry = _entry(entry_id)
    labels = selectors.section_labels()
    suggested = [
        (section_id, labels.get(section_id, "?"), confidence)
        for section_id, confidence in entry.suggestions or []
    ]
    placements = []
    if entry.story:
        placements = list(
            Placement.objects.filter(story=entry.story).select_related("site", "section")
        )
    diff = _diff(entry.item, entry.pending_item, entry.story) if entry.pending_item else None
    return TemplateResponse(
        request,
        "desk/item.html",
        _context(
            request,
            entry=entry,
            wire=entry.item,
            suggested=suggested,
            members=selectors.cluster_members(entry),
            versions=WireItem.objects.filter(source=entry.source, guid=entry.guid)
            .order_by("-version")
            .only("id", "version", "received_at", "pub_status", "headline"),
            placements=placements,
            diff=diff,
            can_withdraw=entry.story is not None and can_withdraw(request.user, entry.story),
            text=services._wire_text(entry.item),
        ),
    )


def _plain_lines(body_html: str) -> list[str]:
    blocks = re.split(r"</(?:p|h2|h3|li|blockquote)>", body_html or "")
    return [html.unescape(_TAG.sub("", b)).strip() for b in blocks if _TAG.sub("", b).strip()]


def _diff(current: WireItem, pending: WireItem, story: Story | None) -> list[tuple[str, str]]:
    """Paragraph-level changes from the story as it runs to the waiting wire version."""
    before = [story.headline, *_plain_lines(story.body)] if story else []
    after = [pending.headline, *_plain_lines(pending.body_html)]
    lines = []
    for line in difflib.ndiff(before, after):
        tag = line[:2]
        if tag in ("+ ", "- ", "  "):
            lines.append(({"+ ": "added", "- ": "removed", "  ": "same"}[tag], line[2:]))
    return lines


def _sections_from(request) -> list[Section]:
    ids = [i for i in map(selectors.id_or_none, request.POST.getlist("sections")) if i]
    by_id = Section.objects.select_related("site").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def _publish_at(request) -> datetime | None:
    raw = request.POST.get("publish_at", "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise services.DeskError(f"{raw!r} is not a date and time (YYYY-MM-DDTHH:MM).") from None
    if value.tzinfo is None:
        zone = request.POST.get("time_zone") or "UTC"
        try:
            value = value.replace(tzinfo=ZoneInfo(zone))
        except (KeyError, ValueError):
            value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value


def _next(request) -> str | None:
    """Where a form asks to go back to: a path on this host only (no open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return None


def _done(request, entry: DeskEntry, message: str):
    if request.headers.get("Accept", "").startswith("application/json"):
        entry.refresh_from_db()
        story_status = entry.story.status if entry.story_id else None
        status = selectors._shown_status(entry.status, story_status)
        return JsonResponse({"ok": True, "message": message, "status": status})
    messages.success(request, message)
    return redirect(_next(request) or reverse("desk:item", args=[entry.pk]))


def _refused(request, entry: DeskEntry | None, error: Exception):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": False, "message": str(error)}, status=409)
    messages.error(request, str(error))
    if entry is None:
        return redirect("desk:pool")
    return redirect("desk:item", entry_id=entry.pk)


@desk_required
@require_POST
def publish(request, entry_id):
    entry = _entry(entry_id)
    try:
        sections = _sections_from(request)
        if not sections and request.POST.get("suggested") and entry.suggested_section_id:
            sections = [Section.objects.select_related("site").get(pk=entry.suggested_section_id)]
        story = services.entry_publish(
            entry=entry,
            sections=sections,
            user=request.user,
            headline=request.POST.get("headline"),
            teaser=request.POST.get("teaser"),
            body=request.POST.get("body"),
            publish_at=_publish_at(request),
            pin=bool(request.POST.get("pin")),
        )
    except services.DeskError as error:
        return _refused(request, entry, error)
    entry.refresh_from_db()
    verb = "scheduled" if story.status == Story.Status.SCHEDULED else "published"
    return _done(request, entry, f"“{story.headline}” {verb}.")


def _act(request, entry_id, action, message: str):
    """Run ``action(entry)`` (a desk service call) and answer with ``message``, or with
    the service's reason when the action does not apply."""
    entry = _entry(entry_id)
    try:
        action(entry)
    except services.DeskError as error:
        return _refused(request, entry, error)
    return _done(request, entry, message)


@desk_required
@require_POST
def spike(request, entry_id):
    if request.POST.get("undo"):
        return _act(request, entry_id,
                    lambda e: services.entry_unspike(entry=e, user=request.user),
                    "Back in the queue.")  # fmt: skip
    return _act(request, entry_id, lambda e: services.entry_spike(entry=e, user=request.user),
                "Spiked.")  # fmt: skip


def _story_edit(request, entry):
    if entry.story is None:
        raise services.DeskError("Publish the item before editing it.")
    fields = {
        name: request.POST[name].strip()
        for name in ("headline", "teaser", "body")
        if request.POST.get(name, "").strip()
    }
    services.story_edit(story=entry.story, user=request.user, **fields)


@desk_required
@require_POST
def edit(request, entry_id):
    return _act(request, entry_id, lambda e: _story_edit(request, e), "Saved.")


@desk_required
@require_POST
def update(request, entry_id):
    if request.POST.get("decision") == "accept":
        return _act(request, entry_id,
                    lambda e: services.update_accept(entry=e, user=request.user),
                    "The story now runs the agency's new version.")  # fmt: skip
    return _act(request, entry_id, lambda e: services.update_ignore(entry=e, user=request.user),
                "Update ignored; the story keeps the desk's text.")  # fmt: skip


@desk_required
@require_POST
def choose(request, entry_id):
    return _act(request, entry_id, lambda e: services.cluster_choose(entry=e, user=request.user),
                "This item now runs for its story.")  # fmt: skip


@desk_required
@require_POST
def withdraw(request, entry_id):
    entry = _entry(entry_id)
    if entry.story is None:
        raise Http404("Nothing runs for this item.")
    if not can_withdraw(request.user, entry.story):
        raise PermissionDenied("Editors withdraw the stories they published; ask a chief editor.")
    notice = request.POST.get("notice", "").strip()[:300]
    services.story_withdraw(story=entry.story, user=request.user, notice=notice)
    return _done(request, entry, "Withdrawn: its pages now answer 410.")


@desk_required
@require_POST
def pin(request, entry_id):
    entry = _entry(entry_id)
    if entry.story is None:
        return _refused(request, entry, services.DeskError("Publish the item before pinning it."))
    front = request.POST.get("front", "")
    try:
        if front.startswith("home:") and selectors.id_or_none(front[5:]):
            site = get_object_or_404(Site, pk=selectors.id_or_none(front[5:]))
            services.front_pin(story=entry.story, site=site, user=request.user)
        elif selectors.id_or_none(front):
            section = get_object_or_404(
                Section.objects.select_related("site"), pk=selectors.id_or_none(front)
            )
            services.front_pin(
                story=entry.story, site=section.site, section=section, user=request.user
            )
        else:
            return HttpResponseBadRequest("Choose a front.")
    except services.DeskError as error:
        return _refused(request, entry, error)
    return _done(request, entry, "Pinned as the lead.")


_BULK = {"spike", "unspike", "publish_suggested"}


@desk_required
@require_POST
def bulk(request):
    action = request.POST.get("action", "")
    ids = [i for i in map(selectors.id_or_none, request.POST.getlist("ids")) if i][:200]
    if action not in _BULK or not ids:
        messages.error(request, "Select items and an action.")
        return redirect(_next(request) or "desk:pool")
    done, refused = 0, []
    entries = DeskEntry.objects.filter(pk__in=ids).select_related("item", "source__agency", "story")
    for entry in entries:
        try:
            if action == "spike":
                services.entry_spike(entry=entry, user=request.user)
            elif action == "unspike":
                services.entry_unspike(entry=entry, user=request.user)
            else:
                if entry.suggested_section_id is None:
                    raise services.DeskError(f"{entry}: no suggested section.")
                section = Section.objects.select_related("site").get(pk=entry.suggested_section_id)
                services.entry_publish(entry=entry, sections=[section], user=request.user)
            done += 1
        except services.DeskError as error:
            refused.append(str(error))
    if done:
        messages.success(request, f"{action.replace('_', ' ').capitalize()}: {done} item(s).")
    for reason in refused[:10]:
        messages.error(request, reason)
    return redirect(_next(request) or "desk:pool")

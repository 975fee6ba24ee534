"""``dateline desk``: the desk's actions for scripts.

    dateline desk list --user ed [--status new] [--limit 20]
    dateline desk publish --user ed --guid GUID [--source afp] --to spacewar/missiles [--to ...]
                          [--at 2026-11-25T18:00+00:00] [--pin]
    dateline desk spike|unspike --user ed --guid GUID [--source afp]
    dateline desk withdraw --user ed (--guid GUID | --story ID) [--notice TEXT]
    dateline desk retrain --user chief

Every action names the staff member it is done as (``--user`` or DATELINE_USER); their
role's permissions are checked as on the desk screen and the audit log records them."""

import json
import os
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dateline.articles.models import Story
from dateline.desk import selectors, services, suggest
from dateline.desk.models import DeskEntry
from dateline.desk.roles import can_withdraw
from dateline.network.models import Section

ACTIONS = ("list", "publish", "spike", "unspike", "withdraw", "retrain")
# The permission each action needs (the permission tests read this).
PERMISSIONS = {action: "desk.use_desk" for action in ACTIONS} | {"retrain": "desk.change_rule"}


class Command(BaseCommand):
    help = "The desk's actions for scripts: list, publish, spike, unspike, withdraw, retrain."
    staff_permissions = PERMISSIONS

    def add_arguments(self, parser):
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("--user", default=os.environ.get("DATELINE_USER", ""))
        parser.add_argument("--guid", default="")
        parser.add_argument("--source", default="", help="Source slug (when guids clash).")
        parser.add_argument("--story", type=int, help="Story id (withdraw).")
        parser.add_argument("--to", action="append", default=[], help="site/section, repeatable")
        parser.add_argument("--at", default="", help="Publish at (ISO 8601 with offset).")
        parser.add_argument("--pin", action="store_true", help="Lead of the first section.")
        parser.add_argument("--notice", default="")
        parser.add_argument("--status", default="")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, **options):
        user = self._user(options["user"], PERMISSIONS[action])
        try:
            getattr(self, f"_{action}")(user, options)
        except services.DeskError as error:
            raise CommandError(str(error)) from None

    def _user(self, username: str, permission: str):
        if not username:
            raise CommandError("Say who acts: --user USERNAME (or DATELINE_USER).")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not user.has_perm(permission):
            raise CommandError(f"{username} may not do this: it needs {permission}.")
        return user

    def _entry(self, options) -> DeskEntry:
        if not options["guid"]:
            raise CommandError("Name the item: --guid GUID [--source SLUG].")
        entries = DeskEntry.objects.filter(guid=options["guid"]).select_related(
            "item", "source__agency", "story"
        )
        if options["source"]:
            entries = entries.filter(source__slug=options["source"])
        found = list(entries[:2])
        if not found:
            raise CommandError(f"No item with guid {options['guid']!r} in the pool.")
        if len(found) > 1:
            raise CommandError("Several sources have this guid: add --source SLUG.")
        return found[0]

    def _list(self, user, options):
        if options["status"] and options["status"] not in DeskEntry.Status.values:
            known = ", ".join(DeskEntry.Status.values)
            raise CommandError(f"--status {options['status']!r} is not one of {known}.")
        flt = selectors.PoolFilter(status=options["status"])
        for row in selectors.pool_page(flt, limit=max(1, min(options["limit"], 500))):
            self.stdout.write(
                json.dumps(
                    {
                        "id": row.id,
                        "status": row.status,
                        "source": row.source_name,
                        "received_at": row.received_at.isoformat(),
                        "headline": row.headline,
                        "suggested_section_id": row.suggested_section_id,
                        "confidence": row.suggestion_confidence,
                        "cluster_size": row.cluster_size,
                    }  # fmt: skip
                )
            )

    def _sections(self, targets) -> list[Section]:
        if not targets:
            raise CommandError("Say where: --to SITE/SECTION (repeatable).")
        sections = []
        for target in targets:
            site_slug, _, section_slug = target.partition("/")
            section = (
                Section.objects.select_related("site")
                .filter(site__slug=site_slug, slug=section_slug)
                .first()
            )
            if section is None:
                raise CommandError(
                    f"No section {target!r} (write site/section, e.g. spacewar/missiles)."
                )
            sections.append(section)
        return sections

    def _publish(self, user, options):
        entry = self._entry(options)
        publish_at = None
        if options["at"]:
            try:
                publish_at = datetime.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at {options['at']!r} is not an ISO 8601 time.") from None
            if publish_at.tzinfo is None:
                raise CommandError("--at needs a UTC offset, e.g. 2026-11-25T18:00+00:00.")
        story = services.entry_publish(
            entry=entry, sections=self._sections(options["to"]), user=user,
            publish_at=publish_at, pin=options["pin"],
        )  # fmt: skip
        paths = list(story.placements.values_list("site__host", "path"))
        self.stdout.write(f"{story.get_status_display()}: story {story.pk}")
        for host, path in paths:
            self.stdout.write(f"  {host}{path}")

    def _spike(self, user, options):
        services.entry_spike(entry=self._entry(options), user=user)
        self.stdout.write("spiked")

    def _unspike(self, user, options):
        services.entry_unspike(entry=self._entry(options), user=user)
        self.stdout.write("back in the queue")

    def _withdraw(self, user, options):
        if options["story"]:
            story = Story.objects.filter(pk=options["story"]).first()
            if story is None:
                raise CommandError(f"No story {options['story']}.")
        else:
            story = self._entry(options).story
            if story is None:
                raise CommandError("Nothing runs for this item.")
        if not can_withdraw(user, story):
            raise CommandError(
                f"{user.get_username()} may withdraw only the stories they published "
                "(chief editors: any)."
            )
        services.story_withdraw(story=story, user=user, notice=options["notice"])
        self.stdout.write(f"withdrawn: story {story.pk}")

    def _retrain(self, user, options):
        model = suggest.suggestions_retrain()
        if model is None:
            raise CommandError("Too few published stories to learn from yet.")
        self.stdout.write(
            f"trained on {model.sample_count} decisions, {model.class_count} sections"
        )

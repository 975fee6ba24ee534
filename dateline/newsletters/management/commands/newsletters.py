"""``dateline newsletters``: the daily newsletters from the command line.

dateline newsletters tick                    what the worker does every minute
dateline newsletters build SITE [--date D]   build SITE's issue (default: today, local)
dateline newsletters send ISSUE [--wait]     send (or resume sending) an issue
dateline newsletters status [ISSUE]          issues and their delivery counts
"""

import json
import time
import zoneinfo
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dateline.newsletters import selectors, services
from dateline.newsletters.models import Issue, Newsletter
from dateline.newsletters.sending import issue_send
from dateline.newsletters.tasks import newsletters_tick


class Command(BaseCommand):
    help = "Build, send and inspect the daily newsletters."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("tick", help="build due issues and start their sends (enqueued)")
        build = sub.add_parser("build", help="build a site's issue for a day")
        build.add_argument("site", help="the site's slug, e.g. spacewar")
        build.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (local)")
        send = sub.add_parser("send", help="send an issue to everyone not yet served")
        send.add_argument("issue", type=int)
        send.add_argument(
            "--wait", action="store_true", help="wait for a dead sender's lease to expire"
        )
        status = sub.add_parser("status", help="issues with their counts")
        status.add_argument("issue", type=int, nargs="?")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_tick(self, **options):
        self.stdout.write(json.dumps(newsletters_tick.call()))

    def do_build(self, *, site, date=None, **options):
        services.newsletters_ensure()
        newsletter = Newsletter.objects.select_related("site").filter(site__slug=site).first()
        if newsletter is None:
            raise CommandError(
                f"no site {site!r}; sites: {', '.join(Newsletter.objects.values_list('site__slug', flat=True))}"
            )
        day = date or timezone.now().astimezone(zoneinfo.ZoneInfo(newsletter.site.time_zone)).date()
        issue = services.issue_build(newsletter=newsletter, date=day)
        audience = issue.deliveries.count()
        self.stdout.write(
            f"issue {issue.id}: {issue.newsletter.site.name} {issue.date}, {issue.status}, "
            f"{issue.story_count} stories, {audience} recipients"
        )

    def do_send(self, *, issue, wait=False, **options):
        if not Issue.objects.filter(pk=issue).exists():
            raise CommandError(f"no issue {issue}")
        while True:
            report = issue_send(issue_id=issue)
            if report.claimed or not wait or report.note == "already sent":
                break
            time.sleep(0.2)
        self.stdout.write(
            f"issue {issue}: sent {report.sent}, failed {report.failed}, skipped "
            f"{report.skipped}, uncertain {report.uncertain}"
            + (", finished" if report.finished else f" ({report.note or 'not finished'})")
        )

    def do_status(self, *, issue=None, **options):
        issues = Issue.objects.select_related("newsletter__site").order_by("-date", "id")
        if issue:
            issues = issues.filter(pk=issue)
        for each in selectors.issue_counts(issues)[:50]:
            self.stdout.write(
                f"{each.id:>6} {each.newsletter.site.slug:<14} {each.date} {each.status:<8} "
                f"sent {each.sent_count} failed {each.failed_count} uncertain "
                f"{each.uncertain_count} pending {each.pending_count} bounced "
                f"{each.bounced_count} unsubscribed {each.unsubscribed_count}"
            )

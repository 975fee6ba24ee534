"""The daily schedule: each site's issue at its send time in its time zone, once."""

import zoneinfo
from datetime import time, timedelta

import pytest
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.models import Issue
from dateline.newsletters.tasks import newsletters_tick
from dateline.worker import schedule
from tests.wire.test_tasks import run_worker


def _now_and_local(site):
    now = timezone.now()
    local = now.astimezone(zoneinfo.ZoneInfo(site.time_zone))
    if local.hour == 0 and local.minute < 2:  # keep "a minute earlier" on the same day
        now += timedelta(minutes=2)
        local = now.astimezone(zoneinfo.ZoneInfo(site.time_zone))
    return now, local


@pytest.mark.django_db
class ScheduleTests:
    def test_the_tick_is_on_the_worker_schedule(self):
        """The worker enqueues the newsletter tick every minute."""
        [periodic] = [p for p in schedule.SCHEDULE if p.task_path.endswith("newsletters_tick")]
        assert periodic.every == timedelta(minutes=1)

    def test_due_at_the_local_send_time_only_once(
        self, war_newsletter, war_site, publish, subscribers
    ):
        """Nothing before the site's local send time; at it, one issue for the local date."""
        war_site.time_zone = "Australia/Sydney"
        war_site.save()
        subscribers(2)
        publish("Story of the day")
        now, local = _now_and_local(war_site)
        war_newsletter.send_time = time(local.hour, local.minute)
        war_newsletter.save()
        before = now - timedelta(seconds=local.second + 1)

        def war(built):
            return [b for b in built if b.startswith("spacewar")]

        assert war(services.issues_due_build(now=before)) == []
        assert war(services.issues_due_build(now=now)) == [f"spacewar {local.date()}: ready"]
        assert war(services.issues_due_build(now=now + timedelta(minutes=5))) == []
        issue = Issue.objects.get(newsletter=war_newsletter)
        assert issue.date == local.date()

    def test_inactive_newsletter_is_not_built(self, war_newsletter, publish):
        """An inactive newsletter gets no issue."""
        war_newsletter.is_active = False
        war_newsletter.send_time = time(0, 0)
        war_newsletter.save()
        publish("Story")
        services.issues_due_build(now=timezone.now())
        assert not Issue.objects.filter(newsletter=war_newsletter).exists()


@pytest.mark.django_db(transaction=True)
class WorkerSendTests:
    def test_tick_builds_and_the_worker_sends(
        self, smtp_settings, war_newsletter, space_site, publish, subscribers
    ):
        """The periodic tick builds the due issue and the background worker sends it."""
        made = subscribers(5)
        publish("Story for the worker")
        war_newsletter.send_time = time(0, 0)
        war_newsletter.save()
        space_site.newsletter.send_time = time(0, 0)
        space_site.newsletter.save()
        result = newsletters_tick.call()
        assert any(b.startswith("spacewar") for b in result["built"])
        run_worker()
        assert smtp_settings.handler_.counts == {s.email: 1 for s in made}
        war_issue = Issue.objects.get(newsletter=war_newsletter)
        assert war_issue.status == Issue.Status.SENT
        # SpaceDaily had no new story: recorded empty, nothing sent.
        assert Issue.objects.get(newsletter=space_site.newsletter).status == Issue.Status.EMPTY

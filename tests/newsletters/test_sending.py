"""Building and sending issues, against a real SMTP server on loopback."""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from dateline.articles.models import Story
from dateline.newsletters import services
from dateline.newsletters.models import Delivery, Issue, Subscriber
from dateline.newsletters.sending import issue_send
from dateline.wire.models import Source


@pytest.mark.django_db
class IssueBuildTests:
    def test_stories_grouped_by_section_only_where_rights_allow(
        self, war_newsletter, publish, subscribers
    ):
        """The issue holds the window's stories by section; a source without
        newsletter rights stays out; a story on two sections appears once."""
        subscribers(3)
        no_rights = Source.objects.create(name="Closed", slug="closed", rights_newsletters=False)
        publish("Missile test over the sea", section="missiles", hours_ago=2)
        publish("Drone swarm trial", section="drones", extra_sections=["missiles"])
        closed = publish("Not for mail", section="missiles")
        Story.objects.filter(pk=closed.pk).update(source=no_rights)
        publish("Too old for this issue", section="missiles", hours_ago=30)
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        sections = {
            s["name"]: [x["headline"] for x in s["stories"]] for s in issue.contents["sections"]
        }
        assert sections == {
            "Missiles": ["Missile test over the sea"],
            "Drones": ["Drone swarm trial"],
        }
        assert issue.status == Issue.Status.READY and issue.story_count == 2
        story = issue.contents["sections"][0]["stories"][0]
        assert story["dateline"].startswith("Baghdad (AFP) ")
        assert story["url"].startswith("http://spacewar.localhost/missiles/")
        assert issue.deliveries.filter(state="pending").count() == 3

    def test_a_day_without_new_stories_sends_nothing(self, war_newsletter, publish, subscribers):
        """No story since the previous issue: the issue is recorded empty, with no deliveries."""
        subscribers(2)
        publish("Yesterday's news", hours_ago=30)
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        assert issue.status == Issue.Status.EMPTY
        assert not issue.deliveries.exists()
        assert issue_send(issue_id=issue.id).note == "already sent" or not issue.deliveries.exists()

    def test_next_issue_starts_where_the_last_ended(self, war_newsletter, publish, subscribers):
        """A story already in yesterday's issue is not in today's."""
        subscribers(1)
        publish("In the first issue", hours_ago=3)
        now = timezone.now()
        first = services.issue_build(
            newsletter=war_newsletter,
            date=now.date() - timedelta(days=1),
            now=now - timedelta(hours=1),
        )
        publish("In the second issue", hours_ago=0.5)
        second = services.issue_build(newsletter=war_newsletter, date=now.date(), now=now)
        assert [s["headline"] for s in first.contents["sections"][0]["stories"]] == [
            "In the first issue"
        ]
        assert [s["headline"] for s in second.contents["sections"][0]["stories"]] == [
            "In the second issue"
        ]

    def test_building_a_day_twice_returns_the_first(self, war_newsletter, publish, subscribers):
        """A second build of the same day changes nothing."""
        subscribers(2)
        publish("Once")
        day = timezone.now().date()
        first = services.issue_build(newsletter=war_newsletter, date=day)
        assert services.issue_build(newsletter=war_newsletter, date=day).id == first.id
        assert Delivery.objects.count() == 2


@pytest.mark.django_db
class IssueSendTests:
    def _issue(self, war_newsletter, publish):
        publish("A story for the issue")
        return services.issue_build(newsletter=war_newsletter, date=timezone.now().date())

    def test_everyone_once_and_again_nobody(
        self, smtp_settings, war_newsletter, publish, subscribers, settings
    ):
        """Every confirmed subscriber gets one copy; a second send sends nothing."""
        settings.DATELINE_NEWSLETTER_BATCH = 7
        settings.DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION = 10
        made = subscribers(40)
        issue = self._issue(war_newsletter, publish)
        report = issue_send(issue_id=issue.id)
        assert report.finished and report.sent == 40
        assert smtp_settings.handler_.counts == {s.email: 1 for s in made}
        assert issue_send(issue_id=issue.id).note == "already sent"
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SENT and issue.send_finished_at is not None

    def test_refused_recipient_is_failed_not_retried(
        self, smtp_settings, war_newsletter, publish, subscribers
    ):
        """A 550 for one address marks its delivery failed; the others go out."""
        made = subscribers(5)
        smtp_settings.handler_.refuse.add(made[2].email)
        issue = self._issue(war_newsletter, publish)
        report = issue_send(issue_id=issue.id)
        assert report.finished and report.sent == 4
        failed = Delivery.objects.get(state="failed")
        assert failed.subscriber == made[2]

    def test_unsubscribed_or_suppressed_before_sending_are_skipped(
        self, smtp_settings, war_newsletter, publish, subscribers
    ):
        """Someone who unsubscribes (or bounces) after the build gets nothing."""
        made = subscribers(3)
        issue = self._issue(war_newsletter, publish)
        services.subscription_unsubscribe(subscriber=made[0], newsletter=war_newsletter)
        Subscriber.objects.filter(pk=made[1].pk).update(suppressed="bounced")
        report = issue_send(issue_id=issue.id)
        assert report.sent == 1 and report.skipped == 2
        assert smtp_settings.handler_.counts == {made[2].email: 1}

    def test_a_live_lease_keeps_a_second_sender_out(
        self, smtp_settings, war_newsletter, publish, subscribers
    ):
        """While one sender holds the issue, another one sends nothing."""
        subscribers(2)
        issue = self._issue(war_newsletter, publish)
        Issue.objects.filter(pk=issue.pk).update(
            sender_token="other", sender_lease_until=timezone.now() + timedelta(minutes=1)
        )
        report = issue_send(issue_id=issue.id)
        assert not report.claimed and report.note == "held by another sender"
        assert smtp_settings.handler_.counts == {}

    def test_rows_in_flight_at_a_crash_become_uncertain(
        self, smtp_settings, war_newsletter, publish, subscribers
    ):
        """Rows left "sending" by a dead sender are recorded uncertain and not sent again."""
        made = subscribers(4)
        issue = self._issue(war_newsletter, publish)
        Delivery.objects.filter(subscriber=made[0]).update(state="sending")
        report = issue_send(issue_id=issue.id)
        assert report.uncertain == 1 and report.sent == 3
        assert made[0].email not in smtp_settings.handler_.counts
        assert Delivery.objects.get(subscriber=made[0]).state == "uncertain"


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)  # the sender processes read what the test wrote
class KillAndResumeTests:
    SUBSCRIBERS = 2000
    BATCH = 20

    def test_sigkill_at_random_points_nobody_twice_nobody_missing(
        self, smtp_settings, war_newsletter, publish, subscribers
    ):
        """A sender killed with SIGKILL at random points over several runs, then
        restarted: at the SMTP server nobody has two copies, and everyone without one
        is recorded uncertain (at most one batch per kill)."""
        made = subscribers(self.SUBSCRIBERS)
        publish("The story everyone gets")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_settings.port}",
            "DATELINE_NEWSLETTER_BATCH": str(self.BATCH),
            "DATELINE_NEWSLETTER_LEASE_SECONDS": "1",
        }
        command = [sys.executable, "-m", "dateline", "newsletters", "send", str(issue.id), "--wait"]
        rng = random.Random(os.environ.get("NEWSLETTER_KILL_SEED"))
        kills = 0
        for _run in range(5):
            done = Delivery.objects.filter(issue=issue).exclude(state="pending").count()
            target = done + rng.randint(50, 350)
            sender = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while sender.poll() is None and time.monotonic() < deadline:
                if Delivery.objects.filter(issue=issue).exclude(state="pending").count() >= target:
                    break
                time.sleep(rng.uniform(0.005, 0.05))
            if sender.poll() is None:
                sender.send_signal(signal.SIGKILL)
                kills += 1
            sender.wait()
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr[-2000:]
        assert kills >= 3  # the kills fell in the middle of the issue

        counts = smtp_settings.handler_.counts
        states = dict(
            Delivery.objects.filter(issue=issue).values_list("subscriber__email", "state")
        )
        assert max(counts.values()) == 1, "somebody got the issue twice"
        missing = {s.email for s in made} - set(counts)
        assert all(states[email] == "uncertain" for email in missing)
        uncertain = [email for email, state in states.items() if state == "uncertain"]
        assert len(uncertain) <= kills * self.BATCH
        assert all(states[email] == "sent" for email in counts if states[email] != "uncertain")
        assert set(states.values()) <= {"sent", "uncertain"}
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SENT


class DroppingHandler:
    """Accepts mail, but drops the connection in the middle of one recipient's DATA."""

    def __init__(self, drop: str):
        self.drop, self.counts = drop, {}

    async def handle_DATA(self, server, session, envelope):
        if self.drop in envelope.rcpt_tos:
            self.drop = ""  # once
            server.transport.close()
            return "421 closing"
        for rcpt in envelope.rcpt_tos:
            self.counts[rcpt] = self.counts.get(rcpt, 0) + 1
        return "250 OK"


@pytest.mark.django_db
class ConnectionLossTests:
    def test_message_in_flight_is_uncertain_the_rest_resume(
        self, settings, war_newsletter, publish, subscribers
    ):
        """A connection lost during one message: that one is uncertain, the rest of the
        batch goes back to pending and a second run serves them, nobody twice."""
        from dateline.newsletters.catcher import LoopbackController
        from dateline.newsletters.email_url import mailer_from_url

        made = subscribers(6)
        handler = DroppingHandler(drop=made[2].email)
        controller = LoopbackController(handler)
        controller.start()
        try:
            settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{controller.port}")}
            publish("A story")
            issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
            with pytest.raises(Exception):  # noqa: B017 - the worker retries the task
                issue_send(issue_id=issue.id)
            states = dict(Delivery.objects.values_list("subscriber__email", "state"))
            assert states[made[2].email] == "uncertain"
            assert [states[s.email] for s in made[3:]] == ["pending"] * 3
            report = issue_send(issue_id=issue.id)
            assert report.finished and report.sent == 3
        finally:
            controller.stop()
        assert handler.counts == {s.email: 1 for s in made if s != made[2]}


@pytest.mark.django_db
class OtherBackendTests:
    def test_non_smtp_backend_gets_email_messages_with_list_headers(
        self, war_newsletter, publish, subscribers, mailoutbox
    ):
        """Through a backend that takes EmailMessages (anymail's services; locmem here)
        each recipient gets the same headers, parts and the issue id as metadata."""
        made = subscribers(2)
        publish("A story for the service")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        report = issue_send(issue_id=issue.id)
        assert report.finished and report.sent == 2
        assert sorted(m.to[0] for m in mailoutbox) == sorted(s.email for s in made)
        message = mailoutbox[0]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.extra_headers["List-Unsubscribe"].startswith(
            "<http://spacewar.localhost/newsletters/unsubscribe/"
        )
        assert message.alternatives[0].mimetype == "text/html"
        assert message.metadata == {"issue": str(issue.id)}
        assert "A story for the service" in message.body

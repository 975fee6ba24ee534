"""The desk's screens: preview, test sends, per-issue counts, the privacy export and
erasure, the demo's caught mail; each behind its permission."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.catcher import LoopbackController, StoringHandler
from dateline.newsletters.models import CaughtMail, Delivery, Subscriber, Subscription
from tests.conftest import staff_login


def staff(*perms, email="editor@example.com"):
    user = User.objects.create_user("staffer", email, "pw", is_staff=True)
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return user


@pytest.fixture
def issue(war_newsletter, publish, subscribers):
    subscribers(3)
    publish("Headline in the preview", teaser="Teaser in the preview.")
    return services.issue_build(newsletter=war_newsletter, date=timezone.now().date())


@pytest.mark.django_db
class PreviewTests:
    def test_editor_previews_an_issue(self, client, issue):
        """With send_test_issue, the preview shows the issue's HTML under a strict policy."""
        staff_login(client, staff("newsletters.view_issue", "newsletters.send_test_issue"))
        response = client.get(f"/admin/newsletters/issue/{issue.id}/preview/")
        assert response.status_code == 200
        assert "Headline in the preview" in response.content.decode()
        policy = response["Content-Security-Policy"]
        assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy

    def test_preview_of_the_next_issue(self, client, war_newsletter, publish):
        """The newsletter's preview shows what the next issue would hold now."""
        publish("Coming in the next issue")
        staff_login(client, staff("newsletters.view_newsletter", "newsletters.send_test_issue"))
        response = client.get(f"/admin/newsletters/newsletter/{war_newsletter.id}/preview/")
        assert "Coming in the next issue" in response.content.decode()

    def test_change_pages_offer_preview_and_test(self, client, issue, war_newsletter):
        """The issue's and the newsletter's admin pages offer Preview and a test send."""
        staff_login(
            client,
            staff(
                "newsletters.view_issue",
                "newsletters.view_newsletter",
                "newsletters.send_test_issue",
            ),
        )
        for url in (
            f"/admin/newsletters/issue/{issue.id}/change/",
            f"/admin/newsletters/newsletter/{war_newsletter.id}/change/",
        ):
            html = client.get(url).content.decode()
            assert "Send a test to me" in html and "/preview/" in html

    def test_preview_needs_the_permission(self, client, issue):
        """Viewing issues is not enough to preview or send tests."""
        staff_login(client, staff("newsletters.view_issue"))
        assert client.get(f"/admin/newsletters/issue/{issue.id}/preview/").status_code == 403
        assert client.post(f"/admin/newsletters/issue/{issue.id}/send-test/").status_code == 403

    def test_send_a_test_to_oneself(self, client, issue, mailoutbox):
        """ "Send a test to me" mails the issue, marked [TEST], to the editor only."""
        staff_login(client, staff("newsletters.view_issue", "newsletters.send_test_issue"))
        response = client.post(f"/admin/newsletters/issue/{issue.id}/send-test/")
        assert response.status_code == 302
        [mail] = mailoutbox
        assert mail.to == ["editor@example.com"]
        assert mail.subject.startswith("[TEST] SpaceWar daily")
        assert not Delivery.objects.filter(state="sent").exists()

    def test_issue_list_shows_counts(self, client, issue):
        """The issue list shows sent, failed, bounced and unsubscribed per issue."""
        deliveries = list(Delivery.objects.filter(issue=issue).order_by("id"))
        Delivery.objects.filter(pk=deliveries[0].pk).update(state="sent", bounced_at=timezone.now())
        Delivery.objects.filter(pk=deliveries[1].pk).update(state="sent")
        Delivery.objects.filter(pk=deliveries[2].pk).update(state="failed")
        Subscription.objects.filter(subscriber_id=deliveries[1].subscriber_id).update(
            status="unsubscribed", unsubscribed_issue=issue
        )
        staff_login(client, staff("newsletters.view_issue"))
        html = client.get("/admin/newsletters/issue/").content.decode()
        for column, value in [("sent", 2), ("failed", 1), ("bounced", 1), ("unsubscribed", 1)]:
            assert f'<td class="field-{column}">{value}</td>' in html


@pytest.mark.django_db
class PrivacyTests:
    def test_export_json(self, client, subscribers):
        """An admin with export_subscriber downloads everything kept about an address."""
        [reader] = subscribers(1)
        staff_login(client, staff("newsletters.view_subscriber", "newsletters.export_subscriber"))
        response = client.get(f"/admin/newsletters/subscriber/{reader.id}/export/")
        assert response.status_code == 200
        data = json.loads(response.content)
        assert data["email"] == reader.email
        assert data["subscriptions"][0]["status"] == "confirmed"
        assert data["subscriptions"][0]["confirmed_at"]

    def test_export_needs_the_permission(self, client, subscribers):
        """Viewing subscribers is not enough to export one."""
        [reader] = subscribers(1)
        staff_login(client, staff("newsletters.view_subscriber"))
        assert client.get(f"/admin/newsletters/subscriber/{reader.id}/export/").status_code == 403

    def test_delete_erases_everything(self, client, issue):
        """Deleting a subscriber in the admin removes the address, consent and deliveries."""
        reader = Subscriber.objects.first()
        staff_login(client, staff("newsletters.view_subscriber", "newsletters.delete_subscriber"))
        response = client.post(
            f"/admin/newsletters/subscriber/{reader.id}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Subscriber.objects.filter(pk=reader.pk).exists()
        assert not Subscription.objects.filter(subscriber_id=reader.pk).exists()
        assert not Delivery.objects.filter(subscriber_id=reader.pk).exists()

    def test_editor_cannot_see_subscribers(self, client, subscribers):
        """Without view_subscriber the addresses are out of reach."""
        subscribers(1)
        staff_login(client, staff("newsletters.view_issue", "newsletters.send_test_issue"))
        assert client.get("/admin/newsletters/subscriber/").status_code == 403


@pytest.mark.django_db(transaction=True)  # the catcher's thread writes what the test reads
class CaughtMailTests:
    def test_caught_confirmation_link_is_clickable_in_the_admin(
        self, client, settings, war_newsletter
    ):
        """The demo's catcher keeps the confirmation mail; the admin shows its link."""
        from dateline.newsletters.email_url import mailer_from_url
        from dateline.newsletters.tasks import confirmation_send

        controller = LoopbackController(StoringHandler())
        controller.start()
        try:
            settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{controller.port}")}
            client.post(
                "/newsletters/",
                {"email": "newcomer@example.com", "newsletters": [war_newsletter.id]},
                headers={"host": "spacewar.localhost"},
            )
            confirmation_send.call(Subscriber.objects.get().id, war_newsletter.site_id)
        finally:
            controller.stop()
        mail = CaughtMail.objects.get()
        assert mail.recipients == "newcomer@example.com"
        user = User.objects.create_superuser("admin", "admin@example.com", "pw")
        staff_login(client, user)
        html = client.get(f"/admin/newsletters/caughtmail/{mail.id}/change/").content.decode()
        assert '<a href="http://spacewar.localhost/newsletters/confirm/' in html

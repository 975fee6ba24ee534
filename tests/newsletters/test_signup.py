"""The reader's side, through HTTP and a real SMTP server: signup, double opt-in,
preferences, one-click unsubscribe, bad and hostile input."""

import re

import pytest
from django.core import signing

from dateline.newsletters import services
from dateline.newsletters.models import Subscriber, Subscription
from dateline.newsletters.tokens import CONFIRM_SALT, manage_token
from tests.wire.test_tasks import run_worker

from .conftest import links_in


def signup(client, email, newsletters, host="spacewar.localhost", **extra):
    data = {"email": email, "newsletters": [n.id for n in newsletters], "website": ""}
    data.update(extra)
    return client.post("/newsletters/", data, headers={"host": host})


@pytest.mark.django_db(transaction=True)  # the worker sends the confirmation mail
class ConfirmationFlowTests:
    def test_signup_confirm_end_to_end(self, client, smtp_settings, war_newsletter, space_site):
        """A signup mails a confirmation link; clicking it and confirming records consent."""
        space_newsletter = space_site.newsletter
        response = signup(client, "Reader@Example.COM", [war_newsletter, space_newsletter])
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
        subscriber = Subscriber.objects.get()
        assert subscriber.email == "Reader@example.com"
        assert set(subscriber.subscriptions.values_list("status", flat=True)) == {"pending"}

        run_worker()
        counts = smtp_settings.handler_.counts
        assert counts == {"Reader@example.com": 1}
        _rcpts, raw = smtp_settings.handler_.messages[0]
        [link] = [url for url in links_in(raw) if "/newsletters/confirm/" in url]
        assert any("/newsletters/preferences/" in url for url in links_in(raw))
        path = re.sub(r"^https?://[^/]+", "", link)

        page = client.get(path, headers={"host": "spacewar.localhost"})
        assert page.status_code == 200
        assert "Yes, confirm" in page.content.decode()
        # A GET (what mail scanners do) confirms nothing.
        assert not Subscription.objects.filter(status="confirmed").exists()

        done = client.post(path, headers={"host": "spacewar.localhost"})
        assert done.status_code == 200
        assert "You are subscribed" in done.content.decode()
        for subscription in Subscription.objects.all():
            assert subscription.status == "confirmed"
            assert subscription.confirmed_at is not None
            assert "confirmation link" in subscription.confirmed_from
            assert subscription.requested_from.endswith("/newsletters/ (signup form)")

    def test_unconfirmed_address_receives_nothing_else(
        self, client, smtp_settings, war_newsletter, publish
    ):
        """An issue goes to confirmed subscribers only, never to a pending address."""
        from django.utils import timezone

        from dateline.newsletters.sending import issue_send

        signup(client, "pending@example.com", [war_newsletter])
        confirmed = Subscriber.objects.create(email="confirmed@example.com")
        Subscription.objects.create(
            subscriber=confirmed, newsletter=war_newsletter, status="confirmed",
            requested_at=timezone.now(), requested_from="test", confirmed_at=timezone.now(),
        )  # fmt: skip
        publish("Drones over the delta")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        issue_send(issue_id=issue.id)
        run_worker()  # the pending address's confirmation mail
        assert smtp_settings.handler_.counts == {
            "confirmed@example.com": 1,
            "pending@example.com": 1,  # the confirmation request only
        }
        subjects = [
            raw.split(b"Subject: ")[1].split(b"\r\n")[0]
            for _r, raw in smtp_settings.handler_.messages
            if _r == ["pending@example.com"]
        ]
        assert subjects == [b"Confirm your free SpaceWar newsletter subscription"]

    def test_suppressed_address_is_mailed_nothing(self, client, smtp_settings, war_newsletter):
        """An address suppressed after a complaint gets no confirmation mail again."""
        Subscriber.objects.create(email="gone@example.com", suppressed="complained")
        assert signup(client, "gone@example.com", [war_newsletter]).status_code == 200
        run_worker()
        assert smtp_settings.handler_.counts == {}


@pytest.mark.django_db
class SignupTests:
    def test_page_lists_every_sites_newsletter(self, fetch, war_newsletter):
        """One signup page offers every site's newsletter, the current site's ticked."""
        html = fetch("/newsletters/").content.decode()
        assert "SpaceWar" in html and "SpaceDaily" in html
        assert re.search(rf'value="{war_newsletter.id}" checked', html)
        assert 'name="csrfmiddlewaretoken"' in html

    def test_signing_up_again_does_not_duplicate(self, client, war_newsletter):
        """The same address twice (any case) is one subscriber with one subscription."""
        signup(client, "twice@example.com", [war_newsletter])
        signup(client, "TWICE@example.com", [war_newsletter])
        assert Subscriber.objects.count() == 1
        assert Subscription.objects.count() == 1

    def test_invalid_address_is_refused_with_a_clear_message(self, client, war_newsletter):
        """An invalid address gets a 400 saying what is wrong; nothing is stored."""
        for bad, words in [
            ("no-at-sign.example.com", "needs an @"),
            ("two@@example.com", "not a valid e-mail address"),
            ("sp ace@example.com", "not a valid e-mail address"),
        ]:
            response = signup(client, bad, [war_newsletter])
            assert response.status_code == 400
            assert words in response.content.decode()
        assert not Subscriber.objects.exists()

    def test_choosing_no_newsletter_is_refused(self, client, war_newsletter):
        """A signup with no newsletter ticked says to choose one."""
        response = signup(client, "a@example.com", [])
        assert response.status_code == 400
        assert "Choose at least one newsletter" in response.content.decode()

    def test_honeypot_stores_nothing(self, client, war_newsletter, mailoutbox):
        """A bot that fills the hidden field sees success; nothing is stored or sent."""
        response = signup(client, "bot@example.com", [war_newsletter], website="http://spam")
        assert response.status_code == 200
        assert not Subscriber.objects.exists()

    def test_rate_limit_per_address(self, client, war_newsletter, settings):
        """Past the hourly limit for one address, signups get 429 from any IP."""
        from django.core.cache import cache

        cache.clear()
        settings.DATELINE_NEWSLETTER_SIGNUPS_PER_ADDRESS = 2
        statuses = [
            client.post(
                "/newsletters/",
                {"email": "target@example.com", "newsletters": [war_newsletter.id]},
                headers={"host": "spacewar.localhost"},
                REMOTE_ADDR=f"10.0.0.{i}",
            ).status_code
            for i in range(3)
        ]
        assert statuses == [200, 200, 429]

    def test_rate_limit_per_ip(self, client, war_newsletter, settings):
        """Past the hourly limit for one IP, signups get 429 whatever the address."""
        from django.core.cache import cache

        cache.clear()
        settings.DATELINE_NEWSLETTER_SIGNUPS_PER_IP = 3
        statuses = [
            signup(client, f"reader{i}@example.com", [war_newsletter]).status_code for i in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        assert Subscriber.objects.count() == 3

    def test_behind_the_proxy_each_reader_has_a_limit(self, client, war_newsletter, settings):
        """Behind a trusted proxy the limit counts the reader's forwarded address: one
        reader over the limit does not shut out another behind the same proxy."""
        from django.core.cache import cache

        cache.clear()
        settings.DATELINE_TRUSTED_PROXIES = ["127.0.0.1/32"]
        settings.DATELINE_NEWSLETTER_SIGNUPS_PER_IP = 2

        def post(i, reader):
            return client.post(
                "/newsletters/",
                {"email": f"r{i}@example.com", "newsletters": [war_newsletter.id]},
                headers={"host": "spacewar.localhost", "x-forwarded-for": reader},
                REMOTE_ADDR="127.0.0.1",
            ).status_code

        assert [post(i, "203.0.113.7") for i in range(3)] == [200, 200, 429]
        assert post(3, "198.51.100.20") == 200

    def test_hostile_input_is_escaped(self, client, war_newsletter):
        """Markup in the address field comes back escaped, never as markup."""
        response = signup(client, '"><script>alert(1)</script>', [war_newsletter])
        assert response.status_code == 400
        assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.django_db
class LinkTests:
    def _subscriber(self, war_newsletter, status="confirmed"):
        from django.utils import timezone

        subscriber = Subscriber.objects.create(email="links@example.com")
        Subscription.objects.create(
            subscriber=subscriber, newsletter=war_newsletter, status=status,
            requested_at=timezone.now(), requested_from="test",
        )  # fmt: skip
        return subscriber

    def test_tampered_confirmation_link_gets_a_helpful_page(self, fetch, war_newsletter):
        """An altered token answers 400 with words and a way on, not an error page."""
        subscriber = self._subscriber(war_newsletter, status="pending")
        token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{subscriber.id}.{subscriber.key}")
        response = fetch(f"/newsletters/confirm/{token[:-2]}xx/")
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link does not work" in html and 'href="/newsletters/"' in html

    def test_token_for_another_subscriber_key_is_refused(self, fetch, war_newsletter):
        """A validly signed token with the wrong subscriber key is refused."""
        subscriber = self._subscriber(war_newsletter, status="pending")
        token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{subscriber.id}.wrongkey")
        assert fetch(f"/newsletters/confirm/{token}/").status_code == 400

    def test_expired_confirmation_link_explains(self, fetch, war_newsletter, settings):
        """An expired confirmation link says so and offers to sign up again."""
        subscriber = self._subscriber(war_newsletter, status="pending")
        token = signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{subscriber.id}.{subscriber.key}")
        settings.DATELINE_NEWSLETTER_CONFIRM_DAYS = -1
        response = fetch(f"/newsletters/confirm/{token}/")
        assert response.status_code == 410
        assert "has expired" in response.content.decode()

    def test_one_click_unsubscribe_without_cookies(self, war_newsletter, publish):
        """RFC 8058: a bare POST with List-Unsubscribe=One-Click unsubscribes, no redirect."""
        from django.test import Client
        from django.utils import timezone

        subscriber = self._subscriber(war_newsletter)
        publish("A story")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        token = manage_token(subscriber_id=subscriber.id, key=subscriber.key, issue_id=issue.id)
        bare = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token, no session
        response = bare.post(
            f"/newsletters/unsubscribe/{token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
            headers={"host": "spacewar.localhost"},
        )
        assert response.status_code == 200
        subscription = Subscription.objects.get(subscriber=subscriber)
        assert subscription.status == "unsubscribed"
        assert subscription.unsubscribed_issue == issue
        # A second click is harmless.
        assert (
            bare.post(
                f"/newsletters/unsubscribe/{token}/", headers={"host": "spacewar.localhost"}
            ).status_code
            == 200
        )

    def test_unsubscribe_get_only_asks(self, fetch, war_newsletter):
        """Opening the unsubscribe link shows a button; it does not unsubscribe by itself."""
        subscriber = self._subscriber(war_newsletter)
        token = manage_token(subscriber_id=subscriber.id, key=subscriber.key)
        assert "Unsubscribe" in fetch(f"/newsletters/unsubscribe/{token}/").content.decode()
        assert Subscription.objects.get().status == "confirmed"

    def test_preferences_change_the_newsletters(self, client, war_newsletter, space_site):
        """The preferences page adds and removes newsletters for the address."""
        subscriber = self._subscriber(war_newsletter)
        token = manage_token(subscriber_id=subscriber.id, key=subscriber.key)
        page = client.get(
            f"/newsletters/preferences/{token}/", headers={"host": "spacewar.localhost"}
        )
        assert page.status_code == 200 and "links@example.com" in page.content.decode()
        response = client.post(
            f"/newsletters/preferences/{token}/",
            {"newsletters": [space_site.newsletter.id]},
            headers={"host": "spacewar.localhost"},
        )
        assert response.status_code == 200 and "Saved." in response.content.decode()
        states = dict(subscriber.subscriptions.values_list("newsletter__site__slug", "status"))
        assert states == {"spacewar": "unsubscribed", "spacedaily": "confirmed"}

    def test_tampered_preferences_link(self, fetch, war_newsletter):
        """A forged preferences token answers a helpful 400 page."""
        assert fetch("/newsletters/preferences/1.abc.0:forged/").status_code == 400

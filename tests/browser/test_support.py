"""A reader gives from an article's appeal: Chromium goes to the (stand-in) Stripe
Checkout page, pays, and comes back to the thank-you page."""

from urllib.parse import urlsplit

import pytest
from django.utils.csp import CSP
from support.conftest import STRIPE_KEY, STRIPE_WEBHOOK_SECRET
from support.standins import StripeStandIn

from dateline.support.models import Checkout, Contribution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe_stand_in(settings, live_server):
    stand_in = StripeStandIn(secret_key=STRIPE_KEY, webhook_secret=STRIPE_WEBHOOK_SECRET).start()
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stand_in.base
    port = urlsplit(live_server.url).port
    stand_in.webhook_url = f"http://127.0.0.1:{port}/support/webhooks/stripe/"
    stand_in.webhook_host = f"spacewar.localhost:{port}"
    yield stand_in
    stand_in.stop()
    assert stand_in.violations == []


def csp_with_form_action(settings, *origins):
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, *origins]}


class SupportBrowserTests:
    def test_give_from_the_article_appeal(
        self, live_server, browser, publish, stripe_stand_in, settings, artifacts
    ):
        """Article appeal -> hosted checkout -> pay -> thank-you page; the gift is recorded."""
        from django.core.cache import cache

        cache.clear()
        csp_with_form_action(settings, stripe_stand_in.base)
        story = publish("A story worth paying for")
        port = urlsplit(live_server.url).port
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        assert (
            page.goto(f"http://spacewar.localhost:{port}{story.placements.get().path}").status
            == 200
        )
        appeal = page.locator("section.appeal")
        assert appeal.is_visible()
        # On a phone the appeal fits: nothing cut off horizontally.
        page.set_viewport_size({"width": 375, "height": 800})
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        page.set_viewport_size({"width": 1280, "height": 900})
        appeal.get_by_label("$10").check()
        page.screenshot(path=str(artifacts / "support-appeal.png"), full_page=True)
        appeal.get_by_role("button", name="Card (Stripe)").click()
        page.wait_for_url(f"{stripe_stand_in.base}/pay/**")
        assert "10.00 USD" in page.locator(".amount").inner_text()
        page.get_by_role("button", name="Pay").click()
        page.wait_for_url("**/support/thanks/**")
        assert page.locator("h1").inner_text() == "Thank you"
        assert "has been received" in page.locator(".support-thanks").inner_text()
        page.screenshot(path=str(artifacts / "support-thanks.png"), full_page=True)
        page.close()
        assert stripe_stand_in.webhook_answers == [200]
        gift = Contribution.objects.get()
        assert (gift.amount_minor, gift.frequency) == (1000, "once")
        assert Checkout.objects.get().status == Checkout.Status.COMPLETED

    def test_form_action_must_allow_the_provider(
        self, live_server, browser, publish, stripe_stand_in, settings
    ):
        """Chromium applies form-action to the redirect after the form: with only 'self'
        the reader never reaches the provider (why the CSP names the checkout origins)."""
        from django.core.cache import cache

        cache.clear()
        csp_with_form_action(settings)
        story = publish("A story with a strict policy")
        port = urlsplit(live_server.url).port
        page = browser.new_page()
        page.goto(f"http://spacewar.localhost:{port}{story.placements.get().path}")
        violations = []
        page.on("console", lambda message: violations.append(message.text))
        page.locator("section.appeal").get_by_role("button", name="Card (Stripe)").click()
        page.wait_for_timeout(1500)
        assert not page.url.startswith(stripe_stand_in.base)
        assert any("form-action" in text for text in violations)
        page.close()

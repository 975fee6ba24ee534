"""The appeal on article pages, the support page, and the checkout form's edge: bounds,
hostile input, cross-site posts, and the pages readers come back to."""

import re
from decimal import Decimal

import pytest

from dateline.support import services
from dateline.support.models import AppealConfig, Checkout

pytestmark = pytest.mark.django_db

HOST = {"host": "spacewar.localhost"}
SAME_ORIGIN = {**HOST, "Origin": "http://spacewar.localhost"}


def post_gift(client, headers=SAME_ORIGIN, **form):
    return client.post("/support/checkout/", form, headers=headers)


class AppealRegionTests:
    def test_article_page_shows_the_appeal(
        self, publish, fetch, appeal, stripe_standin, paypal_standin
    ):
        """Every article page carries the appeal after the related links: text, preset
        amounts, once/monthly and a button per provider; no inline script or style."""
        story = publish("Drone story")
        html = fetch(story.placements.get().path).content.decode()
        assert html.index('class="related"') < html.index('class="appeal"')
        region = html[html.index('<section class="appeal"') :]
        assert "Keep the wire free" in region and "Readers who give keep it so." in region
        assert 'action="/support/checkout/"' in region
        assert re.findall(r'name="amount" value="([^"]+)"', region) == ["5", "10", "25"]
        assert 'value="once"' in region and 'value="monthly"' in region
        assert 'value="stripe"' in region and 'value="paypal"' in region
        # No inline script (the CSP allows none): only our own files and the JSON-LD data.
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="/static/' in tag or "application/ld+json" in tag for tag in scripts)
        assert " style=" not in html

    def test_no_provider_no_appeal_form(self, publish, fetch, appeal):
        """With both providers switched off the article page shows no giving form."""
        story = publish("Quiet story")
        html = fetch(story.placements.get().path).content.decode()
        assert "/support/checkout/" not in html

    def test_site_override_applies_to_its_site_only(
        self, publish, fetch, appeal, space_site, war_site, stripe_standin
    ):
        """A site's override changes its own appeal field by field; the other sites keep
        the network's."""
        services.appeal_save(
            appeal=AppealConfig(
                network=war_site.network,
                site=war_site,
                heading="Back SpaceWar",
                preset_amounts="3, 7",
            )
        )
        war = fetch("/support/").content.decode()
        space = fetch("/support/", host="spacedaily.localhost").content.decode()
        assert "Back SpaceWar" in war and "Keep the wire free" in space
        assert re.findall(r'name="amount" value="([^"]+)"', war) == ["3", "7"]
        assert "Readers who give keep it so." in war  # text inherited from the network

    def test_monthly_offered_only_where_a_provider_can(
        self, fetch, war_site, appeal, paypal_standin, settings
    ):
        """Without a PayPal plan, PayPal offers one-off gifts only, and monthly is not offered."""
        settings.PAYPAL_MONTHLY_PLAN_ID = ""
        html = fetch("/support/").content.decode()
        assert 'value="monthly"' not in html and 'value="paypal"' in html

    def test_csp_allows_the_hosted_checkouts_only(self, fetch, war_site, appeal, stripe_standin):
        """The page's CSP lets the form go to our site and the providers' checkout
        origins, and nowhere else; no inline script is allowed."""
        csp = fetch("/support/")["Content-Security-Policy"]
        form_action = next(d for d in csp.split(";") if "form-action" in d).split()[1:]
        assert form_action == [
            "'self'",
            "https://checkout.stripe.com",
            "https://www.paypal.com",
            "https://www.sandbox.paypal.com",
        ]
        assert "unsafe-inline" not in csp


class CheckoutFormTests:
    @pytest.mark.parametrize(
        ("form", "message"),
        [
            ({"amount": "1"}, "between 2.00 and 500.00 USD"),
            ({"custom_amount": "5000"}, "between 2.00 and 500.00 USD"),
            ({"custom_amount": "-5"}, "between 2.00 and 500.00 USD"),
            ({"custom_amount": "NaN"}, "Enter the amount"),
            ({"custom_amount": "1e9"}, "between 2.00 and 500.00 USD"),
            ({"custom_amount": "5.001"}, "at most two decimals"),
            ({"custom_amount": "<script>alert(1)</script>"}, "Enter the amount"),
            ({"custom_amount": ""}, "Enter the amount"),
        ],
    )
    def test_bad_amounts_are_refused_clearly(
        self, client, war_site, appeal, stripe_standin, form, message
    ):
        """Amounts outside the bounds or not amounts at all: 400 with a clear message, no
        checkout recorded, no call to the provider, nothing echoed unescaped."""
        response = post_gift(client, frequency="once", provider="stripe", **form)
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert "<script>alert(1)" not in html
        assert not Checkout.objects.exists() and stripe_standin.calls == []

    @pytest.mark.parametrize(
        ("typed", "cents"), [("12,50", 1250), ("$7", 700), ("1,000", None), ("8.5", 850)]
    )
    def test_amounts_as_readers_type_them(
        self, client, war_site, appeal, stripe_standin, typed, cents
    ):
        """A decimal comma, a currency sign and thousands separators are read as meant."""
        response = post_gift(client, frequency="once", provider="stripe", custom_amount=typed)
        if cents is None:
            assert (
                response.status_code == 400
                and "between 2.00 and 500.00 USD" in response.content.decode()
            )
        else:
            assert response.status_code == 303
            assert Checkout.objects.get().amount_minor == cents

    def test_unknown_provider_and_frequency_are_refused(
        self, client, war_site, appeal, stripe_standin
    ):
        """A provider that is off or unknown, or a frequency not offered, is refused."""
        assert post_gift(client, frequency="once", provider="paypal", amount="5").status_code == 400
        assert (
            post_gift(client, frequency="weekly", provider="stripe", amount="5").status_code == 400
        )
        assert not Checkout.objects.exists()

    def test_cross_site_posts_are_refused(self, client, war_site, appeal, stripe_standin):
        """A form posted from another site (or with no Origin) is refused with 403."""
        form = {"frequency": "once", "provider": "stripe", "amount": "5"}
        assert (
            post_gift(
                client, headers={**HOST, "Origin": "https://evil.example"}, **form
            ).status_code
            == 403
        )
        assert post_gift(client, headers={**HOST, "Origin": "null"}, **form).status_code == 403
        assert post_gift(client, headers=HOST, **form).status_code == 403
        assert not Checkout.objects.exists()

    def test_a_flood_of_checkouts_is_refused(
        self, client, war_site, appeal, stripe_standin, settings
    ):
        """Past the hourly limit per address, checkouts are refused with 429 and never
        reach the provider."""
        settings.DATELINE_SUPPORT_CHECKOUTS_PER_HOUR = 3
        answers = [
            post_gift(client, frequency="once", provider="stripe", amount="5").status_code
            for _ in range(5)
        ]
        assert answers == [303, 303, 303, 429, 429]
        assert len(stripe_standin.sessions) == 3 and Checkout.objects.count() == 3

    def test_get_is_not_allowed(self, client, war_site, appeal):
        """The checkout endpoint takes POST only."""
        assert client.get("/support/checkout/", headers=HOST).status_code == 405

    def test_bounds_follow_the_site_override(self, client, war_site, appeal, stripe_standin):
        """A site's own bounds are the ones enforced."""
        services.appeal_save(
            appeal=AppealConfig(network=war_site.network, site=war_site, max_amount=Decimal("20"))
        )
        response = post_gift(client, frequency="once", provider="stripe", custom_amount="25")
        assert (
            response.status_code == 400
            and "between 2.00 and 20.00 USD" in response.content.decode()
        )


class ReturnPagesTests:
    def _checkout(self, site, **fields):
        return Checkout.objects.create(
            site=site, provider="stripe", frequency="once", amount_minor=500, currency="USD",
            created_at="2026-11-25T12:00Z", **fields,
        )  # fmt: skip

    def test_thanks_page(self, client, war_site, appeal):
        """The thank-you page thanks the reader with the network's text and the amount."""
        checkout = self._checkout(war_site)
        response = client.get(f"/support/thanks/{checkout.token}/", headers=HOST)
        assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
        html = response.content.decode()
        assert "Thank you for keeping the wire free." in html and "$5" in html
        assert "Privacy Statement" in html  # the network's footer, as on every page

    def test_cancel_page_marks_the_checkout(self, client, war_site, appeal):
        """Leaving the hosted checkout lands on a page saying nothing was charged."""
        checkout = self._checkout(war_site)
        response = client.get(f"/support/cancelled/{checkout.token}/", headers=HOST)
        assert response.status_code == 200 and b"nothing was charged" in response.content
        checkout.refresh_from_db()
        assert checkout.status == Checkout.Status.CANCELLED

    def test_another_sites_checkout_is_not_found(self, client, war_site, space_site, appeal):
        """A checkout token of one site answers 404 on another site."""
        checkout = self._checkout(space_site)
        assert client.get(f"/support/thanks/{checkout.token}/", headers=HOST).status_code == 404

    def test_support_is_a_reserved_section_slug(self):
        """No section can take /support/."""
        from django.core.exceptions import ValidationError

        from dateline.network.models import validate_section_slug

        with pytest.raises(ValidationError):
            validate_section_slug("support")
